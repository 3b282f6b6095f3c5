"""Two real hubs on loopback, each with its own database and data folder, federating.

Hub A and hub B both run ``badgehub demo``, so each seeds its own EUNICE alliance. Their public
URLs differ by port, so their DIDs differ too: on hub B, UPHF of hub A is a foreign issuer,
trusted only through hub A's registry once B registers A as a peer.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from tests.browser.conftest import _wait_until_up
from tests.browser.test_bulk_console import free_port
from tests.conftest import _with_database

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ALLIANCE_ADMIN = "elise.vandamme@example.org"
REGISTRY_PATH = "/.well-known/eunice-registry.json"


class DemoHub:
    """One ``badgehub demo`` process; stopping and starting it again keeps its data."""

    def __init__(self, name: str, database_url: str, data_dir: Path) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.log_path = data_dir.parent / f"hub-{name}.log"
        self.environment = {
            **{key: value for key, value in os.environ.items() if not key.startswith("HUB_")},
            "HUB_DATABASE_URL": database_url,
            "HUB_DATA_DIR": str(data_dir),
            "HUB_HOST": "127.0.0.1",
            "HUB_LOG_FORMAT": "json",
            "HUB_OUTBOUND_TIMEOUT_SECONDS": "3",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def allow_peer(self, other: DemoHub) -> None:
        self.environment["HUB_OUTBOUND_LOOPBACK_PEERS"] = f"127.0.0.1:{other.port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "hub.cli", "demo", "--port", str(self.port)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, env=self.environment, stdout=log, stderr=log)
        # The demo migrates and seeds before it serves, which takes longer than a plain start.
        _wait_until_up(self.url, self.process, self.log_path, seconds=120)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    @property
    def registry_url(self) -> str:
        return f"{self.url}{REGISTRY_PATH}"

    def demo_token(self) -> str:
        return (self.data_dir / "demo-api-token-uphf").read_text().strip()


async def create_database(server_url: str, name: str) -> str:
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    return _with_database(server_url, name)


@pytest.fixture
async def hubs(server_url: str, tmp_path: Path) -> AsyncIterator[tuple[DemoHub, DemoHub]]:
    database_a = await create_database(server_url, "badgehub_peer_a")
    database_b = await create_database(server_url, "badgehub_peer_b")
    hub_a = DemoHub("a", database_a, tmp_path / "a")
    hub_b = DemoHub("b", database_b, tmp_path / "b")
    hub_a.allow_peer(hub_b)
    hub_b.allow_peer(hub_a)
    # Without a cache, hub B fetches hub A's status list at every verification, so a
    # revocation on A shows on B at once and an unreachable A shows in the status check.
    hub_b.environment["HUB_OUTBOUND_CACHE_SECONDS"] = "0"
    try:
        hub_a.start()
        hub_b.start()
        yield hub_a, hub_b
    finally:
        hub_a.stop()
        hub_b.stop()


async def sign_in(client: httpx.AsyncClient, email: str) -> str:
    """Sign in through the development sign-in; return the CSRF token for later forms."""
    await client.get("/auth/dev-login")
    token = client.cookies["badgehub_csrf"]
    response = await client.post(
        "/auth/dev-login", data={"email": email, "next": "/console", "_csrf_token": token}
    )
    assert response.status_code == 303, response.text
    return token


async def issue_uphf_badge(hub: DemoHub) -> tuple[str, bytes]:
    """Issue a badge through UPHF's API on ``hub``; return its award id and signed credential."""
    headers = {"Authorization": f"Bearer {hub.demo_token()}"}
    async with httpx.AsyncClient(base_url=hub.url, trust_env=False, timeout=60) as client:
        achievements = (await client.get("/api/v1/tenants/uphf/achievements")).json()
        achievement = (
            achievements[0] if isinstance(achievements, list) else achievements["items"][0]
        )
        award = await client.post(
            "/api/v1/tenants/uphf/awards",
            headers={**headers, "Idempotency-Key": "two-hubs-1"},
            json={
                "achievement_id": achievement["id"],
                "recipient_email": "ada@example.org",
                "recipient_name": "Ada Lovelace",
                "language": "en",
            },
        )
        assert award.status_code in (200, 201), award.text
        credential = await client.get(award.json()["json_url"])
        assert credential.status_code == 200
        return award.json()["id"], credential.content


async def revoke_uphf_badge(hub: DemoHub, award_id: str) -> None:
    headers = {"Authorization": f"Bearer {hub.demo_token()}"}
    async with httpx.AsyncClient(base_url=hub.url, trust_env=False, timeout=60) as client:
        response = await client.post(
            f"/api/v1/tenants/uphf/awards/{award_id}/revoke",
            headers=headers,
            json={"reason": "issued to the wrong person"},
        )
    assert response.status_code == 200, response.text


