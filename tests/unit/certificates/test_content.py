"""Texts, dates and levels of certificates, and the data: URIs the renderer may decode."""

from __future__ import annotations

import base64
from datetime import date

import pytest
from weasyprint.urls import URLFetchingError, fetch

from hub.certificates.content import certificate_language, format_date, level_name, localized
from hub.certificates.fetcher import InlineOnlyFetcher
from hub.errors import InvalidInputError

LEVELS = [
    {"id": "basic", "name": {"fr": "Fondamental", "en": "Foundation"}},
    {"id": "advanced", "name": {"fr": "Avancé"}},
]


@pytest.mark.parametrize(
    ("moment", "language", "expected"),
    [
        (date(2025, 3, 14), "en", "14 March 2025"),
        (date(2025, 3, 14), "fr", "14 mars 2025"),
        (date(2025, 8, 1), "fr", "1er août 2025"),
        (date(2025, 8, 1), "en", "1 August 2025"),
        (date(2024, 12, 31), "fr", "31 décembre 2024"),
    ],
)
def test_format_date(moment: date, language: str, expected: str) -> None:
    assert format_date(moment, language) == expected


def test_localized_prefers_language() -> None:
    assert localized({"fr": "Bonjour", "en": "Hello"}, "fr") == "Bonjour"


def test_localized_falls_back_to_english_then_french() -> None:
    assert localized({"fr": "Bonjour", "en": "Hello", "de": "Hallo"}, "it") == "Hello"
    assert localized({"fr": "Bonjour", "de": "Hallo"}, "en") == "Bonjour"
    assert localized({"de": "Hallo"}, "en") == "Hallo"
    assert localized({"en": "  ", "fr": "Bonjour"}, "en") == "Bonjour"


def test_level_name_by_id_and_language() -> None:
    assert level_name(LEVELS, "basic", "fr") == "Fondamental"
    assert level_name(LEVELS, "basic", "en") == "Foundation"
    assert level_name(LEVELS, "advanced", "en") == "Avancé"


def test_level_name_by_name() -> None:
    assert level_name(LEVELS, "Foundation", "fr") == "Fondamental"


def test_unknown_level_is_shown_as_stored() -> None:
    assert level_name(LEVELS, "Expert", "en") == "Expert"
    assert level_name([], "Expert", "en") == "Expert"


def test_no_level() -> None:
    assert level_name(LEVELS, None, "en") is None
    assert level_name(LEVELS, "", "en") is None


def test_certificate_language() -> None:
    assert certificate_language("fr", None) == "fr"
    assert certificate_language("fr", "en") == "en"
    assert certificate_language("de", None) == "en"
    assert certificate_language(None, None) == "en"


def test_certificate_language_rejects_unknown() -> None:
    with pytest.raises(InvalidInputError) as raised:
        certificate_language("fr", "de")

    assert raised.value.code == "unsupported-language"


def test_fetcher_decodes_image_data_uri() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    url = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
    fetcher = InlineOnlyFetcher()

    with fetch(fetcher, url) as response:
        body = response.read()
        content_type = response.content_type

    assert body == svg
    assert content_type == "image/svg+xml"
    assert fetcher.rejected == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.png",
        "https://example.org/logo.svg",
        "file:///etc/passwd",
        "ftp://example.org/x",
        "data:text/html;base64,PHNjcmlwdD4=",
        "data:text/css,body{}",
        "data:image/png;base64,@@@",
    ],
)
def test_fetcher_rejects(url: str) -> None:
    fetcher = InlineOnlyFetcher()

    with pytest.raises(URLFetchingError), fetch(fetcher, url):
        pass

    assert fetcher.rejected == [url]
