"""Sending a backpack badge to another Open Badges 3.0 host, against a host on loopback.

The host under test is a small fake Open Badges 3.0 provider over HTTPS on 127.0.0.1. The flow
test takes the host from the ``host`` fixture, so that another provider (such as this hub's own
API) can be added as a parameter with its own way to approve an authorization request.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import secrets
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from hub.app import create_app
from hub.auth.tables import User
from hub.backpack.tables import ImportedBadge
from hub.ob_consumer.tables import ObHostGrant, ObHostRegistration
from hub.settings import Settings
from tenants.tables import Award
from tests.document_server import DocumentServer, LoopbackCertificate, Request, Route
from tests.factories import make_achievement, make_award, make_tenant
from tests.integration.mail_support import make_user, sign_in

pytestmark = pytest.mark.integration

# The scope names of the Open Badges 3.0 OpenAPI file (securitySchemes.OAuth2ACG).
UPSERT_SCOPE = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert"
READ_SCOPE = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly"


def json_route(body: Any, status: int = 200) -> Route:
    return Route(json.dumps(body).encode(), status=status)


def status_info(description: str, minor: str = "invalid_data") -> dict[str, Any]:
    """An Imsx_StatusInfo as the Open Badges 3.0 API returns for errors."""
    return {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_codeMinor": {
            "imsx_codeMinorField": [
                {"imsx_codeMinorFieldName": "fake", "imsx_codeMinorFieldValue": minor}
            ]
        },
    }


def s256(verifier: str) -> str:
    """RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def form_of(request: Request) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(request.body.decode()).items()}


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def jws_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return claims


