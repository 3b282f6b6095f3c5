"""Web sign-in through Keycloak: OpenID Connect authorization code flow with PKCE.

OpenID Connect Core 1.0 §3.1 (authorization code flow) with RFC 7636 PKCE (S256). ``state``,
``nonce`` and the PKCE verifier travel in a short-lived cookie encrypted with a key derived from
the KEK, so no server state exists before sign-in. Sign-in always creates a new session token,
which rules out session fixation. Logout is OpenID Connect RP-Initiated Logout 1.0.
"""

from __future__ import annotations  # noqa: I001 - authlib is imported after its warning filter below

import base64
import hmac
import json
import os
import secrets
import time
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import structlog

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hub.auth.principal import new_session_token, token_digest
from hub.auth.tables import User, WebSession
from hub.errors import InvalidInputError, ServiceUnavailableError
from hub.settings import Settings

# authlib 1.9 warns at import that it prefers the httpx2 fork. The hub stays on httpx, which
# authlib still supports, so operators could not act on the warning.
warnings.filterwarnings("ignore", message="The httpx module is deprecated")
from authlib.integrations.httpx_client import AsyncOAuth2Client  # noqa: E402

log = structlog.get_logger(__name__)

LOGIN_COOKIE = "badgehub_login"
LOGIN_COOKIE_SECONDS = 600
# Keycloak 26 puts every organization of the person in the `organization` claim only for
# `organization:*`; plain `organization` makes a member of several organizations pick one.
SCOPES = "openid email profile organization:*"
DISCOVERY_TIMEOUT_SECONDS = 5.0


def derive_key(settings: Settings, purpose: bytes) -> bytes:
    """Derive a 256-bit key for one purpose from the KEK with HKDF-SHA256 (RFC 5869)."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"badgehub:" + purpose
    ).derive(settings.require_key_encryption_key())


NONCE_BYTES = 12


def seal_bytes(key: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
    """Encrypt with AES-256-GCM under a fresh random nonce, which prefixes the result."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated_data)


def open_bytes(key: bytes, sealed: bytes, associated_data: bytes) -> bytes:
    """Decrypt what :func:`seal_bytes` returned; raise InvalidTag for another key or data."""
    return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated_data)


@dataclass(frozen=True)
class LoginAttempt:
    state: str
    nonce: str
    code_verifier: str
    next_path: str
    expires: float

    @classmethod
    def start(cls, next_path: str) -> LoginAttempt:
        return cls(
            state=secrets.token_urlsafe(24),
            nonce=secrets.token_urlsafe(24),
            code_verifier=secrets.token_urlsafe(48),
            next_path=safe_next_path(next_path),
            expires=time.time() + LOGIN_COOKIE_SECONDS,
        )

    def seal(self, key: bytes) -> str:
        payload = json.dumps(self.__dict__).encode("utf-8")
        sealed = seal_bytes(key, payload, LOGIN_COOKIE.encode())
        return base64.urlsafe_b64encode(sealed).decode("ascii")

    @classmethod
    def unseal(cls, value: str | None, key: bytes) -> LoginAttempt:
        expired = InvalidInputError(
            "the sign-in expired or was started in another browser; start it again",
            code="login-expired",
        )
        if not value:
            raise expired
        try:
            sealed = base64.urlsafe_b64decode(value.encode("ascii"))
            payload = open_bytes(key, sealed, LOGIN_COOKIE.encode())
            attempt = cls(**json.loads(payload))
        except (ValueError, InvalidTag, TypeError):
            raise expired from None
        if attempt.expires < time.time():
            raise expired
        return attempt


