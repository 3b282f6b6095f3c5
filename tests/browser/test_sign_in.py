"""Signing in through the real Keycloak in a real browser, and managing roles in the console."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.settings import Settings
from tests.browser.conftest import hub_server
from tests.factories import make_tenant

pytestmark = [pytest.mark.integration, pytest.mark.keycloak, pytest.mark.browser]


@pytest.fixture
def hub_settings(settings: Settings, keycloak: Any) -> Settings:
    return dataclasses.replace(keycloak.hub_settings(settings), public_url=keycloak.browser_hub_url)


@pytest.fixture
async def hub(db: str, hub_settings: Settings, tmp_path: Path) -> Iterator[str]:
    for slug in ("uphf", "unican", "btu"):
        await make_tenant(hub_settings, slug, name=f"Université {slug.upper()}")
    server = hub_server(hub_settings, db, tmp_path / "hub.log")
    url = next(server)
    yield url
    server.close()


async def sign_in(chromium: Any, hub: str, username: str, password: str) -> Any:
    context = await chromium.new_context(viewport={"width": 1200, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(20_000)
    await page.goto(f"{hub}/console")
    await page.fill("#username", username)
    # With Organizations enabled, Keycloak 26 requests the username first (identity-first
    # login, to route members of an organization to its identity provider), then the password.
    if not await page.locator("#password").is_visible():
        await page.click("#kc-login")
    await page.fill("#password", password)
    await page.click("#kc-login")
    await page.wait_for_url(f"{hub}/console")
    return page


async def sign_out(page: Any, hub: str) -> None:
    await page.click("header form button[type=submit]")
    await page.wait_for_url(f"{hub}/")
    await page.context.close()


async def test_sign_in_roles_and_sign_out(chromium: Any, hub: str, keycloak: Any) -> None:
    camille = await sign_in(chromium, hub, "uphf.admin", "uphf-admin-dev")
    first_view = await camille.content()
    await sign_out(camille, hub)

    student = await sign_in(chromium, hub, "two.campus", "two-campus-dev")
    student_view = await student.content()
    await sign_out(student, hub)

    elise = await sign_in(chromium, hub, "alliance.admin", "alliance-admin-dev")
    await elise.goto(f"{hub}/console/tenants/uphf/members")
    await elise.fill("input[name=email]", "camille.lefebvre@example.org")
    await elise.select_option("select[name=role]", "tenant-admin")
    await elise.click("form.stacked button[type=submit]")
    granted_by_alliance = await elise.content()
    await sign_out(elise, hub)

    camille = await sign_in(chromium, hub, "uphf.admin", "uphf-admin-dev")
    admin_view = await camille.content()
    other_tenant = await camille.goto(f"{hub}/console/tenants/btu/members")
    await camille.goto(f"{hub}/console/tenants/uphf/members")
    await camille.fill("input[name=email]", "ines.marchand@example.org")
    await camille.select_option("select[name=role]", "issuer")
    await camille.click("form.stacked button[type=submit]")
    members_view = await camille.content()
    await sign_out(camille, hub)

    assert "Camille Lefebvre" in first_view
    assert 'href="/console/tenants/uphf"' not in first_view
    assert "Université UPHF" in student_view
    assert "Université UNICAN" in student_view
    assert "Université BTU" not in student_view
    assert "Role granted." in granted_by_alliance
    assert 'href="/console/tenants/uphf"' in admin_view
    assert "Université BTU" not in admin_view
    assert other_tenant.status == 403
    assert "Role granted." in members_view
    assert "ines.marchand@example.org" in members_view
