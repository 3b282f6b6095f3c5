"""Bulk uploads: validate a CSV file into stored rows (the dry run), then queue its awarding.

The dry run stores the upload and every row in one transaction, so a file that fails part way
leaves nothing behind. Rows are streamed from the file and written with ``COPY`` in batches, so
memory stays the same for ten rows or fifty thousand. Nothing is issued until ``start``.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import IO, Any, Protocol, cast

import asyncpg
import structlog

from hub.audit import record_event
from hub.bulk import reading
from hub.bulk.csvfile import CsvUpload, inspect_file
from hub.bulk.rows import BulkRow, RowValidator, achievement_levels, idempotency_key
from hub.errors import ConflictError, ServiceUnavailableError
from hub.settings import Settings
from tenants.scope import TenantScope
from tenants.services import SUPPORTED_LANGUAGES
from tenants.tables import Achievement, Award, BulkAward, BulkAwardRow
from tenants.validation import require_language

log = structlog.get_logger(__name__)

# Rows parsed, checked and written with one COPY; a few hundred kilobytes of memory at most.
STORE_BATCH = 1000
ROW_COLUMNS = (
    "bulk",
    "row_number",
    "email",
    "name",
    "level",
    "evidence_url",
    "narrative",
    "issue_date",
    "state",
    "error",
    "award",
)
# Statuses from which ``start`` queues the job: a dry run, or a job that gave up (to resume it).
STARTABLE = ("validated", "failed")
# Statuses of an upload whose job is at work. With no job of the upload in the queue, the job
# was run by a ``badgehub award --in-process`` that died, and ``start`` resumes it too.
IN_PROGRESS = ("queued", "running")


@dataclass(frozen=True)
class BulkLimits:
    max_rows: int
    max_file_bytes: int

    @classmethod
    def from_settings(cls, settings: Settings) -> BulkLimits:
        return cls(max_rows=settings.bulk_max_rows, max_file_bytes=settings.bulk_max_file_bytes)


class JobQueue(Protocol):
    """The queue that ``start`` defers the awarding job to (procrastinate in ``hub.bulk.tasks``)."""

    async def defer_bulk_award(self, bulk_id: uuid.UUID) -> None: ...


# Dry run ---------------------------------------------------------------------------------------


async def validate_upload(
    scope: TenantScope,
    achievement_id: uuid.UUID,
    file: IO[bytes],
    filename: str,
    actor: str,
    language: str,
    send_email: bool,
    limits: BulkLimits,
) -> reading.BulkSummary:
    """Check every row of a CSV file and store the upload and its rows; issue nothing.

    A file that cannot be used raises ``BulkFileError`` (``UploadTooLargeError`` when too large)
    and stores nothing. Rows already awarded by an earlier upload are stored as ``skipped``.
    """
    language = require_language(language, SUPPORTED_LANGUAGES)
    achievement = await awardable_achievement(scope, achievement_id)
    filename = clean_filename(filename)
    facts = await asyncio.to_thread(inspect_file, file, filename, limits.max_file_bytes)
    upload = CsvUpload(file, facts, limits.max_rows)
    now = datetime.now(UTC)
    published = cast(Mapping[str, Any] | None, achievement.published)
    validator = RowValidator(upload.header, achievement_levels(published), now)
    bulk = BulkAward(
        id=uuid.uuid4(),
        tenant=scope.tenant.id,
        achievement=achievement.id,
        filename=filename,
        file_sha256=facts.sha256,
        language=language,
        send_email=send_email,
        status="validated",
        created_by=actor,
        created_at=now,
    )
    try:
        async with BulkAward._meta.db.transaction() as transaction:
            await bulk.save()
            await _store_rows(transaction.connection, scope, bulk, upload, validator)
            await _mark_duplicates(bulk.id)
            counts = await _update_counters(bulk)
            details = {
                "filename": filename,
                "sha256": facts.sha256,
                "encoding": facts.encoding_name,
                "delimiter": upload.header.delimiter_name,
                **counts,
            }
            await record_event(
                "bulk-award:validated",
                actor=actor,
                tenant=scope.tenant.slug,
                target=str(bulk.id),
                details=details,
            )
    finally:
        upload.close()
    log.info("bulk_award_validated", tenant=scope.tenant.slug, bulk=str(bulk.id), **counts)
    return await reading.get_summary(scope, bulk.id)


async def awardable_achievement(scope: TenantScope, achievement_id: uuid.UUID) -> Achievement:
    """Return an achievement the tenant may award that has a published revision."""
    achievement = await scope.get_awardable_achievement(achievement_id)
    if achievement.published is None or achievement.status == "archived":
        raise ConflictError(
            f"achievement {achievement.slug!r} has no published revision ({achievement.status}); "
            "publish it before awarding it",
            code="achievement-not-published",
        )
    return achievement


async def awardable_achievements(scope: TenantScope) -> list[Achievement]:
    """List the published achievements the tenant may award: its own, then the alliance
    achievements it has the award right for."""
    alliance_ids = await scope.awardable_alliance_achievement_ids()
    owned = Achievement.tenant == scope.tenant.id
    rows = (
        await Achievement.objects()
        .output(load_json=True)
        .where(
            (owned | Achievement.id.is_in(list(alliance_ids))) if alliance_ids else owned,
            Achievement.published.is_not_null(),
            Achievement.status != "archived",
        )
        .order_by(Achievement.created_at)
    )
    return sorted(rows, key=lambda row: row.tenant != scope.tenant.id)


def clean_filename(filename: str) -> str:
    """Keep the last path part of an uploaded file's name, without control characters."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip()
    return name[:255] or "upload.csv"


