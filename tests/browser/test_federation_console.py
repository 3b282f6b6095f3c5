"""An alliance admin grants an alliance badge, a member awards it, and statistics chart it."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from federation import award_rights
from federation.registry import get_alliance
from hub.settings import Settings
from tenants.seed import seed_alliance
from tenants.seed_data import ALLIANCE_NAME
from tenants.tables import Achievement, Award
from tests.browser.conftest import demo_hub_server, dev_sign_in
from tests.browser.test_console_achievements import free_port

pytestmark = [pytest.mark.integration, pytest.mark.browser]

ALLIANCE_ADMIN = "elise.vandamme@example.org"
ISSUER = "camille.lefebvre@example.org"
SCREENSHOT = Path("/tmp/pt-console-statistics.png")


@pytest.fixture
async def hub(db: str, settings: Settings, tmp_path: Path) -> Iterator[str]:
    """The demo hub, with UPHF's seeded right to award "I Support Eunice" withdrawn."""
    served = dataclasses.replace(settings, public_url=f"http://127.0.0.1:{free_port()}")
    await seed_alliance(dataclasses.replace(served, demo=True))
    badge = await Achievement.objects().where(Achievement.slug == "i-support-eunice").first()
    await award_rights.revoke_right(await get_alliance(), badge.id, "uphf", "test")
    server = demo_hub_server(served, db, tmp_path / "hub.log")
    url = next(server)
    yield url
    server.close()


async def test_grant_award_and_chart(chromium: Any, hub: str) -> None:
    admin = await dev_sign_in(chromium, hub, ALLIANCE_ADMIN)
    await admin.goto(f"{hub}/console/federation/badges?lang=en")
    grant = admin.get_by_role(
        "button",
        name="Grant Université Polytechnique Hauts-de-France the right to award I Support Eunice",
    )
    await grant.click()
    await admin.wait_for_url("**/console/federation/badges?done=granted")
    notice = await admin.inner_text("p.notice")

    issuer = await dev_sign_in(chromium, hub, ISSUER)
    await issuer.goto(f"{hub}/console/tenants/uphf/alliance-badges?lang=en")
    await issuer.click("text=I Support Eunice")
    await issuer.fill("section.award input[name=recipient_name]", "Lucas Dubreuil")
    await issuer.fill("section.award input[name=recipient_email]", "lucas.dubreuil@example.org")
    await issuer.click("section.award button[type=submit]")
    await issuer.wait_for_url("**/console/tenants/uphf/awards/*")
    award_id = issuer.url.rstrip("/").split("/")[-1].split("?")[0]
    await issuer.goto(f"{hub}/credentials/{award_id}?lang=en")
    creator = await issuer.inner_text("p.creator")
    issued_by = await issuer.locator("p", has_text="Issued by").first.inner_text()

    await admin.goto(f"{hub}/console/federation/statistics?lang=en")
    chart = await admin.locator("svg.chart").first.evaluate("e => e.outerHTML")
    await admin.screenshot(path=str(SCREENSHOT), full_page=True)
    member_table = await admin.inner_text("table.statistics-members")

    award = await Award.objects().where(Award.id == award_id).first()
    assert notice == "Right granted."
    assert creator == f"created by {ALLIANCE_NAME}"
    assert issued_by.startswith("Issued by Polytechnic University of Hauts-de-France")
    assert award is not None
    assert (
        award.achievement
        == (await Achievement.objects().where(Achievement.slug == "i-support-eunice").first()).id
    )
    assert ET.fromstring(chart).get("role") == "img"
    assert "Université Polytechnique Hauts-de-France" in member_table
