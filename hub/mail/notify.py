"""Waking the mail worker after an award, without importing the queue at module load.

``tenants.services`` calls this; the queue's task modules import ``tenants.services`` in turn, so
the imports happen inside the function.
"""

from __future__ import annotations

import structlog

log = structlog.get_logger(__name__)


async def request_delivery() -> None:
    """Ask a worker to deliver queued e-mails now, when this process has the queue open.

    Without an open queue (or when deferring fails) the every-minute job delivers them instead,
    so a failure here only delays the e-mails.
    """
    from hub import queue
    from hub.mail.tasks import defer_delivery

    if not queue.is_open():
        return
    try:
        await defer_delivery(queue.app)
    except Exception as error:
        log.warning("mail_delivery_defer_failed", error=str(error))
