"""Tenants' e-mail templates and outbox rows in the database, always filtered by tenant."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hub.audit import record_event
from hub.errors import NotFoundError
from hub.mail.templates import (
    MAIL_LANGUAGES,
    TEMPLATE_KINDS,
    RenderedEmail,
    TemplateSource,
    check_template,
    default_template,
)
from tenants.tables import MailTemplate, OutboundEmail, Tenant

MESSAGE_STATUSES = ("queued", "sent", "failed")


@dataclass(frozen=True)
class MailScope:
    """Queries of one tenant's mail rows, the e-mail counterpart of ``TenantScope``."""

    tenant: Tenant

    def templates(self) -> Any:
        return MailTemplate.objects().where(MailTemplate.tenant == self.tenant.id)

    def messages(self) -> Any:
        return OutboundEmail.objects().where(OutboundEmail.tenant == self.tenant.id)

    async def get_message(self, email_id: uuid.UUID) -> OutboundEmail:
        message: OutboundEmail | None = (
            await self.messages().where(OutboundEmail.id == email_id).first()
        )
        if message is None:
            raise NotFoundError(
                f"tenant {self.tenant.slug!r} has no e-mail {email_id}; see the list at "
                f"/console/tenants/{self.tenant.slug}/emails",
                code="email-not-found",
            )
        return message

    async def recent_messages(self, status: str | None, limit: int) -> list[OutboundEmail]:
        query = self.messages()
        if status is not None:
            query = query.where(OutboundEmail.status == status)
        rows: list[OutboundEmail] = await query.order_by(
            OutboundEmail.created_at, ascending=False
        ).limit(limit)
        return rows

    async def count_by_status(self) -> dict[str, int]:
        rows = await OutboundEmail.raw(
            "SELECT status, count(*) AS count FROM outbound_email WHERE tenant = {} "
            "GROUP BY status",
            self.tenant.id,
        )
        counts = dict.fromkeys(MESSAGE_STATUSES, 0)
        counts.update({row["status"]: row["count"] for row in rows})
        return counts


def require_template_key(kind: str, language: str) -> None:
    if kind not in TEMPLATE_KINDS or language not in MAIL_LANGUAGES:
        raise NotFoundError(
            f"there is no e-mail template {kind!r} in language {language!r}; templates exist "
            f"for {', '.join(TEMPLATE_KINDS)} in {', '.join(MAIL_LANGUAGES)}",
            code="mail-template-not-found",
        )


async def load_template(tenant_id: int, kind: str, language: str) -> TemplateSource:
    """Return the tenant's own template for ``kind`` and ``language``, or the default."""
    row = (
        await MailTemplate.objects()
        .where(
            MailTemplate.tenant == tenant_id,
            MailTemplate.kind == kind,
            MailTemplate.language == language,
        )
        .first()
    )
    if row is None:
        return default_template(kind, language)
    return TemplateSource(
        kind=kind,
        language=language,
        subject=row.subject,
        body=row.body,
        is_default=False,
        updated_by=row.updated_by,
        updated_at=row.updated_at,
    )


async def save_template(
    tenant: Tenant,
    source: TemplateSource,
    sample: dict[str, Any],
    actor: str,
) -> RenderedEmail:
    """Check the template against ``sample`` values, then store it as the tenant's own.

    Raises ``TemplateCheckError`` and stores nothing when the template is invalid.
    """
    require_template_key(source.kind, source.language)
    rendered = check_template(source.kind, source.subject, source.body, sample)
    async with MailTemplate._meta.db.transaction():
        await MailTemplate.raw(
            "INSERT INTO mail_template (tenant, kind, language, subject, body, updated_by,"
            " updated_at) VALUES ({}, {}, {}, {}, {}, {}, {})"
            " ON CONFLICT (tenant, kind, language) DO UPDATE SET subject = EXCLUDED.subject,"
            " body = EXCLUDED.body, updated_by = EXCLUDED.updated_by,"
            " updated_at = EXCLUDED.updated_at",
            tenant.id,
            source.kind,
            source.language,
            source.subject,
            source.body,
            actor,
            datetime.now(UTC),
        )
        await record_event(
            "mail-template:updated",
            actor=actor,
            tenant=tenant.slug,
            target=f"{source.kind}/{source.language}",
        )
    return rendered


async def reset_template(tenant: Tenant, kind: str, language: str, actor: str) -> bool:
    """Delete the tenant's own template so the default applies; False when there was none."""
    require_template_key(kind, language)
    async with MailTemplate._meta.db.transaction():
        deleted = (
            await MailTemplate.delete()
            .where(
                MailTemplate.tenant == tenant.id,
                MailTemplate.kind == kind,
                MailTemplate.language == language,
            )
            .returning(MailTemplate.id)
        )
        if deleted:
            await record_event(
                "mail-template:reset", actor=actor, tenant=tenant.slug, target=f"{kind}/{language}"
            )
    return bool(deleted)


def mask_address(address: str) -> str:
    """Hide an e-mail address but its first character and domain: ``a***@example.org``."""
    local, at, domain = address.rpartition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"
