"""Tables of the tenants app: universities (and the alliance), their keys, badges and awards.

Every tenant-owned row carries ``tenant``; reads of tenant data go through
``tenants.scope.TenantScope`` so every query applies the filter.
"""

from __future__ import annotations

import json
from typing import Any

from piccolo.columns import (
    JSONB,
    UUID,
    Boolean,
    Bytea,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class Tenant(Table):
    """An issuing organisation: a member university, or the alliance itself (``kind``)."""

    slug = Varchar(length=63, unique=True, index=True)
    kind = Varchar(length=16, default="university")
    name = Varchar(length=255)
    name_en = Varchar(length=255)
    country = Varchar(length=2)
    city = Varchar(length=120, default="")
    home_page = Varchar(length=255)
    email_domain = Varchar(length=255, default="")
    description = JSONB(default={})
    status = Varchar(length=16, default="active")
    # Per-tenant preferences: the approval rule and the PDF certificate design
    # (``tenants.settings`` reads them with their defaults).
    settings = JSONB(default={})
    logo_svg = Text(default="")
    created_at = Timestamptz()


def tenant_settings(tenant: Tenant) -> dict[str, Any]:
    """Return a tenant's ``settings`` as a dict; a row saved in this process contains JSON text."""
    value = tenant.settings or {}
    return dict(json.loads(value) if isinstance(value, str) else value)


class IssuerKey(Table):
    """A signing key of a tenant. The private part is AES-256-GCM ciphertext.

    ``retired_at`` stops new signatures while the key stays in did.json so old credentials
    still verify; ``revoked_at`` removes it from did.json (compromise).
    """

    tenant = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    fragment = Varchar(length=128)
    algorithm = Varchar(length=16)
    public_jwk = JSONB()
    private_key_encrypted = Bytea()
    kek_id = Varchar(length=16)
    created_at = Timestamptz()
    retired_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class Achievement(Table):
    """An Open Badges 3.0 Achievement (badge class) with localised texts (``{"fr": …}``).

    The columns are the working copy that editors change. ``published`` is the frozen content of
    the last published revision: awards, public pages and the image endpoint read it, so a
    published badge stays awardable while its next revision goes through approval.
    ``status`` is the approval state of the working copy (``tenants.workflow``).
    """

    id = UUID(primary_key=True)
    tenant = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    slug = Varchar(length=80)
    achievement_type = Varchar(length=40, default="Badge")
    name = JSONB()
    description = JSONB()
    criteria = JSONB()
    evidence = JSONB(default={})
    tags = JSONB(default=[])
    alignments = JSONB(default=[])
    levels = JSONB(default=[])
    credits_available = DoublePrecision(null=True, default=None)
    eqf_level = Integer(null=True, default=None)
    image_svg = Text()
    status = Varchar(length=24, default="draft")
    valid_for_months = Integer(null=True, default=None)
    revision = Integer(default=1)
    version = Integer(default=0)
    published = JSONB(null=True, default=None)
    created_by = Varchar(length=255, default="")
    updated_by = Varchar(length=255, default="")
    submitted_by = Varchar(length=255, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class AchievementRevision(Table):
    """A saved revision of an achievement's content, for its version history."""

    tenant = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    achievement = ForeignKey(references=Achievement, on_delete=OnDelete.cascade, index=True)
    revision = Integer()
    content = JSONB()
    actor = Varchar(length=255)
    created_at = Timestamptz()


class AchievementReview(Table):
    """One workflow transition of an achievement, with the reviewer's comment."""

    tenant = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    achievement = ForeignKey(references=Achievement, on_delete=OnDelete.cascade, index=True)
    revision = Integer()
    from_status = Varchar(length=24)
    to_status = Varchar(length=24)
    actor = Varchar(length=255)
    comment = Text(default="")
    created_at = Timestamptz()


class Award(Table):
    """One issued OpenBadgeCredential.

    ``credential_text`` is the exact signed text: proofs cover it, so it is never rebuilt from
    the ``credential`` jsonb copy, which exists only for queries.
    """

    id = UUID(primary_key=True)
    tenant = ForeignKey(references=Tenant, on_delete=OnDelete.restrict, index=True)
    achievement = ForeignKey(references=Achievement, on_delete=OnDelete.restrict, index=True)
    recipient_email = Varchar(length=320)
    recipient_name = Varchar(length=255)
    idempotency_key = Varchar(length=255, null=True, default=None)
    request_fingerprint = Varchar(length=64)
    credential_text = Text()
    credential = JSONB()
    jwt = Text(null=True, default=None)
    issued_at = Timestamptz()
    language = Varchar(length=8, default="en")
    achievement_version = Integer(default=0)
    level = Varchar(length=80, null=True, default=None)
    evidence_url = Varchar(length=2048, default="")
    narrative = Text(default="")
    bulk = UUID(null=True, default=None, index=True)
    claimed_by = Varchar(length=255, null=True, default=None)
    claimed_at = Timestamptz(null=True, default=None)
    hidden = Boolean(default=False)


class ApiToken(Table):
    """A tenant-scoped bearer token for the issuing API; only its SHA-256 is stored."""

    tenant = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=120)
    token_sha256 = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


class StatusList(Table):
    """One W3C Bitstring Status List of a tenant for one purpose (revocation or suspension).

    ``bitstring`` holds one bit per entry, entry 0 in the most significant bit of the first byte.
    ``version`` grows with every change of a bit; ``signed_text`` caches the signed
    BitstringStatusListCredential of ``signed_version`` so an unchanged list is not signed again.
    """

    tenant = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    purpose = Varchar(length=16)
    number = Integer()
    size = Integer()
    allocated = Integer(default=0)
    bitstring = Bytea()
    version = Integer(default=1)
    updated_at = Timestamptz()
    signed_text = Text(null=True, default=None)
    signed_version = Integer(default=0)
    signed_at = Timestamptz(null=True, default=None)


class AwardStatus(Table):
    """The entry of one award in one status list, with its current state and why it changed.

    ``award`` is the award's id without a foreign key: the entry is allocated before signing,
    because the credential names it, and so before the award row exists. An award that is never
    stored leaves an entry whose bit never changes.
    """

    tenant = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    award = UUID(index=True)
    purpose = Varchar(length=16)
    status_list = ForeignKey(references=StatusList, on_delete=OnDelete.restrict, index=True)
    status_index = Integer()
    state = Varchar(length=16, default="active")
    reason = Text(default="")
    changed_at = Timestamptz(null=True, default=None)
    changed_by = Varchar(length=255, default="")


class BulkAward(Table):
    """One CSV upload awarding one achievement to many earners, validated then issued by a job.

    ``status``: ``validated`` (dry run done, nothing issued), ``queued``, ``running``, ``done``,
    ``failed`` or ``cancelled``. The counters are updated by the job after every batch.
    """

    id = UUID(primary_key=True)
    tenant = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    achievement = ForeignKey(references=Achievement, on_delete=OnDelete.restrict, index=True)
    filename = Varchar(length=255)
    file_sha256 = Varchar(length=64)
    language = Varchar(length=8, default="en")
    send_email = Boolean(default=True)
    status = Varchar(length=16, default="validated")
    total_rows = Integer(default=0)
    valid_rows = Integer(default=0)
    awarded = Integer(default=0)
    skipped = Integer(default=0)
    failed = Integer(default=0)
    error = Text(default="")
    created_by = Varchar(length=255)
    created_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)