class FakeObProvider:
    """An Open Badges 3.0 host: discovery, RFC 7591 registration, authorization with PKCE,
    tokens with refresh and revocation, and ``upsertCredential``.

    Its authorization endpoint approves at once and redirects back with a code. Attributes ending
    in ``_refusal`` or ``_status`` make one endpoint fail, for the error tests.
    """

    def __init__(self, server: DocumentServer, certificate: LoopbackCertificate) -> None:
        self.server = server
        self.certificate = certificate
        self.clients: dict[str, dict[str, Any]] = {}
        self.codes: dict[str, dict[str, str]] = {}
        self.access_tokens: set[str] = set()
        self.refresh_tokens: dict[str, str] = {}
        self.credentials: dict[str, str] = {}
        self.uploads: list[tuple[str, str]] = []
        self.grant_types: list[str] = []
        self.revoked: list[str] = []
        self.registration_refusal: dict[str, Any] | None = None
        self.token_status: int | None = None
        self.refresh_refused = False
        self.upsert_refusal: dict[str, Any] | None = None
        server.routes.update(
            {
                "/ims/ob/v3p0/discovery": self.discovery,
                "/.well-known/oauth-authorization-server": self.server_metadata,
                "/oauth/register": self.register,
                "/oauth/authorize": self.authorize,
                "/oauth/token": self.token,
                "/oauth/revoke": self.revoke,
                "/ims/ob/v3p0/credentials": self.upsert,
            }
        )

    @property
    def base_url(self) -> str:
        return self.server.url("")

    def settings_for(self, settings: Settings) -> Settings:
        """The consumer hub's settings: this host is a loopback peer with a trusted CA."""
        return dataclasses.replace(
            settings,
            outbound_loopback_peers=(f"127.0.0.1:{self.server.port}",),
            outbound_ca_file=self.certificate.certificate_file,
        )

    async def approve(self, authorization_url: str) -> str:
        """Play the earner's browser at the host: return where the host redirects back to."""
        context = ssl.create_default_context(cafile=str(self.certificate.certificate_file))
        async with httpx.AsyncClient(verify=context) as browser:
            response = await browser.get(authorization_url)
        assert response.status_code == 302, response.text
        return response.headers["location"]

    def requests_to(self, path: str) -> list[Request]:
        return [request for request in self.server.requests if request.path.startswith(path)]

    def discovery(self, request: Request) -> Route:
        scopes = {UPSERT_SCOPE: "Create or update credentials", READ_SCOPE: "Read credentials"}
        flow = {
            "authorizationUrl": self.server.url("/oauth/authorize"),
            "tokenUrl": self.server.url("/oauth/token"),
            "refreshUrl": self.server.url("/oauth/token"),
            "scopes": scopes,
        }
        return json_route(
            {
                "openapi": "3.0.1",
                "info": {"title": "Fake Backpack API", "version": "3.0"},
                "servers": [{"url": self.server.url("/ims/ob/v3p0")}],
                "paths": {},
                "components": {
                    "securitySchemes": {
                        "OAuth2ACG": {
                            "type": "oauth2",
                            "x-imssf-name": "Fake Backpack",
                            "x-imssf-registrationUrl": self.server.url("/oauth/register"),
                            "flows": {"authorizationCode": flow},
                        }
                    }
                },
            }
        )

    def server_metadata(self, request: Request) -> Route:
        return json_route(
            {"issuer": self.base_url, "revocation_endpoint": self.server.url("/oauth/revoke")}
        )

    def register(self, request: Request) -> Route:
        if self.registration_refusal is not None:
            return json_route(self.registration_refusal, 400)
        metadata = json.loads(request.body)
        client_id, secret = secrets.token_hex(8), secrets.token_hex(16)
        self.clients[client_id] = {"secret": secret, "metadata": metadata}
        answer = {
            **metadata,
            "client_id": client_id,
            "client_secret": secret,
            "client_id_issued_at": int(time.time()),
            "client_secret_expires_at": 0,
        }
        return json_route(answer, 201)

    def authorize(self, request: Request) -> Route:
        query = query_of(request.path)
        client = self.clients.get(query.get("client_id", ""))
        if (
            client is None
            or query.get("redirect_uri") not in client["metadata"]["redirect_uris"]
            or query.get("response_type") != "code"
            or query.get("code_challenge_method") != "S256"
            or UPSERT_SCOPE not in query.get("scope", "").split()
        ):
            return json_route({"error": "invalid_request"}, 400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "client_id": query["client_id"],
            "redirect_uri": query["redirect_uri"],
            "challenge": query["code_challenge"],
        }
        answer = urlencode({"code": code, "state": query["state"], "scope": query["scope"]})
        return Route(status=302, headers={"Location": f"{query['redirect_uri']}?{answer}"})

    def token(self, request: Request) -> Route:
        if self.token_status is not None:
            return Route(b"upstream failure", status=self.token_status, headers={})
        client_id = self._basic_client(request)
        if client_id is None:
            return json_route({"error": "invalid_client"}, 401)
        form = form_of(request)
        self.grant_types.append(form.get("grant_type", ""))
        if form.get("grant_type") == "authorization_code":
            code = self.codes.pop(form.get("code", ""), None)
            if (
                code is None
                or code["client_id"] != client_id
                or code["redirect_uri"] != form.get("redirect_uri")
                or code["challenge"] != s256(form.get("code_verifier", ""))
            ):
                return json_route({"error": "invalid_grant"}, 400)
        elif form.get("grant_type") == "refresh_token":
            owner = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
            if self.refresh_refused or owner != client_id:
                return json_route(
                    {"error": "invalid_grant", "error_description": "refresh token revoked"}, 400
                )
        else:
            return json_route({"error": "unsupported_grant_type"}, 400)
        return json_route(self._issue_tokens(client_id))

    def revoke(self, request: Request) -> Route:
        if self._basic_client(request) is None:
            return json_route({"error": "invalid_client"}, 401)
        token = form_of(request).get("token", "")
        self.revoked.append(token)
        self.refresh_tokens.pop(token, None)
        return Route(b"", status=200)

    def upsert(self, request: Request) -> Route:
        authorization = request.headers.get("authorization", "")
        if request.method != "POST":
            return json_route(status_info("only POST here", "not_allowed"), 405)
        if authorization.removeprefix("Bearer ") not in self.access_tokens:
            return json_route(status_info("unknown access token", "unauthorizedrequest"), 401)
        media_type = request.headers.get("content-type", "").split(";")[0]
        text = request.body.decode("utf-8")
        self.uploads.append((media_type, text))
        if self.upsert_refusal is not None:
            return json_route(self.upsert_refusal, 400)
        key = (
            json.loads(text)["id"] if media_type == "application/json" else jws_claims(text)["jti"]
        )
        created = key not in self.credentials
        self.credentials[key] = text
        return Route(
            request.body, status=201 if created else 200, headers={"Content-Type": media_type}
        )

    def _basic_client(self, request: Request) -> str | None:
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme != "Basic":
            return None
        client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
        client = self.clients.get(client_id)
        return client_id if client is not None and client["secret"] == secret else None

    def _issue_tokens(self, client_id: str) -> dict[str, Any]:
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        self.access_tokens.add(access)
        self.refresh_tokens[refresh] = client_id
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": 3600,
            "refresh_token": refresh,
            "scope": UPSERT_SCOPE,
        }


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[FakeObProvider]:
    certificate = LoopbackCertificate.create(tmp_path)
    server = DocumentServer(tls=certificate)
    yield FakeObProvider(server, certificate)
    server.close()


