"""A badge goes from draft to published in a real browser, approved by a second person."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.settings import Settings
from tenants.seed import seed_alliance
from tenants.tables import Achievement, Award
from tests.browser.conftest import demo_hub_server, dev_sign_in

pytestmark = [pytest.mark.integration, pytest.mark.browser]

AUTHOR = "camille.lefebvre@example.org"
APPROVER = "thomas.girard@example.org"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def hub(db: str, settings: Settings, tmp_path: Path) -> Iterator[str]:
    served = dataclasses.replace(settings, public_url=f"http://127.0.0.1:{free_port()}")
    await seed_alliance(dataclasses.replace(served, demo=True))
    server = demo_hub_server(served, db, tmp_path / "hub.log")
    url = next(server)
    yield url
    server.close()


async def test_draft_to_published_in_browser(chromium: Any, hub: str) -> None:
    author = await dev_sign_in(chromium, hub, AUTHOR)
    await author.goto(f"{hub}/console/tenants/uphf/achievements/new?lang=en")
    await author.fill("input[name=slug]", "first-aid-psc1")
    await author.fill("input[name='name.fr']", "Premiers secours PSC1")
    await author.fill("input[name='name.en']", "First aid PSC1")
    await author.fill("textarea[name='description.fr']", "Prévention et secours civiques.")
    await author.fill("textarea[name='description.en']", "Civic prevention and first aid.")
    await author.fill("textarea[name='criteria.fr']", "Suivre la formation de 7 heures.")
    await author.fill("textarea[name='criteria.en']", "Complete the 7-hour course.")
    await author.fill("input[name='level.0.id']", "certified")
    await author.fill("input[name='level.0.name.fr']", "Certifié")
    await author.fill("input[name='level.0.name.en']", "Certified")
    await author.click("form.wide > button[type=submit]")
    await author.wait_for_url("**/achievements/*?done=created")
    detail_url = author.url.split("?")[0]
    await author.click("button.action-submit")
    await author.wait_for_url("**?done=submit")
    submitted_state = await author.inner_text(".hero .state")

    approver = await dev_sign_in(chromium, hub, APPROVER)
    await approver.goto(f"{detail_url}?lang=en")
    await approver.fill("section.workflow textarea[name=comment]", "Checked with the nurse.")
    await approver.click("button.action-approve")
    await approver.wait_for_url("**?done=approve")

    await author.goto(detail_url)
    await author.click("button.action-publish")
    await author.wait_for_url("**?done=publish")
    published_state = await author.inner_text(".hero .state")
    history = await author.inner_text("section.history")

    await author.fill("section.award input[name=recipient_name]", "Lucas Dubreuil")
    await author.fill("section.award input[name=recipient_email]", "lucas.dubreuil@example.org")
    await author.click("section.award button[type=submit]")
    await author.wait_for_url("**/awards/*")

    row = (
        await Achievement.objects()
        .output(load_json=True)
        .where(Achievement.slug == "first-aid-psc1")
        .first()
    )
    assert submitted_state == "Submitted"
    assert published_state == "Published"
    assert "Checked with the nurse." in history
    assert row is not None
    assert row.version == 1
    assert row.levels[0]["id"] == "certified"
    award = await Award.objects().where(Award.achievement == row.id).first()
    assert award is not None
    assert award.level == "certified"
