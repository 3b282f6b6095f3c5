"""Bulk awards through the real service and job on PostgreSQL: dry run, awarding, re-upload."""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

import pytest

from hub import queue, verification
from hub.audit import ACTIONS
from hub.bulk import issuing, reading, service, tasks
from hub.bulk.errors import BulkFileError
from hub.bulk.reading import BulkSummary
from hub.bulk.service import BulkLimits
from hub.bulk.signing import SigningPool
from hub.errors import ConflictError
from hub.settings import Settings
from hub.tables import AuditEvent
from tenants.scope import TenantScope
from tenants.tables import Achievement, Award, AwardStatus, BulkAward, BulkAwardRow, OutboundEmail
from tests.factories import make_achievement, make_tenant

pytestmark = pytest.mark.integration

LIMITS = BulkLimits(max_rows=50_000, max_file_bytes=20 * 1024 * 1024)
INTAKE = (
    "courriel;prénom;nom;preuve;commentaire;date\n"
    "ada@example.org;Ada;Lovelace;https://portfolio.example.org/ada;Atelier suivi;15/09/2025\n"
    "grace@example.org;Grace;Hopper;;;\n"
    "not-an-address;Alan;Turing;;;\n"
    "ADA@example.org;Ada;Lovelace;;;2025-09-15\n"
    "edsger@example.org;;;;;\n"
)


async def upload(
    scope: TenantScope, achievement: Achievement, text: str, encoding: str = "utf-8", **options: Any
) -> BulkSummary:
    return await service.validate_upload(
        scope,
        achievement.id,
        io.BytesIO(text.encode(encoding)),
        options.pop("filename", "intake.csv"),
        actor="user:test",
        language=options.pop("language", "fr"),
        send_email=options.pop("send_email", True),
        limits=options.pop("limits", LIMITS),
    )


async def award_all(settings: Settings, bulk_id: uuid.UUID) -> BulkAward | None:
    pool = SigningPool(0)
    return await issuing.run_bulk_award(settings, bulk_id, pool)


def intake(rows: int) -> str:
    lines = [f"etudiant{number}@example.org,Étudiant {number}\n" for number in range(rows)]
    return "email,name\n" + "".join(lines)


@pytest.fixture
async def scope(db: str, settings: Settings) -> TenantScope:
    return TenantScope(await make_tenant(settings))


@pytest.fixture
async def achievement(scope: TenantScope) -> Achievement:
    return await make_achievement(scope.tenant)


async def test_dry_run_lists_errors_and_issues_nothing(
    scope: TenantScope, achievement: Achievement
) -> None:
    summary = await upload(scope, achievement, INTAKE)

    errors = {error.row_number: error.problem for error in summary.errors}
    assert summary.bulk.status == "validated"
    assert summary.counts == {"invalid": 3, "pending": 2, "awarded": 0, "skipped": 0, "failed": 0}
    assert errors[4].code == "invalid-email"
    assert errors[5].code == "duplicate-row"
    assert errors[5].params == {"row": 2}
    assert errors[6].code == "missing-name"
    assert summary.encoding == "UTF-8"
    assert summary.delimiter == "semicolon"
    assert await Award.count() == 0
    assert await AwardStatus.count() == 0
    assert await OutboundEmail.count() == 0
    assert await BulkAwardRow.count().where(BulkAwardRow.bulk == summary.bulk.id) == 5


async def test_dry_run_records_audit_event(scope: TenantScope, achievement: Achievement) -> None:
    summary = await upload(scope, achievement, INTAKE)

    event = await AuditEvent.objects().where(AuditEvent.action == "bulk-award:validated").first()

    assert event is not None
    assert event.target == str(summary.bulk.id)
    assert event.actor == "user:test"


