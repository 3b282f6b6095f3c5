"""Who is calling: a console session, a Keycloak bearer token, or a tenant API token.

``authenticate`` resolves the caller once per request and caches it on the connection state.
``authorize`` is the one guard every route runs, and the route's ``opt["access"]`` drives it.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from litestar.connection import ASGIConnection
from litestar.exceptions import ImproperlyConfiguredException
from litestar.handlers.base import BaseRouteHandler

from hub.auth import permissions
from hub.auth.tables import TenantRole, User, WebSession
from hub.errors import AuthenticationError, LoginRequiredError, PermissionDeniedError
from hub.settings import Settings
from tenants.auth import TOKEN_PREFIX, hash_token
from tenants.tables import ApiToken

SESSION_COOKIE = "badgehub_session"
# last_seen_at is written at most this often, so reading pages does not write on every request.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)

PrincipalKind = Literal["session", "bearer", "api-token"]


@dataclass(frozen=True)
class Principal:
    kind: PrincipalKind
    actor: str
    display_name: str
    user_id: int | None = None
    email: str | None = None
    is_alliance_admin: bool = False
    roles: Mapping[str, frozenset[str]] = field(default_factory=dict)
    session_id: int | None = None
    id_token: str | None = None

    def permissions_in(self, tenant_slug: str) -> frozenset[str]:
        if self.is_alliance_admin:
            return permissions.ALL_PERMISSIONS
        if self.kind == "api-token":
            return permissions.API_TOKEN_PERMISSIONS if tenant_slug in self.roles else frozenset()
        return permissions.permissions_of(self.roles.get(tenant_slug, frozenset()))

    def can(self, permission: str, tenant_slug: str | None) -> bool:
        if permission == permissions.ALLIANCE_MANAGE:
            return self.is_alliance_admin
        if tenant_slug is None:
            return self.is_alliance_admin
        return permission in self.permissions_in(tenant_slug)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def roles_of(user_id: int) -> dict[str, frozenset[str]]:
    rows = await TenantRole.select(TenantRole.role, TenantRole.tenant.slug).where(
        TenantRole.user == user_id
    )
    grouped: dict[str, set[str]] = {}
    for row in rows:
        grouped.setdefault(row["tenant.slug"], set()).add(row["role"])
    return {slug: frozenset(roles) for slug, roles in grouped.items()}


async def principal_for_user(user: User, **extra: Any) -> Principal:
    return Principal(
        kind=extra.pop("kind", "session"),
        actor=f"user:{user.subject}",
        display_name=user.name or user.email,
        user_id=user.id,
        email=user.email,
        is_alliance_admin=user.is_alliance_admin,
        roles=await roles_of(user.id),
        **extra,
    )


async def _from_session(token: str, settings: Settings) -> Principal | None:
    session = (
        await WebSession.objects().where(WebSession.token_sha256 == token_digest(token)).first()
    )
    if session is None:
        return None
    now = datetime.now(UTC)
    idle_limit = session.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    if now >= session.expires_at or now >= idle_limit:
        await WebSession.delete().where(WebSession.id == session.id)
        return None
    if now - session.last_seen_at >= LAST_SEEN_RESOLUTION:
        await WebSession.update({WebSession.last_seen_at: now}).where(WebSession.id == session.id)
    user = await User.objects().where(User.id == session.user).first()
    if user is None:
        return None
    return await principal_for_user(user, session_id=session.id, id_token=session.id_token)


async def _from_api_token(token: str) -> Principal:
    row = (
        await ApiToken.select(ApiToken.revoked_at, ApiToken.name, ApiToken.tenant.slug)
        .where(ApiToken.token_sha256 == hash_token(token))
        .first()
    )
    if row is None or row["revoked_at"] is not None:
        raise AuthenticationError(
            "the API token is unknown or revoked; create a new one with "
            "`badgehub token create --tenant SLUG`",
            code="invalid-token",
        )
    slug = row["tenant.slug"]
    return Principal(
        kind="api-token",
        actor=f"api-token:{slug}:{row['name']}",
        display_name=f"API token {row['name']} of {slug}",
        roles={slug: frozenset({"api-token"})},
    )


async def _from_bearer(token: str, connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    if token.startswith(TOKEN_PREFIX):
        return await _from_api_token(token)
    validator = getattr(connection.app.state, "access_token_validator", None)
    if validator is None:
        raise AuthenticationError(
            "this hub has no single sign-on configured, so only tenant API tokens (bh_…) are "
            "accepted; set HUB_KEYCLOAK_URL to accept Keycloak access tokens",
            code="invalid-token",
        )
    from hub.auth.users import record_user

    claims = await validator.validate(token)
    user = await record_user(claims, sync_memberships=False)
    principal = await principal_for_user(user, kind="bearer")
    organization_roles = {
        slug: principal.roles.get(slug, frozenset()) | {permissions.MEMBER_ROLE}
        for slug in claims.organizations
    }
    return Principal(
        kind="bearer",
        actor=principal.actor,
        display_name=principal.display_name,
        user_id=principal.user_id,
        email=principal.email,
        is_alliance_admin=principal.is_alliance_admin,
        roles={**principal.roles, **organization_roles},
    )


async def authenticate(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """Return the caller of this request, or None when anonymous; cached on the connection."""
    if "principal" in connection.scope.get("state", {}):
        cached: Principal | None = connection.scope["state"]["principal"]
        return cached
    principal: Principal | None = None
    header = connection.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError(
                "the Authorization header must be `Bearer <token>`", code="invalid-token"
            )
        principal = await _from_bearer(token.strip(), connection)
    elif _is_page(connection) and (cookie := connection.cookies.get(SESSION_COOKIE)):
        # Only pages honour the session cookie: the API is exempt from CSRF checks, so it must
        # not act on credentials that a browser attaches to cross-site requests by itself.
        principal = await _from_session(cookie, connection.app.state.settings)
    connection.scope.setdefault("state", {})["principal"] = principal
    return principal


def _is_page(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    return not connection.url.path.startswith("/api/")


async def authorize(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """Enforce the route's declared ``opt["access"]``; this guard runs on every route."""
    access = handler.opt.get("access")
    if access not in permissions.ACCESS_LEVELS:
        raise ImproperlyConfiguredException(
            f"route {handler.handler_name} declares access {access!r}; declare one of "
            f"{sorted(permissions.ACCESS_LEVELS)} in its opt"
        )
    if access == permissions.PUBLIC:
        return
    principal = await authenticate(connection)
    if principal is None:
        if _is_page(connection):
            raise LoginRequiredError("sign in to open this page")
        raise AuthenticationError(
            "this endpoint needs `Authorization: Bearer <token>`: a Keycloak access token for "
            "the hub, or a tenant API token",
            code="missing-token",
        )
    if access == permissions.SIGNED_IN:
        return
    slug = connection.path_params.get("slug")
    if not principal.can(access, slug):
        raise PermissionDeniedError(
            f"{principal.display_name} lacks permission {access!r}"
            + (f" in tenant {slug!r}" if slug else "")
            + "; ask a tenant admin for the role that grants it",
            code="permission-denied",
        )


def new_session_token() -> str:
    return secrets.token_urlsafe(32)
