"""The awarding job of a bulk upload: sign and store its pending rows, batch after batch.

Each batch commits its awards, the state of its rows, its e-mails and the upload's counters in
one transaction (``batches.store``). A job killed mid-batch therefore leaves the batch's rows
``pending`` and none of their awards stored, and when run again it continues with the rows
still pending. The unique idempotency key of each award means that even two jobs racing on one
upload issue each award once.

While a batch is stored, the next one is signed in the signing processes, so the database work
and the CPU work overlap.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import structlog

from hub.audit import record_event
from hub.bulk import batches
from hub.bulk.batches import Batch, BulkJob
from hub.bulk.signing import SigningPool
from hub.errors import HubError, NotFoundError, PermissionDeniedError
from hub.settings import Settings
from tenants.scope import TenantScope
from tenants.services import draft_signer
from tenants.tables import Achievement, BulkAward, Tenant

log = structlog.get_logger(__name__)

# Rows signed and stored per transaction: large enough that round trips do not dominate, small
# enough that a restart redoes little and a batch's credentials take a few megabytes.
BATCH_SIZE = 500
RUNNABLE = ("queued", "running")


class JobInterruptedError(Exception):
    """The upload stopped running (cancelled, or failed by another job) while the job ran."""


async def run_bulk_award(
    settings: Settings, bulk_id: uuid.UUID, pool: SigningPool
) -> BulkAward | None:
    """Award every pending row of a queued or interrupted upload; return it when done.

    Returns None, having done nothing, for an upload that is neither queued nor running: done
    already, or put back to ``validated`` because its job could not be queued. Also returns None
    when the upload stops running while the job works on it.
    """
    job = await _begin(settings, bulk_id, pool)
    if job is None:
        return None
    try:
        while rows := await batches.pending_rows(bulk_id, after=0, limit=BATCH_SIZE):
            await _award_in_order(job, rows)
    except JobInterruptedError:
        log.info("bulk_award_interrupted", bulk=str(bulk_id))
        return None
    except AwardRightLostError as lost:
        # Retrying cannot help until someone restores the right, so the upload fails now. It
        # can be started again later and resumes with the rows not yet awarded.
        log.warning("bulk_award_right_lost", bulk=str(bulk_id), error=lost.reason.message)
        await record_failure(bulk_id, lost, is_final=True)
        return None
    return await _finish(job)


class AwardRightLostError(Exception):
    """The tenant may no longer award the upload's achievement (suspended, right withdrawn)."""

    def __init__(self, reason: HubError) -> None:
        super().__init__(reason.message)
        self.reason = reason


async def _require_awardable(job: BulkJob) -> None:
    """Check before each batch that the tenant may still award the achievement."""
    try:
        await TenantScope(job.tenant).get_awardable_achievement(job.achievement.id)
    except (NotFoundError, PermissionDeniedError) as error:
        raise AwardRightLostError(error) from error


async def _award_in_order(job: BulkJob, rows: list[batches.Row]) -> None:
    """Award the pending rows from ``rows`` on, in batches that overlap.

    While one batch is signed in the signing processes, the next batch is read and prepared,
    and the previous one is stored. Rows that another job moved meanwhile are left alone. A pass
    that moves no row at all raises, because the caller would otherwise read the same rows
    forever.
    """
    first = await batches.prepare(job, rows)
    signing = asyncio.ensure_future(batches.sign(job, first))
    batch: Batch | None = first
    moved = 0
    try:
        while batch is not None:
            following = await batches.pending_rows(
                job.bulk.id, after=batch.rows[-1].row_number, limit=BATCH_SIZE
            )
            upcoming = await batches.prepare(job, following) if following else None
            texts = await signing
            if upcoming is not None:
                signing = asyncio.ensure_future(batches.sign(job, upcoming))
            await _require_awardable(job)
            stored = await batches.store(job, batch, texts)
            if stored is None:
                raise JobInterruptedError(str(job.bulk.id))
            moved += stored
            batch = upcoming
    finally:
        if not signing.done():
            signing.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await signing
    if moved == 0:
        raise RuntimeError(f"bulk award {job.bulk.id}: a pass over its pending rows moved none")


