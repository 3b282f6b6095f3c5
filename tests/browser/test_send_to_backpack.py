"""Sending a badge from one hub's backpack to another hub's, over the Open Badges 3.0 API.

Two real ``badgehub demo`` processes with their own databases: hub A at 127.0.0.1 is the
service consumer, hub B at ``localhost`` the host. The different host names keep the two hubs'
cookies apart in one browser, as two sites would be. Inès Marchand, a demo student of UPHF and
Cantabria on both hubs, sends her UPHF badge from A, signs in and consents at B, and finds the
badge in B's backpack, verified against A's did:web document and status list.
"""

from __future__ import annotations

import html
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.conftest import _wait_until_up, dev_sign_in
from tests.integration.test_two_hubs import DemoHub, create_database

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.slow]

STUDENT = "ines.marchand@example.org"


class LocalhostDemoHub(DemoHub):
    """A demo hub whose public URL names ``localhost`` instead of 127.0.0.1."""

    def __init__(self, name: str, database_url: str, data_dir: Path) -> None:
        super().__init__(name, database_url, data_dir)
        self.url = f"http://localhost:{self.port}"
        self.environment["HUB_PORT"] = str(self.port)
        self.environment["HUB_PUBLIC_URL"] = self.url

    def start(self) -> None:
        command = [sys.executable, "-m", "hub.cli", "demo"]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, env=self.environment, stdout=log, stderr=log)
        _wait_until_up(self.url, self.process, self.log_path, seconds=120)


@pytest.fixture
async def consumer_and_host(
    server_url: str, tmp_path: Path
) -> AsyncIterator[tuple[DemoHub, DemoHub]]:
    consumer = DemoHub("a", await create_database(server_url, "badgehub_send_a"), tmp_path / "a")
    host = LocalhostDemoHub(
        "b", await create_database(server_url, "badgehub_send_b"), tmp_path / "b"
    )
    consumer.environment["HUB_OUTBOUND_LOOPBACK_PEERS"] = f"localhost:{host.port}"
    host.environment["HUB_OUTBOUND_LOOPBACK_PEERS"] = f"127.0.0.1:{consumer.port}"
    try:
        consumer.start()
        host.start()
        yield consumer, host
    finally:
        consumer.stop()
        host.stop()


async def test_student_sends_badge_to_another_hub(
    chromium: Any, consumer_and_host: tuple[DemoHub, DemoHub]
) -> None:
    consumer, host = consumer_and_host
    page = await dev_sign_in(chromium, consumer.url, STUDENT)
    await page.goto(f"{consumer.url}/backpack?lang=en")
    badge = page.locator("li.badge[data-university='uphf']").first
    badge_name = (await badge.locator("h2").inner_text()).strip()
    await badge.locator("a.send-link").click()
    await page.fill("input[name=host]", host.url)
    await page.click("form.stacked button[type=submit]:not([name])")

    # At hub B: the development sign-in, then the consent page.
    await page.wait_for_url(f"{host.url}/auth/dev-login**")
    await page.click(f"form:has(input[value='{STUDENT}']) button[type=submit]")
    await page.wait_for_url(f"{host.url}/oauth/authorize**")
    consent = await page.content()
    await page.click("#allow")
    await page.wait_for_url(f"{consumer.url}/backpack/**")
    result = await page.content()

    await page.goto(f"{host.url}/backpack?lang=en")
    # Both demos seed the same badges, so only B's imported section proves the send.
    imported = html.unescape(await page.locator("ul.badges.imported").inner_html())
    async with httpx.AsyncClient(base_url=host.url, trust_env=False) as http:
        discovery = (await http.get("/ims/ob/v3p0/discovery")).json()

    assert "EUNICE Badge Hub" in consent
    assert "add badges to your backpack" in consent
    assert "the badge was added" in result
    assert badge_name in imported
    assert "Open Badges API: EUNICE Badge Hub" in imported
    assert discovery["servers"][0]["url"] == f"{host.url}/ims/ob/v3p0"
