"""Attacks on the Open Badges 3.0 API host, and the edge cases a new client runs into.

Each test drives the hub the way a hostile or careless client would. The cases include an open
redirector through authorization errors, replayed refresh tokens, and registration metadata
built to fill the database or to mislead the earner on the consent page. Others send deeply
nested JSON, a credential that reuses the id of another issuer's credential, and paging
parameters with time zones. Expected behaviour comes from RFC 6749, RFC 7009, RFC 9700 and
Open Badges 3.0, not from the hub's code.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
import structlog.testing

from hub.app import create_app
from hub.auth.principal import SESSION_COOKIE
from hub.backpack.tables import ImportedBadge
from hub.obapi.tables import ObApiClient, ObApiCode
from hub.settings import Settings
from tenants.tables import Award
from tests.integration import test_obapi
from tests.integration.mail_support import sign_in
from tests.integration.obapi_client import (
    ALL_SCOPES,
    PROFILE_UPDATE,
    READ,
    UPSERT,
    ScriptedClient,
    links,
    pkce_pair,
    registration_request,
)
from tests.integration.test_obapi import Earner, authorize, registered, schema_errors, tokens
from tests.integration.test_verification_service import DidKeySigner
from tests.unit.credentials.conftest import OB_IMPL_GUIDE, read_vector_json

pytestmark = pytest.mark.integration

# The fixtures of the Open Badges API tests: the earner with three awards, and the hub's app
# reached by a client connection and a browser.
earner = test_obapi.earner
hub = test_obapi.hub

Hub = tuple[httpx.AsyncClient, httpx.AsyncClient]
# 10,000 nested objects: Python's json module gives up with RecursionError well before that.
DEEP_JSON = '{"a":' * 10_000 + "1" + "}" * 10_000


def credential_for(email: str, credential_id: str) -> dict[str, Any]:
    """The OB 3.0 implementation guide's unsigned credential, issued to ``email`` in clear."""
    credential: dict[str, Any] = read_vector_json(f"{OB_IMPL_GUIDE}/unsigned.json")
    credential["id"] = credential_id
    subject = credential["credentialSubject"]
    del subject["id"]
    subject["identifier"] = [
        {
            "type": "IdentityObject",
            "identityType": "emailAddress",
            "hashed": False,
            "identityHash": email,
        }
    ]
    return credential


def minor_code(response: httpx.Response) -> str:
    field = response.json()["imsx_codeMinor"]["imsx_codeMinorField"][0]
    return str(field["imsx_codeMinorFieldValue"])


async def signed_in_client(hub: Hub, settings: Settings, earner: Earner) -> ScriptedClient:
    http, browser = hub
    client = await registered(http, settings)
    await sign_in(browser, settings, earner.user)
    return client


async def authorized(
    hub: Hub, settings: Settings, earner: Earner, scope: str = ALL_SCOPES
) -> tuple[ScriptedClient, str]:
    """Register a client and let the earner allow ``scope``; return it with its access token."""
    client = await signed_in_client(hub, settings, earner)
    access: str = (await tokens(client, hub[1], scope))["access_token"]
    return client, access


# --- Authorization endpoint -----------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [{"scope": "openid"}, {"code_challenge_method": "plain"}, {"response_type": "token"}],
)
async def test_error_redirect_waits_for_sign_in(
    hub: Hub, settings: Settings, extra: dict[str, str]
) -> None:
    # RFC 9700 §4.11.2: anyone may register a client, so an error redirect sent before the
    # earner signs in turns the hub's address into an open redirector to that client.
    http, browser = hub
    client = await registered(http, settings)
    _, challenge = pkce_pair()
    scope = extra.pop("scope", READ)

    response = await browser.get(client.authorization_url(scope, "s", challenge, **extra))

    assert response.status_code == 303, response.headers.get("location")
    assert response.headers["location"].startswith("/auth/login?next=")


