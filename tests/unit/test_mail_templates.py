"""E-mail templates: the sandbox's checks, rendering to text and HTML, dates, addresses."""

from __future__ import annotations

import email
import email.policy
import uuid
from datetime import date
from typing import Any

import pytest

from hub.mail.message import build_message, wire_bytes
from hub.mail.sandbox import TemplateCheckError
from hub.mail.store import mask_address
from hub.mail.templates import (
    MAX_BODY_CHARS,
    VARIABLES,
    RenderedEmail,
    TemplateSource,
    check_template,
    default_template,
    format_date,
    render_email,
)
from hub.mail.transport import scrub_addresses

VALUES: dict[str, Any] = {
    "earner_name": "Ada <script>alert(1)</script> & Co",
    "badge_name": "Cap Campus",
    "issuer_name": "Université Polytechnique Hauts-de-France",
    "issue_date": "4 décembre 2026",
    "expiry_date": None,
    "credential_url": "https://badges.example/credentials/1",
    "claim_url": "https://badges.example/claim/1?token=abc&lang=fr",
    "certificate_url": "https://badges.example/credentials/1/certificate.pdf",
}


def _check(body: str, subject: str = "Subject") -> RenderedEmail:
    return check_template("award", subject, body, VALUES)


def _error(body: str, subject: str = "Subject") -> TemplateCheckError:
    with pytest.raises(TemplateCheckError) as caught:
        _check(body, subject)
    return caught.value


@pytest.mark.parametrize("language", ["fr", "en"])
def test_default_templates_render(language: str) -> None:
    rendered = render_email(default_template("award", language), VALUES, tenant_name="UPHF")

    assert VALUES["claim_url"] in rendered.text
    assert VALUES["credential_url"] in rendered.text
    assert VALUES["certificate_url"] in rendered.text
    assert "Cap Campus" in rendered.subject
    assert "{{" not in rendered.text
    assert f'<html lang="{language}">' in rendered.html


def test_expiry_line_only_when_set() -> None:
    source = default_template("award", "en")

    without = render_email(source, VALUES, tenant_name="UPHF")
    with_expiry = render_email(
        source, {**VALUES, "expiry_date": "4 December 2027"}, tenant_name="UPHF"
    )

    assert "valid until" not in without.text
    assert "\n\n\n" not in without.text
    assert "It is valid until 4 December 2027." in with_expiry.text


def test_html_escapes_text_and_links_urls() -> None:
    rendered = render_email(default_template("award", "en"), VALUES, tenant_name="A & B")

    assert "<script>" not in rendered.html
    assert "Ada &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in rendered.html
    assert '<a href="https://badges.example/claim/1?token=abc&amp;lang=fr">' in rendered.html
    assert "A &amp; B" in rendered.html
    assert "<img" not in rendered.html
    assert "Ada <script>alert(1)</script> & Co" in rendered.text


def test_template_text_is_escaped_in_html() -> None:
    rendered = render_email(
        TemplateSource("award", "en", "Hi", "<b>bold</b> {{ earner_name }}", is_default=False),
        VALUES,
        tenant_name="UPHF",
    )

    assert "<b>" not in rendered.html
    assert "&lt;b&gt;bold&lt;/b&gt;" in rendered.html


def test_link_excludes_trailing_punctuation() -> None:
    rendered = render_email(
        TemplateSource("award", "en", "Hi", "See {{ credential_url }}.", is_default=False),
        VALUES,
        tenant_name="UPHF",
    )

    assert '<a href="https://badges.example/credentials/1">' in rendered.html


def test_syntax_error_names_line() -> None:
    error = _error("Hello\n\n{% if earner_name %}open")

    assert error.extra["field"] == "body"
    assert error.extra["line"] == 3
    assert "syntax error on line 3" in error.message


def test_unknown_variables_are_listed() -> None:
    error = _error("{{ earner_name }}\n{{ grade }} {{ mark }}")

    assert error.extra["unknown"] == ["grade", "mark"]
    assert error.extra["line"] == 2
    assert "'grade' (line 2)" in error.message
    assert ", ".join(VARIABLES["award"]) in error.message


def test_subject_errors_name_subject() -> None:
    error = _error("Hello", subject="For {{ student }}")

    assert error.extra["field"] == "subject"
    assert "the subject uses unknown variable 'student'" in error.message


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("{{ ''.__class__ }}", "attribute access"),
        ("{{ ''['__class__'] }}", "indexing"),
        ("{{ earner_name.upper() }}", "function or method call"),
        ("{{ lipsum() }}", "function or method call"),
        ("{{ range(10) }}", "function or method call"),
        ("{{ 'x' * 1000000000 }}", "multiplication"),
        ("{{ 10 ** 10 ** 10 }}", "the ** operator"),
        ("{{ '%0999999999d' % 1 }}", "the % operator"),
        ("{% set a = earner_name %}{{ a }}", "{% set %}"),
        ("{% for c in earner_name %}{% endfor %}", "{% for %} loop"),
        ("{% macro m() %}{% endmacro %}", "{% macro %}"),
        ("{% include 'base.html' %}", "{% include %}"),
        ("{% extends 'base.html' %}", "{% extends %}"),
        ("{{ earner_name | format(1) }}", "filter 'format'"),
        ("{{ earner_name | attr('x') }}", "filter 'attr'"),
        ("{{ [earner_name] }}", "a list"),
        ("{{ self }}", "unknown variable 'self'"),
        ("{{ config }}", "unknown variable 'config'"),
    ],
)
def test_sandbox_rejects_construct(body: str, fragment: str) -> None:
    error = _error(body)

    assert fragment in error.message


