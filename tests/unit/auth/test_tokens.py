"""Access and ID token validation against a JWKS served from a real loopback HTTP server."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from hub.auth.tokens import (
    AccessTokenValidator,
    IdTokenValidator,
    InvalidTokenError,
    JwksCache,
    KeycloakUnavailableError,
    TokenClientNotAllowedError,
    TokenError,
)
from hub.errors import AuthenticationError, PermissionDeniedError, ServiceUnavailableError

REALM = "eunice"
CERTS_PATH = f"/realms/{REALM}/protocol/openid-connect/certs"
DISCOVERY_PATH = f"/realms/{REALM}/.well-known/openid-configuration"
AUDIENCE = "badgehub-api"
CLIENT = "badgehub-web"
NONCE = "n-0S6_WzA2Mj"
NOW = 1_800_000_000
COOLDOWN = 10.0
CACHE_SECONDS = 300.0
MAX_STALE = 3600.0
# A claim value that mint() leaves out of the token.
ABSENT = object()


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class QuietHTTPServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore clients that hang up early, as the timeout test's client does."""


class JwksServer:
    """A Keycloak realm's certs and discovery endpoints on a loopback port.

    Every request path is recorded, so tests can count fetches.
    """

    def __init__(self, keys: list[dict[str, Any]]) -> None:
        self.keys = keys
        self.status = 200
        self.body: bytes | None = None
        self.delay_seconds = 0.0
        self.discovered_issuer: str | None = None
        self.paths: list[str] = []
        self._httpd = QuietHTTPServer(("127.0.0.1", 0), self._handler_class())
        # A short poll interval makes shutdown() return quickly.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()

    @property
    def issuer(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/realms/{REALM}"

    def requests_to(self, path: str) -> int:
        return self.paths.count(path)

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def respond(self, path: str) -> tuple[int, bytes]:
        self.paths.append(path)
        time.sleep(self.delay_seconds)
        if path == CERTS_PATH:
            body = self.body if self.body is not None else json.dumps({"keys": self.keys})
            return self.status, body.encode() if isinstance(body, str) else body
        if path == DISCOVERY_PATH:
            metadata = {
                "issuer": self.discovered_issuer or self.issuer,
                "jwks_uri": f"{self.issuer}/protocol/openid-connect/certs",
            }
            return 200, json.dumps(metadata).encode()
        return 404, b"{}"

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = server.respond(self.path)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def rsa_signing_key(kid: str) -> RSAKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return RSAKey.import_key(private, {"kid": kid, "alg": "RS256", "use": "sig"})


def public_jwk(key: RSAKey | ECKey) -> dict[str, Any]:
    return dict(key.as_dict(private=False))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(value: object) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def access_claims(issuer: str) -> dict[str, Any]:
    """Claims shaped like a Keycloak 26 access token with an audience mapper for the hub."""
    return {
        "exp": NOW + 300,
        "iat": NOW - 5,
        "jti": "onrtac:4f1c8a3e",
        "iss": issuer,
        "aud": [AUDIENCE, "account"],
        "sub": "5b0c7c1e-3f5d-4c1e-9d51-1f1c0a2b3c4d",
        "typ": "Bearer",
        "azp": CLIENT,
        "sid": "c1d2e3f4",
        "scope": "openid profile email organization",
        "email_verified": True,
        "name": "Ada Lovelace",
        "preferred_username": "ada",
        "email": "ada@uni-a.example",
        "realm_access": {"roles": ["offline_access", "alliance-admin", "default-roles-eunice"]},
        "organization": ["uni-b", "uni-a"],
    }


def id_claims(issuer: str) -> dict[str, Any]:
    """Claims shaped like a Keycloak 26 ID token of the web client."""
    claims = access_claims(issuer)
    claims.update(typ="ID", aud=CLIENT, nonce=NONCE, at_hash="x4Nq2b3kq1Q")
    del claims["scope"]
    return claims


def mint(
    key: RSAKey | ECKey,
    claims: dict[str, Any],
    *,
    alg: str = "RS256",
    kid: str | None = None,
    **overrides: Any,
) -> str:
    payload = {**claims, **overrides}
    payload = {name: value for name, value in payload.items() if value is not ABSENT}
    header = {"alg": alg, "typ": "JWT", "kid": kid or key.kid}
    return jwt.encode(header, payload, key, algorithms=[alg])


async def rejection(validator: AccessTokenValidator, token: str) -> TokenError:
    with pytest.raises(TokenError) as caught:
        await validator.validate(token)
    return caught.value


@pytest.fixture(scope="module")
def rsa_key() -> RSAKey:
    return rsa_signing_key("rsa-1")


@pytest.fixture(scope="module")
def rotated_key() -> RSAKey:
    return rsa_signing_key("rsa-2")


@pytest.fixture(scope="module")
def ec_key() -> ECKey:
    private = ec.generate_private_key(ec.SECP256R1())
    return ECKey.import_key(private, {"kid": "ec-1", "alg": "ES256", "use": "sig"})


@pytest.fixture(scope="module")
def encryption_key() -> RSAKey:
    """A key published with use "enc", as Keycloak publishes its RSA-OAEP key."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return RSAKey.import_key(private, {"kid": "enc-1", "alg": "RSA-OAEP", "use": "enc"})


@pytest.fixture
def server(rsa_key: RSAKey, encryption_key: RSAKey) -> Iterator[JwksServer]:
    jwks_server = JwksServer([public_jwk(rsa_key), public_jwk(encryption_key)])
    yield jwks_server
    jwks_server.close()


@pytest.fixture
def monotonic() -> FakeClock:
    return FakeClock(1000.0)


@pytest.fixture
def jwks(server: JwksServer, monotonic: FakeClock) -> JwksCache:
    return JwksCache(
        server.issuer,
        cache_seconds=CACHE_SECONDS,
        refetch_cooldown_seconds=COOLDOWN,
        max_stale_seconds=MAX_STALE,
        monotonic=monotonic,
    )


@pytest.fixture
def validator(server: JwksServer, jwks: JwksCache) -> AccessTokenValidator:
    return AccessTokenValidator(server.issuer, AUDIENCE, (CLIENT,), jwks, clock=lambda: NOW)


@pytest.fixture
def claims(server: JwksServer) -> dict[str, Any]:
    return access_claims(server.issuer)


# Valid tokens and the claims they yield


async def test_access_token_valid(
    validator: AccessTokenValidator, rsa_key: RSAKey, claims: dict[str, Any]
) -> None:
    result = await validator.validate(mint(rsa_key, claims))

    assert result.subject == claims["sub"]
    assert result.username == "ada"
    assert result.email == "ada@uni-a.example"
    assert result.email_verified is True
    assert result.name == "Ada Lovelace"
    assert result.realm_roles == ("alliance-admin", "default-roles-eunice", "offline_access")
    assert result.organizations == ("uni-a", "uni-b")
    assert result.client_id == CLIENT
    assert result.expires_at == datetime.fromtimestamp(NOW + 300, UTC)
    assert result.raw["jti"] == claims["jti"]


async def test_access_token_email_not_in_repr(
    validator: AccessTokenValidator, rsa_key: RSAKey, claims: dict[str, Any]
) -> None:
    result = await validator.validate(mint(rsa_key, claims))

    assert "ada@uni-a.example" not in repr(result)


async def test_access_token_audience_string(
    validator: AccessTokenValidator, rsa_key: RSAKey, claims: dict[str, Any]
) -> None:
    result = await validator.validate(mint(rsa_key, claims, aud=AUDIENCE))

    assert result.subject == claims["sub"]


async def test_access_token_audience_list_with_hub(
    validator: AccessTokenValidator, rsa_key: RSAKey, claims: dict[str, Any]
) -> None:
    token = mint(rsa_key, claims, aud=["account", "realm-management", AUDIENCE])

    result = await validator.validate(token)

    assert result.subject == claims["sub"]


async def test_access_token_ec_key(
    server: JwksServer, jwks: JwksCache, ec_key: ECKey, claims: dict[str, Any]
) -> None:
    server.keys.append(public_jwk(ec_key))
    validator = AccessTokenValidator(
        server.issuer, AUDIENCE, (CLIENT,), jwks, allowed_algorithms=("ES256",), clock=lambda: NOW
    )

    result = await validator.validate(mint(ec_key, claims, alg="ES256"))

    assert result.subject == claims["sub"]


# The three shapes of Keycloak 26's organization membership mapper: multivalued String (the
# default), JSON (also forced by "add organization id" or attributes), and not multivalued.
@pytest.mark.parametrize(
    ("organization", "expected"),
    [
        (["uni-b", "uni-a"], ("uni-a", "uni-b")),
        ({"uni-b": {"id": "7f1e"}, "uni-a": {"id": "0a2b", "country": ["PT"]}}, ("uni-a", "uni-b")),
        ("uni-a", ("uni-a",)),
        ([], ()),
        (ABSENT, ()),
    ],
    ids=["list-of-aliases", "object-keyed-by-alias", "single-alias", "empty", "absent"],
)
async def test_organization_claim_shapes(
    validator: AccessTokenValidator,
    rsa_key: RSAKey,
    claims: dict[str, Any],
    organization: object,
    expected: tuple[str, ...],
) -> None:
    result = await validator.validate(mint(rsa_key, claims, organization=organization))

    assert result.organizations == expected


@pytest.mark.parametrize("organization", [42, ["uni-a", 7], None], ids=["number", "mixed", "null"])
async def test_organization_claim_invalid(
    validator: AccessTokenValidator, rsa_key: RSAKey, claims: dict[str, Any], organization: object
) -> None:
    error = await rejection(validator, mint(rsa_key, claims, organization=organization))

    assert error.code == "invalid-token"
    assert f"organization claim is {organization!r}" in error.message


async def test_realm_roles_absent(
    validator: AccessTokenValidator, rsa_key: RSAKey, claims: dict[str, Any]
) -> None:
    result = await validator.validate(mint(rsa_key, claims, realm_access=ABSENT))

    assert result.realm_roles == ()


# Rejections: expiry and the validity window


async def test_access_token_expired(
    validator: AccessTokenValidator, rsa_key: RSAKey, claims: dict[str, Any]
) -> None:
    error = await rejection(validator, mint(rsa_key, claims, exp=NOW - 120))

    assert error.code == "token-expired"
    assert error.status == 401
    assert "expired at 2027-01-15T07:58:00Z" in error.message
    assert "120 s ago" in error.message


async def test_access_token_expired_within_leeway(
    validator: AccessTokenValidator, rsa_key: RSAKey, claims: dict[str, Any]
) -> None:
    result = await validator.validate(mint(rsa_key, claims, exp=NOW - 29))

    assert result.expires_at == datetime.fromtimestamp(NOW - 29, UTC)


async def test_access_token_expired_at_leeway(
    validator: AccessTokenValidator, rsa_key: RSAKey, claims: dict[str, Any]
) -> None:
    error = await rejection(validator, mint(rsa_key, claims, exp=NOW - 30))

    assert error.code == "token-expired"


async def test_access_token_without_exp(
    validator: AccessTokenValidator, rsa_key: RSAKey, claims: dict[str, Any]
) -> None:
    error = await rejection(validator, mint(rsa_key, claims, exp=ABSENT))

    assert error.code == "invalid-token"
    assert "no exp claim" in error.message


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("exp", "tomorrow"),
        ("exp", True),
        ("exp", float("nan")),
        ("exp", float("inf")),
        ("exp", 10**20),
        ("iat", 10**20),
        ("nbf", -1),
    ],
    ids=["exp-text", "exp-bool", "exp-nan", "exp-infinity", "exp-huge", "iat-huge", "nbf-negative"],
)
async def test_access_token_invalid_numeric_date(
    validator: AccessTokenValidator,
    rsa_key: RSAKey,
    claims: dict[str, Any],
    claim: str,
    value: object,
) -> None:
    error = await rejection(validator, mint(rsa_key, {**claims, claim: value}))

    assert error.code == "invalid-token"
    assert f"{claim} claim is {value!r}, not a NumericDate" in error.message


@pytest.mark.parametrize("claim", ["nbf", "iat"])
async def test_access_token_from_the_future(
    validator: AccessTokenValidator, rsa_key: RSAKey, claims: dict[str, Any], claim: str
) -> None:
    error = await rejection(validator, mint(rsa_key, {**claims, claim: NOW + 90}))

    assert error.code == "token-not-yet-valid"
    assert f"token's {claim} is" in error.message
    assert "90 s in the future" in error.message


@pytest.mark.parametrize("claim", ["nbf", "iat"])
async def test_access_token_future_within_leeway(
    validator: AccessTokenValidator, rsa_key: RSAKey, claims: dict[str, Any], claim: str
) -> None:
    result = await validator.validate(mint(rsa_key, {**claims, claim: NOW + 20}))

    assert result.subject == claims["sub"]


# Rejections: issuer, audience, client, type


async def test_access_token_wrong_audience(
    validator: AccessTokenValidator, rsa_key: RSAKey, claims: dict[str, Any]
) -> None:
    error = await rejection(validator, mint(rsa_key, claims, aud=["account", "other-api"]))

    assert error.code == "token-wrong-audience"
    assert error.status == 401
    assert isinstance(error, AuthenticationError)
    assert "['account', 'other-api']" in error.message
    assert "does not contain 'badgehub-api'" in error.message
    assert "audience mapper" in error.message


async def test_access_token_without_audience(
    validator: AccessTokenValidator, rsa_key: RSAKey, claims: dict[str, Any]
) -> None:
    error = await rejection(validator, mint(rsa_key, claims, aud=ABSENT))

    assert error.code == "token-wrong-audience"
    assert "aud is None" in error.message


@pytest.mark.parametrize(
    "suffix", ["/", "/../eunice", "x"], ids=["trailing-slash", "dot-segments", "other-realm"]
)
async def test_access_token_wrong_issuer(
    server: JwksServer,
    validator: AccessTokenValidator,
    rsa_key: RSAKey,
    claims: dict[str, Any],
    suffix: str,
) -> None:
    issuer = server.issuer + suffix

    error = await rejection(validator, mint(rsa_key, claims, iss=issuer))

    assert error.code == "token-wrong-issuer"
    assert f"issued by {issuer!r}" in error.message
    assert f"only tokens of {server.issuer!r}" in error.message


async def test_access_token_https_issuer_variant(
    server: JwksServer, validator: AccessTokenValidator, rsa_key: RSAKey, claims: dict[str, Any]
) -> None:
    issuer = server.issuer.replace("http://", "https://")

    error = await rejection(validator, mint(rsa_key, claims, iss=issuer))

    assert error.code == "token-wrong-issuer"


async def test_access_token_of_another_client(
    validator: AccessTokenValidator, rsa_key: RSAKey, claims: dict[str, Any]
) -> None:
    error = await rejection(validator, mint(rsa_key, claims, azp="partner-portal"))

    assert isinstance(error, TokenClientNotAllowedError)
    assert isinstance(error, PermissionDeniedError)
    assert error.code == "token-wrong-client"
    assert error.status == 403
    assert error.oauth_error == "insufficient_scope"
    assert "client 'partner-portal' (azp)" in error.message
    assert "HUB_API_ALLOWED_CLIENTS" in error.message


async def test_access_token_without_azp(
    validator: AccessTokenValidator, rsa_key: RSAKey, claims: dict[str, Any]
) -> None:
    error = await rejection(validator, mint(rsa_key, claims, azp=ABSENT))

    assert error.code == "token-wrong-client"
    assert "client None (azp)" in error.message


async def test_id_token_as_access_token(
    server: JwksServer, validator: AccessTokenValidator, rsa_key: RSAKey
) -> None:
    id_token = mint(rsa_key, id_claims(server.issuer), aud=[AUDIENCE, CLIENT])

    error = await rejection(validator, id_token)

    assert error.code == "token-wrong-type"
    assert "typ 'ID'" in error.message
    assert "It is an ID token" in error.message
    assert "access_token member" in error.message


async def test_access_token_without_subject(
    validator: AccessTokenValidator, rsa_key: RSAKey, claims: dict[str, Any]
) -> None:
    error = await rejection(validator, mint(rsa_key, claims, sub=ABSENT))

    assert error.code == "invalid-token"
    assert "no sub claim" in error.message


# Rejections: forged and malformed tokens


async def test_access_token_tampered_payload(
    validator: AccessTokenValidator, rsa_key: RSAKey, claims: dict[str, Any]
) -> None:
    header, _, signature = mint(rsa_key, claims).split(".")
    forged = {**claims, "realm_access": {"roles": ["alliance-admin"]}, "sub": "mallory"}
    token = f"{header}.{b64url_json(forged)}.{signature}"

    error = await rejection(validator, token)

    assert error.code == "token-signature-invalid"
    assert "RS256 signature does not match" in error.message


async def test_access_token_alg_none(
    server: JwksServer, validator: AccessTokenValidator, claims: dict[str, Any]
) -> None:
    token = f"{b64url_json({'alg': 'none', 'kid': 'rsa-1'})}.{b64url_json(claims)}."

    error = await rejection(validator, token)

    assert error.code == "token-algorithm-not-allowed"
    assert "alg 'none'" in error.message
    assert "Unsigned and shared-secret (HMAC) tokens are never accepted" in error.message
    assert server.requests_to(CERTS_PATH) == 0


async def test_access_token_hs256_public_key_secret(
    server: JwksServer, validator: AccessTokenValidator, rsa_key: RSAKey, claims: dict[str, Any]
) -> None:
    # The classic confusion attack: HMAC keyed with the realm's public key, which anyone has.
    public_pem = rsa_key.as_pem(private=False)
    signing_input = f"{b64url_json({'alg': 'HS256', 'typ': 'JWT', 'kid': 'rsa-1'})}."
    signing_input += b64url_json(claims)
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{b64url(mac)}"

    error = await rejection(validator, token)

    assert error.code == "token-algorithm-not-allowed"
    assert "alg 'HS256'" in error.message
    assert "allowed: RS256" in error.message
    assert server.requests_to(CERTS_PATH) == 0


async def test_access_token_es256_not_allowed(
    server: JwksServer, validator: AccessTokenValidator, ec_key: ECKey, claims: dict[str, Any]
) -> None:
    server.keys.append(public_jwk(ec_key))

    error = await rejection(validator, mint(ec_key, claims, alg="ES256"))

    assert error.code == "token-algorithm-not-allowed"
    assert "alg 'ES256'" in error.message


async def test_access_token_kid_wrong_key_type(
    server: JwksServer, validator: AccessTokenValidator, rsa_key: RSAKey, claims: dict[str, Any]
) -> None:
    server.keys.append(public_jwk(ECKey.generate_key("P-256", {"kid": "ec-9", "alg": "ES256"})))

    error = await rejection(validator, mint(rsa_key, claims, kid="ec-9"))

    assert error.code == "token-signature-invalid"
    assert "key 'ec-9' cannot verify an RS256 signature" in error.message


async def test_access_token_encryption_kid(
    validator: AccessTokenValidator, encryption_key: RSAKey, claims: dict[str, Any]
) -> None:
    signing_twin = RSAKey.import_key(
        encryption_key.as_dict(private=True) | {"use": "sig", "alg": "RS256"}
    )
    signing_twin_token = mint(signing_twin, claims, kid="enc-1")

    error = await rejection(validator, signing_twin_token)

    assert error.code == "token-key-unknown"
    assert "signing key 'enc-1'" in error.message


async def test_access_token_without_kid(
    validator: AccessTokenValidator, rsa_key: RSAKey, claims: dict[str, Any]
) -> None:
    token = jwt.encode({"alg": "RS256"}, claims, rsa_key, algorithms=["RS256"])

    error = await rejection(validator, token)

    assert error.code == "token-key-unknown"
    assert "no kid" in error.message


RS256_HEADER = b64url_json({"alg": "RS256", "kid": "rsa-1"})


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        ("not-a-token", "has 1 segment(s)"),
        ("a.b", "has 2 segment(s)"),
        ("a.b.c.d.e", "has 5 segment(s)"),
        ("@@@.e30.sig", "header is not base64url-encoded JSON"),
        (f"{b64url(b'{alg')}.e30.sig", "header is not base64url-encoded JSON"),
        (f"{b64url_json(['RS256'])}.e30.sig", "header is JSON but not an object"),
        (f"{RS256_HEADER}.{b64url(b'[' * 5000)}.sig", "payload is not"),
        (f"{RS256_HEADER}.{b64url(bytes([0xFF]))}.sig", "payload is not"),
        ("e30." + "A" * 70_000 + ".sig", "more than the 65536 accepted"),
    ],
    ids=[
        "one-segment",
        "two-segments",
        "jwe-shape",
        "bad-base64",
        "bad-json",
        "header-array",
        "deeply-nested-payload",
        "payload-not-utf8",
        "too-long",
    ],
)
async def test_access_token_malformed(
    validator: AccessTokenValidator, token: str, problem: str
) -> None:
    error = await rejection(validator, token)

    assert error.code == "invalid-token"
    assert problem in error.message


def test_www_authenticate_header_is_sanitised() -> None:
    error = InvalidTokenError('the token\'s aud is "x"\n', code="token-wrong-audience")

    assert error.www_authenticate == (
        'Bearer realm="badgehub", error="invalid_token", '
        'error_description="the token\'s aud is ?x??"'
    )


def test_validator_rejects_symmetric_algorithms(jwks: JwksCache) -> None:
    for algorithms in [("HS256",), ("none",), ("RS256", "HS512"), ()]:
        with pytest.raises(ValueError, match="none and HMAC algorithms cannot be allowed"):
            AccessTokenValidator("https://sso.example", AUDIENCE, (CLIENT,), jwks, algorithms)


# The JWKS cache


async def test_unknown_kid_refetches_once(
    server: JwksServer,
    validator: AccessTokenValidator,
    monotonic: FakeClock,
    rsa_key: RSAKey,
    claims: dict[str, Any],
) -> None:
    await validator.validate(mint(rsa_key, claims))
    monotonic.now += COOLDOWN

    first = await rejection(validator, mint(rsa_key, claims, kid="rsa-9"))
    second = await rejection(validator, mint(rsa_key, claims, kid="rsa-9"))

    assert first.code == "token-key-unknown"
    assert "signing key 'rsa-9'" in first.message
    assert f"realm {server.issuer} does not publish" in first.message
    assert second.code == "token-key-unknown"
    assert server.requests_to(CERTS_PATH) == 2


async def test_key_rotation_is_picked_up(
    server: JwksServer,
    validator: AccessTokenValidator,
    monotonic: FakeClock,
    rsa_key: RSAKey,
    rotated_key: RSAKey,
    claims: dict[str, Any],
) -> None:
    await validator.validate(mint(rsa_key, claims))
    # Keycloak publishes a new key beside the old one, then drops the old one.
    server.keys = [public_jwk(rsa_key), public_jwk(rotated_key)]
    monotonic.now += COOLDOWN

    new_key = await validator.validate(mint(rotated_key, claims))
    old_key = await validator.validate(mint(rsa_key, claims))
    server.keys = [public_jwk(rotated_key)]
    monotonic.now += CACHE_SECONDS
    retired = await rejection(validator, mint(rsa_key, claims))

    assert new_key.subject == claims["sub"]
    assert old_key.subject == claims["sub"]
    assert retired.code == "token-key-unknown"
    assert server.requests_to(CERTS_PATH) == 3


async def test_unknown_kid_within_cooldown(
    server: JwksServer,
    validator: AccessTokenValidator,
    rsa_key: RSAKey,
    rotated_key: RSAKey,
    claims: dict[str, Any],
) -> None:
    await validator.validate(mint(rsa_key, claims))
    server.keys.append(public_jwk(rotated_key))

    error = await rejection(validator, mint(rotated_key, claims))

    assert error.code == "token-key-unknown"
    assert server.requests_to(CERTS_PATH) == 1


async def test_unknown_kid_flood_throttled(
    server: JwksServer,
    validator: AccessTokenValidator,
    monotonic: FakeClock,
    rsa_key: RSAKey,
    claims: dict[str, Any],
) -> None:
    def flood() -> list[str]:
        return [mint(rsa_key, claims, kid=secrets.token_hex(8)) for _ in range(40)]

    async def validate_all(tokens: list[str]) -> list[BaseException | object]:
        calls = [validator.validate(token) for token in tokens]
        return await asyncio.gather(*calls, return_exceptions=True)

    first_wave = await validate_all(flood())
    fetches_after_first_wave = server.requests_to(CERTS_PATH)
    monotonic.now += COOLDOWN
    second_wave = await validate_all(flood())
    for token in flood():
        await rejection(validator, token)

    for outcome in first_wave + second_wave:
        assert isinstance(outcome, TokenError)
        assert outcome.code == "token-key-unknown"
    assert fetches_after_first_wave == 1
    assert server.requests_to(CERTS_PATH) == 2


async def test_keycloak_down_is_unavailable(
    rsa_key: RSAKey, monotonic: FakeClock, claims: dict[str, Any]
) -> None:
    stopped = JwksServer([public_jwk(rsa_key)])
    stopped.close()
    jwks = JwksCache(stopped.issuer, monotonic=monotonic)
    validator = AccessTokenValidator(stopped.issuer, AUDIENCE, (CLIENT,), jwks, clock=lambda: NOW)

    with pytest.raises(KeycloakUnavailableError) as caught:
        await validator.validate(mint(rsa_key, claims, iss=stopped.issuer))

    error = caught.value
    assert isinstance(error, ServiceUnavailableError)
    assert not isinstance(error, TokenError)
    assert error.code == "keycloak-unavailable"
    assert f"signing keys of Keycloak realm {stopped.issuer} cannot be fetched" in error.message
    assert "ConnectError" in error.message


async def test_keycloak_error_retried_after_cooldown(
    server: JwksServer,
    validator: AccessTokenValidator,
    monotonic: FakeClock,
    rsa_key: RSAKey,
    claims: dict[str, Any],
) -> None:
    server.status = 500
    token = mint(rsa_key, claims)

    with pytest.raises(KeycloakUnavailableError, match="returned HTTP 500"):
        await validator.validate(token)
    with pytest.raises(KeycloakUnavailableError, match="returned HTTP 500"):
        await validator.validate(token)
    fetches_within_cooldown = server.requests_to(CERTS_PATH)
    server.status = 200
    monotonic.now += COOLDOWN
    result = await validator.validate(token)

    assert fetches_within_cooldown == 1
    assert result.subject == claims["sub"]
    assert server.requests_to(CERTS_PATH) == 2


async def test_cached_keys_outlive_failed_refresh(
    server: JwksServer,
    validator: AccessTokenValidator,
    monotonic: FakeClock,
    rsa_key: RSAKey,
    claims: dict[str, Any],
) -> None:
    token = mint(rsa_key, claims)
    await validator.validate(token)
    server.status = 503
    monotonic.now += CACHE_SECONDS

    stale = await validator.validate(token)
    monotonic.now = 1000.0 + MAX_STALE

    assert stale.subject == claims["sub"]
    assert server.requests_to(CERTS_PATH) == 2
    with pytest.raises(KeycloakUnavailableError, match="returned HTTP 503"):
        await validator.validate(token)


async def test_keycloak_slow_is_unavailable(
    server: JwksServer, monotonic: FakeClock, rsa_key: RSAKey, claims: dict[str, Any]
) -> None:
    server.delay_seconds = 1.0
    jwks = JwksCache(server.issuer, timeout_seconds=0.2, monotonic=monotonic)
    validator = AccessTokenValidator(server.issuer, AUDIENCE, (CLIENT,), jwks, clock=lambda: NOW)

    with pytest.raises(KeycloakUnavailableError) as caught:
        await validator.validate(mint(rsa_key, claims))

    assert "did not respond within 0.2 s" in caught.value.message


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"<html>login</html>", "is not JSON"),
        (b"[]", "JSON that is not an object"),
        (b'{"issuer": "x"}', "without a 'keys' array"),
        (json.dumps({"keys": [], "padding": "a" * 300_000}).encode(), "more than 262144 bytes"),
    ],
    ids=["html", "json-array", "no-keys", "oversized"],
)
async def test_jwks_body_invalid(
    server: JwksServer,
    validator: AccessTokenValidator,
    rsa_key: RSAKey,
    claims: dict[str, Any],
    body: bytes,
    problem: str,
) -> None:
    server.body = body

    with pytest.raises(KeycloakUnavailableError) as caught:
        await validator.validate(mint(rsa_key, claims))

    assert problem in caught.value.message


async def test_jwks_discovered_from_metadata(
    server: JwksServer, monotonic: FakeClock, rsa_key: RSAKey, claims: dict[str, Any]
) -> None:
    jwks = JwksCache(server.issuer, discover=True, monotonic=monotonic)
    validator = AccessTokenValidator(server.issuer, AUDIENCE, (CLIENT,), jwks, clock=lambda: NOW)

    result = await validator.validate(mint(rsa_key, claims))

    assert result.subject == claims["sub"]
    assert server.paths == [DISCOVERY_PATH, CERTS_PATH]


async def test_jwks_discovery_issuer_mismatch(
    server: JwksServer, monotonic: FakeClock, rsa_key: RSAKey, claims: dict[str, Any]
) -> None:
    server.discovered_issuer = "https://sso.example.eu/realms/eunice"
    jwks = JwksCache(server.issuer, discover=True, monotonic=monotonic)
    validator = AccessTokenValidator(server.issuer, AUDIENCE, (CLIENT,), jwks, clock=lambda: NOW)

    with pytest.raises(KeycloakUnavailableError) as caught:
        await validator.validate(mint(rsa_key, claims))

    assert "names issuer 'https://sso.example.eu/realms/eunice'" in caught.value.message
    assert server.requests_to(CERTS_PATH) == 0


# ID tokens of the web login


@pytest.fixture
def id_validator(server: JwksServer, jwks: JwksCache) -> IdTokenValidator:
    return IdTokenValidator(server.issuer, CLIENT, jwks, clock=lambda: NOW)


async def id_rejection(validator: IdTokenValidator, token: str) -> TokenError:
    with pytest.raises(TokenError) as caught:
        await validator.validate(token, nonce=NONCE)
    return caught.value


async def test_id_token_valid(
    server: JwksServer, id_validator: IdTokenValidator, rsa_key: RSAKey
) -> None:
    token = mint(rsa_key, id_claims(server.issuer))

    result = await id_validator.validate(token, nonce=NONCE)

    assert result.subject == "5b0c7c1e-3f5d-4c1e-9d51-1f1c0a2b3c4d"
    assert result.email == "ada@uni-a.example"
    assert result.name == "Ada Lovelace"
    assert result.organizations == ("uni-a", "uni-b")
    assert result.realm_roles == ("alliance-admin", "default-roles-eunice", "offline_access")
    assert result.session_id == "c1d2e3f4"


async def test_id_token_without_azp_single_audience(
    server: JwksServer, id_validator: IdTokenValidator, rsa_key: RSAKey
) -> None:
    token = mint(rsa_key, id_claims(server.issuer), azp=ABSENT)

    result = await id_validator.validate(token, nonce=NONCE)

    assert result.username == "ada"


@pytest.mark.parametrize(
    ("overrides", "code", "problem"),
    [
        ({"nonce": "n-other"}, "token-nonce-mismatch", "differs from this login's"),
        ({"nonce": ABSENT}, "token-nonce-mismatch", "has no nonce"),
        ({"aud": "other-app"}, "token-wrong-audience", "does not contain 'badgehub-web'"),
        ({"azp": "other-app"}, "token-wrong-audience", "azp is 'other-app'"),
        ({"aud": [CLIENT, "other-app"], "azp": ABSENT}, "token-wrong-audience", "but no azp"),
        ({"typ": "Bearer"}, "token-wrong-type", "It is an access token"),
        ({"typ": "Refresh"}, "token-wrong-type", "It is a refresh token"),
        ({"exp": NOW - 60}, "token-expired", "expired at"),
        ({"iss": "https://sso.example.eu/realms/eunice"}, "token-wrong-issuer", "issued by"),
    ],
    ids=[
        "wrong-nonce",
        "no-nonce",
        "wrong-audience",
        "wrong-azp",
        "several-audiences-without-azp",
        "access-token",
        "refresh-token",
        "expired",
        "wrong-issuer",
    ],
)
async def test_id_token_rejected(
    server: JwksServer,
    id_validator: IdTokenValidator,
    rsa_key: RSAKey,
    overrides: dict[str, Any],
    code: str,
    problem: str,
) -> None:
    error = await id_rejection(id_validator, mint(rsa_key, id_claims(server.issuer), **overrides))

    assert error.code == code
    assert error.status == 401
    assert problem in error.message


async def test_id_token_tampered_nonce(
    server: JwksServer, id_validator: IdTokenValidator, rsa_key: RSAKey
) -> None:
    header, _, signature = mint(rsa_key, id_claims(server.issuer), nonce="n-other").split(".")
    forged = f"{header}.{b64url_json(id_claims(server.issuer))}.{signature}"

    error = await id_rejection(id_validator, forged)

    assert error.code == "token-signature-invalid"
