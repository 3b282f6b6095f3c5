"""One batch of a bulk award: prepare its rows, sign their credentials, store them.

``store`` commits the batch's awards, the state of its rows, its e-mails, the upload's counters
and an audit event in one transaction, so a batch is either wholly stored or not at all.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import structlog

from hub import metrics
from hub.audit import record_event
from hub.bulk.errors import RowProblem
from hub.bulk.rows import idempotency_key
from hub.bulk.service import existing_awards
from hub.bulk.signing import SigningPool
from hub.mail.notify import request_delivery
from hub.mail.outbox import AwardEmail, enqueue_award_emails
from hub.settings import Settings
from tenants import status
from tenants.services import AwardDraft, DraftSigner, credential_url, evidence_items
from tenants.tables import Achievement, Award, BulkAward, BulkAwardRow, Tenant

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class BulkJob:
    """The settings, rows and signer that every batch of one upload's job shares."""

    settings: Settings
    tenant: Tenant
    achievement: Achievement
    bulk: BulkAward
    signer: DraftSigner
    pool: SigningPool


@dataclass(frozen=True)
class Row:
    """A pending row of an upload, as the job reads it (plain values, cheap to build)."""

    id: int
    row_number: int
    email: str
    name: str
    level: str
    evidence_url: str
    narrative: str
    issue_date: datetime | None

    @property
    def issued_on(self) -> date | None:
        return self.issue_date.astimezone(UTC).date() if self.issue_date else None


@dataclass(frozen=True)
class Item:
    """A row to issue, with its award's id, idempotency key and unsigned draft."""

    row: Row
    award_id: uuid.UUID
    key: str
    draft: AwardDraft


@dataclass
class Batch:
    """A batch of rows and what happens to each: the new state, award and error by row id."""

    rows: list[Row]
    items: list[Item]
    signed_at: datetime
    states: dict[int, str] = field(default_factory=dict)
    awards: dict[int, uuid.UUID | None] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)

    def settle(self, row: Row, state: str, award: uuid.UUID | None, error: str = "") -> None:
        self.states[row.id] = state
        self.awards[row.id] = award
        self.errors[row.id] = error


async def pending_rows(bulk_id: uuid.UUID, after: int, limit: int) -> list[Row]:
    """Return up to ``limit`` pending rows that come after row ``after``, in file order."""
    rows = await BulkAwardRow.raw(
        "SELECT id, row_number, email, name, level, evidence_url, narrative, issue_date "
        "FROM bulk_award_row WHERE bulk = {} AND state = 'pending' AND row_number > {} "
        "ORDER BY row_number LIMIT {}",
        bulk_id,
        after,
        limit,
    )
    return [Row(**row) for row in rows]


# Preparing -------------------------------------------------------------------------------------


async def prepare(job: BulkJob, rows: list[Row]) -> Batch:
    """Allocate status entries for the rows' awards and build their unsigned drafts.

    Rows already awarded were set aside by the dry run. A row awarded since, by an upload of the
    same file running at the same time, is still signed here. ``store`` then finds its key taken
    and marks it skipped. Checking every batch beforehand would cost a lookup in the tenant's
    awards per batch, for a case that almost never happens.
    """
    signed_at = datetime.now(UTC)
    award_ids = [uuid.uuid4() for _ in rows]
    entries = await status.allocate_entries_batch(job.tenant, award_ids)
    batch = Batch(rows=rows, items=[], signed_at=signed_at)
    for row, award_id in zip(rows, award_ids, strict=True):
        draft = _draft(job, row, award_id, entries[award_id], signed_at)
        batch.items.append(Item(row, award_id, _key(job, row), draft))
    return batch


def _key(job: BulkJob, row: Row) -> str:
    return idempotency_key(job.achievement.id, row.email, row.level, row.issued_on)


def _draft(
    job: BulkJob, row: Row, award_id: uuid.UUID, entries: list[status.Entry], signed_at: datetime
) -> AwardDraft:
    slug = job.tenant.slug
    return AwardDraft(
        credential_id=credential_url(job.settings, award_id),
        email=row.email,
        name=row.name,
        language=job.bulk.language,
        valid_from=row.issue_date or signed_at,
        credential_status=[status.entry_document(job.settings, slug, entry) for entry in entries],
        evidence=evidence_items(row.evidence_url, row.narrative),
        level=row.level or None,
    )


# Signing ---------------------------------------------------------------------------------------