async def test_start_awards_every_valid_row_once(
    settings: Settings, scope: TenantScope, achievement: Achievement
) -> None:
    summary = await upload(scope, achievement, INTAKE)

    await service.start(scope, summary.bulk.id, "user:test", queue=None)
    bulk = await award_all(settings, summary.bulk.id)

    awards = await Award.objects().output(load_json=True).order_by(Award.recipient_email)
    rows = await BulkAwardRow.objects().where(BulkAwardRow.bulk == summary.bulk.id)
    assert bulk is not None
    assert bulk.status == "done"
    assert (bulk.awarded, bulk.skipped, bulk.failed) == (2, 0, 0)
    assert [award.recipient_email for award in awards] == ["ada@example.org", "grace@example.org"]
    assert {award.bulk for award in awards} == {summary.bulk.id}
    assert {row.award for row in rows if row.state == "awarded"} == {award.id for award in awards}
    assert sorted(row.state for row in rows) == [
        "awarded",
        "awarded",
        "invalid",
        "invalid",
        "invalid",
    ]
    assert await OutboundEmail.count() == 2
    assert await AwardStatus.count() == 4


async def test_awarded_credential_carries_row_and_verifies(
    settings: Settings, scope: TenantScope, achievement: Achievement
) -> None:
    summary = await upload(scope, achievement, INTAKE)
    await service.start(scope, summary.bulk.id, "user:test", queue=None)
    await award_all(settings, summary.bulk.id)

    award = await Award.objects().where(Award.recipient_email == "ada@example.org").first()
    assert award is not None
    credential = json.loads(award.credential_text)
    report = await verification.verify(settings, award.credential_text, in_process=True)

    assert report.valid, [check.message for check in report.checks if check.status == "failed"]
    assert credential["validFrom"] == "2025-09-15T00:00:00Z"
    assert credential["evidence"] == [
        {
            "type": ["Evidence"],
            "id": "https://portfolio.example.org/ada",
            "narrative": "Atelier suivi",
        }
    ]
    assert credential["credentialSubject"]["achievement"]["inLanguage"] == "fr"
    assert award.language == "fr"
    assert award.evidence_url == "https://portfolio.example.org/ada"
    assert award.narrative == "Atelier suivi"
    assert award.idempotency_key is not None
    assert award.idempotency_key.startswith("bulk:")


async def test_reupload_awards_nothing_twice(
    settings: Settings, scope: TenantScope, achievement: Achievement
) -> None:
    first = await upload(scope, achievement, INTAKE)
    await service.start(scope, first.bulk.id, "user:test", queue=None)
    await award_all(settings, first.bulk.id)

    second = await upload(scope, achievement, INTAKE)
    await service.start(scope, second.bulk.id, "user:test", queue=None)
    bulk = await award_all(settings, second.bulk.id)

    assert second.counts["skipped"] == 2
    assert second.counts["pending"] == 0
    assert second.previous_upload == first.bulk.id
    assert bulk is not None
    assert bulk.status == "done"
    assert (bulk.awarded, bulk.skipped) == (0, 2)
    assert await Award.count() == 2
    assert await OutboundEmail.count() == 2


async def test_rows_awarded_meanwhile_are_skipped_by_the_job(
    settings: Settings, scope: TenantScope, achievement: Achievement
) -> None:
    first = await upload(scope, achievement, INTAKE)
    second = await upload(scope, achievement, INTAKE)
    await service.start(scope, first.bulk.id, "user:test", queue=None)
    await award_all(settings, first.bulk.id)

    await service.start(scope, second.bulk.id, "user:test", queue=None)
    bulk = await award_all(settings, second.bulk.id)

    assert second.counts["pending"] == 2
    assert bulk is not None
    assert (bulk.awarded, bulk.skipped) == (0, 2)
    assert await Award.count() == 2


async def test_many_batches_award_each_row_once(
    settings: Settings, scope: TenantScope, achievement: Achievement
) -> None:
    summary = await upload(scope, achievement, intake(1_234), send_email=False)
    await service.start(scope, summary.bulk.id, "user:test", queue=None)

    bulk = await issuing.run_bulk_award(settings, summary.bulk.id, SigningPool(1))

    keys = await Award.select(Award.idempotency_key)
    batches = await AuditEvent.count().where(AuditEvent.action == "bulk-award:batch")
    assert bulk is not None
    assert bulk.awarded == 1_234
    assert len({row["idempotency_key"] for row in keys}) == 1_234
    assert batches == 3
    assert await OutboundEmail.count() == 0
    assert await BulkAwardRow.count().where(BulkAwardRow.state == "pending") == 0


