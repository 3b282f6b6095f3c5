"""The awarding job of a bulk upload: sign and store the pending rows, one batch at a time.

Each batch commits its awards, the state of its rows, its e-mails and the upload's counters in
one transaction. A job killed mid-batch therefore leaves the batch's rows ``pending`` and none
of their awards stored, and when run again it continues with the rows still pending. The
unique idempotency key of each award means that even two jobs racing on one upload issue each
award once.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import structlog

from hub.audit import record_event
from hub.bulk.errors import RowProblem
from hub.bulk.rows import idempotency_key
from hub.bulk.service import existing_awards
from hub.mail.outbox import AwardEmail, enqueue_award_emails
from hub.settings import Settings
from tenants import status
from tenants.services import AwardDraft, sign_award_drafts
from tenants.tables import Achievement, Award, BulkAward, BulkAwardRow, Tenant

log = structlog.get_logger(__name__)

# Rows signed and stored per transaction: large enough that round trips do not dominate, small
# enough that a restart redoes little and a batch's credentials take a few megabytes.
BATCH_SIZE = 500
RUNNABLE = ("queued", "running")


@dataclass(frozen=True)
class BulkJob:
    """What every batch of one upload's job needs."""

    settings: Settings
    tenant: Tenant
    achievement: Achievement
    bulk: BulkAward


@dataclass(frozen=True)
class PendingRow:
    """A pending row with the idempotency key and id of the award it becomes."""

    row: BulkAwardRow
    key: str
    award_id: uuid.UUID


@dataclass
class BatchOutcome:
    """The new state, award and error of each row of a batch, by row id."""

    states: dict[int, str] = field(default_factory=dict)
    awards: dict[int, uuid.UUID | None] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)

    def set(self, row: BulkAwardRow, state: str, award: uuid.UUID | None, error: str = "") -> None:
        self.states[row.id] = state
        self.awards[row.id] = award
        self.errors[row.id] = error


async def run_bulk_award(settings: Settings, bulk_id: uuid.UUID) -> BulkAward | None:
    """Award every pending row of a queued or interrupted upload; return it when done.

    Returns None, having done nothing, for an upload that is neither queued nor running: done
    already, or put back to ``validated`` because its job could not be queued. Also returns None
    when the upload stops running while the job works on it.
    """
    job = await _begin(settings, bulk_id)
    if job is None:
        return None
    while rows := await _pending_rows(bulk_id):
        if not await award_batch(job, rows):
            log.info("bulk_award_interrupted", bulk=str(bulk_id))
            return None
    return await _finish(job)


async def _begin(settings: Settings, bulk_id: uuid.UUID) -> BulkJob | None:
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
    return BulkJob(settings, tenant, achievement, bulk)


async def _pending_rows(bulk_id: uuid.UUID) -> list[BulkAwardRow]:
    return list(
        await BulkAwardRow.objects()
        .where(BulkAwardRow.bulk == bulk_id, BulkAwardRow.state == "pending")
        .order_by(BulkAwardRow.row_number)
        .limit(BATCH_SIZE)
    )


async def award_batch(job: BulkJob, rows: Sequence[BulkAwardRow]) -> bool:
    """Sign and store the awards of ``rows``; return False if the upload stopped running."""
    pending = [PendingRow(row, _key(job, row), uuid.uuid4()) for row in rows]
    earlier = await existing_awards(job.tenant.id, [item.key for item in pending])
    outcome = BatchOutcome()
    for item in pending:
        if item.key in earlier:
            outcome.set(item.row, "skipped", earlier[item.key])
    to_issue = [item for item in pending if item.key not in earlier]
    signed_at = datetime.now(UTC)
    awards = await _sign(job, to_issue, signed_at, outcome)
    signed = [item for item in to_issue if item.award_id in awards]
    return await _store_batch(job, awards, signed, signed_at, outcome, rows)


def _key(job: BulkJob, row: BulkAwardRow) -> str:
    return idempotency_key(job.achievement.id, row.email, row.level, _issue_date(row))


def _issue_date(row: BulkAwardRow) -> date | None:
    return row.issue_date.astimezone(UTC).date() if row.issue_date else None


# Signing ---------------------------------------------------------------------------------------