async def test_dev_sign_in_keeps_authorization_request(db: str, settings: Settings) -> None:
    # The demo's development sign-in lost every query parameter of "next" but the first, so
    # the earner came back to an authorization request without its client_id.
    demo = dataclasses.replace(settings, demo=True, dev_login=True)
    transport = httpx.ASGITransport(app=create_app(demo, db))
    async with (
        httpx.AsyncClient(transport=transport, base_url=demo.public_url) as http,
        httpx.AsyncClient(transport=transport, base_url=demo.public_url) as browser,
    ):
        client = await registered(http, demo)
        _, challenge = pkce_pair()
        request_url = client.authorization_url(READ, "s-dev", challenge)
        to_login = await browser.get(request_url)
        to_form = await browser.get(to_login.headers["location"])
        form = await browser.get(to_form.headers["location"])
        next_path = parse_qs(urlsplit(to_form.headers["location"]).query)["next"][0]
        signed_in = await browser.post(
            "/auth/dev-login",
            data={
                "email": "ines.marchand@example.org",
                "next": next_path,
                "_csrf_token": browser.cookies["badgehub_csrf"],
            },
        )
        consent = await browser.get(signed_in.headers["location"])

    assert form.status_code == 200
    assert next_path == request_url.removeprefix(demo.public_url)
    assert consent.status_code == 200, consent.text[:300]
    assert 'name="state" value="s-dev"' in consent.text


async def test_error_redirect_after_sign_in(hub: Hub, settings: Settings, earner: Earner) -> None:
    client = await signed_in_client(hub, settings, earner)
    _, browser = hub
    _, challenge = pkce_pair()

    response = await browser.get(client.authorization_url("openid", "s-x", challenge))

    assert client.callback_query(response)["error"] == "invalid_scope"


async def test_consent_lists_only_registered_scopes(
    hub: Hub, settings: Settings, earner: Earner
) -> None:
    http, browser = hub
    client = ScriptedClient(http, f"{settings.public_url}/ims/ob/v3p0/discovery")
    await client.discover()
    assert (await client.register(registration_request(scope=READ))).status_code == 201
    await sign_in(browser, settings, earner.user)
    verifier, challenge = pkce_pair()

    page = await browser.get(client.authorization_url(ALL_SCOPES, "s", challenge))
    code = client.callback_query(await client.consent(browser, page))["code"]
    issued = await client.redeem(code, verifier)

    assert page.status_code == 200, page.text
    assert "read the badges in your backpack" in page.text
    assert "change your profile" not in page.text
    assert "read your profile" not in page.text
    assert issued.json()["scope"] == READ


async def test_unregistered_scope_is_invalid(hub: Hub, settings: Settings, earner: Earner) -> None:
    http, browser = hub
    client = ScriptedClient(http, f"{settings.public_url}/ims/ob/v3p0/discovery")
    await client.discover()
    assert (await client.register(registration_request(scope=READ))).status_code == 201
    await sign_in(browser, settings, earner.user)
    _, challenge = pkce_pair()

    response = await browser.get(client.authorization_url(PROFILE_UPDATE, "s", challenge))

    query = client.callback_query(response)
    assert query["error"] == "invalid_scope"
    assert READ in query["error_description"]


async def test_consent_needs_the_csrf_token(hub: Hub, settings: Settings, earner: Earner) -> None:
    client = await signed_in_client(hub, settings, earner)
    _, browser = hub
    _, challenge = pkce_pair()
    page = await browser.get(client.authorization_url(READ, "s", challenge))
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text)
    form = {html.unescape(name): html.unescape(value) for name, value in fields}

    forged = await browser.post("/oauth/authorize", data={**form, "decision": "allow"})

    assert forged.status_code == 403
    assert "location" not in forged.headers
    assert await ObApiCode.count() == 0