def test_allowed_constructs_render() -> None:
    body = (
        "{% if expiry_date is none %}no expiry{% else %}{{ expiry_date }}{% endif %}\n"
        "{{ badge_name | upper }} {{ earner_name | truncate(3, true, '') }}\n"
        "{{ issuer_name ~ ' / ' ~ badge_name }} {{ 'a' if badge_name == 'Cap Campus' }}\n"
        "{{ expiry_date | default('none', true) | title }}"
    )

    rendered = _check(body)

    assert rendered.text == (
        "no expiry\nCAP CAMPUS Ada\nUniversité Polytechnique Hauts-de-France / Cap Campus a\nNone\n"
    )


def test_runtime_error_names_line() -> None:
    error = _error("line one\n{{ expiry_date | truncate(3) }}")

    assert error.extra["line"] == 2
    assert "failed to render on line 2" in error.message


def test_output_size_is_capped() -> None:
    values = {**VALUES, "issuer_name": "x" * 10_000}
    body = "{{ issuer_name }}" * (MAX_BODY_CHARS // 10_000 + 1)

    with pytest.raises(TemplateCheckError, match="renders to more than"):
        check_template("award", "s", body, values)


@pytest.mark.parametrize(("subject", "body"), [("", "Hello"), ("Hi", "   ")])
def test_empty_field_is_rejected(subject: str, body: str) -> None:
    with pytest.raises(TemplateCheckError, match="is empty"):
        check_template("award", subject, body, VALUES)


def test_subject_is_one_line() -> None:
    rendered = _check("Body", subject="Line one\n  line   two")

    assert rendered.subject == "Line one line two"


@pytest.mark.parametrize(
    ("day", "language", "expected"),
    [
        (date(2026, 12, 4), "fr", "4 décembre 2026"),
        (date(2026, 5, 1), "fr", "1er mai 2026"),
        (date(2026, 12, 4), "en", "4 December 2026"),
        (date(2026, 8, 1), "en", "1 August 2026"),
    ],
)
def test_format_date(day: date, language: str, expected: str) -> None:
    assert format_date(day, language) == expected


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("ada.lovelace@example.org", "a***@example.org"),
        ("x@uphf.fr", "x***@uphf.fr"),
        ("not-an-address", "***"),
    ],
)
def test_mask_address(address: str, masked: str) -> None:
    assert mask_address(address) == masked


def test_scrub_addresses_in_errors() -> None:
    scrubbed = scrub_addresses("550 5.1.1 <ada@example.org>: rejected; cc bob.b@uphf.fr")

    assert "ada@example.org" not in scrubbed
    assert "bob.b@uphf.fr" not in scrubbed
    assert scrubbed == "550 5.1.1 <[address]>: rejected; cc [address]"


@pytest.mark.parametrize(
    ("subject", "sender_name", "recipient_name"),
    [
        (
            "Polytechnic University of Hauts-de-France awarded you the badge “Cap Campus”",
            "Polytechnic University of Hauts-de-France",
            "Ada Lovelace",
        ),
        (
            "Brandenburgische Technische Universität Cottbus-Senftenberg vous a décerné le "
            "badge « Atelier d'écriture scientifique et de communication »",
            "Brandenburgische Technische Universität Cottbus-Senftenberg",
            "Zoë Ådne O'Brien-Łukasiewicz",
        ),
        ("Πανεπιστήμιο Πελοποννήσου: « Cap Campus »", "Πανεπιστήμιο Πελοποννήσου", "Ελένη"),
    ],
)
def test_headers_survive_transport(subject: str, sender_name: str, recipient_name: str) -> None:
    built = build_message(
        email_id=uuid.uuid4(),
        sender="badges@uphf.example",
        sender_name=sender_name,
        recipient="ada@example.org",
        recipient_name=recipient_name,
        reply_to="help@uphf.example",
        language="fr",
        rendered=RenderedEmail(subject, "text é\n", "<p>html é</p>"),
    )

    data = wire_bytes(built.message)
    parsed = email.message_from_bytes(data, policy=email.policy.default)

    assert parsed["Subject"] == subject
    assert parsed["From"].addresses[0].display_name == sender_name
    assert parsed["To"].addresses[0].display_name == recipient_name
    assert parsed["Reply-To"] == "help@uphf.example"
    assert max(len(line) for line in data.split(b"\r\n")) <= 998
    assert data.isascii()