def safe_next_path(value: str | None) -> str:
    """Only same-site paths: ``//evil.example`` and absolute URLs would be open redirects."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/console"
    return value


class OidcClient:
    """The hub as an OpenID Connect relying party of the alliance Keycloak."""

    def __init__(self, settings: Settings, id_token_validator: Any, access_validator: Any):
        issuer = settings.keycloak_issuer
        if issuer is None or settings.oidc_client_secret is None:
            raise ValueError("OidcClient needs HUB_KEYCLOAK_URL and HUB_OIDC_CLIENT_SECRET")
        self._settings = settings
        self._issuer = issuer
        self._metadata: dict[str, Any] | None = None
        self._id_tokens = id_token_validator
        self._access_tokens = access_validator
        self.redirect_uri = f"{settings.base_url}/auth/callback"

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            url = f"{self._issuer}/.well-known/openid-configuration"
            try:
                async with httpx.AsyncClient(timeout=DISCOVERY_TIMEOUT_SECONDS) as http:
                    response = await http.get(url)
                    response.raise_for_status()
            except httpx.HTTPError as error:
                raise ServiceUnavailableError(
                    f"Keycloak is unreachable ({type(error).__name__} on {url}); sign-in works "
                    "again once it answers",
                    code="keycloak-unavailable",
                ) from error
            self._metadata = response.json()
        return self._metadata

    async def authorization_url(self, attempt: LoginAttempt) -> str:
        endpoint = (await self.metadata())["authorization_endpoint"]
        query = {
            "response_type": "code",
            "client_id": self._settings.oidc_client_id,
            "redirect_uri": self.redirect_uri,
            "scope": SCOPES,
            "state": attempt.state,
            "nonce": attempt.nonce,
            "code_challenge": create_s256_code_challenge(attempt.code_verifier),
            "code_challenge_method": "S256",
        }
        return f"{endpoint}?{urlencode(query)}"

    async def finish(self, attempt: LoginAttempt, state: str, code: str) -> tuple[Any, str]:
        """Check ``state``, redeem ``code`` and validate both tokens; return claims, ID token."""
        if not hmac.compare_digest(attempt.state.encode(), state.encode()):
            raise InvalidInputError(
                "the sign-in response does not belong to this browser's sign-in (state mismatch); "
                "start it again",
                code="login-state-mismatch",
            )
        tokens = await self._redeem(attempt, code)
        identity = await self._id_tokens.validate(tokens["id_token"], nonce=attempt.nonce)
        access = await self._access_tokens.validate(tokens["access_token"])
        if identity.subject != access.subject:
            raise InvalidInputError(
                "Keycloak returned tokens for two different people; start the sign-in again",
                code="login-subject-mismatch",
            )
        return access, tokens["id_token"]

    async def _redeem(self, attempt: LoginAttempt, code: str) -> dict[str, Any]:
        endpoint = (await self.metadata())["token_endpoint"]
        client = AsyncOAuth2Client(
            client_id=self._settings.oidc_client_id,
            client_secret=self._settings.oidc_client_secret,
            token_endpoint_auth_method="client_secret_basic",  # noqa: S106 - a method name
            timeout=DISCOVERY_TIMEOUT_SECONDS,
        )
        async with client:
            try:
                token: dict[str, Any] = await client.fetch_token(
                    endpoint,
                    code=code,
                    redirect_uri=self.redirect_uri,
                    code_verifier=attempt.code_verifier,
                )
            except httpx.HTTPError as error:
                raise ServiceUnavailableError(
                    f"Keycloak is unreachable while redeeming the sign-in ({type(error).__name__})",
                    code="keycloak-unavailable",
                ) from error
            except Exception as error:  # authlib raises OAuthError subclasses with the reason
                log.warning("login_code_rejected", error=type(error).__name__)
                raise InvalidInputError(
                    f"Keycloak rejected the sign-in code ({error}); start the sign-in again",
                    code="login-code-rejected",
                ) from error
        return token

    async def logout_url(self, id_token: str | None) -> str:
        endpoint = (await self.metadata()).get("end_session_endpoint")
        if not endpoint:
            return "/"
        query = {
            "client_id": self._settings.oidc_client_id,
            "post_logout_redirect_uri": f"{self._settings.base_url}/",
        }
        if id_token:
            query["id_token_hint"] = id_token
        return f"{endpoint}?{urlencode(query)}"


async def open_session(settings: Settings, user: User, id_token: str | None) -> str:
    """Create a console session for ``user`` and return the cookie value."""
    token = new_session_token()
    now = datetime.now(UTC)
    await WebSession(
        token_sha256=token_digest(token),
        user=user.id,
        id_token=id_token,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=settings.session_max_hours),
    ).save()
    log.info("session_opened", user=user.id)
    return token


async def close_session(cookie: str | None) -> str | None:
    """Delete the session behind ``cookie``; returns its ID token for the logout hint."""
    if not cookie:
        return None
    rows = (
        await WebSession.delete()
        .where(WebSession.token_sha256 == token_digest(cookie))
        .returning(WebSession.id_token)
    )
    return rows[0]["id_token"] if rows else None
