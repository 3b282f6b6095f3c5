"""Single sign-on against the real Keycloak: bearer tokens on the API, organization mapping."""

from __future__ import annotations

import base64
import dataclasses
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, hmac, serialization
from joserfc.jwk import RSAKey

from hub.app import create_app
from hub.auth.tables import TenantRole, User
from hub.settings import Settings
from tests.factories import make_tenant

pytestmark = [pytest.mark.integration, pytest.mark.keycloak]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segments(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")
    padded = [part + "=" * (-len(part) % 4) for part in (header, payload)]
    return (
        json.loads(base64.urlsafe_b64decode(padded[0])),
        json.loads(base64.urlsafe_b64decode(padded[1])),
        signature,
    )


@pytest.fixture
def sso_settings(settings: Settings, keycloak: Any) -> Settings:
    return dataclasses.replace(
        keycloak.hub_settings(settings),
        api_allowed_clients=("badgehub-web", "badgehub-tests"),
    )


@pytest.fixture
async def api(db: str, sso_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    for slug in ("uphf", "unican", "btu"):
        await make_tenant(sso_settings, slug)
    app = create_app(sso_settings, db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=sso_settings.public_url) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_student_of_two_universities(api: httpx.AsyncClient, keycloak: Any) -> None:
    token = keycloak.password_token("two.campus", scope="organization:*")["access_token"]

    response = await api.get("/api/v1/me", headers=bearer(token))

    assert response.status_code == 200, response.text
    assert response.json()["tenants"] == {"unican": ["member"], "uphf": ["member"]}
    assert response.json()["alliance_admin"] is False


async def test_exchange_student_has_no_tenant(api: httpx.AsyncClient, keycloak: Any) -> None:
    token = keycloak.password_token("exchange.student")["access_token"]

    response = await api.get("/api/v1/me", headers=bearer(token))

    assert response.status_code == 200
    assert response.json()["tenants"] == {}


async def test_alliance_admin_from_realm_role(api: httpx.AsyncClient, keycloak: Any) -> None:
    token = keycloak.password_token("alliance.admin")["access_token"]

    me = await api.get("/api/v1/me", headers=bearer(token))
    members = await api.get("/api/v1/tenants/btu/members", headers=bearer(token))

    assert me.json()["alliance_admin"] is True
    assert members.status_code == 200
    user = await User.objects().where(User.email == "elise.vandamme@example.org").first()
    assert user.is_alliance_admin is True


async def test_granted_role_opens_tenant_api(
    api: httpx.AsyncClient, keycloak: Any, sso_settings: Settings
) -> None:
    admin_token = keycloak.password_token("uphf.admin")["access_token"]
    before = await api.get("/api/v1/tenants/uphf/members", headers=bearer(admin_token))
    user = await User.objects().where(User.email == "camille.lefebvre@example.org").first()
    uphf = await make_tenant(sso_settings, "uphf")
    await TenantRole(
        user=user.id, tenant=uphf.id, role="tenant-admin", created_at=uphf.created_at
    ).save()

    after = await api.get("/api/v1/tenants/uphf/members", headers=bearer(admin_token))
    other = await api.get("/api/v1/tenants/btu/members", headers=bearer(admin_token))

    assert before.status_code == 403
    assert after.status_code == 200
    assert other.status_code == 403


async def test_token_of_client_without_audience(api: httpx.AsyncClient, keycloak: Any) -> None:
    token = keycloak.password_token("two.campus", client_id="other-app")["access_token"]

    response = await api.get("/api/v1/me", headers=bearer(token))

    assert response.status_code == 401
    assert response.json()["code"] == "token-wrong-audience"
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_token_of_client_not_allowed(db: str, settings: Settings, keycloak: Any) -> None:
    web_only = keycloak.hub_settings(settings)
    app = create_app(web_only, db)
    token = keycloak.password_token("two.campus")["access_token"]

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=settings.public_url
    ) as client:
        response = await client.get("/api/v1/me", headers=bearer(token))

    assert response.status_code == 403
    assert response.json()["code"] == "token-wrong-client"


async def test_token_of_other_realm(api: httpx.AsyncClient, keycloak: Any) -> None:
    master = httpx.post(
        f"{keycloak.base_url}/realms/master/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "admin-cli",
            "username": keycloak.admin_username,
            "password": keycloak.admin_password,
        },
        trust_env=False,
    ).json()["access_token"]

    response = await api.get("/api/v1/me", headers=bearer(master))

    assert response.status_code == 401
    assert response.json()["code"] in ("token-wrong-issuer", "token-key-unknown")


async def test_tampered_token(api: httpx.AsyncClient, keycloak: Any) -> None:
    token = keycloak.password_token("two.campus")["access_token"]
    header, payload, signature = segments(token)
    payload["realm_access"] = {"roles": ["alliance-admin"]}
    forged = ".".join(
        [b64(json.dumps(header).encode()), b64(json.dumps(payload).encode()), signature]
    )

    response = await api.get("/api/v1/me", headers=bearer(forged))

    assert response.status_code == 401
    assert response.json()["code"] == "token-signature-invalid"


async def test_alg_none_token(api: httpx.AsyncClient, keycloak: Any) -> None:
    token = keycloak.password_token("two.campus")["access_token"]
    header, payload, _ = segments(token)
    header["alg"] = "none"
    unsigned = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}."

    response = await api.get("/api/v1/me", headers=bearer(unsigned))

    assert response.status_code == 401
    assert response.json()["code"] == "token-algorithm-not-allowed"


async def test_hs256_with_public_key_as_secret(api: httpx.AsyncClient, keycloak: Any) -> None:
    token = keycloak.password_token("two.campus")["access_token"]
    header, payload, _ = segments(token)
    jwks = httpx.get(f"{keycloak.issuer}/protocol/openid-connect/certs", trust_env=False).json()
    rsa_jwk = next(key for key in jwks["keys"] if key["kid"] == header["kid"])
    public_pem = RSAKey.import_key(rsa_jwk).public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header["alg"] = "HS256"
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    mac = hmac.HMAC(public_pem, hashes.SHA256())
    mac.update(signing_input.encode())
    forged = f"{signing_input}.{b64(mac.finalize())}"

    response = await api.get("/api/v1/me", headers=bearer(forged))

    assert response.status_code == 401
    assert response.json()["code"] == "token-algorithm-not-allowed"


async def test_expired_token(db: str, sso_settings: Settings, keycloak: Any) -> None:
    from hub.auth.tokens import AccessTokenValidator, JwksCache, TokenError

    token = keycloak.password_token("two.campus")["access_token"]
    exp = segments(token)[1]["exp"]
    validator = AccessTokenValidator(
        keycloak.issuer,
        "badgehub-api",
        ("badgehub-tests",),
        JwksCache(keycloak.issuer),
        clock=lambda: exp + 31,
    )
    within_leeway = AccessTokenValidator(
        keycloak.issuer,
        "badgehub-api",
        ("badgehub-tests",),
        JwksCache(keycloak.issuer),
        clock=lambda: exp + 29,
    )

    with pytest.raises(TokenError) as error:
        await validator.validate(token)
    claims = await within_leeway.validate(token)

    assert error.value.code == "token-expired"
    assert claims.subject == segments(token)[1]["sub"]
    assert exp > time.time()
