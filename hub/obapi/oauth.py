"""The OAuth 2.0 authorization server of the Open Badges 3.0 API, built on authlib.

authlib's server classes are synchronous, and the hub's database is asynchronous. Each OAuth
request therefore runs in a worker thread (``anyio.to_thread``) and the storage callbacks that
authlib calls there run their queries back on the event loop (``anyio.from_thread``). The
endpoints are few and rarely called, so a thread per request costs nothing that matters.

Single use is enforced in the database, not in memory (see ``hub.obapi.store``). A code
presented twice revokes every token issued from it (RFC 6749 §4.1.2). A refresh token is
replaced at each use, and presenting a replaced one revokes every token of its grant too
(RFC 9700 §4.14.2).
"""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
import anyio.from_thread
import anyio.to_thread
import structlog
from authlib.oauth2 import AuthorizationServer, OAuth2Error
from authlib.oauth2.rfc6749 import (
    InvalidRequestError,
    InvalidScopeError,
    JsonPayload,
    JsonRequest,
    OAuth2Payload,
    OAuth2Request,
    grants,
    scope_to_list,
)
from authlib.oauth2.rfc6750 import BearerTokenGenerator, BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7591 import ClientRegistrationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc9207 import IssuerParameter

from hub.auth.tables import User
from hub.obapi.metadata import (
    AUTH_METHOD,
    GRANT_TYPES,
    OpenBadgesClientClaims,
    is_description_char,
    redirect_host,
)
from hub.obapi.scopes import OB_SCOPES, SUPPORTED_SCOPES
from hub.obapi.store import (
    RegisteredClient,
    StoredCode,
    StoredToken,
    find_code,
    find_token,
    load_client,
    load_user,
    revoke_grant,
    revoke_stored_token,
    save_client,
    save_code,
    store_token,
)
from hub.settings import Settings

log = structlog.get_logger(__name__)
# authlib logs issued tokens at debug level; keep them out of the hub's logs whatever the level.
logging.getLogger("authlib").setLevel(logging.WARNING)

ACCESS_TOKEN_SECONDS = 3600

T = TypeVar("T")


def _run(function: Callable[..., Awaitable[T]], *args: Any) -> T:
    """Run an async storage call on the event loop from authlib's worker thread."""
    return anyio.from_thread.run(function, *args)


# --- Requests: what authlib reads of a Litestar request -------------------------------------


class _Payload(OAuth2Payload):
    def __init__(self, values: Mapping[str, list[str]]) -> None:
        self._datalist = defaultdict(list, {key: list(items) for key, items in values.items()})
        self._data = {key: items[0] for key, items in values.items() if items}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class HubOAuth2Request(OAuth2Request):
    """An OAuth request read in full before it enters authlib's thread.

    ``uri`` is built from the hub's public URL, which is what clients see, so a TLS proxy in
    front of the hub does not make authlib think the request came over plain HTTP.
    """

    def __init__(
        self,
        method: str,
        uri: str,
        headers: Mapping[str, str],
        query: Mapping[str, list[str]],
        form: Mapping[str, list[str]],
    ) -> None:
        super().__init__(method=method, uri=uri, headers=headers)
        merged: dict[str, list[str]] = {key: list(values) for key, values in query.items()}
        for key, values in form.items():
            merged.setdefault(key, []).extend(values)
        self.payload = _Payload(merged)
        self._args = {key: values[0] for key, values in query.items() if values}
        self._form = {key: values[0] for key, values in form.items() if values}

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


class _JsonBody(JsonPayload):
    def __init__(self, body: Any) -> None:
        self._body = body

    @property
    def data(self) -> Any:
        return self._body


class HubJsonRequest(JsonRequest):
    def __init__(self, method: str, uri: str, headers: Mapping[str, str], body: Any) -> None:
        super().__init__(method, uri, headers)
        self.payload = _JsonBody(body)


@dataclass
class OAuthResponse:
    """authlib's (status, body, headers); extensions may rewrite the redirect location."""

    status: int
    body: Any
    headers: list[tuple[str, str]]

    @property
    def location(self) -> str | None:
        return next((value for name, value in self.headers if name.lower() == "location"), None)

    @location.setter
    def location(self, value: str) -> None:
        others = [(name, item) for name, item in self.headers if name.lower() != "location"]
        self.headers = [*others, ("Location", value)]


