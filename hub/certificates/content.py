"""The content of a certificate: texts in the earner's language, dates, level and images.

``build_content`` gathers everything the PDF template shows into one value, so that the
rendered PDF depends only on that value and the credential text (see ``render.content_digest``).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from hub.certificates.design import LANGUAGES, CertificateDesign, design_of
from hub.errors import InvalidInputError
from hub.settings import Settings
from tenants import identity
from tenants.services import credential_url
from tenants.tables import Achievement, Award, Tenant

# Long texts are cut so that a certificate always fits on one A4 page, because achievement names
# and descriptions may contain up to 10,000 characters. The credential page shows them whole.
MAX_NAME_LENGTH = 150
MAX_DESCRIPTION_LENGTH = 480

_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
}  # fmt: skip


@dataclass(frozen=True)
class CertificateContent:
    """Everything a certificate shows, already in its language."""

    language: str
    earner_name: str
    badge_name: str
    badge_description: str
    badge_image_uri: str
    issuer_name: str
    issued_on: str
    valid_until: str | None
    level: str | None
    logo_uri: str | None
    verification_url: str
    design: CertificateDesign
    signatory_title: str
    wording: str
    is_preview: bool = False


def certificate_language(award_language: str | None, requested: str | None) -> str:
    """Return the requested language, else the award's, else English."""
    if requested is not None:
        if requested not in LANGUAGES:
            raise InvalidInputError(
                f"lang {requested!r} is not supported; use one of {', '.join(LANGUAGES)}",
                code="unsupported-language",
            )
        return requested
    return award_language if award_language in LANGUAGES else "en"


def build_content(
    settings: Settings,
    tenant: Tenant,
    achievement: Achievement,
    award: Award,
    language: str,
    *,
    is_preview: bool = False,
) -> CertificateContent:
    """Collect the texts and images of ``award``'s certificate in ``language``.

    The badge's name and description are the ones the credential signed when it was issued in
    ``language``. Otherwise they and the level names come from the achievement's published
    content (its working copy before the first publication) in ``language``, then English,
    then French.
    """
    published = _json_value(achievement.published) or {}
    texts = {
        name: _json_value(published.get(name, getattr(achievement, name)))
        for name in _CONTENT_FIELDS
    }
    design = design_of(tenant)
    credential = _credential_of(award)
    name, description = _badge_texts(credential, texts, language)
    issued_at = _credential_date(credential, "validFrom") or award.issued_at
    return CertificateContent(
        language=language,
        earner_name=award.recipient_name,
        badge_name=_shorten(name, MAX_NAME_LENGTH),
        badge_description=_shorten(description, MAX_DESCRIPTION_LENGTH),
        badge_image_uri=svg_data_uri(texts["image_svg"]),
        issuer_name=identity.issuer_profile(settings, tenant, language).name,
        issued_on=format_date(issued_at, language),
        valid_until=_optional_date(_credential_date(credential, "validUntil"), language),
        level=level_name(texts["levels"], award.level, language),
        logo_uri=svg_data_uri(tenant.logo_svg) if tenant.logo_svg else None,
        verification_url=credential_url(settings, award.id),
        design=design,
        signatory_title=localized(design.signatory_title, language),
        wording=localized(design.wording, language),
        is_preview=is_preview,
    )


def _badge_texts(
    credential: Mapping[str, Any], texts: Mapping[str, Any], language: str
) -> tuple[str, str]:
    """Return the badge's name and description, preferring what the credential signed.

    A revision published after the award may have changed the achievement's texts, while the
    certificate must show what the credential states.
    """
    subject = credential.get("credentialSubject")
    signed = subject.get("achievement") if isinstance(subject, Mapping) else None
    if isinstance(signed, Mapping) and signed.get("inLanguage") == language:
        name, description = signed.get("name"), signed.get("description")
        if isinstance(name, str) and isinstance(description, str) and name and description:
            return name, description
    return localized(texts["name"], language), localized(texts["description"], language)


_CONTENT_FIELDS = ("name", "description", "image_svg", "levels")


def localized(value: Any, language: str) -> str:
    """Return the text of a ``{"fr": …, "en": …}`` value in ``language``, English or French."""
    if isinstance(value, str):
        return value
    if not isinstance(value, Mapping):
        return ""
    for candidate in (language, "en", "fr"):
        text = value.get(candidate)
        if isinstance(text, str) and text.strip():
            return text
    return next((text for text in value.values() if isinstance(text, str) and text.strip()), "")


def level_name(levels: Any, level: str | None, language: str) -> str | None:
    """Return the name of the level an award names, localized when the achievement defines it.

    A level is matched by its ``id`` or by one of its names; an unknown level is shown as
    stored on the award.
    """
    if not level:
        return None
    for entry in levels if isinstance(levels, Sequence) else ():
        if not isinstance(entry, Mapping):
            continue
        names = entry.get("name")
        candidates = [entry.get("id"), *(names.values() if isinstance(names, Mapping) else [names])]
        if level in (candidate for candidate in candidates if isinstance(candidate, str)):
            return localized(names, language) or level
    return level


def format_date(moment: date, language: str) -> str:
    """Write a date as people read it: "14 March 2025", "14 mars 2025", "1er mars 2025"."""
    month = _MONTHS.get(language, _MONTHS["en"])[moment.month - 1]
    day = "1er" if language == "fr" and moment.day == 1 else str(moment.day)
    return f"{day} {month} {moment.year}"


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _optional_date(moment: date | None, language: str) -> str | None:
    return format_date(moment, language) if moment is not None else None


def _json_value(value: Any) -> Any:
    """Return a JSONB column's value; a row saved in this process contains JSON text instead."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        return json.loads(value)
    return value


def _credential_of(award: Award) -> Mapping[str, Any]:
    credential = _json_value(award.credential)
    return credential if isinstance(credential, Mapping) else {}


def _credential_date(credential: Mapping[str, Any], key: str) -> datetime | None:
    value = credential.get(key)
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _shorten(text: str, max_length: int) -> str:
    """Cut ``text`` at a word boundary to at most ``max_length`` characters, ending with "…"."""
    if len(text) <= max_length:
        return text
    cut = text[: max_length - 1].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return cut + "…"