@dataclass(frozen=True)
class HostUnderTest:
    """A host to send to: its base URL, the consumer's settings, and how to approve there."""

    base_url: str
    settings: Settings
    approve: Callable[[str], Awaitable[str]]
    fake: FakeObProvider | None


@pytest.fixture(params=["fake"])
def host(request: pytest.FixtureRequest, settings: Settings) -> HostUnderTest:
    """Each parameter gives a host's base URL, consumer settings that let the hub reach it (a
    loopback peer and its CA), and ``approve``, which plays the earner at its consent page."""
    provider: FakeObProvider = request.getfixturevalue("fake")
    return HostUnderTest(
        provider.base_url, provider.settings_for(settings), provider.approve, provider
    )


@dataclass
class Earner:
    browser: httpx.AsyncClient
    csrf: str
    user: User
    award: Award
    settings: Settings

    async def send(self, host: str, path: str | None = None, **fields: str) -> httpx.Response:
        action = path or f"/backpack/badges/{self.award.id}/send"
        return await self.browser.post(
            action, data={"_csrf_token": self.csrf, "host": host, **fields}
        )


async def signed_in_earner(db: str, settings: Settings) -> AsyncIterator[Earner]:
    tenant = await make_tenant(settings)
    user = await make_user(tenant, "ada", role=None)
    award = (await make_award(settings, tenant, await make_achievement(tenant))).award
    transport = httpx.ASGITransport(app=create_app(settings, db))
    async with httpx.AsyncClient(
        transport=transport, base_url=settings.public_url, headers={"accept": "text/html"}
    ) as browser:
        csrf = await sign_in(browser, settings, user)
        yield Earner(browser, csrf, user, award, settings)


@pytest.fixture
async def earner(db: str, host: HostUnderTest) -> AsyncIterator[Earner]:
    async for signed_in in signed_in_earner(db, host.settings):
        yield signed_in


async def send_with_consent(earner: Earner, host: HostUnderTest, **fields: str) -> httpx.Response:
    started = await earner.send(host.base_url, **fields)
    assert started.status_code == 303, started.text
    return await earner.browser.get(await host.approve(started.headers["location"]))


async def test_send_registers_once_and_refreshes(host: HostUnderTest, earner: Earner) -> None:
    form = await earner.browser.get(f"/backpack/badges/{earner.award.id}/send")
    started = await earner.send(host.base_url)
    done = await earner.browser.get(await host.approve(started.headers["location"]))
    again = await earner.send(host.base_url)
    form_later = await earner.browser.get(f"/backpack/badges/{earner.award.id}/send")
    grant = await ObHostGrant.objects().first()

    assert form.status_code == 200
    assert "Send this badge to another backpack" in form.text
    assert started.status_code == 303
    assert done.status_code == 200, done.text
    assert "the badge was added" in done.text
    assert done.cookies.get("badgehub_ob_send") is None
    assert 'badgehub_ob_send=""' in done.headers["set-cookie"]
    assert again.status_code == 200, again.text
    assert "replaced the copy" in again.text
    assert await ObHostRegistration.count() == 1
    assert grant is not None
    assert grant.refresh_token_sealed is not None
    assert grant.last_sent_at is not None
    assert 'name="chosen_host"' in form_later.text
    if host.fake is not None:
        assert len(host.fake.clients) == 1
        assert host.fake.grant_types == ["authorization_code", "refresh_token"]
        assert host.fake.uploads == [("application/json", earner.award.credential_text)] * 2
        assert len(host.fake.requests_to("/oauth/register")) == 1
        assert len(host.fake.requests_to("/ims/ob/v3p0/discovery")) == 1