class BulkAwardRow(Table):
    """One data row of a bulk upload. ``state``: ``invalid`` (with ``error``), ``pending``,
    ``awarded``, ``skipped`` (already awarded earlier) or ``failed``.

    A row's state changes in the same transaction that stores its award, so a job that restarts
    after a crash continues with the rows still ``pending`` and issues nothing twice.
    """

    bulk = ForeignKey(references=BulkAward, on_delete=OnDelete.cascade, index=True)
    row_number = Integer()
    email = Varchar(length=320, default="")
    name = Varchar(length=255, default="")
    level = Varchar(length=80, default="")
    evidence_url = Varchar(length=2048, default="")
    narrative = Text(default="")
    issue_date = Timestamptz(null=True, default=None)
    state = Varchar(length=16, default="pending")
    error = Text(default="")
    award = UUID(null=True, default=None)


class MailTemplate(Table):
    """A tenant's own version of an e-mail template in one language (the default otherwise)."""

    tenant = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=32)
    language = Varchar(length=8)
    subject = Text()
    body = Text()
    updated_by = Varchar(length=255)
    updated_at = Timestamptz()


class OutboundEmail(Table):
    """An e-mail to send (``queued``), sent (``sent``), or given up after retries (``failed``).

    The subject and bodies are rendered when the message is sent, from the tenant's template
    at that moment, and kept so the console can show what went out.
    """

    id = UUID(primary_key=True)
    tenant = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    award = UUID(null=True, default=None, index=True)
    kind = Varchar(length=32)
    to_address = Varchar(length=320)
    language = Varchar(length=8)
    subject = Text(default="")
    body_text = Text(default="")
    body_html = Text(default="")
    status = Varchar(length=16, default="queued")
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz()
    last_error = Text(default="")
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
