"""The applications an earner allowed, as the backpack shows them, and withdrawing their access."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from authlib.oauth2.rfc6749 import scope_to_list

from hub.audit import record_event
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
        for row in await ObApiClient.objects()
        .output(load_json=True)
        .where(ObApiClient.id.is_in([row["client"] for row in rows]))
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


@dataclass(frozen=True)
class RegisteredApplication:
    """A client as an operator sees it: who registered, when, and how many earners use it."""

    client_id: str
    name: str
    client_uri: str
    issued_at: datetime
    earners: int
    live_tokens: int


async def registered_applications(client_id: str | None = None) -> list[RegisteredApplication]:
    """Return the registered clients (or the one ``client_id``), newest first, with usage."""
    now = datetime.now(UTC)
    rows = await ObApiClient.raw(
        "SELECT c.client_id, c.client_metadata, c.issued_at, "
        'count(DISTINCT t."user") AS earners, '
        "count(t.id) FILTER (WHERE (t.access_revoked_at IS NULL AND t.access_expires_at > {}) "
        "OR (t.refresh_revoked_at IS NULL AND t.refresh_expires_at > {})) AS live_tokens "
        "FROM ob_api_client c LEFT JOIN ob_api_token t ON t.client = c.id "
        "WHERE {}::text IS NULL OR c.client_id = {} "
        "GROUP BY c.id ORDER BY c.issued_at DESC",
        now,
        now,
        client_id,
        client_id,
    )
    applications = []
    for row in rows:
        metadata = row["client_metadata"]
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        applications.append(
            RegisteredApplication(
                client_id=row["client_id"],
                name=str(metadata.get("client_name") or row["client_id"]),
                client_uri=str(metadata.get("client_uri") or ""),
                issued_at=row["issued_at"],
                earners=int(row["earners"]),
                live_tokens=int(row["live_tokens"]),
            )
        )
    return applications


async def remove_application(client_id: str, actor: str) -> RegisteredApplication | None:
    """Delete a client with its codes and tokens, so every earner's grant ends; None if unknown."""
    found = await registered_applications(client_id)
    if not found:
        return None
    async with ObApiClient._meta.db.transaction():
        await ObApiClient.delete().where(ObApiClient.client_id == client_id)
        await record_event(
            "application:removed",
            actor=actor,
            target=client_id,
            details={"client": found[0].name, "earners": found[0].earners},
        )
    log.info("obapi_client_removed", client=client_id, earners=found[0].earners)
    return found[0]