async def _begin(settings: Settings, bulk_id: uuid.UUID, pool: SigningPool) -> BulkJob | None:
    async with BulkAward._meta.db.transaction():
        started = await BulkAward.raw(
            "UPDATE bulk_award SET status = 'running', started_at = COALESCE(started_at, now()) "
            "WHERE id = {} AND status = ANY({}) RETURNING id",
            bulk_id,
            list(RUNNABLE),
        )
        bulk = await BulkAward.objects().where(BulkAward.id == bulk_id).first()
        if not started or bulk is None:
            current = bulk.status if bulk else "missing"
            log.warning("bulk_award_not_runnable", bulk=str(bulk_id), status=current)
            return None
        tenant = (
            await Tenant.objects().output(load_json=True).where(Tenant.id == bulk.tenant).first()
        )
        achievement = (
            await Achievement.objects()
            .output(load_json=True)
            .where(Achievement.id == bulk.achievement)
            .first()
        )
        # The foreign keys of bulk_award guarantee both.
        assert tenant is not None
        assert achievement is not None
        await record_event(
            "bulk-award:started",
            actor="worker",
            tenant=tenant.slug,
            target=str(bulk.id),
            details={"done": bulk.awarded + bulk.skipped + bulk.failed, "of": bulk.valid_rows},
        )
    log.info("bulk_award_started", tenant=tenant.slug, bulk=str(bulk_id))
    signer = await draft_signer(settings, tenant, achievement, [bulk.language])
    return BulkJob(settings, tenant, achievement, bulk, signer, pool)


async def _finish(job: BulkJob) -> BulkAward:
    async with BulkAward._meta.db.transaction():
        await BulkAward.raw(
            "UPDATE bulk_award SET status = 'done', finished_at = now() "
            "WHERE id = {} AND status = 'running'",
            job.bulk.id,
        )
        bulk = await BulkAward.objects().where(BulkAward.id == job.bulk.id).first()
        assert bulk is not None
        counters = {"awarded": bulk.awarded, "skipped": bulk.skipped, "failed": bulk.failed}
        await record_event(
            "bulk-award:finished",
            actor="worker",
            tenant=job.tenant.slug,
            target=str(bulk.id),
            details=counters,
        )
    log.info("bulk_award_finished", tenant=job.tenant.slug, bulk=str(bulk.id), **counters)
    return bulk


async def record_failure(bulk_id: uuid.UUID, error: BaseException, is_final: bool) -> None:
    """Note a job's error on the upload; after the last attempt, mark the upload ``failed``.

    The rows keep their states, so starting the upload again resumes where the job stopped.
    """
    if isinstance(error, AwardRightLostError):
        message = error.reason.message[:1000]
    else:
        message = f"{type(error).__name__}: {error}"[:1000]
    async with BulkAward._meta.db.transaction():
        if not is_final:
            await BulkAward.raw(
                "UPDATE bulk_award SET error = {} WHERE id = {}", f"{message} (retrying)", bulk_id
            )
            return
        await BulkAward.raw(
            "UPDATE bulk_award SET status = 'failed', error = {}, finished_at = now() "
            "WHERE id = {} AND status IN ('queued', 'running')",
            message,
            bulk_id,
        )
        bulk = await BulkAward.objects().where(BulkAward.id == bulk_id).first()
        if bulk is not None:
            tenant = await Tenant.select(Tenant.slug).where(Tenant.id == bulk.tenant).first()
            await record_event(
                "bulk-award:failed",
                actor="worker",
                tenant=tenant["slug"] if tenant else None,
                target=str(bulk_id),
                details={"error": message},
            )
