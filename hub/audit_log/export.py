"""CSV export of the audit log, streamed in batches so memory stays flat for any log size.

The file is UTF-8 with a byte order mark and CRLF line ends (RFC 4180), which Excel needs to
read accented names correctly. Against formula injection (OWASP ASVS 5.0, requirement 1.2.10),
every cell is quoted. A cell that starts with ``=``, ``+``, ``-``, ``@``, tab, carriage return or
NUL, which a spreadsheet could read as the start of a formula, gets a leading single quote.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from hub.audit import record_event
from hub.audit_log.query import AuditFilter, AuditRow, iter_event_batches

COLUMNS = ("time", "actor", "action", "target", "details")
# The all-tenants export adds the tenant of each event after its time.
ALL_TENANTS_COLUMNS = ("time", "tenant", "actor", "action", "target", "details")
BATCH_SIZE = 2000
BYTE_ORDER_MARK = "\ufeff"

_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")


def neutralise_cell(value: str) -> str:
    """Prefix a cell that a spreadsheet would evaluate as a formula with a single quote."""
    return "'" + value if value.startswith(_FORMULA_TRIGGERS) else value


def export_filename(tenant: str | None, now: datetime) -> str:
    return f"audit-{tenant or 'all-tenants'}-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}.csv"


async def export_csv(audit_filter: AuditFilter, *, actor: str) -> AsyncIterator[bytes]:
    """Record the ``audit:exported`` event, then return the CSV file as chunks of bytes.

    The event is stored before the first byte is sent, so an export that the client abandons is
    still recorded, and the export lists it when it matches the filter.
    """
    await record_event(
        "audit:exported",
        actor=actor,
        tenant=audit_filter.tenant,
        target=audit_filter.tenant or "",
        details={"format": "csv", "filter": audit_filter.describe()},
    )
    return _csv_chunks(audit_filter, with_tenant=audit_filter.tenant is None)


async def _csv_chunks(audit_filter: AuditFilter, *, with_tenant: bool) -> AsyncIterator[bytes]:
    """Yield the header, then one chunk per batch of events."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    buffer.write(BYTE_ORDER_MARK)
    writer.writerow(ALL_TENANTS_COLUMNS if with_tenant else COLUMNS)
    yield _drain(buffer)
    async for batch in iter_event_batches(audit_filter, BATCH_SIZE):
        writer.writerows(_cells(row, with_tenant) for row in batch)
        yield _drain(buffer)


def _cells(row: AuditRow, with_tenant: bool) -> list[str]:
    time = row.created_at.astimezone(UTC).isoformat(timespec="microseconds")
    cells = [time.replace("+00:00", "Z"), row.actor, row.action, row.target, row.details_json]
    if with_tenant:
        cells.insert(1, row.tenant or "")
    return [neutralise_cell(cell) for cell in cells]


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data
