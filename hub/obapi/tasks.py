"""Queue task of the Open Badges API: delete codes, tokens and clients that can no longer be used.

Registration is open to anyone (OB 3.0 §7.1.1), so clients that never obtained a token are
deleted after a week. The hourly registration limit in the controller bounds the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import procrastinate
import structlog

from hub.obapi.tables import ObApiClient, ObApiCode, ObApiToken

log = structlog.get_logger(__name__)
blueprint = procrastinate.Blueprint()

CODE_RETENTION = timedelta(days=1)
TOKEN_RETENTION = timedelta(days=30)
UNUSED_CLIENT_RETENTION = timedelta(days=7)


@dataclass(frozen=True)
class Purged:
    codes: int
    tokens: int
    clients: int


async def purge(now: datetime | None = None) -> Purged:
    """Delete expired codes, tokens dead for a month and clients never used for a week."""
    moment = now or datetime.now(UTC)
    codes = await ObApiCode.raw(
        "DELETE FROM ob_api_code WHERE expires_at < {} RETURNING id", moment - CODE_RETENTION
    )
    dead = moment - TOKEN_RETENTION
    tokens = await ObApiToken.raw(
        "DELETE FROM ob_api_token WHERE coalesce(access_revoked_at, access_expires_at) < {} "
        "AND (refresh_sha256 IS NULL OR coalesce(refresh_revoked_at, refresh_expires_at) < {}) "
        "RETURNING id",
        dead,
        dead,
    )
    clients = await ObApiClient.raw(
        "DELETE FROM ob_api_client c WHERE c.issued_at < {} AND NOT EXISTS "
        "(SELECT 1 FROM ob_api_token t WHERE t.client = c.id) AND NOT EXISTS "
        "(SELECT 1 FROM ob_api_code k WHERE k.client = c.id) RETURNING id",
        moment - UNUSED_CLIENT_RETENTION,
    )
    purged = Purged(len(codes), len(tokens), len(clients))
    log.info("obapi_purged", codes=purged.codes, tokens=purged.tokens, clients=purged.clients)
    return purged


@blueprint.periodic(cron="23 3 * * *")
@blueprint.task(name="purge_open_badges_api", pass_context=False)
async def purge_periodically(timestamp: int) -> int:
    """Run :func:`purge` once a day; return how many rows it deleted."""
    purged = await purge()
    return purged.codes + purged.tokens + purged.clients
