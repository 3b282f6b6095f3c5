"""Tenant API tokens: bearer tokens that let a tenant's systems call the issuing API.

Only the SHA-256 of a token is stored; the token itself is shown once, at creation.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from hub.audit import record_event
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
