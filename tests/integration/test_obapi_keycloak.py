"""A scripted Open Badges API client against the hub, with the earner signing in at Keycloak.

The hub runs in process; its public URL is mounted on the scripted browser, and every other URL
(the real Keycloak) goes over loopback. The earner is the realm's ``two.campus`` person, a
student of UPHF and of Cantabria, who has a badge from each.
"""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from hub.app import create_app
from hub.auth.keycloak_dev import dev_user
from hub.credentials.baking import unbake
from hub.settings import Settings
from tests.factories import make_achievement, make_award, make_tenant
from tests.integration.obapi_client import ALL_SCOPES, ScriptedClient, links, pkce_pair
from tests.integration.test_obapi import THIRD_PARTY_PNG

pytestmark = [pytest.mark.integration, pytest.mark.keycloak]

STUDENT = "two.campus"
LOGIN_FORM = re.compile(r'<form[^>]*action="([^"]+)"')


@pytest.fixture
async def sso_hub(db: str, settings: Settings, keycloak: Any) -> AsyncIterator[dict[str, Any]]:
    sso = keycloak.hub_settings(settings)
    email = dev_user(STUDENT).email
    uphf = await make_tenant(sso, "uphf")
    unican = await make_tenant(sso, "unican", country="ES", name_en="Universidad de Cantabria")
    for tenant, slug in ((uphf, "climate-mural"), (unican, "welcome")):
        await make_award(sso, tenant, await make_achievement(tenant, slug), email=email)
    transport = httpx.ASGITransport(app=create_app(sso, db))

    async def unsecure_cookies(_: httpx.Response) -> None:
        # Keycloak marks its cookies Secure; a browser sends them to http://127.0.0.1, Python's
        # cookie jar only over https.
        for cookie in browser.cookies.jar:
            cookie.secure = False

    async with (
        httpx.AsyncClient(transport=transport, base_url=sso.public_url) as http,
        httpx.AsyncClient(
            mounts={sso.public_url: transport},
            base_url=sso.public_url,
            trust_env=False,
            headers={"accept": "text/html"},
            event_hooks={"response": [unsecure_cookies]},
            timeout=30,
        ) as browser,
    ):
        yield {"settings": sso, "http": http, "browser": browser}


async def follow(browser: httpx.AsyncClient, response: httpx.Response) -> httpx.Response:
    """Follow redirects as a browser would, stopping at the client's redirect URI."""
    for _ in range(10):
        location = response.headers.get("location")
        if response.status_code not in (302, 303) or location is None:
            return response
        if location.startswith("https://backpack-client.example.org/"):
            return response
        response = await browser.get(location)
    raise AssertionError("too many redirects")


async def keycloak_sign_in(browser: httpx.AsyncClient, page: httpx.Response) -> httpx.Response:
    """Submit the username, then the password: Keycloak with Organizations uses two forms."""
    for field, value in (("username", STUDENT), ("password", dev_user(STUDENT).password)):
        action = LOGIN_FORM.search(page.text)
        assert action is not None, f"no Keycloak form where {field} was expected: {page.text}"
        page = await browser.post(html.unescape(action.group(1)), data={field: value})
    return page


async def test_scripted_client_authorizes_through_keycloak_pages_and_upserts(
    sso_hub: dict[str, Any],
) -> None:
    settings: Settings = sso_hub["settings"]
    browser: httpx.AsyncClient = sso_hub["browser"]
    client = ScriptedClient(sso_hub["http"], f"{settings.public_url}/ims/ob/v3p0/discovery")
    await client.discover()
    assert (await client.register()).status_code == 201

    verifier, challenge = pkce_pair()
    login_page = await follow(
        browser, await browser.get(client.authorization_url(ALL_SCOPES, "kc-state", challenge))
    )
    assert "/realms/eunice/" in str(login_page.url), login_page.url
    consent = await follow(browser, await keycloak_sign_in(browser, login_page))
    assert "Scripted Backpack" in consent.text
    query = client.callback_query(await client.consent(browser, consent))
    assert query["state"] == "kc-state"
    issued = (await client.redeem(query["code"], verifier)).json()
    access = issued["access_token"]

    pages = [await client.credentials(access, f"{client.api_base}/credentials?limit=1")]
    while "next" in links(pages[-1]):
        pages.append(await client.credentials(access, links(pages[-1])["next"]))
    issuers = {
        credential["issuer"]["id"].rsplit(":", 1)[-1]
        for page in pages
        for credential in page.json()["credential"]
    }
    jwt_text = unbake(THIRD_PARTY_PNG.read_bytes()).text
    upserted = await client.upsert(access, jwt_text, "text/plain")
    after = await client.credentials(access)
    profile = (await client.profile(access)).json()

    assert [page.headers["x-total-count"] for page in pages] == ["2", "2"]
    assert issuers == {"uphf", "unican"}
    assert upserted.status_code == 201, upserted.text
    assert upserted.text == jwt_text
    assert after.headers["x-total-count"] == "3"
    assert after.json()["compactJwsString"] == [jwt_text]
    assert profile["email"] == dev_user(STUDENT).email