async def _store_rows(
    connection: asyncpg.Connection,
    scope: TenantScope,
    bulk: BulkAward,
    upload: CsvUpload,
    validator: RowValidator,
) -> None:
    batch: list[BulkRow] = []
    for record in upload:
        batch.append(validator.check(record))
        if len(batch) == STORE_BATCH:
            await _copy_rows(connection, scope, bulk, batch)
            batch = []
    if batch:
        await _copy_rows(connection, scope, bulk, batch)


async def _copy_rows(
    connection: asyncpg.Connection, scope: TenantScope, bulk: BulkAward, rows: Sequence[BulkRow]
) -> None:
    keys = {
        row.row_number: idempotency_key(bulk.achievement, row.email, row.level, row.issue_date)
        for row in rows
        if row.is_valid
    }
    awarded = await existing_awards(scope.tenant.id, list(keys.values()))
    records = []
    for row in rows:
        award_id = awarded.get(keys.get(row.row_number, ""))
        if row.problem is not None:
            state, error = "invalid", row.problem.to_json()
        else:
            state, error = ("skipped" if award_id else "pending"), ""
        issued = datetime.combine(row.issue_date, time(), UTC) if row.issue_date else None
        records.append(
            (
                bulk.id,
                row.row_number,
                row.email,
                row.name,
                row.level,
                row.evidence_url,
                row.narrative,
                issued,
                state,
                error,
                award_id,
            )
        )
    await connection.copy_records_to_table("bulk_award_row", records=records, columns=ROW_COLUMNS)


async def existing_awards(tenant_id: int, keys: Sequence[str]) -> dict[str, uuid.UUID]:
    """Map the idempotency keys that already name an award of the tenant to that award."""
    if not keys:
        return {}
    # A join rather than ``= ANY(...)``, which PostgreSQL evaluates by comparing each of the
    # tenant's awards with every key. ``IS NOT NULL`` lets it use the partial unique index.
    rows = await Award.raw(
        "SELECT award.idempotency_key, award.id FROM unnest({}::text[]) AS wanted(key) "
        "JOIN award ON award.tenant = {} AND award.idempotency_key = wanted.key "
        "AND award.idempotency_key IS NOT NULL",
        list(keys),
        tenant_id,
    )
    return {row["idempotency_key"]: row["id"] for row in rows}


