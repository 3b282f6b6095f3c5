"""Queue task of the federation domain: sync peer hubs in the background.

The task runs every minute and syncs only the peers whose last attempt is older than
``HUB_PEER_SYNC_MINUTES``, so the interval is a setting rather than a fixed schedule.
"""

from __future__ import annotations

import procrastinate

from federation.peers import sync_due
from hub.mail.tasks import settings_of

blueprint = procrastinate.Blueprint()


@blueprint.periodic(cron="* * * * *")
@blueprint.task(name="sync_peers_periodically", pass_context=True)
async def sync_peers_periodically(context: procrastinate.JobContext, timestamp: int) -> int:
    """Sync the peers that are due; return how many syncs succeeded."""
    results = await sync_due(settings_of(context))
    return sum(1 for result in results if result.is_success)
