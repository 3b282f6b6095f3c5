"""Tenant import: restore a ``badgehub tenant export`` file into this hub.

The export contains public keys only, so the imported keys are published as retired (every
imported credential still verifies) and the tenant gets fresh signing keys for new awards.
Status lists keep their numbers and bits, so revocations and suspensions carry over; their
signed form is rebuilt with the new key on first request. Integer ids are assigned anew and the
references between records are rewritten; achievements and awards keep their UUIDs, which the
credentials contain.

The credentials name the source hub's host in their ``did:web`` issuer, so the import requires
this hub's ``HUB_PUBLIC_URL`` to be the export's source URL. The whole import is one
transaction: a file that fails half-way leaves nothing behind.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import structlog
from piccolo.columns import JSONB, UUID, Bytea, ForeignKey, Timestamptz
from piccolo.table import Table

from hub.audit import record_event
from hub.errors import ConflictError, InvalidInputError
from hub.settings import Settings
from hub.tables import AuditEvent
from tenants.export import FORMAT, FORMAT_VERSION
from tenants.key_rotation import ALGORITHMS
from tenants.services import add_issuer_key, utcnow
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

log = structlog.get_logger(__name__)

TABLES: dict[str, type[Table]] = {
    "public_key": IssuerKey,
    "status_list": StatusList,
    "achievement": Achievement,
    "achievement_revision": AchievementRevision,
    "achievement_review": AchievementReview,
    "award": Award,
    "award_status": AwardStatus,
    "audit_event": AuditEvent,
}
# Tables whose integer ids are replaced; other records point to them through these maps.
RENUMBERED = ("status_list",)


class TenantImport:
    """One import in progress: the new tenant's row and the map of renumbered ids."""

    def __init__(self) -> None:
        self.tenant: Tenant | None = None
        self.new_ids: dict[str, dict[int, int]] = {name: {} for name in RENUMBERED}
        self.counts: Counter[str] = Counter()

    async def add(self, record: dict[str, Any]) -> None:
        record_type = record.pop("type", None)
        if record_type == "tenant":
            await self._add_tenant(record)
            return
        if record_type not in TABLES:
            raise InvalidInputError(
                f"unknown record type {record_type!r}; expected tenant or one of {sorted(TABLES)}",
                code="invalid-export",
            )
        if self.tenant is None:
            raise InvalidInputError(
                "the export's tenant record must come before its other records",
                code="invalid-export",
            )
        await self._add_row(record_type, record)
        self.counts[record_type] += 1

    async def _add_tenant(self, record: dict[str, Any]) -> None:
        if self.tenant is not None:
            raise InvalidInputError(
                "the export contains two tenant records; export one tenant per file",
                code="invalid-export",
            )
        slug = record.get("slug")
        if await Tenant.exists().where(Tenant.slug == slug):
            raise ConflictError(
                f"tenant {slug!r} already exists on this hub; an import only creates a new "
                "tenant, so remove the existing one first or import into another hub",
                code="tenant-exists",
            )
        tenant = Tenant(**_values(Tenant, record))
        await tenant.save()
        self.tenant = tenant

    async def _add_row(self, record_type: str, record: dict[str, Any]) -> None:
        assert self.tenant is not None
        table = TABLES[record_type]
        old_id = record.pop("id", None)
        if record_type == "audit_event":
            record["tenant_slug"] = self.tenant.slug
        else:
            record["tenant"] = self.tenant.id
        if record_type == "public_key":
            # No private key travels in an export: the key can verify here but never sign.
            record["retired_at"] = record.get("retired_at") or utcnow().isoformat()
            record["private_key_encrypted"] = base64.b64encode(b"").decode()
            record["kek_id"] = ""
        if record_type == "award":
            record["credential"] = json.loads(record["credential_text"])
        if record_type == "award_status":
            record["status_list"] = self._new_id("status_list", record["status_list"])
        if table in (Achievement, Award):
            record["id"] = old_id
        row = table(**_values(table, record))
        await row.save()
        if record_type in RENUMBERED:
            self.new_ids[record_type][int(old_id)] = row.id

    def _new_id(self, record_type: str, old_id: Any) -> int:
        try:
            return self.new_ids[record_type][int(old_id)]
        except (KeyError, TypeError, ValueError):
            raise InvalidInputError(
                f"a record refers to {record_type} {old_id!r}, which the export does not contain",
                code="invalid-export",
            ) from None


async def import_tenant(settings: Settings, lines: Iterable[str], actor: str) -> TenantImport:
    """Create the exported tenant with all its records, or nothing when any record is invalid."""
    records = (_parse(number, line) for number, line in enumerate(lines, start=1) if line.strip())
    header = next(records, None)
    _check_header(settings, header)
    state = TenantImport()
    async with Tenant._meta.db.transaction():
        for record in records:
            await state.add(record)
        if state.tenant is None:
            raise InvalidInputError(
                "the export contains no tenant record; create it with `badgehub tenant export`",
                code="invalid-export",
            )
        for algorithm in ALGORITHMS:
            await add_issuer_key(state.tenant, algorithm, settings.require_key_encryption_key())
        await record_event(
            "tenant:imported",
            actor=actor,
            tenant=state.tenant.slug,
            target=state.tenant.slug,
            details=dict(state.counts),
        )
    log.info("tenant_imported", tenant=state.tenant.slug, records=sum(state.counts.values()))
    return state


def _parse(number: int, line: str) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise InvalidInputError(
            f"line {number} of the export is not JSON ({error.msg}); the file may be truncated",
            code="invalid-export",
        ) from None
    if not isinstance(record, dict):
        raise InvalidInputError(f"line {number} is not a JSON object", code="invalid-export")
    return record


def _check_header(settings: Settings, header: dict[str, Any] | None) -> None:
    if header is None or header.get("format") != FORMAT:
        raise InvalidInputError(
            f"the file is not a tenant export: its first line must have format {FORMAT!r}; "
            "create one with `badgehub tenant export`",
            code="invalid-export",
        )
    if header.get("format_version") != FORMAT_VERSION:
        raise InvalidInputError(
            f"export format version {header.get('format_version')!r} is not supported; this hub "
            f"reads version {FORMAT_VERSION}",
            code="invalid-export",
        )
    if header.get("source_public_url") != settings.base_url:
        raise InvalidInputError(
            f"the export comes from {header.get('source_public_url')!r} but this hub is "
            f"{settings.base_url!r}: its credentials name the source host in their did:web "
            "issuer and would not verify here; import on a hub with the same HUB_PUBLIC_URL",
            code="public-url-mismatch",
        )


def _values(table: type[Table], record: dict[str, Any]) -> dict[str, Any]:
    """Convert exported JSON values to the Python types of the table's columns."""
    columns = {column._meta.name: column for column in table._meta.columns}
    values = {}
    for name, value in record.items():
        column = columns.get(name)
        if column is None:
            raise InvalidInputError(
                f"{table._meta.tablename} has no column {name!r}; the export is from another "
                "version of the hub",
                code="invalid-export",
            )
        values[name] = _converted(column, value)
    return values


def _converted(column: Any, value: Any) -> Any:
    if value is None:
        return value
    if isinstance(column, ForeignKey):
        # References to achievements are UUIDs; the others were set to this hub's integer ids.
        return uuid.UUID(value) if isinstance(value, str) else value
    if isinstance(column, Timestamptz):
        return datetime.fromisoformat(value)
    if isinstance(column, UUID):
        return uuid.UUID(value)
    if isinstance(column, Bytea):
        return base64.b64decode(value)
    if isinstance(column, JSONB):
        return json.dumps(value)
    return value