async def test_consent_without_session_issues_nothing(
    hub: Hub, settings: Settings, earner: Earner
) -> None:
    http, browser = hub
    client = await registered(http, settings)
    csrf = await sign_in(browser, settings, earner.user)
    _, challenge = pkce_pair()
    page = await browser.get(client.authorization_url(READ, "s", challenge))
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text)
    form = {html.unescape(name): html.unescape(value) for name, value in fields}
    browser.cookies.delete(SESSION_COOKIE)

    response = await browser.post(
        "/oauth/authorize", data={**form, "decision": "allow", "_csrf_token": csrf}
    )

    assert response.status_code in (303, 401, 403)
    assert "code=" not in response.headers.get("location", "")
    assert await ObApiCode.count() == 0


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://backpack-client.example.org/callback/",
        "https://backpack-client.example.org/callback?next=https://evil.example.net",
        "https://BACKPACK-CLIENT.example.org/callback",
        "https://backpack-client.example.org/Callback",
        "https://backpack-client.example.org/callback/../callback",
        "https://backpack-client.example.org/callback%2F..",
        "https://backpack-client.example.org.evil.example.net/callback",
        "https://backpack-client.example.org:8443/callback",
        "https://backpack-client.example.org/callback ",
    ],
)
async def test_redirect_uri_must_match_exactly(
    hub: Hub, settings: Settings, earner: Earner, redirect_uri: str
) -> None:
    client = await signed_in_client(hub, settings, earner)
    _, browser = hub
    _, challenge = pkce_pair()

    response = await browser.get(
        client.authorization_url(READ, "s", challenge, redirect_uri=redirect_uri)
    )

    assert response.status_code == 400
    assert "location" not in response.headers


# --- Token endpoint -------------------------------------------------------------------------


async def test_reused_refresh_token_revokes_the_grant(
    hub: Hub, settings: Settings, earner: Earner
) -> None:
    # RFC 9700 §4.14.2: an old refresh token presented again means one of its two holders is
    # an attacker, so the refresh token that replaced it must stop working too.
    client = await signed_in_client(hub, settings, earner)
    _, browser = hub
    issued = await tokens(client, browser, READ)
    rotated = (await client.refresh(issued["refresh_token"])).json()

    replay = await client.refresh(issued["refresh_token"])
    listing = await client.credentials(rotated["access_token"])
    after = await client.refresh(rotated["refresh_token"])

    assert replay.json()["error"] == "invalid_grant"
    assert listing.status_code == 401
    assert after.json()["error"] == "invalid_grant"


async def test_stolen_code_is_refused(hub: Hub, settings: Settings, earner: Earner) -> None:
    http, browser = hub
    owner = await registered(http, settings)
    thief = await registered(http, settings)
    await sign_in(browser, settings, earner.user)
    code, verifier = await authorize(owner, browser, READ)

    stolen = await thief.redeem(code, verifier, redirect_uri=owner.redirect_uri)
    legitimate = await owner.redeem(code, verifier)

    assert stolen.json()["error"] == "invalid_grant"
    assert legitimate.status_code == 200


async def test_token_request_cannot_widen_scope(
    hub: Hub, settings: Settings, earner: Earner
) -> None:
    client = await signed_in_client(hub, settings, earner)
    _, browser = hub
    code, verifier = await authorize(client, browser, READ)

    response = await client.redeem(code, verifier, scope=ALL_SCOPES)
    access = response.json()["access_token"]

    assert response.json()["scope"] == READ
    assert (await client.profile(access)).status_code == 403


async def test_refresh_token_is_not_an_access_token(
    hub: Hub, settings: Settings, earner: Earner
) -> None:
    client = await signed_in_client(hub, settings, earner)
    _, browser = hub
    issued = await tokens(client, browser, READ)

    as_bearer = await client.credentials(issued["refresh_token"])
    as_refresh = await client.refresh(issued["access_token"])

    assert as_bearer.status_code == 401
    assert as_refresh.json()["error"] == "invalid_grant"


async def test_revocation_ignores_unknown_hint(
    hub: Hub, settings: Settings, earner: Earner
) -> None:
    # RFC 7009 §2.2: an invalid token type hint is ignored and does not change the response.
    client = await signed_in_client(hub, settings, earner)
    _, browser = hub
    issued = await tokens(client, browser, READ)

    response = await client.revoke(issued["access_token"], "session_token")

    assert response.status_code == 200, response.text
    assert (await client.credentials(issued["access_token"])).status_code == 401


