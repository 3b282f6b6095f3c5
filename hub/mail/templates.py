"""E-mail templates: the defaults, the variables they may use, and rendering to text and HTML.

A template is a subject and a body written as plain text with Jinja2 placeholders. Tenants
override the defaults per kind and language in ``MailTemplate`` rows. The HTML part is built
from the rendered text: every character of it is escaped, paragraphs become ``<p>`` and web
addresses become links, inside a layout with the tenant's name that loads no remote content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from hub.mail.sandbox import TemplateCheckError, compile_template, render_template

AWARD_KIND = "award"
TEMPLATE_KINDS = (AWARD_KIND,)
MAIL_LANGUAGES = ("fr", "en")

MAX_SUBJECT_SOURCE_CHARS = 500
MAX_BODY_SOURCE_CHARS = 20_000
MAX_SUBJECT_CHARS = 300
MAX_BODY_CHARS = 50_000

# The variables of each kind, in the order the console lists them.
VARIABLES: dict[str, tuple[str, ...]] = {
    AWARD_KIND: (
        "earner_name",
        "badge_name",
        "issuer_name",
        "issue_date",
        "expiry_date",
        "credential_url",
        "claim_url",
        "certificate_url",
    ),
}


@dataclass(frozen=True)
class TemplateSource:
    """The subject and body of one template, and whether they are the built-in default."""

    kind: str
    language: str
    subject: str
    body: str
    is_default: bool
    updated_by: str = ""
    updated_at: datetime | None = None


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


_AWARD_DEFAULTS = {
    "en": (
        "{{ issuer_name }} awarded you the badge \u201c{{ badge_name }}\u201d",
        """Hello {{ earner_name }},

{{ issuer_name }} awarded you the badge \u201c{{ badge_name }}\u201d on {{ issue_date }}.
{% if expiry_date %}It is valid until {{ expiry_date }}.{% endif %}

Your badge is a digitally signed Open Badges 3.0 credential.
Anyone can check it on its page:
{{ credential_url }}

Add the badge to your account to keep it with your other badges:
{{ claim_url }}

Download your certificate (PDF):
{{ certificate_url }}

This message was sent by the EUNICE Badge Hub on behalf of {{ issuer_name }}.""",
    ),
    "fr": (
        "{{ issuer_name }} vous a décerné le badge « {{ badge_name }} »",
        """Bonjour {{ earner_name }},

{{ issuer_name }} vous a décerné le badge « {{ badge_name }} » le {{ issue_date }}.
{% if expiry_date %}Il est valable jusqu'au {{ expiry_date }}.{% endif %}

Votre badge est une attestation Open Badges 3.0 signée numériquement.
Chacun peut la vérifier sur sa page :
{{ credential_url }}

Ajoutez le badge à votre compte pour le garder avec vos autres badges :
{{ claim_url }}

Téléchargez votre certificat (PDF) :
{{ certificate_url }}

Ce message vous a été envoyé par EUNICE Badge Hub au nom de {{ issuer_name }}.""",
    ),
}

DEFAULTS: dict[tuple[str, str], tuple[str, str]] = {
    (AWARD_KIND, language): texts for language, texts in _AWARD_DEFAULTS.items()
}


def default_template(kind: str, language: str) -> TemplateSource:
    subject, body = DEFAULTS[(kind, language)]
    return TemplateSource(kind, language, subject, body, is_default=True)


def check_template(kind: str, subject: str, body: str, sample: dict[str, Any]) -> RenderedEmail:
    """Check a template for saving and return it rendered with ``sample`` values.

    Raises ``TemplateCheckError`` naming the field and line of the first problem.
    """
    for field, source, limit in (
        ("subject", subject, MAX_SUBJECT_SOURCE_CHARS),
        ("body", body, MAX_BODY_SOURCE_CHARS),
    ):
        if not source.strip():
            raise TemplateCheckError(f"the {field} is empty; write one", field=field)
        if len(source) > limit:
            raise TemplateCheckError(
                f"the {field} has {len(source):,} characters; shorten it to at most {limit:,}",
                field=field,
            )
    return render_text_parts(kind, subject, body, sample)


def render_text_parts(kind: str, subject: str, body: str, values: dict[str, Any]) -> RenderedEmail:
    """Render the subject and the text body; ``html`` stays empty (``render_email`` adds it)."""
    variables = VARIABLES[kind]
    subject_template = compile_template(subject, "subject", variables)
    body_template = compile_template(body, "body", variables)
    rendered_subject = render_template(subject_template, "subject", values, MAX_SUBJECT_CHARS)
    text = render_template(body_template, "body", values, MAX_BODY_CHARS)
    return RenderedEmail(
        subject=" ".join(rendered_subject.split()),
        text=_tidy_text(text),
        html="",
    )


def render_email(
    source: TemplateSource, values: dict[str, Any], *, tenant_name: str
) -> RenderedEmail:
    """Render a template into the subject, the text body and the HTML body."""
    parts = render_text_parts(source.kind, source.subject, source.body, values)
    html = render_html(
        parts.text, subject=parts.subject, tenant_name=tenant_name, language=source.language
    )
    return RenderedEmail(parts.subject, parts.text, html)


def _tidy_text(text: str) -> str:
    """Drop trailing spaces, and the extra blank lines that ``{% if %}`` blocks leave."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


# Web addresses become links. Trailing punctuation belongs to the sentence, not the address.
_URL = re.compile(r"https?://[^\s<>\"'«»]+")
_TRAILING_PUNCTUATION = ".,;:!?)]"

_LAYOUTS = Environment(
    loader=FileSystemLoader(Path(__file__).parent.parent / "templates" / "mail"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(text: str, *, subject: str, tenant_name: str, language: str) -> str:
    """Lay out the rendered text as HTML: escaped, in paragraphs, with its addresses linked."""
    paragraphs = [
        Markup("<br>\n").join(_linked_line(line) for line in block.splitlines())
        for block in re.split(r"\n\s*\n", text.strip())
    ]
    layout = _LAYOUTS.get_template("layout.html")
    return layout.render(
        paragraphs=paragraphs, subject=subject, tenant_name=tenant_name, language=language
    )


def _linked_line(line: str) -> Markup:
    pieces: list[Markup] = []
    position = 0
    for match in _URL.finditer(line):
        url = match.group(0).rstrip(_TRAILING_PUNCTUATION)
        end = match.start() + len(url)
        pieces.append(escape(line[position : match.start()]))
        pieces.append(Markup('<a href="{0}">{0}</a>').format(url))
        position = end
    pieces.append(escape(line[position:]))
    return Markup("").join(pieces)


_MONTHS = {
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
    "fr": (
        "janvier", "février", "mars", "avril", "mai", "juin",
        "juillet", "août", "septembre", "octobre", "novembre", "décembre",
    ),
}  # fmt: skip


def format_date(day: date, language: str) -> str:
    """Write a date the way the language does: 4 December 2026, 4 décembre 2026, 1er mai."""
    month = _MONTHS.get(language, _MONTHS["en"])[day.month - 1]
    number = "1er" if language == "fr" and day.day == 1 else str(day.day)
    return f"{number} {month} {day.year}"
