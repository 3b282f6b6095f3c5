"""``badgehub worker`` and ``badgehub award`` as real subprocesses on the test database.

The crash test kills the worker with SIGKILL in the middle of a job, starts it again, and checks
that every valid row ends with exactly one award.
"""

from __future__ import annotations

import asyncio
import base64
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hub.bulk import service, tasks
from hub.bulk.service import BulkLimits
from hub.settings import Settings
from tenants.scope import TenantScope
from tenants.tables import Award, BulkAward, BulkAwardRow, OutboundEmail
from tests.factories import make_achievement, make_tenant

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BADGEHUB = [sys.executable, "-m", "hub.cli"]
ROWS = 4_000
INTAKE = "courriel;nom\nzoe@example.org;Zoé Lefèvre\ngrace@example.org;Grace Hopper\n"
# Generous bounds for a loaded 2-core machine. The tests wait for events and time nothing.
JOB_TIMEOUT_SECONDS = 300
EXIT_TIMEOUT_SECONDS = 30


def environment(settings: Settings, database_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("HUB_")}
    assert settings.key_encryption_key is not None
    env.update(
        {
            "HUB_DATABASE_URL": database_url,
            "HUB_PUBLIC_URL": settings.public_url,
            "HUB_KEY_ENCRYPTION_KEY": base64.b64encode(settings.key_encryption_key).decode(),
            "HUB_LOG_FORMAT": "json",
            "HUB_BULK_SIGNING_PROCESSES": "1",
        }
    )
    return env


def start_worker(settings: Settings, database_url: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            [*BADGEHUB, "worker"],
            env=environment(settings, database_url),
            stdout=output,
            stderr=output,
        )


