"""The background job queue: procrastinate on the hub's own PostgreSQL (no other broker).

Tasks live in blueprints of their domains and are added to the one ``app`` below. Web processes
only defer jobs; ``badgehub worker`` runs them, and the demo runs a worker inside the server.
The queue's tables are installed by a hub migration, so ``badgehub migrate`` sets up everything.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import procrastinate
import structlog

from hub.mail.tasks import blueprint as mail_tasks
from hub.settings import Settings

log = structlog.get_logger(__name__)

# A worker whose heartbeat is older than this is taken for dead, and its running jobs are
# retried. procrastinate's workers send a heartbeat every 10 s by default.
STALLED_AFTER_SECONDS = 30.0

app = procrastinate.App(connector=procrastinate.PsycopgConnector())
# How many ``open_queue`` blocks are active in this process; deferring needs one.
_open_blocks = 0


def is_open() -> bool:
    return _open_blocks > 0


def register_tasks() -> None:
    """Add every domain's task blueprint to ``app``; called once before opening it."""
    if getattr(register_tasks, "done", False):
        return
    register_tasks.done = True  # type: ignore[attr-defined]
    app.add_tasks_from(mail_tasks, namespace="mail")
    from hub.bulk.tasks import blueprint as bulk_tasks

    app.add_tasks_from(bulk_tasks, namespace="bulk")
    from federation.tasks import blueprint as federation_tasks

    app.add_tasks_from(federation_tasks, namespace="federation")
    from hub.obapi.tasks import blueprint as obapi_tasks

    app.add_tasks_from(obapi_tasks, namespace="obapi")


@asynccontextmanager
async def open_queue(database_url: str) -> AsyncIterator[procrastinate.App]:
    """Open ``app`` on ``database_url`` for the block, so jobs can be deferred or run."""
    global _open_blocks
    register_tasks()
    connector = procrastinate.PsycopgConnector(conninfo=database_url, min_size=1, max_size=4)
    with app.replace_connector(connector):
        async with app.open_async():
            _open_blocks += 1
            try:
                yield app
            finally:
                _open_blocks -= 1


async def retry_stalled_jobs(queue_app: procrastinate.App) -> int:
    """Put the jobs of dead workers back in the queue; returns how many were retried.

    A worker killed mid-job leaves its job in ``doing``. The tasks resume from their last
    committed batch, so running them again is safe.
    """
    stalled = await queue_app.job_manager.get_stalled_jobs(
        seconds_since_heartbeat=STALLED_AFTER_SECONDS
    )
    count = 0
    for job in stalled:
        assert job.id is not None
        await queue_app.job_manager.retry_job_by_id_async(job.id, retry_at=datetime.now(UTC))
        log.warning("stalled_job_retried", job_id=job.id, task=job.task_name)
        count += 1
    return count


async def run_worker(
    database_url: str,
    *,
    settings: Settings | None = None,
    concurrency: int = 1,
    wait: bool = True,
    handle_signals: bool | None = None,
    shutdown_graceful_timeout: float | None = None,
) -> None:
    """Run a worker until cancelled (or, with ``wait=False``, until the queue is empty).

    Tasks read ``settings`` from their job context; without it they load the ``HUB_*``
    environment the way ``badgehub serve`` does. ``handle_signals`` defaults to ``wait``; a
    worker inside a web server leaves SIGINT and SIGTERM to the server.
    """
    context = {"settings": settings} if settings is not None else {}
    async with open_queue(database_url) as queue_app:
        await retry_stalled_jobs(queue_app)
        log.info("worker_started", concurrency=concurrency)
        try:
            await queue_app.run_worker_async(
                concurrency=concurrency,
                wait=wait,
                install_signal_handlers=wait if handle_signals is None else handle_signals,
                listen_notify=wait,
                additional_context=context,
                shutdown_graceful_timeout=shutdown_graceful_timeout,
            )
        finally:
            log.info("worker_stopped")