async def test_job_through_the_queue(
    settings: Settings, scope: TenantScope, achievement: Achievement, db: str
) -> None:
    summary = await upload(scope, achievement, INTAKE)
    tasks.configure(settings)
    try:
        await service.start(
            scope, summary.bulk.id, "user:test", queue=tasks.ProcrastinateJobQueue(db)
        )
        queued = await reading.get_bulk(scope, summary.bulk.id)
        await queue.run_worker(db, wait=False)
    finally:
        tasks.shutdown()

    bulk = await reading.get_bulk(scope, summary.bulk.id)
    actions = [
        row["action"] for row in await AuditEvent.select(AuditEvent.action).order_by(AuditEvent.id)
    ]
    assert queued.status == "queued"
    assert bulk.status == "done"
    assert bulk.awarded == 2
    assert [action for action in actions if action.startswith("bulk-award:")] == [
        "bulk-award:validated",
        "bulk-award:queued",
        "bulk-award:started",
        "bulk-award:batch",
        "bulk-award:finished",
    ]
    assert set(actions) <= ACTIONS


async def test_start_after_done_is_refused(
    settings: Settings, scope: TenantScope, achievement: Achievement
) -> None:
    summary = await upload(scope, achievement, INTAKE)
    await service.start(scope, summary.bulk.id, "user:test", queue=None)
    await award_all(settings, summary.bulk.id)

    with pytest.raises(ConflictError) as caught:
        await service.start(scope, summary.bulk.id, "user:test", queue=None)

    assert caught.value.code == "bulk-award-not-startable"


async def test_failed_queue_leaves_upload_startable(
    scope: TenantScope, achievement: Achievement
) -> None:
    class BrokenQueue:
        async def defer_bulk_award(self, bulk_id: uuid.UUID) -> None:
            raise OSError("connection refused")

    summary = await upload(scope, achievement, INTAKE)

    with pytest.raises(Exception, match="did not accept") as caught:
        await service.start(scope, summary.bulk.id, "user:test", queue=BrokenQueue())

    bulk = await reading.get_bulk(scope, summary.bulk.id)
    assert getattr(caught.value, "code", None) == "queue-unavailable"
    assert bulk.status == "validated"


async def test_failed_job_can_be_resumed(
    settings: Settings, scope: TenantScope, achievement: Achievement
) -> None:
    summary = await upload(scope, achievement, INTAKE)
    await service.start(scope, summary.bulk.id, "user:test", queue=None)
    await issuing.record_failure(summary.bulk.id, RuntimeError("database went away"), is_final=True)
    failed = await reading.get_bulk(scope, summary.bulk.id)

    await service.start(scope, summary.bulk.id, "user:test", queue=None)
    bulk = await award_all(settings, summary.bulk.id)

    assert failed.status == "failed"
    assert "database went away" in failed.error
    assert bulk is not None
    assert bulk.status == "done"
    assert bulk.awarded == 2


async def test_levels_are_checked_and_stored(
    settings: Settings, scope: TenantScope, achievement: Achievement
) -> None:
    levels = [
        {"id": "bronze", "name": {"fr": "Bronze", "en": "Bronze"}},
        {"id": "advanced", "name": {"fr": "Avancé", "en": "Advanced"}},
    ]
    published = {**(achievement.published or {}), "levels": levels}
    await Achievement.update({Achievement.published: published}).where(
        Achievement.id == achievement.id
    )
    text = (
        "email,name,level\nada@example.org,Ada,avancé\nbo@example.org,Bo,\ncy@example.org,Cy,gold\n"
    )

    summary = await upload(scope, achievement, text)
    await service.start(scope, summary.bulk.id, "user:test", queue=None)
    await award_all(settings, summary.bulk.id)

    award = await Award.objects().first()
    codes = {error.row_number: error.problem.code for error in summary.errors}
    assert codes == {3: "level-required", 4: "unknown-level"}
    assert award is not None
    assert award.level == "advanced"