async def test_first_send_authorization_request(
    fake: FakeObProvider, settings: Settings, db: str
) -> None:
    host_settings = fake.settings_for(settings)
    async for earner in signed_in_earner(db, host_settings):
        started = await earner.send(fake.base_url)
        registration = json.loads(fake.requests_to("/oauth/register")[0].body)
        row = await ObHostRegistration.objects().first()

        query = query_of(started.headers["location"])
        assert started.headers["location"].startswith(fake.server.url("/oauth/authorize?"))
        assert query["response_type"] == "code"
        assert query["code_challenge_method"] == "S256"
        assert query["redirect_uri"] == "http://127.0.0.1:8000/backpack/send/callback"
        assert query["scope"] == UPSERT_SCOPE
        assert registration["redirect_uris"] == ["http://127.0.0.1:8000/backpack/send/callback"]
        assert registration["grant_types"] == ["authorization_code", "refresh_token"]
        assert registration["token_endpoint_auth_method"] == "client_secret_basic"
        assert "badgehub_ob_send" in started.headers["set-cookie"]
        assert "Path=/backpack/send" in started.headers["set-cookie"]
        assert row is not None
        assert row.name == "Fake Backpack"
        assert row.revocation_url == fake.server.url("/oauth/revoke")
        secret = next(iter(fake.clients.values()))["secret"]
        assert row.client_secret_sealed is not None
        assert secret.encode() not in row.client_secret_sealed


@pytest.fixture
async def fake_earner(db: str, fake: FakeObProvider, settings: Settings) -> AsyncIterator[Earner]:
    async for signed_in in signed_in_earner(db, fake.settings_for(settings)):
        yield signed_in


def fake_host(fake: FakeObProvider, earner: Earner) -> HostUnderTest:
    return HostUnderTest(fake.base_url, earner.settings, fake.approve, fake)


async def test_jwt_format_sent_as_text(fake: FakeObProvider, fake_earner: Earner) -> None:
    done = await send_with_consent(fake_earner, fake_host(fake, fake_earner), format="jwt")
    award = await Award.objects().where(Award.id == fake_earner.award.id).first()

    assert done.status_code == 200, done.text
    assert award is not None
    assert award.jwt
    assert fake.uploads == [("text/plain", award.jwt)]
    assert award.jwt.count(".") == 2


async def test_imported_badge_sent_as_imported(fake: FakeObProvider, fake_earner: Earner) -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"RS256"}').rstrip(b"=").decode()
    payload = base64.urlsafe_b64encode(b'{"jti":"urn:uuid:1"}').rstrip(b"=").decode()
    token = f"{header}.{payload}.c2lnbmF0dXJl"
    badge = await imported(fake_earner.user, token, "jwt_vc")

    page = await fake_earner.browser.get("/backpack")
    done = await send_with_consent(
        fake_earner, fake_host(fake, fake_earner), path=f"/backpack/imported/{badge.id}/send"
    )

    assert f'href="/backpack/imported/{badge.id}/send"' in page.text
    assert done.status_code == 200, done.text
    assert fake.uploads == [("text/plain", token)]


async def imported(user: User, text: str, credential_format: str) -> ImportedBadge:
    badge = ImportedBadge(
        user=user.id,  # type: ignore[attr-defined]
        credential_text=text,
        credential_format=credential_format,
        digest=hashlib.sha256(text.encode()).hexdigest(),
        name="Imported badge",
        issuer_name="Elsewhere",
        source="test",
        report={},
        imported_at=datetime.now(UTC),
    )
    await badge.save()
    return badge


async def test_ob2_imported_badge_not_sendable(fake: FakeObProvider, fake_earner: Earner) -> None:
    badge = await imported(fake_earner.user, '{"type": "Assertion"}', "ob2_hosted")

    page = await fake_earner.browser.get("/backpack")
    response = await fake_earner.send(fake.base_url, path=f"/backpack/imported/{badge.id}/send")

    assert f'href="/backpack/imported/{badge.id}/send"' not in page.text
    assert response.status_code == 400
    assert "Open Badges 2.0" in response.text
    assert fake.server.requests == []