async def _mark_duplicates(bulk_id: uuid.UUID) -> None:
    """Make every repeat of an earlier row (same e-mail, level and date) invalid, naming it.

    Done in SQL once all rows are stored, so finding repeats takes no memory per row here.
    """
    await BulkAwardRow.raw(
        """
        UPDATE bulk_award_row AS target
           SET state = 'invalid', award = NULL,
               error = json_build_object(
                   'code', 'duplicate-row',
                   'params', json_build_object('row', repeats.first_row))::text
          FROM (SELECT id, row_number,
                       first_value(row_number) OVER (
                           PARTITION BY email, level, issue_date ORDER BY row_number
                       ) AS first_row
                  FROM bulk_award_row
                 WHERE bulk = {} AND state <> 'invalid') AS repeats
         WHERE target.id = repeats.id AND repeats.row_number <> repeats.first_row
        """,
        bulk_id,
    )


async def _update_counters(bulk: BulkAward) -> dict[str, int]:
    counts = await reading.count_rows(bulk.id)
    bulk.total_rows = sum(counts.values())
    bulk.valid_rows = counts["pending"] + counts["skipped"]
    bulk.skipped = counts["skipped"]
    await BulkAward.update(
        {
            BulkAward.total_rows: bulk.total_rows,
            BulkAward.valid_rows: bulk.valid_rows,
            BulkAward.skipped: bulk.skipped,
        }
    ).where(BulkAward.id == bulk.id)
    return counts


# Start -----------------------------------------------------------------------------------------


async def start(
    scope: TenantScope, bulk_id: uuid.UUID, actor: str, queue: JobQueue | None
) -> BulkAward:
    """Queue the awarding of a validated upload, or resume one whose job gave up.

    With ``queue`` None the caller runs the job itself (``hub.bulk.issuing.run_bulk_award``).
    """
    bulk = await reading.get_bulk(scope, bulk_id)
    await awardable_achievement(scope, bulk.achievement)
    async with BulkAward._meta.db.transaction():
        updated = await BulkAward.raw(
            _START,
            bulk.id,
            list(STARTABLE),
            list(IN_PROGRESS),
            job_lock(bulk.id),
        )
        if not updated:
            raise ConflictError(
                f"bulk award {bulk.id} is {bulk.status}, so it cannot be started; only a "
                "validated upload, one that failed, or one whose job is no longer queued can be",
                code="bulk-award-not-startable",
            )
        await record_event(
            "bulk-award:queued", actor=actor, tenant=scope.tenant.slug, target=str(bulk.id)
        )
    if queue is not None:
        await _defer(queue, bulk)
    log.info("bulk_award_queued", tenant=scope.tenant.slug, bulk=str(bulk.id))
    return await reading.get_bulk(scope, bulk_id)


def job_lock(bulk_id: uuid.UUID | str) -> str:
    """Name the queue lock of an upload's job, so that its jobs never run at the same time."""
    return f"bulk-award:{bulk_id}"


# Queues an upload that is startable, or in progress without a job of it in the queue.
_START = """
UPDATE bulk_award SET status = 'queued', error = ''
 WHERE id = {}
   AND (status = ANY({})
        OR (status = ANY({})
            AND NOT EXISTS (SELECT 1 FROM procrastinate_jobs
                             WHERE lock = {} AND status IN ('todo', 'doing'))))
RETURNING id
"""
_HAS_QUEUED_JOB = (
    "SELECT EXISTS (SELECT 1 FROM procrastinate_jobs WHERE lock = {} "
    "AND status IN ('todo', 'doing')) AS queued"
)


async def is_startable(bulk: BulkAward) -> bool:
    """Tell whether ``start`` would accept the upload now."""
    if bulk.status in STARTABLE:
        return True
    if bulk.status not in IN_PROGRESS:
        return False
    rows = await BulkAward.raw(_HAS_QUEUED_JOB, job_lock(bulk.id))
    return not rows[0]["queued"]


async def _defer(queue: JobQueue, bulk: BulkAward) -> None:
    try:
        await queue.defer_bulk_award(bulk.id)
    except Exception as error:
        # The job never reached the queue: put the upload back so it can be started again.
        log.error("bulk_award_defer_failed", bulk=str(bulk.id), error=str(error))
        await BulkAward.update({BulkAward.status: bulk.status}).where(BulkAward.id == bulk.id)
        raise ServiceUnavailableError(
            f"the job queue did not accept the awarding of bulk award {bulk.id}; the upload is "
            "unchanged, start it again in a minute",
            code="queue-unavailable",
        ) from error
