"""Routes of the Open Badges 3.0 API: discovery, OAuth endpoints, credentials and profile.

The API endpoints authenticate with this package's own access tokens, never with sessions or
Keycloak tokens, so the hub's guard treats them as public and they carry no CSRF check. The
authorization page is the exception: the earner uses it in a browser, signed in, and its form
is protected against cross-site requests like every other page.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from authlib.oauth2.rfc6749 import scope_to_list
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc6750.errors import InsufficientScopeError
from authlib.oauth2.rfc6750.errors import InvalidTokenError as BearerInvalidTokenError
from litestar import Controller, Request, Response, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.types import ExceptionHandlersMap

from hub.audit import record_event
from hub.auth import permissions
from hub.auth.principal import authenticate
from hub.auth.tables import User
from hub.backpack.controllers import signed_in_user
from hub.errors import NotFoundError
from hub.obapi import discovery, resources
from hub.obapi.access import connected_applications, withdraw_access
from hub.obapi.imsx import API_PREFIX, ImsxError, handle_imsx_error
from hub.obapi.oauth import (
    HubAuthorizationServer,
    HubJsonRequest,
    HubOAuth2Request,
    OAuth2Error,
    OAuthResponse,
    in_thread,
    redirect_host,
    server_metadata,
)
from hub.obapi.scopes import (
    CREDENTIAL_READ,
    CREDENTIAL_UPSERT,
    PROFILE_READ,
    PROFILE_UPDATE,
    SCOPE_MESSAGE_KEYS,
)
from hub.obapi.store import RegisteredClient, find_token, load_client
from hub.obapi.tables import ObApiClient
from hub.pages import render
from hub.settings import Settings

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
OWN_BEARER = {"access": permissions.PUBLIC, "exclude_from_csrf": True}
# Registration needs no credential (OB 3.0 §7.1.1), so it is capped for the whole hub.
MAX_REGISTRATIONS_PER_HOUR = 100
# A registration request of the specification's example is under 1 KiB; this bounds what one
# anonymous request can store.
MAX_REGISTRATION_BYTES = 16 * 1024
# The authorization page carries the OAuth request in hidden fields; these are the page's own.
PAGE_FIELDS = ("decision", "_csrf_token")


def authorization_server(request: Request[Any, Any, Any]) -> HubAuthorizationServer:
    server: HubAuthorizationServer | None = getattr(request.app.state, "obapi_server", None)
    if server is None:
        server = HubAuthorizationServer(request.app.state.settings)
        request.app.state.obapi_server = server
    return server


async def _oauth_request(
    request: Request[Any, Any, Any], settings: Settings, *, with_form: bool
) -> HubOAuth2Request:
    query: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        query.setdefault(key, []).append(value)
    form: dict[str, list[str]] = {}
    if with_form:
        for key, value in (await request.form()).multi_items():
            if isinstance(value, str) and key not in PAGE_FIELDS:
                form.setdefault(key, []).append(value)
    uri = settings.base_url + request.url.path
    if request.url.query:
        uri += "?" + request.url.query
    return HubOAuth2Request(request.method, uri, request.headers, query, form)


def _to_response(result: OAuthResponse) -> Response[Any]:
    headers = dict(result.headers)
    if result.location is not None:
        return Redirect(result.location, status_code=302, headers=NO_STORE)
    body = result.body
    if isinstance(body, str):
        body = json.loads(body) if body else {}
    headers.pop("Content-Type", None)
    return Response(body, status_code=result.status, headers=headers, media_type="application/json")


class DiscoveryController(Controller):
    """The two public documents a client reads before it registers."""

    opt = {"access": permissions.PUBLIC}
    tags = ["open-badges-api"]

    @get(f"{API_PREFIX}/discovery")
    async def service_description(self, settings: NamedDependency[Settings]) -> Response[Any]:
        return Response(
            discovery.service_description(settings),
            headers={"Cache-Control": "public, max-age=300"},
        )

    @get("/.well-known/oauth-authorization-server")
    async def authorization_server_metadata(
        self, settings: NamedDependency[Settings]
    ) -> Response[Any]:
        return Response(server_metadata(settings), headers={"Cache-Control": "public, max-age=300"})


class OAuthController(Controller):
    """Client registration, authorization, token and revocation endpoints (OB 3.0 §7)."""

    path = "/oauth"
    opt = OWN_BEARER
    tags = ["open-badges-api"]

    @post("/register")
    async def register(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        raw = await request.body()
        if len(raw) > MAX_REGISTRATION_BYTES:
            return _registration_error(
                f"the client metadata is over {MAX_REGISTRATION_BYTES} bytes; send only the "
                "fields of RFC 7591 §2 that the client uses"
            )
        try:
            body = json.loads(raw or b"null")
        except (ValueError, RecursionError):
            body = None
        if not isinstance(body, dict) or not body:
            return _registration_error(
                "send the client metadata as one JSON object (RFC 7591 §2) with "
                "Content-Type: application/json"
            )
        if await recent_registrations() >= MAX_REGISTRATIONS_PER_HOUR:
            return Response(
                {
                    "error": "temporarily_unavailable",
                    "error_description": "too many clients registered in the last hour; "
                    "retry in an hour",
                },
                status_code=429,
                headers={**NO_STORE, "Retry-After": "3600"},
            )
        json_request = HubJsonRequest(
            request.method, settings.base_url + request.url.path, request.headers, body
        )
        server = authorization_server(request)
        result = await in_thread(
            lambda: server.create_endpoint_response("client_registration", json_request)
        )
        return _to_response(result)

    @get("/authorize", opt={"exclude_from_csrf": False})
    async def authorize_page(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        oauth_request = await _oauth_request(request, settings, with_form=False)
        server = authorization_server(request)
        user = await _signed_in_user(request)

        try:
            grant = await in_thread(lambda: server.get_consent_grant(oauth_request))
        except OAuth2Error as error:
            if error.redirect_uri and user is None:
                # RFC 9700 §4.11.2: anyone can register a client, so an error sent back before
                # the earner signs in would make this hub an open redirector to that client.
                return _sign_in_first(request)
            return await _authorization_error(request, server, oauth_request, error)
        if user is None:
            return _sign_in_first(request)

        client: RegisteredClient = grant.client
        # The requested scopes narrowed to those the client registered: what it will receive.
        scopes = scope_to_list(grant.request.scope)
        page = await render(
            request,
            "obapi/authorize.html",
            client=client,
            client_uri=_web_uri(client.metadata.get("client_uri")),
            policy_uri=_web_uri(client.metadata.get("policy_uri")),
            tos_uri=_web_uri(client.metadata.get("tos_uri")),
            scope_keys=[
                SCOPE_MESSAGE_KEYS[scope] for scope in scopes if scope in SCOPE_MESSAGE_KEYS
            ],
            fields=[(key, value) for key, value in request.query_params.multi_items()],
            redirect_host=redirect_host(grant.redirect_uri),
            person=user,
        )
        # The page must not be framed: a framing site could trick the earner into allowing.
        page.headers.update({**NO_STORE, "X-Frame-Options": "DENY"})
        return page

    @post("/authorize", opt={"access": permissions.SIGNED_IN, "exclude_from_csrf": False})
    async def authorize_decision(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        user = await _signed_in_user(request)
        if user is None:
            return await render(
                request,
                "obapi/authorize_error.html",
                status_code=403,
                reason_key="obapi.error.signed_out",
                detail="",
            )
        form = await request.form()
        allowed = form.get("decision") == "allow"
        oauth_request = await _oauth_request(request, settings, with_form=True)
        server = authorization_server(request)
        try:
            grant = await in_thread(lambda: server.get_consent_grant(oauth_request, end_user=user))
        except OAuth2Error as error:
            return await _authorization_error(request, server, oauth_request, error)
        result = await in_thread(
            lambda: server.create_authorization_response(
                oauth_request, grant_user=user if allowed else None, grant=grant
            )
        )
        if allowed and result.location and "code=" in result.location:
            await record_event(
                "application:authorized",
                actor=f"user:{user.subject}",
                target=grant.client.client_id,
                details={"client": grant.client.name, "scope": grant.request.payload.scope},
            )
        return _to_response(result)

    @post("/token")
    async def token(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        oauth_request = await _oauth_request(request, settings, with_form=True)
        server = authorization_server(request)
        return _to_response(await in_thread(lambda: server.create_token_response(oauth_request)))

    @post("/revoke")
    async def revoke(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        oauth_request = await _oauth_request(request, settings, with_form=True)
        server = authorization_server(request)
        result = await in_thread(
            lambda: server.create_endpoint_response("revocation", oauth_request)
        )
        return _to_response(result)


async def recent_registrations() -> int:
    since = datetime.now(UTC) - timedelta(hours=1)
    return int(await ObApiClient.count().where(ObApiClient.issued_at > since))


async def _signed_in_user(request: Request[Any, Any, Any]) -> User | None:
    viewer = await authenticate(request)
    if viewer is None or viewer.user_id is None or viewer.kind != "session":
        return None
    return await User.objects().where(User.id == viewer.user_id).first()


async def _authorization_error(
    request: Request[Any, Any, Any],
    server: HubAuthorizationServer,
    oauth_request: HubOAuth2Request,
    error: OAuth2Error,
) -> Response[Any]:
    """Send the error to the client when its redirect URI is known good, else show it here."""
    if error.redirect_uri:
        response = server.handle_error_response(oauth_request, error)
        server.issuer_parameter.add_issuer_parameter(server, response)
        return _to_response(response)
    page = await render(
        request,
        "obapi/authorize_error.html",
        status_code=400,
        reason_key="obapi.error.invalid_request",
        detail=f"{error.error}: {error.get_error_description() or ''}".rstrip(": "),
    )
    page.headers.update(NO_STORE)
    return page


def _sign_in_first(request: Request[Any, Any, Any]) -> Redirect:
    target = request.url.path + "?" + request.url.query
    return Redirect(f"/auth/login?{urlencode({'next': target})}", status_code=303)


def _registration_error(description: str) -> Response[Any]:
    return Response(
        {"error": "invalid_client_metadata", "error_description": description},
        status_code=400,
        headers=NO_STORE,
    )


def _web_uri(value: Any) -> str | None:
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else None


# --- Resource endpoints -----------------------------------------------------------------------


async def bearer_user(request: Request[Any, Any, Any], scope: str) -> tuple[User, str]:
    """Return the earner and the client's name behind the request's access token."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise ImsxError(
            401,
            "this endpoint needs `Authorization: Bearer <access token>` obtained through the "
            f"authorization code flow described at {API_PREFIX}/discovery",
            headers={"WWW-Authenticate": 'Bearer realm="badgehub"'},
        )
    token = await find_token(value.strip(), "access_token")
    if token is not None and token.matched != "access_token":
        token = None
    try:
        BearerTokenValidator(realm="badgehub").validate_token(token, [scope], None)
    except BearerInvalidTokenError:
        raise ImsxError(
            401,
            "the access token is unknown, expired or revoked; get a new one with the refresh "
            "token or authorize again",
            headers={"WWW-Authenticate": 'Bearer realm="badgehub", error="invalid_token"'},
        ) from None
    except InsufficientScopeError:
        raise ImsxError(
            403,
            f"the access token does not carry the scope {scope}; authorize again asking for it",
            headers={
                "WWW-Authenticate": f'Bearer realm="badgehub", error="insufficient_scope", '
                f'scope="{scope}"'
            },
        ) from None
    assert token is not None
    user = await User.objects().where(User.id == token.user_id).first()
    if user is None:
        raise ImsxError(401, "the account behind this access token no longer exists")
    return user, await _client_name(token.client_row)