def children_of(pid: int) -> list[int]:
    """List the processes whose parent is ``pid`` (the worker's signing processes)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def is_running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def awarded_count(bulk_id: object) -> int:
    return int(await Award.count().where(Award.bulk == bulk_id))


async def wait_for(condition: object, event: str, log: Path) -> None:
    deadline = time.monotonic() + JOB_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if await condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{event} did not happen; worker log:\n{tail(log)}")


def tail(log: Path) -> str:
    return log.read_text()[-3000:]


async def test_killed_worker_resumes_without_duplicates(
    db: str, settings: Settings, tmp_path: Path
) -> None:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant)
    scope = TenantScope(tenant)
    lines = "".join(f"etudiant{number}@example.org,Étudiant {number}\n" for number in range(ROWS))
    summary = await service.validate_upload(
        scope,
        achievement.id,
        io.BytesIO(("email,name\n" + lines + "broken,Row\n").encode()),
        "intake.csv",
        actor="test",
        language="fr",
        send_email=True,
        limits=BulkLimits(max_rows=50_000, max_file_bytes=20 * 1024 * 1024),
    )
    bulk_id = summary.bulk.id
    await service.start(scope, bulk_id, "test", tasks.ProcrastinateJobQueue(db))
    log = tmp_path / "worker.log"

    first = start_worker(settings, db, log)
    try:
        await wait_for(lambda: _some_awarded(bulk_id), "a first batch", log)
        signers = children_of(first.pid)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=EXIT_TIMEOUT_SECONDS)
    finally:
        if first.poll() is None:
            first.kill()
    awarded_at_kill = await awarded_count(bulk_id)
    pending_at_kill = await BulkAwardRow.count().where(
        BulkAwardRow.bulk == bulk_id, BulkAwardRow.state == "pending"
    )
    await wait_for(lambda: _all_gone(signers), "the exit of the orphaned signing process", log)
    # The killed worker's heartbeat is fresh. Age it as 30 s of silence would, so that the next
    # worker takes it for dead and retries its job.
    await BulkAward.raw(
        "UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 minute'"
    )

    second = start_worker(settings, db, log)
    try:
        await wait_for(lambda: _done(bulk_id), "the end of the resumed job", log)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=EXIT_TIMEOUT_SECONDS)

    bulk = await BulkAward.objects().where(BulkAward.id == bulk_id).first()
    keys = await Award.select(Award.idempotency_key).where(Award.bulk == bulk_id)
    row_awards = await BulkAwardRow.select(BulkAwardRow.award).where(
        BulkAwardRow.bulk == bulk_id, BulkAwardRow.state == "awarded"
    )
    award_ids = await Award.select(Award.id).where(Award.bulk == bulk_id)
    assert 0 < awarded_at_kill < ROWS
    assert pending_at_kill > 0
    assert signers != []
    assert bulk is not None
    assert bulk.status == "done"
    assert await awarded_count(bulk_id) == ROWS
    assert len({row["idempotency_key"] for row in keys}) == ROWS
    assert {row["award"] for row in row_awards} == {row["id"] for row in award_ids}
    assert await BulkAwardRow.count().where(BulkAwardRow.state == "pending") == 0
    assert await BulkAwardRow.count().where(BulkAwardRow.state == "invalid") == 1
    assert (bulk.awarded, bulk.skipped, bulk.failed) == (ROWS, 0, 0)
    assert await OutboundEmail.count() == ROWS
    assert "stalled_job_retried" in log.read_text()


async def _some_awarded(bulk_id: object) -> bool:
    return await awarded_count(bulk_id) > 0


async def _done(bulk_id: object) -> bool:
    bulk = await BulkAward.objects().where(BulkAward.id == bulk_id).first()
    return bulk is not None and bulk.status in ("done", "failed")


async def _all_gone(pids: list[int]) -> bool:
    return not any(is_running(pid) for pid in pids)


# badgehub award --csv ---------------------------------------------------------------------------


def run_award(
    settings: Settings, database_url: str, *args: str, answer: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BADGEHUB, "award", "--tenant", "uphf", *args],
        input=answer,
        capture_output=True,
        text=True,
        env=environment(settings, database_url),
        timeout=JOB_TIMEOUT_SECONDS,
    )


def write_intake(path: Path, text: str) -> Path:
    path.write_text(text, encoding="cp1252")
    return path


@pytest.fixture
async def intake(db: str, settings: Settings, tmp_path: Path) -> Path:
    tenant = await make_tenant(settings)
    await make_achievement(tenant)
    return write_intake(tmp_path / "intake.csv", INTAKE)


async def test_award_dry_run_lists_errors(db: str, settings: Settings, intake: Path) -> None:
    write_intake(intake, INTAKE + "alan;Alan Turing\n")

    result = run_award(
        settings, db, "--achievement", "cap-campus", "--csv", str(intake), "--dry-run"
    )

    assert result.returncode == 1, result.stderr
    assert "Read intake.csv as Windows-1252, semicolon-separated." in result.stdout
    assert "2 to award, 0 already awarded, 1 with errors" in result.stdout
    assert 'row 4: "alan" is not a valid e-mail address' in result.stdout
    assert await Award.count() == 0


async def test_award_in_process_with_progress(db: str, settings: Settings, intake: Path) -> None:
    result = run_award(
        settings, db, "--achievement", "cap-campus", "--csv", str(intake), "--yes", "--in-process"
    )

    bulk = await BulkAward.objects().first()
    assert result.returncode == 0, result.stderr
    assert "Awarding in this process" in result.stdout
    assert "Awarding" in result.stdout
    assert "done: 2 awarded, 0 already awarded, 0 failed, 0 rows with errors." in result.stdout
    assert await Award.count() == 2
    assert bulk is not None
    assert bulk.created_by == "cli"


async def test_award_again_awards_nothing(db: str, settings: Settings, intake: Path) -> None:
    arguments = ("--achievement", "cap-campus", "--csv", str(intake), "--yes", "--in-process")
    run_award(settings, db, *arguments)

    again = run_award(settings, db, *arguments)

    assert again.returncode == 0, again.stderr
    assert "0 to award, 2 already awarded" in again.stdout
    assert "Nothing to award." in again.stdout
    assert await Award.count() == 2


async def test_award_unusable_file_exits_two(db: str, settings: Settings, intake: Path) -> None:
    write_intake(intake, "email\nada@example.org\n")

    result = run_award(settings, db, "--achievement", "cap-campus", "--csv", str(intake))

    assert result.returncode == 2
    assert "error: intake.csv: The header has no column for name." in result.stderr
    assert await BulkAward.count() == 0


async def test_award_unknown_achievement_exits_two(
    db: str, settings: Settings, intake: Path
) -> None:
    result = run_award(settings, db, "--achievement", "no-such-badge", "--csv", str(intake))

    assert result.returncode == 2
    assert "no published achievement 'no-such-badge'" in result.stderr


async def test_award_declined_starts_nothing(db: str, settings: Settings, intake: Path) -> None:
    result = run_award(
        settings, db, "--achievement", "cap-campus", "--csv", str(intake), answer="n\n"
    )

    bulk = await BulkAward.objects().first()
    assert result.returncode == 1
    assert "Award 2 credentials now?" in result.stdout
    assert "Not started." in result.stdout
    assert bulk is not None
    assert bulk.status == "validated"
    assert await Award.count() == 0
