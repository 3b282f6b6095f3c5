"""Reading bulk uploads: an upload with its counters, its row errors and its rows, page by page.

Every read is scoped to the tenant; an upload of another tenant is not found.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from hub.bulk.errors import RowProblem
from hub.errors import NotFoundError
from hub.tables import AuditEvent
from tenants.scope import TenantScope
from tenants.tables import Achievement, BulkAward, BulkAwardRow

# Row errors listed in a dry-run summary; the rest are paged through the API or downloaded.
SUMMARY_ERRORS = 50
PREVIEW_ROWS = 5
# Rows read per query when every invalid row is listed (the error download).
PAGE_ROWS = 1000
ROW_STATES = ("invalid", "pending", "awarded", "skipped", "failed")


@dataclass(frozen=True)
class RowError:
    row_number: int
    problem: RowProblem
    email: str
    name: str


@dataclass(frozen=True)
class BulkSummary:
    """An upload's counters, its first row errors and a preview of its first valid rows."""

    bulk: BulkAward
    achievement: Achievement
    counts: dict[str, int]
    errors: list[RowError]
    preview: list[BulkAwardRow]
    encoding: str
    delimiter: str
    previous_upload: uuid.UUID | None

    @property
    def invalid_rows(self) -> int:
        return self.counts["invalid"]

    @property
    def done_rows(self) -> int:
        return self.bulk.awarded + self.bulk.skipped + self.bulk.failed

    @property
    def progress(self) -> float:
        """Share of the valid rows that are dealt with (awarded, already awarded or failed)."""
        if self.bulk.valid_rows == 0:
            return 1.0
        return min(1.0, self.done_rows / self.bulk.valid_rows)


async def count_rows(bulk_id: uuid.UUID) -> dict[str, int]:
    """Count the rows of an upload in each state (every state present, zero when none)."""
    rows = await BulkAwardRow.raw(
        "SELECT state, count(*) AS rows FROM bulk_award_row WHERE bulk = {} GROUP BY state",
        bulk_id,
    )
    counts = dict.fromkeys(ROW_STATES, 0)
    counts.update({row["state"]: row["rows"] for row in rows})
    return counts


async def get_bulk(scope: TenantScope, bulk_id: uuid.UUID) -> BulkAward:
    bulk = (
        await BulkAward.objects()
        .where(BulkAward.id == bulk_id, BulkAward.tenant == scope.tenant.id)
        .first()
    )
    if bulk is None:
        raise NotFoundError(
            f"tenant {scope.tenant.slug!r} has no bulk award {bulk_id}; list them at "
            f"/api/v1/tenants/{scope.tenant.slug}/bulk-awards",
            code="bulk-award-not-found",
        )
    return bulk


async def list_bulks(scope: TenantScope, limit: int = 50) -> list[BulkAward]:
    return list(
        await BulkAward.objects()
        .where(BulkAward.tenant == scope.tenant.id)
        .order_by(BulkAward.created_at, ascending=False)
        .limit(limit)
    )


async def get_summary(scope: TenantScope, bulk_id: uuid.UUID) -> BulkSummary:
    bulk = await get_bulk(scope, bulk_id)
    # The award right may have been withdrawn since the upload, so no right check here: the
    # history stays readable, and ``service.start`` checks the right before issuing.
    achievement = (
        await Achievement.objects()
        .output(load_json=True)
        .where(Achievement.id == bulk.achievement)
        .first()
    )
    assert achievement is not None  # bulk_award.achievement is a foreign key
    counts = await count_rows(bulk.id)
    invalid = await rows_page(scope, bulk.id, "invalid", 0, SUMMARY_ERRORS)
    preview = await rows_page(scope, bulk.id, None, 0, PREVIEW_ROWS, valid_only=True)
    validated = await _validation_event(bulk)
    return BulkSummary(
        bulk=bulk,
        achievement=achievement,
        counts=counts,
        errors=[row_error(row) for row in invalid],
        preview=preview,
        encoding=validated.get("encoding", ""),
        delimiter=validated.get("delimiter", ""),
        previous_upload=await _previous_upload(scope, bulk),
    )


def row_error(row: BulkAwardRow) -> RowError:
    return RowError(row.row_number, RowProblem.from_json(row.error), row.email, row.name)


async def rows_page(
    scope: TenantScope,
    bulk_id: uuid.UUID,
    state: str | None,
    offset: int,
    limit: int,
    valid_only: bool = False,
) -> list[BulkAwardRow]:
    """Return rows of an upload of this tenant in file order, optionally of one state."""
    bulk = await get_bulk(scope, bulk_id)
    query = BulkAwardRow.objects().where(BulkAwardRow.bulk == bulk.id)
    if state is not None:
        query = query.where(BulkAwardRow.state == state)
    if valid_only:
        query = query.where(BulkAwardRow.state != "invalid")
    return list(await query.order_by(BulkAwardRow.row_number).offset(offset).limit(limit))


async def invalid_rows(scope: TenantScope, bulk_id: uuid.UUID) -> AsyncIterator[RowError]:
    """Yield every invalid row in file order, a page at a time (for the error download)."""
    bulk = await get_bulk(scope, bulk_id)
    last_row = 0
    while True:
        rows = (
            await BulkAwardRow.objects()
            .where(
                BulkAwardRow.bulk == bulk.id,
                BulkAwardRow.state == "invalid",
                BulkAwardRow.row_number > last_row,
            )
            .order_by(BulkAwardRow.row_number)
            .limit(PAGE_ROWS)
        )
        if not rows:
            return
        for row in rows:
            yield row_error(row)
        last_row = rows[-1].row_number


async def _validation_event(bulk: BulkAward) -> dict[str, Any]:
    event = (
        await AuditEvent.select(AuditEvent.details)
        .where(AuditEvent.action == "bulk-award:validated", AuditEvent.target == str(bulk.id))
        .output(load_json=True)
        .first()
    )
    return dict(event["details"]) if event else {}


async def _previous_upload(scope: TenantScope, bulk: BulkAward) -> uuid.UUID | None:
    """Return the latest earlier upload of the same file, so re-uploads are easy to spot."""
    earlier = (
        await BulkAward.select(BulkAward.id)
        .where(
            BulkAward.tenant == scope.tenant.id,
            BulkAward.file_sha256 == bulk.file_sha256,
            BulkAward.created_at < bulk.created_at,
        )
        .order_by(BulkAward.created_at, ascending=False)
        .first()
    )
    return earlier["id"] if earlier else None