# --- Registration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"contacts": ["a" * 1000] * 1000},
        {"jwks": {"keys": [{"kty": "oct", "k": "A" * 100_000}]}},
        {"jwks_uri": "https://backpack-client.example.org/" + "a" * 100_000},
        {"scope": " ".join(["offline_access"] * 20_000) + " " + READ},
    ],
)
async def test_registration_caps_stored_metadata(hub: Hub, changes: dict[str, Any]) -> None:
    # Registration needs no credential, so a client's metadata must not fill the database.
    http, _ = hub

    response = await http.post("/oauth/register", json=registration_request(**changes))

    assert response.status_code == 400, response.text[:200]
    assert response.json()["error"] == "invalid_client_metadata"
    assert await ObApiClient.count() == 0


@pytest.mark.parametrize(
    "name",
    [
        "Backpack\u202eppA",  # right-to-left override: the rest of the name reads backwards
        "\u200bEUNICE Badge Hub",  # zero-width space
        "Backpack\u0085App",  # C1 control (next line)
        "Backpack\u2028App",  # line separator
        "Backpack\ufeffApp",  # byte order mark
    ],
)
async def test_registration_rejects_invisible_characters(hub: Hub, name: str) -> None:
    http, _ = hub

    response = await http.post("/oauth/register", json=registration_request(client_name=name))

    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_client_metadata"
    assert "client_name" in response.json()["error_description"]


@pytest.mark.parametrize(
    "uri",
    [
        "https://<b>x</b>@evil.example.net/cb",
        "https://backpack-client.example.org@evil.example.net/cb",
        "https://bad_host!.example.net/cb",
        # google.com spelt with two Cyrillic o letters, which read the same.
        "https://g\u043e\u043egle.com/cb",
    ],
)
async def test_registration_rejects_odd_redirect_host(hub: Hub, uri: str) -> None:
    http, _ = hub

    response = await http.post("/oauth/register", json=registration_request(redirect_uris=[uri]))

    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_redirect_uri"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"grant_types": ["client_credentials"]}, "grant_types"),
        ({"response_types": ["token"]}, "response_types"),
        ({"logo_uri": "javascript:alert(1)"}, "logo_uri"),
    ],
)
async def test_registration_errors_name_the_fix(
    hub: Hub, changes: dict[str, Any], reason: str
) -> None:
    http, _ = hub

    response = await http.post("/oauth/register", json=registration_request(**changes))
    description = response.json()["error_description"]

    assert response.status_code == 400
    assert reason in description
    assert not description.startswith("Invalid claim")


@pytest.mark.parametrize(
    "changes",
    [
        {"scope": 'openid"'},
        {"scope": "caf\u00e9"},
        {"redirect_uris": ['javascript:"x"']},
        {"redirect_uris": ["https://backpack-client.example.org/cb#\u00e9"]},
        {"token_endpoint_auth_method": "\u00e9"},
    ],
)
async def test_registration_odd_characters_are_400(hub: Hub, changes: dict[str, Any]) -> None:
    # RFC 6749 §5.2 limits error_description to printable ASCII without " and \, and authlib
    # raises when a message quotes the client's value with other characters.
    http, _ = hub

    response = await http.post("/oauth/register", json=registration_request(**changes))

    assert response.status_code == 400, response.text
    assert response.json()["error"] in ("invalid_client_metadata", "invalid_redirect_uri")


@pytest.mark.parametrize(
    "extra",
    [
        {"response_type": '"'},
        {"response_type": "\u00e9"},
        {"redirect_uri": 'https://backpack-client.example.org/"'},
        {"redirect_uri": "https://backpack-client.example.org/\u00e9"},
    ],
)
async def test_authorization_odd_characters_are_400(
    hub: Hub, settings: Settings, extra: dict[str, str]
) -> None:
    http, browser = hub
    client = await registered(http, settings)
    _, challenge = pkce_pair()

    response = await browser.get(client.authorization_url(READ, "s", challenge, **extra))

    assert response.status_code == 400, response.text[:300]
    assert "location" not in response.headers


