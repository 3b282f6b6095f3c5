"""Render certificates as PDF with WeasyPrint from the templates in ``hub/templates/certificates``.

The output is a one-page A4 landscape PDF/A-3b document. Its embedded file ``credential.json``
is the signed credential, byte for byte, with the relationship ``Data`` (ISO 32000-2, 7.11.3)
because the page shows what that file states.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from functools import partial
from pathlib import Path

import pydyf
import segno
import weasyprint
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from weasyprint import HTML, Attachment

from hub.certificates.content import CertificateContent, build_content
from hub.certificates.fetcher import InlineOnlyFetcher
from hub.i18n import MESSAGES, translate
from hub.settings import Settings
from tenants.tables import Achievement, Award, Tenant

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "certificates"
# PDF/A-3 is the archival format that allows embedded files of any type, such as JSON.
# NOTE: the output is not checked with a PDF/A validator such as veraPDF; WeasyPrint writes the
# metadata, the sRGB output intent and the AFRelationship entries that PDF/A-3b requires.
PDF_VARIANT = "pdf/a-3b"
ATTACHMENT_NAME = "credential.json"

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_certificate(
    settings: Settings,
    tenant: Tenant,
    achievement: Achievement,
    award: Award,
    language: str,
    *,
    is_preview: bool = False,
    fetcher: InlineOnlyFetcher | None = None,
) -> bytes:
    """Render the PDF certificate of ``award`` in ``language`` (``fr`` or ``en``).

    This takes about 0.15 s of CPU time (benchmarks/certificates.py), so async code calls it
    in a worker thread.
    """
    content = build_content(settings, tenant, achievement, award, language, is_preview=is_preview)
    return render_pdf(content, award.credential_text, fetcher)


def render_pdf(
    content: CertificateContent, credential_text: str, fetcher: InlineOnlyFetcher | None = None
) -> bytes:
    """Render ``content`` as PDF with ``credential_text`` embedded as ``credential.json``."""
    fetcher = fetcher or InlineOnlyFetcher()
    attachment = Attachment(
        string=credential_text.encode("utf-8"),
        name=ATTACHMENT_NAME,
        description=translate(content.language, "certificate.attachment"),
        relationship="Data",
        url_fetcher=fetcher,
    )
    document = HTML(string=render_html(content), url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(
        attachments=[attachment],
        pdf_variant=PDF_VARIANT,
        finisher=_list_associated_files_once,
    )
    return pdf


def _list_associated_files_once(document: object, pdf: pydyf.PDF) -> None:
    """Remove the duplicate entries that WeasyPrint 70 writes in the catalog's /AF array.

    Its PDF/A-3 step adds each embedded file once from the EmbeddedFiles name tree and once
    more from its file specification.
    """
    associated = pdf.catalog.get("AF")
    if associated:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(associated))


def render_html(content: CertificateContent) -> str:
    template = _environment.get_template("certificate.html")
    return template.render(
        c=content,
        t=partial(translate, content.language),
        qr_code=qr_code_svg(content.verification_url),
    )


def qr_code_svg(url: str) -> Markup:
    """Return a QR code of ``url`` as inline SVG markup, with the four-module quiet zone."""
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(omitsize=True, border=4, dark="#000000", light="#ffffff")
    return Markup(svg)  # noqa: S704 - segno writes this markup from the URL's bits only.


def content_digest(content: CertificateContent, credential_text: str) -> str:
    """Return a hash of everything a rendering depends on, for caching and ETags."""
    payload = json.dumps(
        [_RENDERER_DIGEST, asdict(content), credential_text], sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _renderer_digest() -> str:
    """Hash the templates, labels and WeasyPrint version, so a new release changes every digest."""
    digest = hashlib.sha256(weasyprint.__version__.encode())
    labels = {
        language: {key: text for key, text in texts.items() if key.startswith("certificate.")}
        for language, texts in MESSAGES.items()
    }
    digest.update(json.dumps(labels, sort_keys=True).encode())
    for path in sorted(TEMPLATES.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


_RENDERER_DIGEST = _renderer_digest()
