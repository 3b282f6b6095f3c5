"""A student of two universities uses the backpack in a real browser on the demo hub."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.credentials.baking import unbake
from hub.settings import Settings
from tenants.seed import seed_alliance
from tenants.tables import Award
from tests.browser.conftest import demo_hub_server, dev_sign_in
from tests.browser.test_console_achievements import free_port

pytestmark = [pytest.mark.integration, pytest.mark.browser]

STUDENT = "ines.marchand@example.org"
VECTORS = Path(__file__).resolve().parents[1] / "fixtures" / "vectors"
THIRD_PARTY_PNG = VECTORS / "1EdTech__digital-credentials-public-validator/ob30/simple-jwt.png"


@pytest.fixture
async def hub(db: str, settings: Settings, tmp_path: Path) -> Iterator[str]:
    """The demo hub, whose seed has UPHF and Cantabria badges for the same student."""
    served = dataclasses.replace(settings, public_url=f"http://127.0.0.1:{free_port()}")
    await seed_alliance(dataclasses.replace(served, demo=True))
    server = demo_hub_server(served, db, tmp_path / "hub.log")
    url = next(server)
    yield url
    server.close()


async def listed_universities(page: Any) -> list[str]:
    items = page.locator("ul.backpack li.badge")
    return [await items.nth(i).get_attribute("data-university") for i in range(await items.count())]


async def download(page: Any, link: Any, target: Path) -> bytes:
    async with page.expect_download() as waiting:
        await link.click()
    await (await waiting.value).save_as(target)
    return await asyncio.to_thread(target.read_bytes)


async def test_two_university_backpack(chromium: Any, hub: str, tmp_path: Path) -> None:
    page = await dev_sign_in(chromium, hub, STUDENT)
    await page.goto(f"{hub}/backpack?lang=en")

    universities = await listed_universities(page)
    assert "uphf" in universities
    assert "unican" in universities

    await page.check("input[name=alliance]")
    await page.click("form.backpack-filters button[type=submit]")
    await page.wait_for_url("**/backpack?*alliance=1*")
    assert await listed_universities(page) == ["unican"]

    await page.goto(f"{hub}/backpack?lang=en")
    await page.select_option("select[name=university]", "unican")
    await page.click("form.backpack-filters button[type=submit]")
    await page.wait_for_url("**/backpack?university=unican*")
    assert await listed_universities(page) == ["unican"]

    badge = page.locator("ul.backpack li.badge").first
    award_id = (await badge.get_attribute("id")).removeprefix("badge-")
    award = await Award.objects().where(Award.id == award_id).first()
    files = {}
    for suffix in ("json", "jwt", "png", "svg", "pdf"):
        link = badge.locator(f"a[href*='/credentials/{award_id}/'][href*='.{suffix}']")
        files[suffix] = await download(page, link, tmp_path / f"download.{suffix}")
    assert files["json"].decode() == award.credential_text
    assert json.loads(files["json"])["issuer"]["id"].endswith(":tenants:unican")
    assert files["jwt"].count(b".") == 2
    assert unbake(files["png"]).text == award.credential_text
    assert unbake(files["svg"]).text == award.credential_text
    assert files["pdf"].startswith(b"%PDF-")

    await badge.locator("button", has_text="Hide from public view").click()
    await page.wait_for_url(f"**/backpack#badge-{award_id}")
    hidden = page.locator(f"#badge-{award_id} .hidden-badge")
    assert await hidden.inner_text() == "Hidden from public view"
    anonymous = await chromium.new_context()
    public = await (await anonymous.new_page()).goto(f"{hub}/credentials/{award_id}")
    assert public.status == 404

    await page.goto(f"{hub}/backpack/import?lang=en")
    await page.set_input_files("input[name=file]", str(THIRD_PARTY_PNG))
    await page.click("form.stacked button[type=submit]")
    await page.wait_for_url("**/backpack?imported=1")
    assert await page.locator("ul.imported li.badge").count() == 1
    await page.goto(f"{hub}/backpack?lang=fr")
    assert await page.inner_text("h1") == "Mes badges"