async def verify_on(hub: DemoHub, credential: bytes) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=hub.url, trust_env=False, timeout=60) as client:
        response = await client.post("/api/v1/verify", content=credential)
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


def check(report: dict[str, Any], name: str) -> dict[str, str]:
    found = next((item for item in report["checks"] if item["check"] == name), None)
    assert found is not None, f"no {name} check in {report['checks']}"
    return found


def peer_row(page: str) -> str:
    match = re.search(r'<tr id="peer-\d+".*?</tr>', page, re.DOTALL)
    assert match is not None, page
    return match.group(0)


async def test_two_hubs_federate(hubs: tuple[DemoHub, DemoHub]) -> None:
    hub_a, hub_b = hubs
    award_id, credential = await issue_uphf_badge(hub_a)
    before_peering = await verify_on(hub_b, credential)

    async with httpx.AsyncClient(base_url=hub_b.url, trust_env=False, timeout=60) as console_b:
        token_b = await sign_in(console_b, ALLIANCE_ADMIN)
        added = await console_b.post(
            "/console/federation/peers",
            data={"registry_url": hub_a.registry_url, "label": "Hub A", "_csrf_token": token_b},
        )
        page_after_add = (await console_b.get("/console/federation/peers")).text
        trusted = await verify_on(hub_b, credential)

        hub_a.stop()
        while_down = await verify_on(hub_b, credential)
        await console_b.post("/console/federation/peers/1/sync", data={"_csrf_token": token_b})
        page_while_down = (await console_b.get("/console/federation/peers")).text

        hub_a.start()
        await console_b.post("/console/federation/peers/1/sync", data={"_csrf_token": token_b})
        page_after_restart = (await console_b.get("/console/federation/peers")).text

        async with httpx.AsyncClient(base_url=hub_a.url, trust_env=False, timeout=60) as console_a:
            token_a = await sign_in(console_a, ALLIANCE_ADMIN)
            suspended = await console_a.post(
                "/console/federation/members/uphf/suspend",
                data={"reason": "membership fee unpaid", "_csrf_token": token_a},
            )
        await console_b.post("/console/federation/peers/1/sync", data={"_csrf_token": token_b})
        after_suspension = await verify_on(hub_b, credential)
        peers_api_page = (await console_b.get("/console/federation/peers")).text
    await revoke_uphf_badge(hub_a, award_id)
    after_revocation = await verify_on(hub_b, credential)

    source = f"according to {hub_a.registry_url}"
    # Before peering, hub B verifies the signature by fetching A's did:web, but trusts no one.
    assert check(before_peering, "issuer-key")["status"] == "passed"
    assert check(before_peering, "trust")["status"] == "warning"
    assert added.status_code == 303
    assert added.headers["location"].startswith("/console/federation/peers?done=added")
    assert "up to date" in peer_row(page_after_add)
    assert "EUNICE" in peer_row(page_after_add)

    assert trusted["valid"] is True
    assert check(trusted, "trust")["status"] == "passed"
    assert "a verified member of EUNICE" in check(trusted, "trust")["message"]
    assert f"{source} (version 1)" in check(trusted, "trust")["message"]
    assert "cached" in check(trusted, "issuer-key")["message"]
    # Hub B fetches hub A's status list and checks its proof with A's key.
    assert check(trusted, "status")["status"] == "passed"
    assert f"{hub_a.url}/tenants/uphf/status/" in check(trusted, "status")["message"]

    assert while_down["valid"] is True
    assert check(while_down, "issuer-key")["status"] == "passed"
    assert check(while_down, "trust")["status"] == "passed"
    assert check(while_down, "status")["status"] == "skipped"
    assert "could not connect" in check(while_down, "status")["message"]
    assert "last sync failed" in peer_row(page_while_down)
    assert "could not connect" in peer_row(page_while_down)
    assert "Version 1" in peer_row(page_while_down)

    assert "up to date" in peer_row(page_after_restart)

    assert suspended.status_code == 303
    assert after_suspension["valid"] is False
    assert check(after_suspension, "trust")["status"] == "failed"
    assert "suspended from EUNICE" in check(after_suspension, "trust")["message"]
    assert f"{source} (version 2)" in check(after_suspension, "trust")["message"]
    assert "Version 2" in peer_row(peers_api_page)
    assert check(after_revocation, "status")["status"] == "failed"
    assert "revoked" in check(after_revocation, "status")["message"]