async def test_state_mismatch_rejected(fake: FakeObProvider, fake_earner: Earner) -> None:
    started = await fake_earner.send(fake.base_url)
    callback = await fake.approve(started.headers["location"])
    query = query_of(callback)
    forged = f"/backpack/send/callback?{urlencode({**query, 'state': 'forged'})}"

    response = await fake_earner.browser.get(forged)

    assert response.status_code == 400
    assert "does not belong to the send started in this browser" in response.text
    assert fake.grant_types == []
    assert await ObHostGrant.count() == 0


async def test_callback_without_send_expired(fake_earner: Earner) -> None:
    response = await fake_earner.browser.get("/backpack/send/callback?code=abc&state=xyz")

    assert response.status_code == 400
    assert "The send expired" in response.text


async def test_registration_refused_shown(fake: FakeObProvider, fake_earner: Earner) -> None:
    fake.registration_refusal = {
        "error": "invalid_client_metadata",
        "error_description": "this backpack accepts no new clients",
    }

    response = await fake_earner.send(fake.base_url)

    assert response.status_code == 502
    assert "refused to register this hub as a client" in response.text
    assert "this backpack accepts no new clients" in response.text
    assert await ObHostRegistration.count() == 0


async def test_status_info_reaches_earner(fake: FakeObProvider, fake_earner: Earner) -> None:
    fake.upsert_refusal = status_info("The credential subject is not this account")

    response = await send_with_consent(fake_earner, fake_host(fake, fake_earner))
    grant = await ObHostGrant.objects().first()

    assert response.status_code == 502
    assert "did not accept the badge" in response.text
    assert "The credential subject is not this account (invalid_data)" in response.text
    # The consent stays: the next send of another badge needs no new authorization.
    assert grant is not None
    assert grant.refresh_token_sealed is not None


async def test_status_info_in_french(fake: FakeObProvider, fake_earner: Earner) -> None:
    fake.upsert_refusal = status_info("Sujet incorrect")
    await fake_earner.browser.get("/backpack?lang=fr")

    response = await send_with_consent(fake_earner, fake_host(fake, fake_earner))

    assert response.status_code == 502
    assert "n&#39;a pas accepté le badge" in response.text
    assert "Sujet incorrect" in response.text


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("https://10.0.0.1", "private"),
        ("https://169.254.169.254", "link-local"),
        ("https://127.0.0.1:9", "loopback"),
        ("http://127.0.0.1:{plain_port}", "plain HTTP"),
    ],
)
async def test_host_not_allowed_before_any_request(
    fake_earner: Earner, typed: str, kind: str
) -> None:
    plain = DocumentServer()
    try:
        response = await fake_earner.send(typed.format(plain_port=plain.port))
    finally:
        plain.close()

    assert response.status_code == 400, response.text
    assert "This hub does not connect to" in response.text
    assert kind in response.text
    assert plain.requests == []
    assert await ObHostRegistration.count() == 0


async def test_invalid_host_url_rejected(fake_earner: Earner) -> None:
    response = await fake_earner.send("my backpack")

    assert response.status_code == 400
    assert "is not the address of a backpack" in response.text


async def test_token_endpoint_failure_shown(fake: FakeObProvider, fake_earner: Earner) -> None:
    fake.token_status = 500

    response = await send_with_consent(fake_earner, fake_host(fake, fake_earner))

    assert response.status_code == 502
    assert "refused to issue an access token" in response.text
    assert "HTTP 500" in response.text
    assert await ObHostGrant.count() == 0
    assert fake.uploads == []


async def test_authorization_denied_shown(fake: FakeObProvider, fake_earner: Earner) -> None:
    started = await fake_earner.send(fake.base_url)
    state = query_of(started.headers["location"])["state"]
    answer = urlencode(
        {"error": "access_denied", "error_description": "the earner said no", "state": state}
    )

    response = await fake_earner.browser.get(f"/backpack/send/callback?{answer}")

    assert response.status_code == 502
    assert "did not allow this hub to add the badge" in response.text
    assert "access_denied: the earner said no" in response.text
    assert fake.grant_types == []


async def test_refused_refresh_asks_consent_again(
    fake: FakeObProvider, fake_earner: Earner
) -> None:
    await send_with_consent(fake_earner, fake_host(fake, fake_earner))
    fake.refresh_refused = True

    again = await fake_earner.send(fake.base_url)
    grant = await ObHostGrant.objects().first()

    assert again.status_code == 303
    assert again.headers["location"].startswith(fake.server.url("/oauth/authorize?"))
    assert grant is not None
    assert grant.refresh_token_sealed is None
    assert fake.grant_types == ["authorization_code", "refresh_token"]