async def sign(job: BulkJob, batch: Batch) -> dict[uuid.UUID, str]:
    """Return the signed credential text of each award of the batch, by award id.

    Signs the batch in one go; if that fails, it signs row by row so that a bad row fails alone.
    When every row fails on its own too, the cause is not in the rows (a broken key, say), so
    the error is raised and the rows stay pending for the job's next attempt.
    """
    if not batch.items:
        return {}
    drafts = [item.draft for item in batch.items]
    try:
        texts = await job.pool.sign(job.signer, drafts, batch.signed_at)
        return {item.award_id: text for item, text in zip(batch.items, texts, strict=True)}
    except Exception as error:
        log.warning("bulk_award_batch_signing_failed", bulk=str(job.bulk.id), error=str(error))
    signed: dict[uuid.UUID, str] = {}
    failures: list[Exception] = []
    for item in batch.items:
        try:
            (signed[item.award_id],) = job.signer.sign([item.draft], batch.signed_at)
        except Exception as error:
            failures.append(error)
            problem = RowProblem("signing-failed", {"reason": str(error)[:300]})
            batch.settle(item.row, "failed", None, problem.to_json())
    if not signed:
        raise failures[0]
    log.warning("bulk_award_rows_failed", bulk=str(job.bulk.id), rows=len(failures))
    return signed


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


async def store(job: BulkJob, batch: Batch, texts: dict[uuid.UUID, str]) -> int | None:
    """Commit the batch; return how many rows left ``pending``, or None if the upload stopped.

    The upload's row is locked first, so batches of one upload commit one after another and a
    batch never commits into an upload that is no longer running.
    """
    signed = [item for item in batch.items if item.award_id in texts]
    async with BulkAward._meta.db.transaction():
        current = await BulkAward.raw(
            "SELECT status FROM bulk_award WHERE id = {} FOR UPDATE", job.bulk.id
        )
        if current[0]["status"] != "running":
            return None
        stored = await _insert_awards(job, batch, signed, texts)
        await _settle_issued(job, batch, signed, stored)
        changed = await _update_rows(batch)
        if job.bulk.send_email:
            await enqueue_award_emails(
                [
                    AwardEmail(job.tenant.id, item.award_id, item.row.email, job.bulk.language)
                    for item in signed
                    if item.award_id in stored
                ]
            )
        await _count(job, batch, changed)
    metrics.count_issued(job.tenant.slug, "bulk", len(stored))
    if job.bulk.send_email:
        # Start sending this batch's e-mails now instead of at the next every-minute run.
        await request_delivery()
    return sum(changed.values())


async def _insert_awards(
    job: BulkJob, batch: Batch, items: Sequence[Item], texts: dict[uuid.UUID, str]
) -> set[uuid.UUID]:
    if not items:
        return set()
    rows = [item.row for item in items]
    stored = await Award.raw(
        _INSERT_AWARDS,
        job.tenant.id,
        job.achievement.id,
        batch.signed_at,
        job.bulk.language,
        job.achievement.version,
        job.bulk.id,
        [item.award_id for item in items],
        [row.email for row in rows],
        [row.name for row in rows],
        [item.key for item in items],
        [_fingerprint(job, row) for row in rows],
        [texts[item.award_id] for item in items],
        [row.level for row in rows],
        [row.evidence_url for row in rows],
        [row.narrative for row in rows],
    )
    return {row["id"] for row in stored}


def _fingerprint(job: BulkJob, row: Row) -> str:
    """Hash the award the row requests, as ``award.request_fingerprint`` does for API requests."""
    issued = row.issued_on
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


async def _settle_issued(
    job: BulkJob, batch: Batch, signed: Sequence[Item], stored: set[uuid.UUID]
) -> None:
    """Mark stored awards' rows awarded, and rows whose key was stored meanwhile skipped."""
    raced = [item.key for item in signed if item.award_id not in stored]
    winners = await existing_awards(job.tenant.id, raced)
    for item in signed:
        if item.award_id in stored:
            batch.settle(item.row, "awarded", item.award_id)
        else:
            batch.settle(item.row, "skipped", winners.get(item.key))


async def _update_rows(batch: Batch) -> dict[str, int]:
    """Apply the batch's outcome to rows still pending; count the rows moved to each state."""
    ids = list(batch.states)
    if not ids:
        return {}
    moved = await BulkAwardRow.raw(
        _UPDATE_ROWS,
        ids,
        [batch.states[row_id] for row_id in ids],
        [batch.awards[row_id] for row_id in ids],
        [batch.errors[row_id] for row_id in ids],
    )
    counts: dict[str, int] = {}
    for row in moved:
        counts[row["state"]] = counts.get(row["state"], 0) + 1
    return counts


async def _count(job: BulkJob, batch: Batch, changed: dict[str, int]) -> None:
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
            "first_row": batch.rows[0].row_number,
            "last_row": batch.rows[-1].row_number,
        },
    )
