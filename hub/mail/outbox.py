"""The outbox: e-mails waiting to be sent, stored as ``outbound_email`` rows.

Enqueueing only records who gets which message; the text is rendered when it is sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from tenants.tables import OutboundEmail

AWARD_KIND = "award"


@dataclass(frozen=True)
class AwardEmail:
    """The notice of one award to its earner, in the earner's language."""

    tenant_id: int
    award_id: uuid.UUID
    to_address: str
    language: str


async def enqueue_award_emails(messages: Sequence[AwardEmail]) -> int:
    """Queue award notices, skipping awards that already have one; returns how many were new.

    One statement per call, so a batch of thousands costs one round trip. The caller may run it
    inside the transaction that stores the awards.
    """
    if not messages:
        return 0
    now = datetime.now(UTC)
    rows = await OutboundEmail.raw(
        "INSERT INTO outbound_email (id, tenant, award, kind, to_address, language, status,"
        " attempts, next_attempt_at, created_at, subject, body_text, body_html, last_error)"
        " SELECT gen_random_uuid(), t.tenant, t.award, {}, t.to_address, t.language, 'queued',"
        " 0, {}, {}, '', '', '', ''"
        " FROM unnest({}::integer[], {}::uuid[], {}::text[], {}::text[])"
        "   AS t(tenant, award, to_address, language)"
        " ON CONFLICT (award, kind) WHERE award IS NOT NULL DO NOTHING"
        " RETURNING id",
        AWARD_KIND,
        now,
        now,
        [message.tenant_id for message in messages],
        [message.award_id for message in messages],
        [message.to_address for message in messages],
        [message.language for message in messages],
    )
    return len(rows)
