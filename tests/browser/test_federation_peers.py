"""The peer hubs console page in a real browser: add peers, see their sync status, remove one."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from federation.tables import PeerHub
from hub.settings import Settings
from tenants.seed import seed_alliance
from tests.browser.conftest import dev_sign_in, hub_server
from tests.browser.test_bulk_console import free_port
from tests.document_server import DocumentServer
from tests.foreign_alliance import ForeignAlliance

pytestmark = [pytest.mark.integration, pytest.mark.browser]

ALLIANCE_ADMIN = "elise.vandamme@example.org"


@pytest.fixture
def other_hub() -> Iterator[ForeignAlliance]:
    server = DocumentServer()
    alliance = ForeignAlliance(server)
    alliance.add_member("tuk")
    alliance.add_member("unic")
    alliance.publish(alliance.registry(3, {"tuk": "active", "unic": "suspended"}))
    yield alliance
    server.close()


@pytest.fixture
def down_port() -> int:
    """A loopback port where nothing listens, standing for a peer hub that is down."""
    return free_port()


@pytest.fixture
async def hub(
    db: str, settings: Settings, tmp_path: Path, other_hub: ForeignAlliance, down_port: int
) -> Iterator[str]:
    hub_settings = dataclasses.replace(settings, public_url=f"http://127.0.0.1:{free_port()}")
    await seed_alliance(hub_settings)
    peers = f"127.0.0.1:{other_hub.server.port},127.0.0.1:{down_port}"
    server = hub_server(
        hub_settings,
        db,
        tmp_path / "hub.log",
        {
            "HUB_DEMO": "true",
            "HUB_DEV_LOGIN": "true",
            "HUB_HOST": "127.0.0.1",
            "HUB_OUTBOUND_LOOPBACK_PEERS": peers,
            "HUB_OUTBOUND_TIMEOUT_SECONDS": "3",
        },
    )
    yield next(server)
    server.close()


async def add_peer(page: Any, url: str, label: str) -> None:
    await page.fill("#peer-add input[name=registry_url]", url)
    await page.fill("#peer-add input[name=label]", label)
    await page.click("#peer-add button[type=submit]")
    await page.wait_for_url("**/console/federation/peers?done=*")


async def test_add_sync_and_remove_peers(
    chromium: Any, hub: str, other_hub: ForeignAlliance, down_port: int, tmp_path: Path
) -> None:
    page = await dev_sign_in(chromium, hub, ALLIANCE_ADMIN)
    await page.click("text=Federation console")
    await page.click("nav.subnav >> text=Peers")
    await page.wait_for_url(f"{hub}/console/federation/peers")
    empty = await page.inner_text("main")

    await add_peer(page, other_hub.registry_url, "Other Alliance hub")
    added_notice = await page.inner_text("[role=status]")
    good_row = await page.inner_text("#peer-1")

    # A hub that is down is not added: its first sync gives no verified registry.
    down_url = f"http://127.0.0.1:{down_port}/.well-known/eunice-registry.json"
    await page.fill("#peer-add input[name=registry_url]", down_url)
    await page.fill("#peer-add input[name=label]", "Down")
    await page.click("#peer-add button[type=submit]")
    await page.wait_for_load_state()
    rejected = await page.inner_text("body")

    # An older registry version than the kept copy fails the next sync and keeps the copy.
    other_hub.publish(other_hub.registry(2, {"tuk": "active", "unic": "active"}))
    await page.goto(f"{hub}/console/federation/peers")
    await page.click("#peer-1 form[action$='/sync'] button")
    await page.wait_for_url("**/console/federation/peers?done=sync-failed*")
    failed_notice = await page.inner_text("[role=status]")
    failed_row = await page.inner_text("#peer-1")
    await page.screenshot(path=str(tmp_path / "peers.png"), full_page=True)

    await page.goto(f"{hub}/console/federation/peers?lang=fr")
    french_row = await page.inner_text("#peer-1")

    await page.click("#peer-1 form[action$='/remove'] button")
    await page.wait_for_url("**/console/federation/peers?done=removed")
    remaining = await page.locator("table.federation-peers tbody tr").count()
    await page.context.close()

    assert "No peer hub is registered." in empty
    assert "Its registry verified" in added_notice
    assert "Other Alliance hub" in good_row
    assert "up to date" in good_row
    assert "Other Alliance · Version 3 · 2 member(s)" in good_row
    assert "was not added" in rejected
    assert "could not connect" in rejected
    assert "The sync failed" in failed_notice
    assert "last sync failed" in failed_row
    assert "1 failed attempt(s) in a row" in failed_row
    assert "older than version 3" in failed_row
    assert "Version 3" in failed_row
    assert "Version 3" in french_row
    assert remaining == 0
    assert await PeerHub.select(PeerHub.label) == []
