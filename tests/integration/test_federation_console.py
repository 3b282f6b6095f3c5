"""Federation console: alliance statistics (numbers, charts, API) and registry versions."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import httpx
import pytest

from federation import award_rights, memberships, registry_history
from federation.statistics import alliance_statistics
from hub.settings import Settings
from tenants import status
from tenants.scope import TenantScope
from tenants.tables import Achievement, Award, Tenant
from tests.factories import make_achievement, make_award, make_tenant
from tests.integration.test_award_rights import session_headers

pytestmark = pytest.mark.integration

SVG = "{http://www.w3.org/2000/svg}"


def months_ago(count: int) -> datetime:
    """Return noon on the 10th of the month ``count`` months before the current one (UTC)."""
    today = datetime.now(UTC)
    index = today.year * 12 + today.month - 1 - count
    return datetime(index // 12, index % 12 + 1, 10, 12, tzinfo=UTC)


def month_key(moment: datetime) -> str:
    return moment.strftime("%Y-%m")


async def award_at(
    settings: Settings, tenant: Tenant, badge: Achievement, moment: datetime, number: int
) -> Award:
    award = (await make_award(settings, tenant, badge, email=f"p{number}@example.org")).award
    await Award.update({Award.issued_at: moment}).where(Award.id == award.id)
    return award


@pytest.fixture
async def awards(db: str, settings: Settings) -> Tenant:
    """Seven awards by EUNICE, UPHF and BTU (one revoked, one 14 months old), one by outsider KAU.

    UPHF: cap-campus now, now (revoked), 2 months ago; i-support-eunice now.
    BTU: i-support-eunice now, 14 months ago. EUNICE: i-support-eunice 2 months ago.
    """
    eunice = await make_tenant(settings, "eunice", kind="alliance", name="EUNICE", name_en="EUNICE")
    uphf = await make_tenant(settings, "uphf")
    btu = await make_tenant(settings, "btu", country="DE")
    kau = await make_tenant(settings, "kau", country="SE")
    for slug in ("uphf", "btu"):
        await memberships.add_member(settings, eunice, slug, "test")
    support = await make_achievement(eunice, "i-support-eunice")
    await award_rights.grant_to_all_members(eunice, support.id, "test")
    cap = await make_achievement(uphf, "cap-campus")
    now, earlier, old = months_ago(0), months_ago(2), months_ago(14)
    await award_at(settings, uphf, cap, now, 1)
    revoked = await award_at(settings, uphf, cap, now, 2)
    await award_at(settings, uphf, cap, earlier, 3)
    await award_at(settings, uphf, support, now, 4)
    await award_at(settings, btu, support, now, 5)
    await award_at(settings, btu, support, old, 6)
    await award_at(settings, eunice, support, earlier, 7)
    await award_at(settings, kau, await make_achievement(kau, "fika"), now, 8)
    await status.revoke(TenantScope(uphf), revoked.id, "issued by mistake", "test")
    return eunice


async def test_statistics_totals(awards: Tenant) -> None:
    numbers = await alliance_statistics(awards)

    members = {series.key: series.total.to_json() for series in numbers.members}
    badges = {series.key: series.total.to_json() for series in numbers.badges}
    assert numbers.total.to_json() == {"issued": 7, "revoked": 1}
    assert members == {
        "btu": {"issued": 2, "revoked": 0},
        "uphf": {"issued": 4, "revoked": 1},
        "eunice": {"issued": 1, "revoked": 0},
    }
    assert badges == {
        "i-support-eunice": {"issued": 4, "revoked": 0},
        "cap-campus": {"issued": 3, "revoked": 1},
    }
    assert [series.key for series in numbers.badges] == ["i-support-eunice", "cap-campus"]


async def test_statistics_per_month(awards: Tenant) -> None:
    numbers = await alliance_statistics(awards)

    now, earlier = month_key(months_ago(0)), month_key(months_ago(2))
    uphf = next(series for series in numbers.members if series.key == "uphf")
    btu = next(series for series in numbers.members if series.key == "btu")
    assert len(numbers.months) == 12
    assert numbers.months[-1] == now
    assert month_key(months_ago(14)) not in numbers.months
    assert numbers.monthly[now].to_json() == {"issued": 4, "revoked": 1}
    assert numbers.monthly[earlier].to_json() == {"issued": 2, "revoked": 0}
    assert sum(numbers.monthly[month].issued for month in numbers.months) == 6
    assert uphf.month(now).issued == 3
    assert uphf.month(earlier).issued == 1
    assert btu.month(now).issued == 1


async def test_statistics_page_draws_charts(
    awards: Tenant, client: httpx.AsyncClient, settings: Settings
) -> None:
    headers = await session_headers(client, settings, admin=True)

    english = await client.get("/console/federation/statistics?lang=en", headers=headers)
    french = await client.get("/console/federation/statistics?lang=fr", headers=headers)

    assert english.status_code == 200
    charts = [ET.fromstring(svg) for svg in re.findall(r"<svg.*?</svg>", english.text, re.S)]
    assert len(charts) == 3
    titles = [chart.find(f"{SVG}title") for chart in charts]
    assert [title.text for title in titles if title is not None] == [
        "Credentials issued per member",
        "Credentials issued per month",
        "The 2 most awarded badges",
    ]
    assert "<td>4</td><td>1</td>" in english.text
    assert "7 in total, 1 of them revoked since" in english.text
    assert 'href="/console/federation/peers"' in english.text
    assert "Attestations délivrées par membre" in french.text


async def test_statistics_json_for_session(
    awards: Tenant, client: httpx.AsyncClient, settings: Settings
) -> None:
    headers = await session_headers(client, settings, admin=True)

    page = await client.get("/console/federation/statistics", headers=headers)
    download = await client.get("/console/federation/statistics.json", headers=headers)

    assert 'href="/console/federation/statistics.json"' in page.text
    assert download.status_code == 200
    assert download.json()["total"] == {"issued": 7, "revoked": 1}
    assert "attachment" in download.headers["content-disposition"]


async def test_registry_versions_page(
    db: str, client: httpx.AsyncClient, settings: Settings
) -> None:
    eunice = await make_tenant(settings, "eunice", kind="alliance", name_en="EUNICE")
    await make_tenant(settings, "uphf")
    await make_tenant(settings, "btu", country="DE")
    await memberships.add_member(settings, eunice, "uphf", "elise")
    await memberships.add_member(settings, eunice, "btu", "elise")
    await memberships.suspend_member(settings, eunice, "btu", "unpaid", "elise")
    await memberships.reinstate_member(settings, eunice, "btu", "paid", "elise")
    headers = await session_headers(client, settings, admin=True)

    history = await registry_history.version_history(eunice)
    page = await client.get("/console/federation/registry?lang=en", headers=headers)

    assert [version.version for version in history] == [4, 3, 2, 1]
    assert history[0].reinstated == ("University BTU",)
    assert history[1].suspended == ("University BTU",)
    assert history[1].active_count == 1
    assert history[2].added == ("University BTU",)
    assert history[3].added == ("University UPHF",)
    assert history[3].member_count == 1
    assert page.status_code == 200
    for number in range(1, 5):
        assert f'href="/federation/registry/versions/{number}.json"' in page.text
    assert "Reinstated: University BTU" in page.text
    assert "2 (1 active)" in page.text
