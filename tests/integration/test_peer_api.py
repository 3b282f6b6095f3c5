"""The peer hubs API, called with an alliance admin's bearer token.

Only the token's signature check is replaced: a stub validator returns the claims that Keycloak
would put in an alliance admin's access token. Routing, guards, services and the database are
real, and the peer is a loopback server imitating another hub.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from federation.tables import PeerHub
from hub.app import create_app
from hub.auth.tokens import AccessTokenClaims
from hub.settings import Settings
from hub.tables import AuditEvent
from tests.document_server import DocumentServer
from tests.foreign_alliance import ForeignAlliance

pytestmark = pytest.mark.integration

ADMIN_TOKEN = "alliance-admin-access-token"


class StubValidator:
    """Accepts one token, as an alliance admin of the realm."""

    async def validate(self, token: str) -> AccessTokenClaims:
        assert token == ADMIN_TOKEN
        return AccessTokenClaims(
            subject="keycloak:alliance-admin",
            username="alliance.admin",
            email="alliance.admin@example.org",
            email_verified=True,
            name="Alliance Admin",
            realm_roles=("alliance-admin",),
            organizations=(),
            client_id="badgehub-cli",
            expires_at=datetime.now(UTC) + timedelta(minutes=5),
            raw={},
        )


@pytest.fixture
def other_hub() -> Iterator[ForeignAlliance]:
    server = DocumentServer()
    alliance = ForeignAlliance(server)
    alliance.add_member("tuk")
    alliance.add_member("unic")
    alliance.publish(alliance.registry(4, {"tuk": "active", "unic": "active"}))
    yield alliance
    server.close()


@pytest.fixture
async def api(
    db: str, settings: Settings, other_hub: ForeignAlliance
) -> AsyncIterator[httpx.AsyncClient]:
    peer_settings = dataclasses.replace(
        settings, outbound_loopback_peers=(f"127.0.0.1:{other_hub.server.port}",)
    )
    app = create_app(peer_settings, db)
    app.state.access_token_validator = StubValidator()
    transport = httpx.ASGITransport(app=app)
    headers = {"authorization": f"Bearer {ADMIN_TOKEN}"}
    async with httpx.AsyncClient(
        transport=transport, base_url=peer_settings.public_url, headers=headers
    ) as client:
        yield client


async def test_add_list_sync_remove(api: httpx.AsyncClient, other_hub: ForeignAlliance) -> None:
    added = await api.post(
        "/api/v1/federation/peers",
        json={"registry_url": other_hub.registry_url, "label": "Other"},
    )
    assert added.status_code == 201, added.text
    peer = added.json()
    listed = await api.get("/api/v1/federation/peers")
    synced = await api.post(f"/api/v1/federation/peers/{peer['id']}/sync")
    removed = await api.delete(f"/api/v1/federation/peers/{peer['id']}")
    after = await api.get("/api/v1/federation/peers")

    assert added.status_code == 201, added.text
    assert peer["status"] == "ok"
    assert peer["registry_version"] == 4
    assert peer["member_count"] == 2
    assert peer["alliance_name"] == "Other Alliance"
    assert peer["alliance_did"] == other_hub.alliance.did
    assert peer["sync"] == {"succeeded": True, "version_changed": True, "error": None}
    assert [item["registry_url"] for item in listed.json()] == [other_hub.registry_url]
    assert synced.status_code == 200
    assert synced.json()["sync"]["version_changed"] is False
    assert removed.status_code == 204
    assert after.json() == []
    actors = await AuditEvent.select(AuditEvent.actor).where(
        AuditEvent.action == "peer-hub:removed"
    )
    assert actors == [{"actor": "user:keycloak:alliance-admin"}]


async def test_errors_are_problems(api: httpx.AsyncClient, other_hub: ForeignAlliance) -> None:
    await api.post("/api/v1/federation/peers", json={"registry_url": other_hub.registry_url})

    duplicate = await api.post(
        "/api/v1/federation/peers", json={"registry_url": other_hub.registry_url}
    )
    plain_http = await api.post(
        "/api/v1/federation/peers",
        json={"registry_url": "http://registry.example/.well-known/eunice-registry.json"},
    )
    unknown = await api.post("/api/v1/federation/peers/999/sync")
    extra_field = await api.post(
        "/api/v1/federation/peers", json={"registry_url": other_hub.registry_url, "x": 1}
    )

    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "peer-already-registered"
    assert plain_http.status_code == 400
    assert plain_http.json()["code"] == "invalid-peer-url"
    assert "HUB_OUTBOUND_LOOPBACK_PEERS" in plain_http.json()["detail"]
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "peer-not-found"
    assert extra_field.status_code == 400
    assert await PeerHub.count() == 1
