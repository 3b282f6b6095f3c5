"""The content of award e-mails: template variables from an award, and sample values."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from hub.mail.claim import claim_url
from hub.mail.sandbox import TemplateCheckError
from hub.mail.store import load_template
from hub.mail.templates import (
    AWARD_KIND,
    MAIL_LANGUAGES,
    RenderedEmail,
    TemplateSource,
    default_template,
    format_date,
    render_email,
)
from hub.settings import Settings
from tenants import identity
from tenants.services import credential_url
from tenants.tables import Achievement, Award, Tenant

log = structlog.get_logger(__name__)

SAMPLE_AWARD_ID = uuid.UUID("00000000-0000-4000-8000-000000000000")
SAMPLE_EARNER = "Ada Lovelace"
SAMPLE_BADGE = {"fr": "Atelier Open Badges", "en": "Open Badges Workshop"}


class AwardGoneError(Exception):
    """The award of a queued e-mail no longer exists, so the e-mail cannot be written."""


@dataclass(frozen=True)
class AwardNotice:
    """A rendered award e-mail with what its headers need."""

    rendered: RenderedEmail
    language: str
    earner_name: str
    issuer_name: str


def mail_language(language: str) -> str:
    return language if language in MAIL_LANGUAGES else "en"


def issuer_name(settings: Settings, tenant: Tenant, language: str) -> str:
    return identity.issuer_profile(settings, tenant, language).name


def certificate_url(settings: Settings, award_id: uuid.UUID) -> str:
    return f"{credential_url(settings, award_id)}/certificate.pdf"


async def badge_name(award: Award, language: str) -> str:
    """Return the badge name in ``language``: as issued when the credential is in it.

    Otherwise the name comes from the achievement's published content, or its working copy.
    """
    credential: Any = award.credential
    issued: dict[str, Any] = credential.get("credentialSubject", {}).get("achievement", {})
    if issued.get("inLanguage") == language and issued.get("name"):
        return str(issued["name"])
    row = (
        await Achievement.select(Achievement.name, Achievement.published)
        .output(load_json=True)
        .where(Achievement.id == award.achievement)
        .first()
    )
    if row is not None:
        names: dict[str, str] = (row["published"] or row)["name"] or {}
        if names.get(language):
            return names[language]
    return str(issued.get("name", ""))


def award_values(
    settings: Settings, tenant: Tenant, award: Award, badge: str, language: str
) -> dict[str, Any]:
    credential: Any = award.credential
    valid_until = credential.get("validUntil") or credential.get("expirationDate")
    expiry = None
    if valid_until:
        expiry = format_date(datetime.fromisoformat(valid_until).date(), language)
    return {
        "earner_name": award.recipient_name,
        "badge_name": badge,
        "issuer_name": issuer_name(settings, tenant, language),
        "issue_date": format_date(award.issued_at.date(), language),
        "expiry_date": expiry,
        "credential_url": credential_url(settings, award.id),
        "claim_url": claim_url(settings, award.id, language),
        "certificate_url": certificate_url(settings, award.id),
    }


def sample_values(settings: Settings, tenant: Tenant, language: str) -> dict[str, Any]:
    """Values for previews and for checking templates before they are saved."""
    today = datetime.now(UTC).date()
    return {
        "earner_name": SAMPLE_EARNER,
        "badge_name": SAMPLE_BADGE[mail_language(language)],
        "issuer_name": issuer_name(settings, tenant, language),
        "issue_date": format_date(today, language),
        "expiry_date": format_date(today + timedelta(days=365), language),
        "credential_url": credential_url(settings, SAMPLE_AWARD_ID),
        "claim_url": f"{settings.base_url}/claim/{SAMPLE_AWARD_ID}?token=sample&lang={language}",
        "certificate_url": certificate_url(settings, SAMPLE_AWARD_ID),
    }


class AwardNoticeWriter:
    """Renders award e-mails from tenants' current templates, reading each template once.

    One writer serves one delivery batch, so a template saved during the batch applies from
    the next batch on.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._templates: dict[tuple[int, str], TemplateSource] = {}

    async def write(self, tenant: Tenant, award_id: uuid.UUID, language: str) -> AwardNotice:
        """Render the award e-mail. Raises ``AwardGoneError`` when the award no longer exists.

        A tenant template that fails with this award's values (it passed with the sample values
        when saved) falls back to the default, so the earner still gets the e-mail.
        """
        language = mail_language(language)
        award = (
            await Award.objects()
            .output(load_json=True)
            .where(Award.id == award_id, Award.tenant == tenant.id)
            .first()
        )
        if award is None:
            raise AwardGoneError(f"award {award_id} of tenant {tenant.slug!r} no longer exists")
        badge = await badge_name(award, language)
        values = award_values(self.settings, tenant, award, badge, language)
        name = values["issuer_name"]
        try:
            rendered = render_email(
                await self._template(tenant, language), values, tenant_name=name
            )
        except TemplateCheckError as error:
            log.warning(
                "mail_template_fell_back",
                tenant=tenant.slug,
                language=language,
                error=error.message,
            )
            default = default_template(AWARD_KIND, language)
            rendered = render_email(default, values, tenant_name=name)
        return AwardNotice(
            rendered, language=language, earner_name=award.recipient_name, issuer_name=name
        )

    async def _template(self, tenant: Tenant, language: str) -> TemplateSource:
        key = (tenant.id, language)
        if key not in self._templates:
            self._templates[key] = await load_template(tenant.id, AWARD_KIND, language)
        return self._templates[key]
