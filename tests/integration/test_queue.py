"""The procrastinate queue on the hub's database: schema installed by migrations, jobs run."""

from __future__ import annotations

import procrastinate

from hub import queue
from hub.settings import Settings

blueprint = procrastinate.Blueprint()
results: list[int] = []


@blueprint.task(name="tests.record")
async def record(value: int) -> None:
    results.append(value)


queue.app.add_tasks_from(blueprint, namespace="tests")


async def test_deferred_job_runs(db: str) -> None:
    results.clear()
    async with queue.open_queue(db) as queue_app:
        await queue_app.configure_task("tests:tests.record").defer_async(value=7)
    await queue.run_worker(db, wait=False)
    assert results == [7]


async def test_enqueue_award_emails_skips_repeats(db: str, settings: Settings) -> None:
    import uuid

    from hub.mail.outbox import AwardEmail, enqueue_award_emails
    from tests.factories import make_tenant

    tenant = await make_tenant(settings)
    message = AwardEmail(tenant.id, uuid.uuid4(), "ada@example.org", "fr")
    assert await enqueue_award_emails([message]) == 1
    assert await enqueue_award_emails([message]) == 0