async def _sign(
    job: BulkJob, items: Sequence[PendingRow], signed_at: datetime, outcome: BatchOutcome
) -> dict[uuid.UUID, Award]:
    """Sign the batch in one go; if that fails, sign row by row so that a bad row fails alone.

    When every row fails on its own too, the cause is not in the rows (a missing key, say), so
    the error is raised and the rows stay pending for the job's next attempt.
    """
    if not items:
        return {}
    entries = await status.allocate_entries_batch(job.tenant, [item.award_id for item in items])
    drafts = [_draft(job, item, entries[item.award_id], signed_at) for item in items]
    try:
        awards = await sign_award_drafts(
            job.settings, job.tenant, job.achievement, drafts, signed_at
        )
        return {award.id: award for award in awards}
    except Exception as error:
        log.warning("bulk_award_batch_signing_failed", bulk=str(job.bulk.id), error=str(error))
    signed: dict[uuid.UUID, Award] = {}
    failures: dict[int, Exception] = {}
    for item, draft in zip(items, drafts, strict=True):
        try:
            (award,) = await sign_award_drafts(
                job.settings, job.tenant, job.achievement, [draft], signed_at
            )
        except Exception as error:
            failures[item.row.row_number] = error
            problem = RowProblem("signing-failed", {"reason": str(error)[:300]})
            outcome.set(item.row, "failed", None, problem.to_json())
            continue
        signed[award.id] = award
    if not signed:
        raise next(iter(failures.values()))
    log.warning("bulk_award_rows_failed", bulk=str(job.bulk.id), rows=sorted(failures))
    return signed


def _draft(
    job: BulkJob, item: PendingRow, entries: list[status.Entry], signed_at: datetime
) -> AwardDraft:
    row = item.row
    # OB 3.0 Evidence: the page that shows the work (``id``) and the issuer's account of it.
    evidence: dict[str, Any] = {"type": ["Evidence"]}
    if row.evidence_url:
        evidence["id"] = row.evidence_url
    if row.narrative:
        evidence["narrative"] = row.narrative
    slug = job.tenant.slug
    return AwardDraft(
        award_id=item.award_id,
        email=row.email,
        name=row.name,
        language=job.bulk.language,
        valid_from=row.issue_date or signed_at,
        credential_status=[status.entry_document(job.settings, slug, entry) for entry in entries],
        evidence=[evidence] if len(evidence) > 1 else [],
    )


# Storing ---------------------------------------------------------------------------------------

# Stores the awards of a batch; a key that another job or request stored meanwhile is skipped.
_INSERT_AWARDS = """
INSERT INTO award (id, tenant, achievement, recipient_email, recipient_name, idempotency_key,
                   request_fingerprint, credential_text, credential, issued_at, language,
                   achievement_version, level, evidence_url, narrative, bulk, hidden)
SELECT batch.id, {}, {}, batch.email, batch.name, batch.key, batch.fingerprint, batch.text,
       batch.text::jsonb, {}, {}, {}, NULLIF(batch.level, ''), batch.evidence_url,
       batch.narrative, {}, false
  FROM unnest({}::uuid[], {}::text[], {}::text[], {}::text[], {}::text[], {}::text[],
              {}::text[], {}::text[], {}::text[])
       AS batch(id, email, name, key, fingerprint, text, level, evidence_url, narrative)
ON CONFLICT (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
RETURNING id
"""

# Moves the batch's rows out of ``pending``; rows another job moved already stay as they are.
_UPDATE_ROWS = """
UPDATE bulk_award_row AS target
   SET state = outcome.state, award = outcome.award, error = outcome.error
  FROM unnest({}::integer[], {}::text[], {}::uuid[], {}::text[])
       AS outcome(id, state, award, error)
 WHERE target.id = outcome.id AND target.state = 'pending'
RETURNING target.state
"""


async def _store_batch(
    job: BulkJob,
    awards: dict[uuid.UUID, Award],
    signed: Sequence[PendingRow],
    signed_at: datetime,
    outcome: BatchOutcome,
    rows: Sequence[BulkAwardRow],
) -> bool:
    async with BulkAward._meta.db.transaction():
        current = await BulkAward.raw(
            "SELECT status FROM bulk_award WHERE id = {} FOR UPDATE", job.bulk.id
        )
        if current[0]["status"] != "running":
            return False
        stored = await _insert_awards(job, awards, signed, signed_at)
        await _settle_rows(job, signed, stored, outcome)
        changed = await _update_rows(outcome)
        if job.bulk.send_email:
            await enqueue_award_emails(
                [
                    AwardEmail(job.tenant.id, item.award_id, item.row.email, job.bulk.language)
                    for item in signed
                    if item.award_id in stored
                ]
            )
        await _count_batch(job, rows, changed)
    return True


