"""The applications an earner allowed, as the backpack shows them, and withdrawing their access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from authlib.oauth2.rfc6749 import scope_to_list

from hub.auth.tables import User
from hub.obapi.scopes import SCOPE_MESSAGE_KEYS
from hub.obapi.store import RegisteredClient
from hub.obapi.tables import ObApiClient, ObApiToken

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ConnectedApplication:
    client_id: str
    name: str
    client_uri: str | None
    since: datetime
    scope_keys: list[str]


async def connected_applications(user: User) -> list[ConnectedApplication]:
    """Applications holding a token of ``user`` that still works, oldest grant first."""
    now = datetime.now(UTC)
    rows = await ObApiToken.raw(
        "SELECT t.client, min(t.issued_at) AS since, string_agg(t.scope, ' ') AS scopes "
        'FROM ob_api_token t WHERE t."user" = {} AND ('
        "(t.access_revoked_at IS NULL AND t.access_expires_at > {}) OR "
        "(t.refresh_revoked_at IS NULL AND t.refresh_expires_at > {})) "
        "GROUP BY t.client ORDER BY since",
        user.id,
        now,
        now,
    )
    if not rows:
        return []
    clients = {
        row.id: RegisteredClient.of(row)
        for row in await ObApiClient.objects().where(
            ObApiClient.id.is_in([row["client"] for row in rows])
        )
    }
    applications = []
    for row in rows:
        client = clients[row["client"]]
        uri = client.metadata.get("client_uri")
        scopes = sorted(set(scope_to_list(row["scopes"])))
        applications.append(
            ConnectedApplication(
                client_id=client.client_id,
                name=client.name,
                client_uri=uri if isinstance(uri, str) and uri.startswith("https://") else None,
                since=row["since"],
                scope_keys=[SCOPE_MESSAGE_KEYS[s] for s in scopes if s in SCOPE_MESSAGE_KEYS],
            )
        )
    return applications


async def withdraw_access(user: User, client: RegisteredClient) -> int:
    """Revoke every token ``client`` holds for ``user``; return how many rows changed."""
    now = datetime.now(UTC)
    rows = await ObApiToken.raw(
        "UPDATE ob_api_token SET access_revoked_at = coalesce(access_revoked_at, {}), "
        "refresh_revoked_at = coalesce(refresh_revoked_at, {}) "
        'WHERE "user" = {} AND client = {} RETURNING id',
        now,
        now,
        user.id,
        client.row_id,
    )
    log.info("obapi_access_withdrawn", user=user.id, client=client.client_id, tokens=len(rows))
    return len(rows)
