"""Checks of the certificate design form, and how stored designs are read back."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from hub.certificates.design import (
    DEFAULT_PRIMARY_COLOR,
    CertificateDesign,
    design_of,
    parse_design,
    prepare_logo,
)
from hub.errors import InvalidInputError

FORM = {
    "primary_color": "#1D3557",
    "accent_color": "#b8860b",
    "signatory_name": "  Grace Hopper  ",
    "signatory_title_fr": "Présidente",
    "signatory_title_en": "President",
    "wording_fr": "Bravo\r\net merci",
    "wording_en": "Well done",
    "layout": "modern",
}
LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<rect width="10" height="10"/></svg>'
)


def tenant_with(settings: Any) -> Any:
    return SimpleNamespace(settings=settings)


def test_parse_design_normalises_values() -> None:
    design = parse_design(FORM)

    assert design.primary_color == "#1d3557"
    assert design.signatory_name == "Grace Hopper"
    assert design.signatory_title == {"fr": "Présidente", "en": "President"}
    assert design.wording == {"fr": "Bravo\net merci", "en": "Well done"}
    assert design.layout == "modern"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("primary_color", "red", "primary_color 'red' is invalid; give #rrggbb"),
        ("accent_color", "#12345", "accent_color '#12345' is invalid; give #rrggbb"),
        ("accent_color", "#1234567", "accent_color '#1234567' is invalid; give #rrggbb"),
        ("primary_color", "#12345g", "primary_color '#12345g' is invalid; give #rrggbb"),
        ("layout", "poster", "layout 'poster' is invalid; choose one of classic, modern"),
        ("signatory_name", "x" * 121, "signatory_name has 121 characters; the maximum is 120"),
        ("signatory_name", "Grace\nHopper", "signatory_name has a line break"),
        ("signatory_title_en", "a\x00b", "signatory_title_en contains a control character"),
        ("wording_fr", "é" * 501, "wording_fr has 501 characters; the maximum is 500"),
        ("wording_en", "\n".join("line" for _ in range(9)), "wording_en has 9 lines"),
    ],
)
def test_parse_design_rejects(field: str, value: str, message: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        parse_design({**FORM, field: value})

    assert message in raised.value.message
    assert raised.value.code == "invalid-certificate-design"


def test_longest_wording_is_accepted() -> None:
    design = parse_design({**FORM, "wording_en": "w" * 500})

    assert len(design.wording["en"]) == 500


def test_design_of_without_settings() -> None:
    assert design_of(tenant_with({})) == CertificateDesign()


def test_design_of_reads_json_text() -> None:
    stored = '{"certificate": {"primary_color": "#aa0000", "layout": "modern"}}'

    design = design_of(tenant_with(stored))

    assert design.primary_color == "#aa0000"
    assert design.layout == "modern"


def test_design_of_replaces_invalid_stored_values() -> None:
    stored = {
        "certificate": {
            "primary_color": "red;} body { display: none",
            "wording": {"en": "fine", "fr": "x" * 900},
            "layout": "modern",
        }
    }

    design = design_of(tenant_with(stored))

    assert design.primary_color == DEFAULT_PRIMARY_COLOR
    assert design.wording == {}
    assert design.layout == "modern"


def test_svg_logo_is_sanitised() -> None:
    logo = prepare_logo(LOGO.replace(b"<rect ", b'<rect data-x="1" '))

    assert logo.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert "data-x" not in logo


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (LOGO.replace(b"</svg>", b"<script>alert(1)</script></svg>"), "a <script> element"),
        (
            LOGO.replace(b"</svg>", b'<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">'
                         b"x</p></foreignObject></svg>"),
            "a <foreignObject> element",
        ),
        (LOGO.replace(b"<rect ", b'<rect onload="alert(1)" '), "event handler attribute onload"),
        (LOGO.replace(b"<rect ", b'<a href="javascript:alert(1)"><rect ').replace(
            b"</svg>", b"</a></svg>"), "a javascript: URL in href"),
        (b"<!DOCTYPE svg [<!ENTITY x 'y'>]><svg/>", "DOCTYPE"),
        (b"\x89PNG\r\n\x1a\nnot really", "PNG"),
        (b"\xff\xd8\xff\xe0 jpeg", "neither a PNG image nor an SVG document"),
    ],
)  # fmt: skip
def test_unsafe_logo_is_rejected(upload: bytes, message: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        prepare_logo(upload)

    assert message in raised.value.message
    assert raised.value.code == "invalid-image"
