"""The backpack of a signed-in earner: badges of several universities, filters and hiding."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest

from federation import award_rights, memberships
from hub.auth.tables import User
from hub.settings import Settings
from tenants.tables import Award
from tests.factories import make_achievement, make_award, make_tenant
from tests.integration.mail_support import make_user, sign_in

pytestmark = pytest.mark.integration

BADGE_ITEM = re.compile(r'<li class="badge" id="badge-([0-9a-f-]+)" data-university="(\w+)">')


@dataclass(frozen=True)
class Holdings:
    earner: User
    uphf_award: str
    btu_award: str
    alliance_award: str
    claimed_award: str
    stranger_award: str


@pytest.fixture
async def holdings(db: str, settings: Settings) -> Holdings:
    """Ada's badges from UPHF and BTU, an alliance badge, a claimed one, and someone else's."""
    eunice = await make_tenant(settings, "eunice", kind="alliance", name="EUNICE", name_en="EUNICE")
    uphf = await make_tenant(settings, "uphf")
    btu = await make_tenant(settings, "btu", country="DE", name_en="BTU Cottbus")
    for slug in ("uphf", "btu"):
        await memberships.add_member(settings, eunice, slug, "test")
    support = await make_achievement(eunice, "i-support-eunice")
    await award_rights.grant_to_all_members(eunice, support.id, "test")
    earner = await make_user(uphf, "ada", role=None)

    uphf_award = (await make_award(settings, uphf, await make_achievement(uphf))).award
    btu_award = (await make_award(settings, btu, await make_achievement(btu, "welcome"))).award
    alliance_award = (await make_award(settings, btu, support)).award
    claimed = (await make_award(settings, uphf, support, email="ada.old@example.net")).award
    stranger = (await make_award(settings, uphf, support, email="grace@example.org")).award
    await Award.update({Award.claimed_by: earner.subject}).where(Award.id == claimed.id)
    await Award.update({Award.issued_at: datetime(2025, 3, 1, tzinfo=UTC)}).where(
        Award.id == btu_award.id
    )
    return Holdings(
        earner,
        str(uphf_award.id),
        str(btu_award.id),
        str(alliance_award.id),
        str(claimed.id),
        str(stranger.id),
    )


def listed(page: str) -> dict[str, str]:
    """Return the award ids of a backpack page with the university of each."""
    return dict(BADGE_ITEM.findall(page))


async def test_backpack_lists_badges_of_all_universities(
    holdings: Holdings, browser: httpx.AsyncClient, settings: Settings
) -> None:
    await sign_in(browser, settings, holdings.earner)

    page = await browser.get("/backpack")

    assert page.status_code == 200
    assert listed(page.text) == {
        holdings.uphf_award: "uphf",
        holdings.btu_award: "btu",
        holdings.alliance_award: "btu",
        holdings.claimed_award: "uphf",
    }
    for suffix in ("credential.json", "credential.jwt", "badge.png", "badge.svg"):
        assert f"/credentials/{holdings.btu_award}/{suffix}" in page.text
    assert f"/credentials/{holdings.btu_award}/certificate.pdf" in page.text


async def test_backpack_filters(
    holdings: Holdings, browser: httpx.AsyncClient, settings: Settings
) -> None:
    await sign_in(browser, settings, holdings.earner)

    btu = await browser.get("/backpack?university=btu")
    alliance = await browser.get("/backpack?alliance=1")
    before = await browser.get("/backpack?to=2025-12-31")
    after = await browser.get("/backpack?from=2026-01-01&university=uphf")

    assert set(listed(btu.text)) == {holdings.btu_award, holdings.alliance_award}
    assert set(listed(alliance.text)) == {holdings.alliance_award, holdings.claimed_award}
    assert set(listed(before.text)) == {holdings.btu_award}
    assert set(listed(after.text)) == {holdings.uphf_award, holdings.claimed_award}


async def test_backpack_in_french(
    holdings: Holdings, browser: httpx.AsyncClient, settings: Settings
) -> None:
    await sign_in(browser, settings, holdings.earner)

    page = await browser.get("/backpack?lang=fr")

    assert "<h1>Mes badges</h1>" in page.text
    assert "Badge de l&#39;alliance" in page.text


async def test_backpack_rejects_invalid_date(
    holdings: Holdings, browser: httpx.AsyncClient, settings: Settings
) -> None:
    await sign_in(browser, settings, holdings.earner)

    response = await browser.get("/backpack?from=yesterday", headers={"accept": "application/json"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid-date"


async def test_anonymous_backpack_goes_to_sign_in(browser: httpx.AsyncClient) -> None:
    response = await browser.get("/backpack")

    assert response.status_code in (302, 303)
    assert response.headers["location"].startswith("/auth/login")


async def test_earner_hides_and_shows_badge(
    holdings: Holdings, browser: httpx.AsyncClient, settings: Settings
) -> None:
    csrf = await sign_in(browser, settings, holdings.earner)
    action = f"/backpack/badges/{holdings.btu_award}/visibility"

    hidden = await browser.post(action, data={"_csrf_token": csrf, "hidden": "1"})
    page = await browser.get("/backpack")
    row = await Award.objects().where(Award.id == holdings.btu_award).first()
    shown = await browser.post(action, data={"_csrf_token": csrf, "hidden": "0"})
    again = await Award.objects().where(Award.id == holdings.btu_award).first()

    assert hidden.status_code == 303
    assert hidden.headers["location"] == f"/backpack#badge-{holdings.btu_award}"
    assert "Hidden from public view" in page.text
    assert row.hidden is True
    assert shown.status_code == 303
    assert again.hidden is False


async def test_earner_cannot_hide_other_badge(
    holdings: Holdings, browser: httpx.AsyncClient, settings: Settings
) -> None:
    csrf = await sign_in(browser, settings, holdings.earner)

    response = await browser.post(
        f"/backpack/badges/{holdings.stranger_award}/visibility",
        data={"_csrf_token": csrf, "hidden": "1"},
        headers={"accept": "application/json"},
    )
    row = await Award.objects().where(Award.id == holdings.stranger_award).first()

    assert response.status_code == 404
    assert response.json()["code"] == "badge-not-held"
    assert row.hidden is False
