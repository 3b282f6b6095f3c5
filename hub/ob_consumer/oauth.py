"""The OAuth 2.0 client side of the Open Badges 3.0 API (OB 3.0 §7).

Dynamic client registration follows RFC 7591 §3.1 without an initial access token. authlib
builds the authorization request with PKCE S256 (RFC 7636), redeems the code, refreshes and
revokes tokens (RFC 7009). Every request goes through the transport the caller passes, which
enforces the hub's outbound rules.
"""

from __future__ import annotations

import importlib.metadata
import time
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import structlog
from authlib.integrations.base_client import OAuthError

from hub.ob_consumer.discovery import (
    UPSERT_SCOPE,
    ServiceDescription,
    fetch_failure,
    host_label,
)
from hub.ob_consumer.errors import SendError
from hub.outbound import FetchError
from hub.settings import Settings

# authlib 1.9 warns at import that it prefers the httpx2 fork (see hub.auth.login). The filter
# goes after the first authlib import, because authlib.deprecate puts its own filter first.
warnings.filterwarnings("ignore", message="The httpx module is deprecated")
from authlib.integrations.httpx_client import AsyncOAuth2Client  # noqa: E402

log = structlog.get_logger(__name__)

CLIENT_NAME = "EUNICE Badge Hub"
# RFC 7591 §2: one identifier for this software, the same in every hub and every version.
SOFTWARE_ID = "6f3c2b0e-5d1a-4c8e-9a57-3e1f0b7d2c94"
CALLBACK_PATH = "/backpack/send/callback"
SUPPORTED_AUTH_METHODS = ("client_secret_basic", "client_secret_post", "none")
MAX_DETAIL_CHARS = 500


class TokenRejectedError(SendError):
    """The host's token endpoint responded with an error (an OAuth error or an HTTP status)."""


@dataclass(frozen=True)
class ClientCredentials:
    """This hub's client at a host, as its registration response names it (RFC 7591 §3.2.1)."""

    client_id: str
    client_secret: str | None
    token_endpoint_auth_method: str
    client_secret_expires_at: datetime | None = None


def redirect_uri(settings: Settings) -> str:
    return f"{settings.base_url}{CALLBACK_PATH}"


def registration_request(settings: Settings) -> dict[str, Any]:
    """Return the client metadata this hub registers with (RFC 7591 §2, OB 3.0 §7.1.1.2)."""
    home = f"{settings.base_url}/"
    # The hub has no logo, so logo_uri is left out; the other hosts show the client's name.
    return {
        "client_name": CLIENT_NAME,
        "client_uri": home,
        "tos_uri": settings.terms_of_service_url or f"{settings.base_url}/privacy#terms",
        "policy_uri": settings.privacy_policy_url or f"{settings.base_url}/privacy",
        "software_id": SOFTWARE_ID,
        "software_version": importlib.metadata.version("eunice-badge-hub"),
        "redirect_uris": [redirect_uri(settings)],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": UPSERT_SCOPE,
    }


async def register_client(
    transport: httpx.AsyncBaseTransport, settings: Settings, description: ServiceDescription
) -> ClientCredentials:
    """Register this hub as a client at the host; raise SendError when the host refuses."""
    host = host_label(description.discovery_url)
    async with _http_client(transport) as http:
        try:
            response = await http.post(
                description.registration_url,
                json=registration_request(settings),
                headers={"Accept": "application/json"},
            )
        except FetchError as error:
            raise fetch_failure(error, host) from None
    body = _json_object(response)
    if response.status_code not in (200, 201) or not isinstance(body.get("client_id"), str):
        detail = _oauth_error_text(body) or f"HTTP {response.status_code}"
        log.warning("ob_registration_rejected", host=host, status=response.status_code)
        raise SendError(
            "registration-rejected",
            f"{host} refused to register this hub as a client: {detail}",
            host=host,
            detail=detail,
        )
    return _client_credentials(body, host)


def oauth_client(
    transport: httpx.AsyncBaseTransport,
    settings: Settings,
    client: ClientCredentials,
    token: dict[str, Any] | None = None,
) -> AsyncOAuth2Client:
    """Return authlib's client for one host, sending through ``transport``."""
    return AsyncOAuth2Client(
        client_id=client.client_id,
        client_secret=client.client_secret,
        token_endpoint_auth_method=client.token_endpoint_auth_method,
        revocation_endpoint_auth_method=client.token_endpoint_auth_method,
        scope=UPSERT_SCOPE,
        redirect_uri=redirect_uri(settings),
        code_challenge_method="S256",
        # The token is used right after it is issued or refreshed, so a short-lived one (such
        # as 30 seconds) is still good. authlib's default leeway of 60 s would call it expired.
        leeway=0,
        token=token,
        transport=transport,
        follow_redirects=False,
        trust_env=False,
    )