async def _insert_awards(
    job: BulkJob, awards: dict[uuid.UUID, Award], items: Sequence[PendingRow], signed_at: datetime
) -> set[uuid.UUID]:
    if not items:
        return set()
    rows = [item.row for item in items]
    stored = await Award.raw(
        _INSERT_AWARDS,
        job.tenant.id,
        job.achievement.id,
        signed_at,
        job.bulk.language,
        job.achievement.version,
        job.bulk.id,
        [item.award_id for item in items],
        [row.email for row in rows],
        [row.name for row in rows],
        [item.key for item in items],
        [_fingerprint(job, row) for row in rows],
        [awards[item.award_id].credential_text for item in items],
        [row.level for row in rows],
        [row.evidence_url for row in rows],
        [row.narrative for row in rows],
    )
    return {row["id"] for row in stored}


def _fingerprint(job: BulkJob, row: BulkAwardRow) -> str:
    """Hash what the row asks for, as ``award.request_fingerprint`` does for API requests."""
    issued = _issue_date(row)
    payload = [
        str(job.achievement.id),
        row.email,
        row.name,
        job.bulk.language,
        row.level,
        row.evidence_url,
        row.narrative,
        issued.isoformat() if issued else "",
    ]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode("utf-8")).hexdigest()


async def _settle_rows(
    job: BulkJob, signed: Sequence[PendingRow], stored: set[uuid.UUID], outcome: BatchOutcome
) -> None:
    """Mark stored awards' rows awarded, and rows whose key was stored meanwhile skipped."""
    raced = [item for item in signed if item.award_id not in stored]
    winners = await existing_awards(job.tenant.id, [item.key for item in raced])
    for item in signed:
        if item.award_id in stored:
            outcome.set(item.row, "awarded", item.award_id)
        else:
            outcome.set(item.row, "skipped", winners.get(item.key))


async def _update_rows(outcome: BatchOutcome) -> dict[str, int]:
    """Apply the outcome to rows still pending; return how many rows moved to each state."""
    ids = list(outcome.states)
    if not ids:
        return {}
    moved = await BulkAwardRow.raw(
        _UPDATE_ROWS,
        ids,
        [outcome.states[row_id] for row_id in ids],
        [outcome.awards[row_id] for row_id in ids],
        [outcome.errors[row_id] for row_id in ids],
    )
    counts: dict[str, int] = {}
    for row in moved:
        counts[row["state"]] = counts.get(row["state"], 0) + 1
    return counts


async def _count_batch(job: BulkJob, rows: Sequence[BulkAwardRow], changed: dict[str, int]) -> None:
    awarded, skipped, failed = (changed.get(state, 0) for state in ("awarded", "skipped", "failed"))
    await BulkAward.raw(
        "UPDATE bulk_award SET awarded = awarded + {}, skipped = skipped + {}, "
        "failed = failed + {} WHERE id = {}",
        awarded,
        skipped,
        failed,
        job.bulk.id,
    )
    await record_event(
        "bulk-award:batch",
        actor="worker",
        tenant=job.tenant.slug,
        target=str(job.bulk.id),
        details={
            "awarded": awarded,
            "skipped": skipped,
            "failed": failed,
            "first_row": rows[0].row_number,
            "last_row": rows[-1].row_number,
        },
    )


# Finishing -------------------------------------------------------------------------------------


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
    message = f"{type(error).__name__}: {error}"[:1000]
    async with BulkAward._meta.db.transaction():
        if is_final:
            await BulkAward.raw(
                "UPDATE bulk_award SET status = 'failed', error = {}, finished_at = now() "
                "WHERE id = {} AND status IN ('queued', 'running')",
                message,
                bulk_id,
            )
        else:
            await BulkAward.raw(
                "UPDATE bulk_award SET error = {} WHERE id = {}",
                f"{message} (retrying)",
                bulk_id,
            )
        bulk = await BulkAward.objects().where(BulkAward.id == bulk_id).first()
        if is_final and bulk is not None:
            tenant = await Tenant.select(Tenant.slug).where(Tenant.id == bulk.tenant).first()
            await record_event(
                "bulk-award:failed",
                actor="worker",
                tenant=tenant["slug"] if tenant else None,
                target=str(bulk_id),
                details={"error": message},
            )
