"""Tenant export: one JSON Lines file with everything a university issued and recorded.

The first line is a header (``format``, ``format_version``, the source hub and the tenant's
DID); every other line is one record with a ``type``: ``tenant``, ``public_key``,
``status_list``, ``achievement``, ``achievement_revision``, ``achievement_review``, ``award``,
``award_status`` and ``audit_event``. Awards carry the exact signed ``credential_text``. Private
keys are never exported; the public keys, retired ones included, let anyone verify the exported
credentials. Earners' e-mail addresses are in the file, so it is personal data.

Rows are read in pages ordered by primary key, so memory stays flat in the size of the tenant.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from piccolo.columns import JSONB
from piccolo.table import Table

from hub.settings import Settings
from hub.tables import AuditEvent
from tenants import identity
from tenants.services import get_tenant
from tenants.tables import (
    Achievement,
    AchievementReview,
    AchievementRevision,
    Award,
    AwardStatus,
    IssuerKey,
    StatusList,
    Tenant,
)

FORMAT = "eunice-badge-hub/tenant-export"
FORMAT_VERSION = 1
PAGE_ROWS = 1000

# Columns per record type; the tenant's own integer id is left out, as it means nothing elsewhere.
QUERIES: dict[str, tuple[type[Table], str]] = {
    "public_key": (
        IssuerKey,
        "id, fragment, algorithm, public_jwk, kek_id, created_at, retired_at, revoked_at",
    ),
    "status_list": (
        StatusList,
        "id, purpose, number, size, allocated, bitstring, version, updated_at",
    ),
    "achievement": (
        Achievement,
        "id, slug, achievement_type, name, description, criteria, evidence, tags, alignments, "
        "levels, credits_available, eqf_level, image_svg, status, valid_for_months, revision, "
        "version, published, created_by, updated_by, submitted_by, created_at, updated_at",
    ),
    "achievement_revision": (
        AchievementRevision,
        "id, achievement, revision, content, actor, created_at",
    ),
    "achievement_review": (
        AchievementReview,
        "id, achievement, revision, from_status, to_status, actor, comment, created_at",
    ),
    "award": (
        Award,
        "id, achievement, recipient_email, recipient_name, idempotency_key, request_fingerprint, "
        "credential_text, jwt, issued_at, language, achievement_version, level, evidence_url, "
        "narrative, bulk, claimed_by, claimed_at, hidden",
    ),
    "award_status": (
        AwardStatus,
        "id, award, purpose, status_list, status_index, state, reason, changed_at, changed_by",
    ),
}
TENANT_COLUMNS = (
    "slug, kind, name, name_en, country, city, home_page, email_domain, description, status, "
    "settings, logo_svg, created_at"
)
# JSONB columns arrive from asyncpg as text; the export nests them as JSON values instead.
JSON_COLUMNS: dict[type[Table], frozenset[str]] = {
    table: frozenset(
        column._meta.db_column_name for column in table._meta.columns if isinstance(column, JSONB)
    )
    for table in (
        Tenant,
        IssuerKey,
        StatusList,
        Achievement,
        AchievementRevision,
        AchievementReview,
        Award,
        AwardStatus,
        AuditEvent,
    )
}


async def export_tenant(settings: Settings, slug: str, write: Callable[[str], Any]) -> Counter[str]:
    """Write the tenant's export, one JSON text per call of ``write``; return records per type.

    Reads run in one repeatable-read transaction, so the file is a consistent snapshot even
    while the hub keeps issuing.
    """
    tenant = await get_tenant(slug)
    counts: Counter[str] = Counter()
    async with Tenant._meta.db.transaction():
        await Tenant.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        write(_line(_header(settings, tenant)))
        async for record in _records(tenant):
            write(_line(record))
            counts[record["type"]] += 1
    return counts


def _header(settings: Settings, tenant: Tenant) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": datetime.now(UTC),
        "source_public_url": settings.base_url,
        "tenant_did": identity.tenant_did(settings, tenant.slug),
    }


async def _records(tenant: Tenant) -> AsyncIterator[dict[str, Any]]:
    query = f"SELECT {TENANT_COLUMNS} FROM tenant WHERE id = {{}}"  # noqa: S608 - constant columns
    rows = await Tenant.raw(query, tenant.id)
    yield {"type": "tenant", **_decoded(Tenant, rows[0])}
    for record_type, (table, columns) in QUERIES.items():
        async for row in _pages(table, columns, tenant.id):
            yield {"type": record_type, **row}
    async for row in _audit_events(tenant.slug):
        yield {"type": "audit_event", **row}


async def _pages(table: type[Table], columns: str, tenant_id: int) -> AsyncIterator[dict[str, Any]]:
    # Keyset pages on the id's text form, which orders integer and UUID keys alike.
    query = (
        f"SELECT {columns} FROM {table._meta.tablename} "  # noqa: S608 - constants only
        "WHERE tenant = {} AND id::text > {} ORDER BY id::text LIMIT {}"
    )
    after = ""
    while True:
        rows = await Tenant.raw(query, tenant_id, after, PAGE_ROWS)
        for row in rows:
            yield _decoded(table, row)
        if len(rows) < PAGE_ROWS:
            return
        after = str(rows[-1]["id"])


async def _audit_events(slug: str) -> AsyncIterator[dict[str, Any]]:
    query = (
        "SELECT id, actor, action, target, details, created_at FROM audit_event "
        "WHERE tenant_slug = {} AND id > {} ORDER BY id LIMIT {}"
    )
    after = 0
    while True:
        rows = await Tenant.raw(query, slug, after, PAGE_ROWS)
        for row in rows:
            yield _decoded(AuditEvent, row)
        if len(rows) < PAGE_ROWS:
            return
        after = rows[-1]["id"]


def _decoded(table: type[Table], row: dict[str, Any]) -> dict[str, Any]:
    json_columns = JSON_COLUMNS[table]
    return {
        key: json.loads(value) if key in json_columns and isinstance(value, str) else value
        for key, value in row.items()
    }


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, default=_encode, separators=(",", ":")) + "\n"


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    raise TypeError(f"cannot export a value of type {type(value).__name__}")