async def test_same_person_at_two_levels_is_two_awards(
    settings: Settings, scope: TenantScope, achievement: Achievement
) -> None:
    levels = [{"id": "bronze", "name": {}}, {"id": "silver", "name": {}}]
    published = {**(achievement.published or {}), "levels": levels}
    await Achievement.update({Achievement.published: published}).where(
        Achievement.id == achievement.id
    )
    text = "email,name,level\nada@example.org,Ada,bronze\nada@example.org,Ada,silver\n"

    summary = await upload(scope, achievement, text)

    assert summary.counts["pending"] == 2


async def test_unusable_file_stores_nothing(scope: TenantScope, achievement: Achievement) -> None:
    text = intake(1_500) + 'late@example.org,"unclosed\n'

    with pytest.raises(BulkFileError) as caught:
        await upload(scope, achievement, text)

    assert caught.value.code == "unclosed-quote"
    assert await BulkAward.count() == 0
    assert await BulkAwardRow.count() == 0
    assert await AuditEvent.count().where(AuditEvent.action == "bulk-award:validated") == 0


async def test_row_limit_stores_nothing(scope: TenantScope, achievement: Achievement) -> None:
    limits = BulkLimits(max_rows=1_000, max_file_bytes=LIMITS.max_file_bytes)

    with pytest.raises(BulkFileError) as caught:
        await upload(scope, achievement, intake(1_001), limits=limits)

    assert caught.value.code == "too-many-rows"
    assert await BulkAward.count() == 0
    assert await BulkAwardRow.count() == 0


async def test_latin1_file_keeps_accents(scope: TenantScope, achievement: Achievement) -> None:
    summary = await upload(scope, achievement, "email;nom\nzoe@example.org;Zoé Œuvre\n", "cp1252")

    assert summary.encoding == "Windows-1252"
    assert summary.preview[0].name == "Zoé Œuvre"


async def test_draft_achievement_cannot_be_awarded(scope: TenantScope) -> None:
    draft = await make_achievement(scope.tenant, "draft-badge", status="draft")

    with pytest.raises(ConflictError) as caught:
        await upload(scope, draft, INTAKE)

    assert caught.value.code == "achievement-not-published"


async def test_other_tenant_cannot_read_upload(
    settings: Settings, scope: TenantScope, achievement: Achievement
) -> None:
    summary = await upload(scope, achievement, INTAKE)
    other = TenantScope(await make_tenant(settings, "btu", country="DE"))

    with pytest.raises(Exception, match="has no bulk award") as caught:
        await reading.get_summary(other, summary.bulk.id)

    assert getattr(caught.value, "code", None) == "bulk-award-not-found"


async def test_orphaned_running_upload_can_be_resumed(
    settings: Settings, scope: TenantScope, achievement: Achievement
) -> None:
    summary = await upload(scope, achievement, INTAKE)
    await service.start(scope, summary.bulk.id, "user:test", queue=None)
    # A `badgehub award --in-process` killed mid-job leaves the upload running with no job.
    await BulkAward.update({BulkAward.status: "running"}).where(BulkAward.id == summary.bulk.id)
    orphaned = await reading.get_bulk(scope, summary.bulk.id)

    startable = await service.is_startable(orphaned)
    await service.start(scope, summary.bulk.id, "user:test", queue=None)
    bulk = await award_all(settings, summary.bulk.id)

    assert startable is True
    assert bulk is not None
    assert bulk.status == "done"
    assert bulk.awarded == 2


async def test_queued_upload_with_job_is_not_startable(
    scope: TenantScope, achievement: Achievement, db: str
) -> None:
    summary = await upload(scope, achievement, INTAKE)
    await service.start(scope, summary.bulk.id, "user:test", queue=tasks.ProcrastinateJobQueue(db))
    queued = await reading.get_bulk(scope, summary.bulk.id)

    startable = await service.is_startable(queued)
    with pytest.raises(ConflictError) as caught:
        await service.start(scope, summary.bulk.id, "user:test", queue=None)

    assert startable is False
    assert caught.value.code == "bulk-award-not-startable"
