"""Delivery of queued e-mails: claim a due row, render it, send it, record the outcome.

Several workers may deliver at once. Each claims one row at a time with ``FOR UPDATE SKIP
LOCKED`` and, in the same statement, counts the attempt and moves ``next_attempt_at`` past the
longest time a send can take (a lease). The outcome is stored only while the row still has the
attempt count of that claim. A worker that dies while sending leaves the row to be claimed
again when the lease ends, so such a message can be sent twice, but it is never lost.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from piccolo.columns import Column

from hub.mail.content import AwardGoneError, AwardNoticeWriter
from hub.mail.message import InvalidRecipientError, build_message
from hub.mail.templates import AWARD_KIND, RenderedEmail
from hub.mail.transport import (
    DeliveryError,
    MailTransport,
    scrub_addresses,
    sender_address,
    transport_for,
)
from hub.settings import Settings
from tenants.tables import OutboundEmail, Tenant

log = structlog.get_logger(__name__)

# With retries after 1, 2, 4, 8, 16 and 32 minutes and then every hour, the twelfth and last
# attempt comes about six hours after the first, so queued messages outlast a relay outage of
# that length.
MAX_ATTEMPTS = 12
FIRST_RETRY_SECONDS = 60
MAX_RETRY_SECONDS = 3600
DEFAULT_BATCH = 100


def retry_delay(attempts: int) -> timedelta:
    """Return the wait after the ``attempts``-th failed attempt: doubling, at most an hour."""
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1), MAX_RETRY_SECONDS))


def lease_for(settings: Settings) -> timedelta:
    """Return how long a claimed row is left alone: one timeout for each SMTP step, plus 60 s.

    The steps are connect, EHLO, STARTTLS, EHLO again, login, MAIL, RCPT and DATA.
    """
    return timedelta(seconds=settings.smtp_timeout_seconds * 8 + 60)


@dataclass(frozen=True)
class ClaimedEmail:
    id: uuid.UUID
    tenant_id: int
    award_id: uuid.UUID | None
    kind: str
    to_address: str
    language: str
    attempts: int


async def deliver_due(
    settings: Settings, limit: int = DEFAULT_BATCH, *, transport: MailTransport | None = None
) -> int:
    """Send up to ``limit`` due e-mails and return how many were attempted.

    Stops early when the SMTP server cannot be used, leaving the other due e-mails untouched
    for a later run. Raises ``SettingsError`` before claiming anything when SMTP is chosen
    without ``HUB_MAIL_FROM``.
    """
    transport = transport or transport_for(settings)
    sender = sender_address(settings)
    tenants: dict[int, Tenant] = {}
    writer = AwardNoticeWriter(settings)
    attempted = 0
    try:
        while attempted < limit:
            email = await _claim_next(datetime.now(UTC), lease_for(settings))
            if email is None:
                break
            attempted += 1
            tenant = await _tenant(tenants, email.tenant_id)
            if not await _deliver_one(settings, writer, transport, sender, tenant, email):
                break
    finally:
        await transport.close()
    return attempted


async def _claim_next(now: datetime, lease: timedelta) -> ClaimedEmail | None:
    rows = await OutboundEmail.raw(
        "UPDATE outbound_email SET attempts = attempts + 1, next_attempt_at = {}"
        " WHERE id = (SELECT id FROM outbound_email"
        "   WHERE status = 'queued' AND next_attempt_at <= {}"
        "   ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)"
        " RETURNING id, tenant, award, kind, to_address, language, attempts",
        now + lease,
        now,
    )
    if not rows:
        return None
    row = rows[0]
    return ClaimedEmail(
        id=row["id"],
        tenant_id=row["tenant"],
        award_id=row["award"],
        kind=row["kind"],
        to_address=row["to_address"],
        language=row["language"],
        attempts=row["attempts"],
    )


async def _tenant(cache: dict[int, Tenant], tenant_id: int) -> Tenant:
    if tenant_id not in cache:
        tenant = await Tenant.objects().output(load_json=True).where(Tenant.id == tenant_id).first()
        assert tenant is not None  # outbound_email.tenant is a foreign key with cascade
        cache[tenant_id] = tenant
    return cache[tenant_id]


async def _deliver_one(
    settings: Settings,
    writer: AwardNoticeWriter,
    transport: MailTransport,
    sender: str,
    tenant: Tenant,
    email: ClaimedEmail,
) -> bool:
    """Deliver one claimed e-mail; returns False when the rest of the batch should wait."""
    try:
        if email.kind != AWARD_KIND or email.award_id is None:
            raise AwardGoneError(f"e-mail kind {email.kind!r} without an award cannot be written")
        notice = await writer.write(tenant, email.award_id, email.language)
        outgoing = build_message(
            email_id=email.id,
            sender=sender,
            sender_name=notice.issuer_name,
            recipient=email.to_address,
            recipient_name=notice.earner_name,
            reply_to=settings.mail_reply_to,
            language=notice.language,
            rendered=notice.rendered,
        )
    except (AwardGoneError, InvalidRecipientError) as error:
        await _record_failed(email, tenant, scrub_addresses(str(error)), None)
        return True
    except Exception as error:
        # A bug in writing one e-mail must not stop the others: it is retried like a temporary
        # failure and fails after the last attempt. No traceback is logged, because its
        # messages could contain the address.
        message = scrub_addresses(f"writing the e-mail failed: {type(error).__name__}: {error}")
        log.error("mail_render_failed", email_id=str(email.id), tenant=tenant.slug, error=message)
        await _record_error(email, tenant, DeliveryError(message, permanent=False), None)
        return True
    try:
        await transport.send(outgoing)
    except DeliveryError as error:
        await _record_error(email, tenant, error, notice.rendered)
        return not error.server_unusable
    await _record_sent(email, tenant, notice.rendered)
    return True


def _claimed_row(email: ClaimedEmail) -> Any:
    """Match the row only while it still carries this claim (status and attempt count)."""
    return (
        (OutboundEmail.id == email.id)
        & (OutboundEmail.status == "queued")
        & (OutboundEmail.attempts == email.attempts)
    )


async def _record_sent(email: ClaimedEmail, tenant: Tenant, rendered: RenderedEmail) -> None:
    await OutboundEmail.update(
        {
            OutboundEmail.status: "sent",
            OutboundEmail.sent_at: datetime.now(UTC),
            OutboundEmail.subject: rendered.subject,
            OutboundEmail.body_text: rendered.text,
            OutboundEmail.body_html: rendered.html,
            OutboundEmail.last_error: "",
        }
    ).where(_claimed_row(email))
    log.info(
        "mail_sent",
        email_id=str(email.id),
        tenant=tenant.slug,
        kind=email.kind,
        attempts=email.attempts,
    )


async def _record_error(
    email: ClaimedEmail, tenant: Tenant, error: DeliveryError, rendered: RenderedEmail | None
) -> None:
    message = str(error)
    if error.permanent or email.attempts >= MAX_ATTEMPTS:
        await _record_failed(email, tenant, message, rendered)
        return
    retry_at = datetime.now(UTC) + retry_delay(email.attempts)
    await OutboundEmail.update(
        {OutboundEmail.next_attempt_at: retry_at, OutboundEmail.last_error: message}
    ).where(_claimed_row(email))
    log.warning(
        "mail_retry_scheduled",
        email_id=str(email.id),
        tenant=tenant.slug,
        attempts=email.attempts,
        retry_at=retry_at.isoformat(),
        error=message,
    )


async def _record_failed(
    email: ClaimedEmail, tenant: Tenant, message: str, rendered: RenderedEmail | None
) -> None:
    values: dict[Column | str, Any] = {
        OutboundEmail.status: "failed",
        OutboundEmail.last_error: message,
    }
    if rendered is not None:
        values[OutboundEmail.subject] = rendered.subject
        values[OutboundEmail.body_text] = rendered.text
        values[OutboundEmail.body_html] = rendered.html
    await OutboundEmail.update(values).where(_claimed_row(email))
    log.warning(
        "mail_failed",
        email_id=str(email.id),
        tenant=tenant.slug,
        attempts=email.attempts,
        error=message,
    )
