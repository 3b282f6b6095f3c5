"""Tenant API tokens: bearer tokens that let a tenant's systems call the issuing API.

Only the SHA-256 of a token is stored; the token itself is shown once, at creation.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from hub.audit import record_event
from hub.errors import AuthenticationError, PermissionDeniedError
from tenants.tables import ApiToken, Tenant

TOKEN_PREFIX = "bh_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def create_api_token(tenant: Tenant, name: str, actor: str) -> str:
    """Create a token for ``tenant`` and return it; it cannot be shown again."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with ApiToken._meta.db.transaction():
        await ApiToken(
            tenant=tenant.id,
            name=name,
            token_sha256=hash_token(token),
            created_at=datetime.now(UTC),
        ).save()
        await record_event(
            "api-token:created", actor=actor, tenant=tenant.slug, details={"name": name}
        )
    return token


def _bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    header = connection.headers.get("authorization")
    if not header:
        raise AuthenticationError(
            "missing Authorization header; send `Authorization: Bearer <token>` with a tenant "
            "API token (create one with `badgehub token create --tenant SLUG`)",
            code="missing-token",
        )
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError(
            "the Authorization header must be `Bearer <token>`", code="invalid-token"
        )
    return token.strip()


async def require_tenant_token(
    connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler
) -> None:
    """Guard: a valid, unrevoked API token of the tenant named in the path."""
    token = _bearer_token(connection)
    row = (
        await ApiToken.select(ApiToken.revoked_at, ApiToken.tenant.slug)
        .where(ApiToken.token_sha256 == hash_token(token))
        .first()
    )
    if row is None or row["revoked_at"] is not None:
        raise AuthenticationError(
            "the API token is unknown or revoked; create a new one with "
            "`badgehub token create --tenant SLUG`",
            code="invalid-token",
        )
    slug = connection.path_params.get("slug")
    if row["tenant.slug"] != slug:
        raise PermissionDeniedError(
            f"this API token belongs to tenant {row['tenant.slug']!r} and cannot act on "
            f"tenant {slug!r}",
            code="wrong-tenant",
        )