class HubIssuerParameter(IssuerParameter):
    """RFC 9207: every authorization response names this hub in ``iss``.

    A client that uses several authorization servers can then check which one responded (mix-up
    attacks, RFC 9700 §4.4).
    """

    def __init__(self, issuer: str) -> None:
        self.issuer = issuer

    def get_issuer(self) -> str:
        return self.issuer


# --- authlib grants and endpoints -----------------------------------------------------------


class S256CodeChallenge(CodeChallenge):
    """PKCE as the Open Badges API requires it: a challenge on every request, S256 only."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError(
                "'code_challenge' is missing; the Open Badges API requires PKCE (RFC 7636) "
                "with code_challenge_method=S256"
            )
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError(
                "'code_challenge_method' must be S256; plain challenges are not accepted"
            )
        super().validate_code_challenge(grant, redirect_uri)


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = [AUTH_METHOD]

    def save_authorization_code(self, code: str, request: HubOAuth2Request) -> None:
        # authlib narrowed the requested scope to the client's registered scope in request.scope.
        scope = getattr(request, "scope", None) or ""
        _run(save_code, request.client, request.user, code, request.payload, scope)

    def validate_requested_scope(self) -> None:
        """Reject a request for none of the client's registered scopes instead of granting none."""
        super().validate_requested_scope()
        client: RegisteredClient = self.request.client
        allowed = scope_to_list(client.get_allowed_scope(self.request.payload.scope))
        if not set(allowed) & set(OB_SCOPES):
            registered = client.metadata.get("scope") or ""
            raise InvalidScopeError(
                f"this client registered only the scopes {registered!r}; ask for one of them, "
                "or register again with the scopes it needs"
            )

    def query_authorization_code(self, code: str, client: RegisteredClient) -> StoredCode | None:
        return _run(find_code, code, client)

    def delete_authorization_code(self, authorization_code: StoredCode) -> None:
        """Nothing to do: storing the tokens marked the code used, and replays must find it."""

    def authenticate_user(self, authorization_code: StoredCode) -> User | None:
        return _run(load_user, authorization_code.user_id)


class RefreshGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = [AUTH_METHOD]
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> StoredToken | None:
        token = _run(find_token, refresh_token, "refresh_token")
        if token is None or token.matched != "refresh_token":
            return None
        if token.is_revoked():
            # RFC 9700 §4.14.2: a replaced refresh token presented again means that the client
            # or an attacker has a stolen copy, so the token that replaced it is revoked too.
            revoked = _run(revoke_grant, token.grant_sha256)
            log.warning(
                "obapi_refresh_token_replayed",
                client_row=token.client_row,
                token_row=token.row_id,
                revoked=revoked,
            )
            return None
        if token.is_expired():
            return None
        return token

    def authenticate_user(self, refresh_token: StoredToken) -> User | None:
        return _run(load_user, refresh_token.user_id)

    def revoke_old_credential(self, refresh_token: StoredToken) -> None:
        """Nothing to do: storing the new tokens revoked the old refresh token."""


class Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = [AUTH_METHOD]

    def check_params(self, request: HubOAuth2Request, client: RegisteredClient) -> None:
        """Require ``token``; an unknown ``token_type_hint`` is ignored (RFC 7009 §2.2)."""
        if not request.form.get("token"):
            raise InvalidRequestError("'token' is missing: send the token to revoke")

    def query_token(self, token_string: str, token_type_hint: str | None) -> StoredToken | None:
        return _run(find_token, token_string, token_type_hint)

    def revoke_token(self, token: StoredToken, request: HubOAuth2Request) -> None:
        _run(revoke_stored_token, token)


class Registration(ClientRegistrationEndpoint):
    """Open registration: the Open Badges API registers clients without an initial token."""

    def __init__(self, server: Any, metadata: dict[str, Any]) -> None:
        super().__init__(server, claims_classes=[OpenBadgesClientClaims])
        self._metadata = metadata

    def authenticate_token(self, request: Any) -> bool:
        return True

    def get_server_metadata(self) -> dict[str, Any]:
        return self._metadata

    def generate_client_id(self, request: Any) -> str:
        return secrets.token_urlsafe(24)

    def generate_client_secret(self, request: Any) -> str:
        return secrets.token_urlsafe(32)

    def save_client(
        self, client_info: dict[str, Any], client_metadata: dict[str, Any], request: Any
    ) -> RegisteredClient:
        client_metadata.setdefault("token_endpoint_auth_method", AUTH_METHOD)
        client_metadata.setdefault("grant_types", list(GRANT_TYPES))
        client_metadata.setdefault("response_types", ["code"])
        return _run(save_client, client_info, client_metadata)


