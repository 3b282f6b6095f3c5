"""The console through the development sign-in: sessions, CSRF, roles, languages."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from hub.app import create_app
from hub.auth.tables import TenantRole, User, WebSession
from hub.settings import Settings, SettingsError
from hub.tables import AuditEvent
from tenants.seed import seed_alliance

pytestmark = pytest.mark.integration

ADMIN = "camille.lefebvre@example.org"
STUDENT = "ines.marchand@example.org"


@pytest.fixture
def demo_settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, demo=True, dev_login=True)


@pytest.fixture
async def browser(db: str, demo_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A cookie-keeping client, like a browser, on a seeded demo hub."""
    await seed_alliance(demo_settings)
    app = create_app(demo_settings, db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url=demo_settings.public_url, headers={"accept": "text/html"}
    ) as client:
        yield client


async def csrf_token(client: httpx.AsyncClient) -> str:
    if "badgehub_csrf" not in client.cookies:
        await client.get("/auth/dev-login")
    return client.cookies["badgehub_csrf"]


async def sign_in(client: httpx.AsyncClient, email: str) -> httpx.Response:
    token = await csrf_token(client)
    return await client.post(
        "/auth/dev-login",
        data={"email": email, "next": "/console", "_csrf_token": token},
    )


async def test_dev_login_opens_console(browser: httpx.AsyncClient) -> None:
    response = await sign_in(browser, ADMIN)

    console = await browser.get("/console")

    assert response.status_code == 303
    assert response.headers["location"] == "/console"
    assert "badgehub_session" in browser.cookies
    assert console.status_code == 200
    assert "Camille Lefebvre" in console.text
    assert "Université Polytechnique Hauts-de-France" in console.text
    assert await WebSession.count() == 1


async def test_console_redirects_anonymous_to_login(browser: httpx.AsyncClient) -> None:
    response = await browser.get("/console/tenants/uphf")

    assert response.status_code in (302, 303, 307)
    assert response.headers["location"] == "/auth/login?next=%2Fconsole%2Ftenants%2Fuphf"


async def test_post_without_csrf_is_rejected(browser: httpx.AsyncClient) -> None:
    response = await browser.post("/auth/dev-login", data={"email": ADMIN})

    assert response.status_code == 403
    assert await WebSession.count() == 0


async def test_admin_grants_and_revokes_role(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, STUDENT)
    browser.cookies.delete("badgehub_session")
    await sign_in(browser, ADMIN)
    token = await csrf_token(browser)

    granted = await browser.post(
        "/console/tenants/uphf/members",
        data={"email": STUDENT, "role": "issuer", "_csrf_token": token},
    )
    page = await browser.get(granted.headers["location"])
    student = await User.objects().where(User.email == STUDENT).first()
    roles_after_grant = await TenantRole.select(TenantRole.role).where(
        TenantRole.user == student.id
    )
    revoked = await browser.post(
        f"/console/tenants/uphf/members/{student.id}/revoke",
        data={"role": "issuer", "_csrf_token": token},
    )
    roles_after_revoke = await TenantRole.select(TenantRole.role).where(
        TenantRole.user == student.id
    )

    assert granted.status_code == 303
    assert "Role granted." in page.text
    assert sorted(row["role"] for row in roles_after_grant) == ["issuer", "member"]
    assert revoked.status_code == 303
    assert [row["role"] for row in roles_after_revoke] == ["member"]
    actions = [row["action"] for row in await AuditEvent.select(AuditEvent.action)]
    assert "role:granted" in actions
    assert "role:revoked" in actions


async def test_student_cannot_manage_members(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, STUDENT)

    response = await browser.get("/console/tenants/uphf/members")
    dashboard = await browser.get("/console")

    assert response.status_code == 403
    assert "permission" in response.text
    assert "Université Polytechnique Hauts-de-France" in dashboard.text
    assert 'href="/console/tenants/uphf"' not in dashboard.text


async def test_grant_unknown_person_explains(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, ADMIN)
    token = await csrf_token(browser)

    response = await browser.post(
        "/console/tenants/uphf/members",
        data={"email": "nobody@example.org", "role": "issuer", "_csrf_token": token},
        headers={"accept": "application/json"},
    )

    assert response.status_code == 404
    assert response.json()["code"] == "user-not-found"
    assert "sign in once" in response.json()["detail"]


async def test_logout_ends_session(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, ADMIN)
    token = await csrf_token(browser)

    response = await browser.post("/auth/logout", data={"_csrf_token": token})
    after = await browser.get("/console")

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert await WebSession.count() == 0
    assert after.status_code in (302, 303, 307)


async def test_idle_session_expires(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, ADMIN)
    await WebSession.update(
        {WebSession.last_seen_at: datetime.now(UTC) - timedelta(hours=1)}, force=True
    )

    response = await browser.get("/console")

    assert response.status_code in (302, 303, 307)
    assert await WebSession.count() == 0


async def test_console_speaks_french(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, ADMIN)

    french = await browser.get("/console?lang=fr")
    remembered = await browser.get("/console")

    assert "Vos universités" in french.text
    assert 'lang="fr"' in french.text
    assert "Vos universités" in remembered.text


async def test_dev_login_off_by_default(client: httpx.AsyncClient) -> None:
    response = await client.get("/auth/dev-login")

    assert response.status_code == 404
    assert response.json()["code"] == "dev-login-disabled"


def test_dev_login_refused_outside_demo() -> None:
    with pytest.raises(SettingsError, match="HUB_DEV_LOGIN"):
        Settings.from_env({"HUB_DEV_LOGIN": "true"})
    with pytest.raises(SettingsError, match="loopback"):
        Settings.from_env({"HUB_DEV_LOGIN": "true", "HUB_DEMO": "true", "HUB_HOST": "0.0.0.0"})


async def test_api_ignores_session_cookie(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, ADMIN)

    response = await browser.put(
        "/api/v1/tenants/uphf/members/1/roles/badge-approver",
        headers={"accept": "application/json", "origin": "https://evil.example"},
    )

    assert response.status_code == 401
    assert response.json()["code"] == "missing-token"
