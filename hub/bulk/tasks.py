"""The ``bulk.award`` task on the procrastinate queue, and how web processes defer it.

A job's only argument is the upload's id. The job resumes from the rows still pending, so
procrastinate may run it again after a crash, a shutdown or an error (``RETRY``). A lock per
upload keeps two jobs of one upload from running at once.
"""

from __future__ import annotations

import uuid

import procrastinate
import structlog
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.job_context import JobContext

from hub.bulk import issuing, service
from hub.bulk.signing import SigningPool
from hub.settings import Settings
from tenants.tables import BulkAward

log = structlog.get_logger(__name__)

blueprint = procrastinate.Blueprint()
NAMESPACE = "bulk"
TASK_NAME = "bulk.award"
# The task's name in the queue, once ``hub.queue`` adds the blueprint under NAMESPACE.
QUEUED_TASK_NAME = f"{NAMESPACE}:{TASK_NAME}"
# Retried after an error or a worker shutdown, waiting 2 s + 2**attempt s (4 s to 4 min).
RETRY = procrastinate.RetryStrategy(max_attempts=8, wait=2, exponential_wait=2)
# A worker that sent a heartbeat this recently is taken for alive (procrastinate sends one
# every 10 s and takes a worker silent for 30 s for dead).
LIVE_WORKER_SECONDS = 30

# The settings and signing processes of the worker in this process, set by ``configure``.
_worker: dict[str, tuple[Settings, SigningPool]] = {}


def configure(settings: Settings) -> None:
    """Give the task the settings of the process that runs the worker (keys, public URL)."""
    shutdown()
    pool = SigningPool(settings.bulk_signing_processes)
    if pool.processes:
        pool.start()
    _worker["current"] = (settings, pool)


def shutdown() -> None:
    """Stop the signing processes of this process's worker, if it started any."""
    current = _worker.pop("current", None)
    if current is not None:
        current[1].shutdown()


def current() -> tuple[Settings, SigningPool]:
    """Return the settings and signing processes of this process's worker."""
    if "current" not in _worker:
        from hub.runtime import load_settings

        # A worker started outside ``badgehub worker`` reads the same HUB_* variables.
        configure(load_settings())
    return _worker["current"]


@blueprint.task(name=TASK_NAME, retry=RETRY, pass_context=True)
async def award_bulk(context: JobContext, bulk_id: str) -> None:
    """Award the pending rows of one upload."""
    upload = uuid.UUID(bulk_id)
    try:
        settings, pool = current()
        await issuing.run_bulk_award(settings, upload, pool)
    except Exception as error:
        attempts = context.job.attempts
        is_final = RETRY.max_attempts is not None and attempts >= RETRY.max_attempts
        log.exception("bulk_award_job_failed", bulk=bulk_id, attempt=attempts + 1, final=is_final)
        await issuing.record_failure(upload, error, is_final)
        raise


class ProcrastinateJobQueue:
    """Defers ``bulk.award`` jobs from a process that does not run a worker (the web server).

    Each deferral opens its own short-lived procrastinate app, so it never swaps the connector
    of ``hub.queue.app``, which a worker in the same process (the demo) may be using.
    """

    def __init__(self, database_url: str) -> None:
        self._database_url = database_url

    async def defer_bulk_award(self, bulk_id: uuid.UUID) -> None:
        connector = procrastinate.PsycopgConnector(
            conninfo=self._database_url, min_size=1, max_size=1
        )
        deferrer = procrastinate.App(connector=connector)
        lock = service.job_lock(bulk_id)
        async with deferrer.open_async():
            task = deferrer.configure_task(QUEUED_TASK_NAME, lock=lock, queueing_lock=lock)
            try:
                await task.defer_async(bulk_id=str(bulk_id))
            except AlreadyEnqueued:
                log.info("bulk_award_already_queued", bulk=str(bulk_id))


async def has_live_worker() -> bool:
    """Tell whether some worker has sent procrastinate a heartbeat in the last 30 s."""
    rows = await BulkAward.raw(
        "SELECT count(*) AS workers FROM procrastinate_workers "
        "WHERE last_heartbeat > now() - make_interval(secs => {})",
        LIVE_WORKER_SECONDS,
    )
    return bool(rows[0]["workers"])