class HubAuthorizationServer(AuthorizationServer):
    """authlib's server with the hub's storage; every call must run in a worker thread."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(scopes_supported=list(SUPPORTED_SCOPES))
        self.settings = settings
        self.register_token_generator(
            "default",
            BearerTokenGenerator(
                access_token_generator=lambda **_: secrets.token_urlsafe(32),
                refresh_token_generator=lambda **_: secrets.token_urlsafe(48),
                expires_generator=lambda client, grant_type: ACCESS_TOKEN_SECONDS,
            ),
        )
        self.register_grant(CodeGrant, [S256CodeChallenge(required=True)])
        self.register_grant(RefreshGrant)
        self.register_endpoint(Revocation)
        self.register_endpoint(Registration(self, server_metadata(settings)))
        self.issuer_parameter = HubIssuerParameter(settings.base_url)
        self.register_extension(self.issuer_parameter)

    def query_client(self, client_id: str) -> RegisteredClient | None:
        if not client_id or len(client_id) > 64:
            return None
        return _run(load_client, client_id)

    def save_token(self, token: dict[str, Any], request: HubOAuth2Request) -> None:
        _run(store_token, token, request)

    def get_authorization_grant(self, request: HubOAuth2Request) -> Any:
        # authlib copies response_type, and a redirect_uri the client never registered, into
        # error_description and raises ValueError when they hold characters RFC 6749 forbids
        # there. A URI or a response type never contains them, so refuse the request first.
        for name in ("response_type", "redirect_uri"):
            value = request.payload.data.get(name)
            if value and not all(is_description_char(char) for char in value):
                raise InvalidRequestError(
                    f"'{name}' may contain only printable ASCII characters other than quotes "
                    "and backslashes"
                )
        return super().get_authorization_grant(request)

    def validate_requested_scope(self, scope: str | None) -> None:
        if not scope or not set(scope_to_list(scope)) & set(OB_SCOPES):
            raise InvalidScopeError(
                "ask for at least one Open Badges scope: " + ", ".join(OB_SCOPES)
            )
        super().validate_requested_scope(scope)

    def create_oauth2_request(self, request: Any) -> HubOAuth2Request:
        assert isinstance(request, HubOAuth2Request)
        return request

    def create_json_request(self, request: Any) -> HubJsonRequest:
        assert isinstance(request, HubJsonRequest)
        return request

    def handle_response(self, status: int, body: Any, headers: Any) -> OAuthResponse:
        return OAuthResponse(status, body, list(headers or []))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """authlib's signals are for framework integrations; the hub logs in the callbacks."""


def server_metadata(settings: Settings) -> dict[str, Any]:
    """RFC 8414 authorization server metadata; the registration endpoint validates against it."""
    base = settings.base_url
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/oauth/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "registration_endpoint": f"{base}/oauth/register",
        "revocation_endpoint": f"{base}/oauth/revoke",
        "scopes_supported": list(SUPPORTED_SCOPES),
        "response_types_supported": ["code"],
        "grant_types_supported": list(GRANT_TYPES),
        "token_endpoint_auth_methods_supported": [AUTH_METHOD],
        "revocation_endpoint_auth_methods_supported": [AUTH_METHOD],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": True,
        "service_documentation": f"{base}/ims/ob/v3p0/discovery",
    }


async def in_thread(function: Callable[[], T]) -> T:
    """Run a call into authlib in a worker thread, where its storage callbacks may block."""
    return await anyio.to_thread.run_sync(function)


__all__ = [
    "BearerTokenValidator",
    "HubAuthorizationServer",
    "HubJsonRequest",
    "HubOAuth2Request",
    "OAuth2Error",
    "OAuthResponse",
    "in_thread",
    "redirect_host",
    "server_metadata",
]