async def test_other_earners_badge_not_found(fake: FakeObProvider, fake_earner: Earner) -> None:
    tenant = await make_tenant(fake_earner.settings, "btu", country="DE")
    achievement = await make_achievement(tenant, "welcome")
    other = (
        await make_award(fake_earner.settings, tenant, achievement, email="grace@example.org")
    ).award
    stranger = await make_user(tenant, "grace", role=None)
    strangers_import = await imported(stranger, '{"id": "urn:uuid:2"}', "ldp_vc")

    form = await fake_earner.browser.get(f"/backpack/badges/{other.id}/send")
    award_post = await fake_earner.send(fake.base_url, path=f"/backpack/badges/{other.id}/send")
    import_post = await fake_earner.send(
        fake.base_url, path=f"/backpack/imported/{strangers_import.id}/send"
    )

    assert form.status_code == 404
    assert award_post.status_code == 404
    assert import_post.status_code == 404
    assert fake.server.requests == []


async def test_forget_revokes_refresh_token(fake: FakeObProvider, fake_earner: Earner) -> None:
    await send_with_consent(fake_earner, fake_host(fake, fake_earner))
    grant = await ObHostGrant.objects().first()
    assert grant is not None
    live_refresh_tokens = set(fake.refresh_tokens)
    form_path = f"/backpack/badges/{fake_earner.award.id}/send"

    response = await fake_earner.browser.post(
        f"/backpack/send/hosts/{grant.id}/forget",
        data={"_csrf_token": fake_earner.csrf, "next": form_path},
    )
    page = await fake_earner.browser.get(response.headers["location"])

    assert response.status_code == 303
    assert response.headers["location"] == f"{form_path}?disconnected=1"
    assert "The backpack was disconnected." in page.text
    assert await ObHostGrant.count() == 0
    assert fake.revoked == list(live_refresh_tokens)
    assert fake.refresh_tokens == {}


async def test_forget_other_earners_grant_not_found(
    fake: FakeObProvider, fake_earner: Earner
) -> None:
    await send_with_consent(fake_earner, fake_host(fake, fake_earner))
    grant = await ObHostGrant.objects().first()
    assert grant is not None
    tenant = await make_tenant(fake_earner.settings, "btu", country="DE")
    stranger = await make_user(tenant, "grace", role=None)
    csrf = await sign_in(fake_earner.browser, fake_earner.settings, stranger)

    response = await fake_earner.browser.post(
        f"/backpack/send/hosts/{grant.id}/forget", data={"_csrf_token": csrf}
    )

    assert response.status_code == 404
    assert await ObHostGrant.count() == 1
    assert fake.revoked == []


async def test_send_page_in_french(fake_earner: Earner) -> None:
    page = await fake_earner.browser.get(f"/backpack/badges/{fake_earner.award.id}/send?lang=fr")
    backpack = await fake_earner.browser.get("/backpack")

    assert "Envoyer ce badge vers un autre sac à badges" in page.text
    assert f'href="/backpack/badges/{fake_earner.award.id}/send"' in backpack.text
    assert "Envoyer vers un autre sac à badges" in backpack.text


@pytest.mark.parametrize("case", ["expired-secret", "unreadable-secret"])
async def test_unusable_registration_replaced(
    fake: FakeObProvider, fake_earner: Earner, case: str
) -> None:
    await send_with_consent(fake_earner, fake_host(fake, fake_earner))
    if case == "expired-secret":
        change = {ObHostRegistration.client_secret_expires_at: datetime(2020, 1, 1, tzinfo=UTC)}
    else:
        change = {ObHostRegistration.client_secret_sealed: b"\0" * 40}
    await ObHostRegistration.update(change, force=True)

    again = await fake_earner.send(fake.base_url)
    row = await ObHostRegistration.objects().first()

    # The refresh token belongs to the first client, so the new client asks for consent again.
    assert again.status_code == 303
    assert len(fake.clients) == 2
    assert await ObHostRegistration.count() == 1
    assert row is not None
    assert row.client_id == list(fake.clients)[1]
    assert row.client_secret_expires_at is None
