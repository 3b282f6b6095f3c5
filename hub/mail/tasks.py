"""Queue tasks of the mail domain: deliver due e-mails on demand and every minute.

Tasks need the hub's settings (the SMTP server, and the KEK that keys claim links). A worker
passes them as ``additional_context={"settings": settings}``. Without it, the task reads
``HUB_*`` variables the way ``badgehub serve`` does.
"""

from __future__ import annotations

import functools

import procrastinate
import structlog
from procrastinate.exceptions import AlreadyEnqueued

from hub.mail.delivery import DEFAULT_BATCH, deliver_due
from hub.settings import Settings

log = structlog.get_logger(__name__)

blueprint = procrastinate.Blueprint()

DELIVER_TASK = "mail:deliver"
# At most one delivery job waits in the queue. A running job does not count, so e-mails queued
# during a run get a job that starts right after it.
DELIVER_QUEUEING_LOCK = "mail:deliver"


@functools.cache
def _settings_from_environment() -> Settings:
    from hub.runtime import load_settings

    return load_settings()


def settings_of(context: procrastinate.JobContext) -> Settings:
    settings = context.additional_context.get("settings")
    if isinstance(settings, Settings):
        return settings
    return _settings_from_environment()


async def deliver_all_due(settings: Settings) -> int:
    """Deliver batches until no e-mail is due or the SMTP server is unusable; return the count."""
    total = 0
    while True:
        attempted = await deliver_due(settings, DEFAULT_BATCH)
        total += attempted
        if attempted < DEFAULT_BATCH:
            return total


@blueprint.task(name="deliver", pass_context=True)
async def deliver(context: procrastinate.JobContext) -> int:
    return await deliver_all_due(settings_of(context))


@blueprint.periodic(cron="* * * * *")
@blueprint.task(name="deliver_periodically", pass_context=True)
async def deliver_periodically(context: procrastinate.JobContext, timestamp: int) -> int:
    """Pick up retries whose time has come, and anything a lost job left behind."""
    return await deliver_all_due(settings_of(context))


async def defer_delivery(queue_app: procrastinate.App) -> bool:
    """Queue a delivery job unless one is already waiting; returns whether one was queued."""
    try:
        await queue_app.configure_task(
            DELIVER_TASK, queueing_lock=DELIVER_QUEUEING_LOCK
        ).defer_async()
    except AlreadyEnqueued:
        return False
    return True