async def test_nested_registration_is_400(hub: Hub) -> None:
    http, _ = hub

    response = await http.post(
        "/oauth/register", content=DEEP_JSON, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_client_metadata"


# --- Credentials ----------------------------------------------------------------------------


async def test_next_link_keeps_time_zone(hub: Hub, settings: Settings, earner: Earner) -> None:
    client, access = await authorized(hub, settings, earner, READ)
    since = quote("2026-03-01T00:30:00+01:00", safe="")

    first = await client.credentials(access, f"{client.api_base}/credentials?limit=1&since={since}")
    second = await client.credentials(access, links(first)["next"])

    assert first.headers["x-total-count"] == "3"
    assert second.status_code == 200, second.text
    assert second.headers["x-total-count"] == "3"
    assert parse_qs(urlsplit(links(first)["next"]).query)["since"] == ["2026-03-01T00:30:00+01:00"]


async def test_prev_link_past_end_is_last(hub: Hub, settings: Settings, earner: Earner) -> None:
    client, access = await authorized(hub, settings, earner, READ)

    past = await client.credentials(access, f"{client.api_base}/credentials?limit=2&offset=10")

    assert past.status_code == 200
    assert past.json() == {"credential": [], "compactJwsString": []}
    assert links(past)["prev"] == links(past)["last"]
    assert "next" not in links(past)


@pytest.mark.parametrize(
    ("query", "total", "limit"),
    [
        ("limit=100000", "3", "100"),
        ("since=2999-01-01T00:00:00Z", "0", "50"),
        ("since=2026-03-02", "1", "50"),
        ("since=2026-03-02T01:00:00%2B02:00", "2", "50"),
    ],
)
async def test_paging_edge_values(
    hub: Hub, settings: Settings, earner: Earner, query: str, total: str, limit: str
) -> None:
    client, access = await authorized(hub, settings, earner, READ)

    response = await client.credentials(access, f"{client.api_base}/credentials?{query}")

    assert response.status_code == 200, response.text
    assert response.headers["x-total-count"] == total
    assert parse_qs(urlsplit(links(response)["first"]).query)["limit"] == [limit]


async def test_unencoded_plus_gets_hint(hub: Hub, settings: Settings, earner: Earner) -> None:
    client, access = await authorized(hub, settings, earner, READ)

    response = await client.credentials(
        access, f"{client.api_base}/credentials?since=2026-03-01T00:30:00+01:00"
    )

    assert response.status_code == 400
    assert "%2B" in response.json()["imsx_description"]


async def test_huge_offset_names_range(hub: Hub, settings: Settings, earner: Earner) -> None:
    client, access = await authorized(hub, settings, earner, READ)

    response = await client.credentials(access, f"{client.api_base}/credentials?offset={2**40}")

    assert response.status_code == 400
    assert "2147483647" in response.json()["imsx_description"]


@pytest.mark.parametrize(
    ("method", "path", "media_type"),
    [
        ("POST", "credentials", "application/json"),
        ("PUT", "profile", "application/json"),
    ],
)
async def test_nested_json_body_is_400(
    hub: Hub, settings: Settings, earner: Earner, method: str, path: str, media_type: str
) -> None:
    client, access = await authorized(hub, settings, earner)
    http, _ = hub

    response = await http.request(
        method,
        f"{client.api_base}/{path}",
        content=DEEP_JSON,
        headers={"Authorization": f"Bearer {access}", "Content-Type": media_type},
    )

    assert response.status_code == 400, response.text
    assert schema_errors("imsx_statusinfo", response.json()) == []


async def test_upsert_other_issuer_same_id_conflicts(
    hub: Hub, settings: Settings, earner: Earner
) -> None:
    # OB 3.0 §10: two credentials are the same when both the id and the issuer id are equal.
    client, access = await authorized(hub, settings, earner, f"{READ} {UPSERT}")
    first = DidKeySigner("First University")
    impostor = DidKeySigner("Impostor")
    shared_id = "urn:uuid:5f6a0d4e-2b8c-4c11-9a3e-7f0e1d2c3b4a"
    original = json.dumps(first.sign(credential_for("ines@example.org", shared_id)))
    fake = json.dumps(impostor.sign(credential_for("ines@example.org", shared_id)))

    created = await client.upsert(access, original, "application/json")
    overwrite = await client.upsert(access, fake, "application/json")
    stored = await ImportedBadge.objects().first()

    assert created.status_code == 201, created.text
    assert overwrite.status_code == 409, overwrite.text
    assert schema_errors("imsx_statusinfo", overwrite.json()) == []
    assert await ImportedBadge.count() == 1
    assert stored is not None
    assert stored.credential_text == original


async def test_upsert_escaped_id_replaces(hub: Hub, settings: Settings, earner: Earner) -> None:
    # OB 3.0 §10 compares ids after unescaping percent-encoded characters.
    client, access = await authorized(hub, settings, earner, UPSERT)
    issuer = DidKeySigner("First University")
    first = issuer.sign(credential_for("ines@example.org", "https://example.org/badges/abc"))
    second = credential_for("ines@example.org", "https://example.org/badges/a%62c")
    second["name"] = "Teamwork Badge, second edition"
    second_text = json.dumps(issuer.sign(second))

    created = await client.upsert(access, json.dumps(first), "application/json")
    replaced = await client.upsert(access, second_text, "application/json")
    stored = await ImportedBadge.objects().first()

    assert created.status_code == 201, created.text
    assert replaced.status_code == 200, replaced.text
    assert await ImportedBadge.count() == 1
    assert stored is not None
    assert stored.credential_text == second_text


async def test_upsert_held_award_id_conflicts(hub: Hub, settings: Settings, earner: Earner) -> None:
    client, access = await authorized(hub, settings, earner, UPSERT)
    award = await Award.objects().where(Award.id == earner.awards[0]).first()
    assert award is not None
    held_id = json.loads(award.credential_text)["id"]
    fake = json.dumps(DidKeySigner("Impostor").sign(credential_for("ines@example.org", held_id)))

    response = await client.upsert(access, fake, "application/json")

    assert response.status_code == 409, response.text
    assert minor_code(response) == "invalid_data"
    assert await ImportedBadge.count() == 0


async def test_upsert_for_other_earner_refused(
    hub: Hub, settings: Settings, earner: Earner
) -> None:
    client, access = await authorized(hub, settings, earner, UPSERT)
    signer = DidKeySigner("First University")
    bobs = json.dumps(signer.sign(credential_for("bob@example.org", "urn:uuid:1")))

    response = await client.upsert(access, bobs, "application/json")

    assert response.status_code == 400
    assert "recipient" in response.json()["imsx_description"]
    assert "bob@example.org" not in response.text
    assert await ImportedBadge.count() == 0


# --- Logs -----------------------------------------------------------------------------------


async def test_flow_logs_no_secrets(
    hub: Hub, settings: Settings, earner: Earner, caplog: pytest.LogCaptureFixture
) -> None:
    http, browser = hub
    client = ScriptedClient(http, f"{settings.public_url}/ims/ob/v3p0/discovery")
    await client.discover()
    registration = await client.register()
    await sign_in(browser, settings, earner.user)

    with structlog.testing.capture_logs() as events:
        issued = await tokens(client, browser)
        refreshed = (await client.refresh(issued["refresh_token"])).json()
        await client.profile(refreshed["access_token"])
        await client.revoke(refreshed["refresh_token"])
    logged = repr(events) + caplog.text

    assert "obapi_token_issued" in logged
    assert "obapi_token_revoked" in logged
    for secret in (
        registration.json()["client_secret"],
        issued["access_token"],
        issued["refresh_token"],
        refreshed["access_token"],
        refreshed["refresh_token"],
        "ines@example.org",
    ):
        assert secret not in logged
