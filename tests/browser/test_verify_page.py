"""The public verification page in Chromium, on every input type, against a running hub.

The hub's own URL is on loopback, so the server gets it as an outbound loopback peer: verifying
by URL then fetches the credential from the same hub, as a verifier elsewhere would.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.credentials import baking
from hub.settings import Settings
from tenants.services import credential_jwt
from tests.browser.conftest import hub_server
from tests.browser.test_bulk_console import free_port
from tests.factories import make_achievement, make_award, make_tenant
from tests.ob2_hosting import SHARED_VECTORS

pytestmark = [pytest.mark.integration, pytest.mark.browser]

BAKERY = SHARED_VECTORS / "mozilla__openbadges-bakery" / "test"


@dataclasses.dataclass(frozen=True)
class Issued:
    hub: str
    credential: str
    token: str
    url: str


@pytest.fixture
async def issued(db: str, settings: Settings, tmp_path: Path) -> Iterator[Issued]:
    if not BAKERY.is_dir():
        pytest.skip(f"the shared vectors are not at {SHARED_VECTORS}")
    port = free_port()
    hub_settings = dataclasses.replace(settings, public_url=f"http://127.0.0.1:{port}")
    tenant = await make_tenant(hub_settings)
    achievement = await make_achievement(tenant)
    award = (await make_award(hub_settings, tenant, achievement)).award
    token = await credential_jwt(hub_settings, tenant, award)
    peer = {"HUB_OUTBOUND_LOOPBACK_PEERS": f"127.0.0.1:{port}", "HUB_HOST": "127.0.0.1"}
    server = hub_server(hub_settings, db, tmp_path / "hub.log", peer)
    hub = next(server)
    yield Issued(hub, award.credential_text, token, f"{hub}/credentials/{award.id}")
    server.close()


async def open_page(chromium: Any, hub: str, language: str = "en") -> Any:
    context = await chromium.new_context(viewport={"width": 1200, "height": 1000})
    page = await context.new_page()
    page.set_default_timeout(20_000)
    await page.goto(f"{hub}/verify?lang={language}")
    return page


async def submit(page: Any) -> None:
    await page.click("form.verify-form button[type=submit]")
    await page.wait_for_selector("h2.verdict")


async def verdict_of(page: Any) -> dict[str, str]:
    return {
        "verdict": await page.inner_text("h2.verdict"),
        "input": await page.inner_text("dd.input"),
        "format": await page.inner_text("dd.format"),
        "badge": await page.inner_text("dd.badge-name"),
        "proof": await page.inner_text("tr[data-check=proof] td:nth-child(2)"),
        "image": await page.get_attribute("img.badge-image", "src") or "",
    }


async def test_every_input_type(chromium: Any, issued: Issued, tmp_path: Path) -> None:
    png = tmp_path / "badge.png"
    png.write_bytes(baking.bake_png((BAKERY / "unbaked.png").read_bytes(), issued.credential))
    svg = tmp_path / "badge.svg"
    svg.write_text(baking.bake_svg((BAKERY / "unbaked.svg").read_text("utf-8"), issued.token))
    page = await open_page(chromium, issued.hub)
    results = {}

    await page.fill("#verify-text", issued.credential)
    await submit(page)
    results["json"] = await verdict_of(page)
    await page.fill("#verify-text", issued.token)
    await submit(page)
    results["jwt"] = await verdict_of(page)
    await page.set_input_files("#verify-file", str(png))
    await submit(page)
    results["png"] = await verdict_of(page)
    await page.set_input_files("#verify-file", str(svg))
    await submit(page)
    results["svg"] = await verdict_of(page)
    await page.fill("#verify-url", issued.url)
    await submit(page)
    results["url"] = await verdict_of(page)

    expected_inputs = {
        "json": "JSON",
        "jwt": "compact JWS",
        "png": "baked PNG (Open Badges 3.0), JSON",
        "svg": "baked SVG (Open Badges 3.0), compact JWS",
        "url": f"URL {issued.url}, JSON",
    }
    for kind, expected_input in expected_inputs.items():
        assert results[kind]["verdict"].startswith("✔ Valid"), (kind, results[kind])
        assert results[kind]["input"] == expected_input
        assert results[kind]["badge"] == "Cap Campus"
        assert "passed" in results[kind]["proof"]
        assert results[kind]["image"].startswith(f"{issued.hub}/")
    assert results["jwt"]["format"].startswith("jwt_vc")
    assert results["png"]["format"].startswith("ldp_vc")
    # Starting a hub takes seconds on a loaded machine, so the same server serves these too.
    await check_french_page_and_bad_input(chromium, issued)
    await check_credential_page_link(chromium, issued)


async def check_french_page_and_bad_input(chromium: Any, issued: Issued) -> None:
    page = await open_page(chromium, issued.hub, "fr")
    heading = await page.inner_text("h1")

    await page.fill("#verify-text", "ceci n'est pas une attestation")
    await page.click("form.verify-form button[type=submit]")
    await page.wait_for_selector(".verify-error")
    error = await page.inner_text(".verify-error")

    assert heading == "Vérifier un badge"
    assert "Impossible de vérifier ceci" in error
    assert "compact JWS" in error


async def check_credential_page_link(chromium: Any, issued: Issued) -> None:
    context = await chromium.new_context()
    page = await context.new_page()
    page.set_default_timeout(20_000)
    await page.goto(f"{issued.url}?lang=en")

    await page.click("text=Verify this credential on the verification page")
    await page.wait_for_selector("h2.verdict")

    assert (await page.inner_text("h2.verdict")).startswith("✔ Valid")
    assert await page.inner_text("dd.input") == f"URL {issued.url}, JSON"