async def _client_name(row_id: int) -> str:
    row = (
        await ObApiClient.select(ObApiClient.client_metadata)
        .where(ObApiClient.id == row_id)
        .first()
        .output(load_json=True)
    )
    return str((row or {}).get("client_metadata", {}).get("client_name") or "an application")


class CredentialsController(Controller):
    """getCredentials and upsertCredential (OB 3.0 §6.2.2 and §6.2.3)."""

    path = f"{API_PREFIX}/credentials"
    opt = OWN_BEARER
    tags = ["open-badges-api"]
    exception_handlers: ExceptionHandlersMap = {ImsxError: handle_imsx_error}

    @get("/")
    async def list_credentials(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        user, _ = await bearer_user(request, CREDENTIAL_READ)
        params = request.query_params
        since = params.get("since")
        query = resources.parse_page_query(params.get("limit"), params.get("offset"), since)
        page = await resources.credentials_page(user, query)
        headers = {
            **NO_STORE,
            "X-Total-Count": str(page.total),
            "Link": resources.link_header(settings.base_url + self.path, page, since),
        }
        return Response(page.body(), headers=headers, media_type="application/json")

    @post("/")
    async def upsert(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        user, client_name = await bearer_user(request, CREDENTIAL_UPSERT)
        media_type = request.content_type[0].lower()
        text, _ = resources.read_upsert_body(await request.body(), media_type)
        outcome = await resources.upsert_credential(settings, user, text, client_name)
        return Response(
            text.encode("utf-8"),
            status_code=201 if outcome.created else 200,
            media_type="text/plain" if media_type == "text/plain" else media_type,
            headers=NO_STORE,
        )


class ProfileController(Controller):
    """getProfile and putProfile (OB 3.0 §6.2.4 and §6.2.5)."""

    path = f"{API_PREFIX}/profile"
    opt = OWN_BEARER
    tags = ["open-badges-api"]
    exception_handlers: ExceptionHandlersMap = {ImsxError: handle_imsx_error}

    @get("/")
    async def read(self, request: Request[Any, Any, Any]) -> Response[Any]:
        user, _ = await bearer_user(request, PROFILE_READ)
        return Response(await resources.earner_profile(user), headers=NO_STORE)

    @put("/")
    async def replace(self, request: Request[Any, Any, Any]) -> Response[Any]:
        user, _ = await bearer_user(request, PROFILE_UPDATE)
        if request.content_type[0].lower() != "application/json":
            raise ImsxError(415, "send the Profile as application/json")
        try:
            data = json.loads(await request.body())
        except ValueError as error:
            raise ImsxError(400, f"the request body is not valid JSON: {error}") from None
        except RecursionError:
            raise ImsxError(400, "the request body is JSON nested too deeply") from None
        return Response(await resources.update_profile(user, data), headers=NO_STORE)


class PrivacyController(Controller):
    opt = {"access": permissions.PUBLIC}

    @get("/privacy")
    async def privacy(self, request: Request[Any, Any, Any]) -> Template:
        return await render(request, "privacy.html")


class ApplicationsController(Controller):
    """The earner's list of applications that hold tokens, and withdrawing their access."""

    path = "/backpack/applications"
    opt = {"access": permissions.SIGNED_IN}

    @get("/")
    async def page(self, request: Request[Any, Any, Any]) -> Template:
        user = await signed_in_user(request)
        # The query names the client by id, so the notice shows only a registered name.
        revoked = await load_client(request.query_params.get("revoked", "")[:64])
        return await render(
            request,
            "obapi/applications.html",
            applications=await connected_applications(user),
            revoked=revoked.name if revoked is not None else "",
        )

    @post("/{client_id:str}/revoke", status_code=303)
    async def revoke(self, request: Request[Any, Any, Any], client_id: FromPath[str]) -> Redirect:
        user = await signed_in_user(request)
        client = await load_client(client_id)
        if client is None:
            raise NotFoundError(
                f"no application {client_id!r} is registered; open Applications to see yours",
                code="application-not-found",
            )
        await withdraw_access(user, client)
        await record_event(
            "application:access-withdrawn",
            actor=f"user:{user.subject}",
            target=client.client_id,
            details={"client": client.name},
        )
        return Redirect(
            f"/backpack/applications?{urlencode({'revoked': client.client_id})}", status_code=303
        )


ROUTES = [
    DiscoveryController,
    OAuthController,
    CredentialsController,
    ProfileController,
    PrivacyController,
    ApplicationsController,
]