def authorization_url(
    oauth: AsyncOAuth2Client, endpoint: str, state: str, code_verifier: str
) -> str:
    """Build the authorization request: response_type=code with a PKCE S256 challenge."""
    url, _ = oauth.create_authorization_url(endpoint, state=state, code_verifier=code_verifier)
    return str(url)


async def redeem_code(
    oauth: AsyncOAuth2Client, endpoint: str, code: str, code_verifier: str, host: str
) -> dict[str, Any]:
    """Exchange the authorization code and PKCE verifier for tokens (RFC 6749 §4.1.3)."""
    return await _token_request(
        host,
        oauth.fetch_token(
            endpoint,
            grant_type="authorization_code",
            code=code,
            code_verifier=code_verifier,
            scope=UPSERT_SCOPE,
        ),
    )


async def refresh_tokens(
    oauth: AsyncOAuth2Client, endpoint: str, refresh_token: str, host: str
) -> dict[str, Any]:
    """Get a new access token with the stored refresh token (RFC 6749 §6)."""
    return await _token_request(host, oauth.refresh_token(endpoint, refresh_token=refresh_token))


async def revoke_token(oauth: AsyncOAuth2Client, endpoint: str, token: str) -> bool:
    """Ask the host to revoke a refresh token (RFC 7009); return whether it responded 200."""
    try:
        response = await oauth.revoke_token(
            endpoint,
            token=token,
            token_type_hint="refresh_token",  # noqa: S106 - a hint name, not a secret
        )
    except FetchError as error:
        log.info("ob_token_revocation_failed", url=endpoint, code=error.code)
        return False
    return bool(response.status_code == 200)


async def _token_request(host: str, request: Any) -> dict[str, Any]:
    try:
        token: dict[str, Any] = await request
    except FetchError as error:
        raise fetch_failure(error, host) from None
    except OAuthError as error:
        detail = f"{error.error}: {error.description}" if error.description else str(error.error)
        raise _token_rejected(host, detail) from None
    except (httpx.HTTPStatusError, ValueError, RecursionError) as error:
        status = getattr(getattr(error, "response", None), "status_code", None)
        raise _token_rejected(host, f"HTTP {status}" if status else "no JSON token") from None
    except (TypeError, OverflowError):
        # authlib computes expires_at from expires_in with int(), which a list or 1e400 breaks.
        raise _token_rejected(host, "its expires_in or expires_at is not a number") from None
    if not isinstance(token.get("access_token"), str):
        raise _token_rejected(host, "the response has no access_token")
    token_type = token.get("token_type", "Bearer")
    # RFC 6750: the Open Badges API takes bearer tokens only; authlib signs no other type.
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise _token_rejected(host, f"its token_type {token_type!r} is not Bearer")
    expires_at = token.get("expires_at")
    if isinstance(expires_at, int) and expires_at <= time.time():
        raise _token_rejected(host, "the access token it issued has already expired")
    return token


def _token_rejected(host: str, detail: str) -> TokenRejectedError:
    log.warning("ob_token_rejected", host=host, error=detail[:80])
    return TokenRejectedError(
        "token-rejected",
        f"the token endpoint of {host} refused to issue a token: {detail}",
        host=host,
        detail=detail[:MAX_DETAIL_CHARS],
    )


def _client_credentials(body: dict[str, Any], host: str) -> ClientCredentials:
    method = body.get("token_endpoint_auth_method") or "client_secret_basic"
    secret = body.get("client_secret")
    if method not in SUPPORTED_AUTH_METHODS or (method != "none" and not isinstance(secret, str)):
        detail = f"token_endpoint_auth_method {method!r} with no usable client_secret"
        raise SendError(
            "registration-rejected",
            f"{host} registered this hub with {detail}",
            host=host,
            detail=detail,
        )
    return ClientCredentials(
        client_id=body["client_id"],
        client_secret=secret if isinstance(secret, str) else None,
        token_endpoint_auth_method=method,
        client_secret_expires_at=_secret_expiry(body.get("client_secret_expires_at")),
    )


def _secret_expiry(value: Any) -> datetime | None:
    """Return when the client secret expires, or None when it does not.

    RFC 7591 §3.2.1: 0 means that the secret does not expire. A time past year 9999 is read alike.
    """
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _http_client(transport: httpx.AsyncBaseTransport) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=transport, follow_redirects=False, trust_env=False)


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except (ValueError, RecursionError):
        return {}
    return body if isinstance(body, dict) else {}


def _oauth_error_text(body: dict[str, Any]) -> str:
    """Return an RFC 6749 §5.2 error and its description as one line, or an empty string."""
    error = body.get("error")
    if not isinstance(error, str):
        return ""
    description = body.get("error_description")
    text = f"{error}: {description}" if isinstance(description, str) and description else error
    return text[:MAX_DETAIL_CHARS]
