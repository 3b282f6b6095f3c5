"""People and their tenant roles: recording sign-ins, granting and revoking roles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import structlog

from hub.audit import record_event
from hub.auth import permissions
from hub.auth.tables import TenantRole, User
from hub.errors import ConflictError, InvalidInputError, NotFoundError
from tenants.tables import Tenant

log = structlog.get_logger(__name__)


class IdentityClaims(Protocol):
    """Claims of a validated ID or access token that sign-in reads."""

    @property
    def subject(self) -> str: ...
    @property
    def email(self) -> str | None: ...
    @property
    def name(self) -> str | None: ...
    @property
    def realm_roles(self) -> tuple[str, ...]: ...
    @property
    def organizations(self) -> tuple[str, ...]: ...


async def record_user(claims: IdentityClaims, *, sync_memberships: bool) -> User:
    """Create or update the user behind ``claims``.

    The alliance-admin flag follows the token's realm roles on every call. With
    ``sync_memberships`` (interactive sign-in), ``member`` roles follow the organization claim:
    added for new organizations, removed for ones the person left. Granted roles stay.
    """
    now = datetime.now(UTC)
    is_admin = permissions.ALLIANCE_ADMIN_ROLE in claims.realm_roles
    user = await User.objects().where(User.subject == claims.subject).first()
    async with User._meta.db.transaction():
        if user is None:
            user = User(
                subject=claims.subject,
                email=(claims.email or "").lower(),
                name=claims.name or "",
                is_alliance_admin=is_admin,
                created_at=now,
                last_login_at=now if sync_memberships else None,
            )
            await user.save()
            log.info("user_recorded", user=user.id)
        else:
            user.email = (claims.email or user.email).lower()
            user.name = claims.name or user.name
            user.is_alliance_admin = is_admin
            if sync_memberships:
                user.last_login_at = now
            await user.save()
        if sync_memberships:
            await _sync_organization_memberships(user, claims.organizations)
    return user


async def _sync_organization_memberships(user: User, organizations: Iterable[str]) -> None:
    expected = set(organizations)
    tenants = {
        row["slug"]: row["id"]
        for row in await Tenant.select(Tenant.id, Tenant.slug).where(
            Tenant.slug.is_in(list(expected) or [""])
        )
    }
    current = {
        row["tenant.slug"]: row["id"]
        for row in await TenantRole.select(TenantRole.id, TenantRole.tenant.slug).where(
            TenantRole.user == user.id,
            TenantRole.role == permissions.MEMBER_ROLE,
            TenantRole.source == "organization",
        )
    }
    for slug in expected - current.keys():
        if slug in tenants:
            await _insert_role(user.id, tenants[slug], permissions.MEMBER_ROLE, "organization", "")
    for slug in current.keys() - expected:
        await TenantRole.delete().where(TenantRole.id == current[slug])


async def _insert_role(
    user_id: int, tenant_id: int, role: str, source: str, granted_by: str
) -> bool:
    """Insert one role; False when the user already had it."""
    inserted = await TenantRole.raw(
        'INSERT INTO tenant_role ("user", tenant, role, source, granted_by, created_at) '
        "VALUES ({}, {}, {}, {}, {}, {}) ON CONFLICT DO NOTHING RETURNING id",
        user_id,
        tenant_id,
        role,
        source,
        granted_by,
        datetime.now(UTC),
    )
    return bool(inserted)


def _require_grantable(role: str) -> None:
    if role not in permissions.TENANT_ROLES:
        raise InvalidInputError(
            f"role {role!r} cannot be granted; use one of {', '.join(permissions.TENANT_ROLES)}",
            code="invalid-role",
        )


async def find_user_by_email(email: str) -> User:
    from tenants.validation import normalise_email

    address = normalise_email(email)
    user = await User.objects().where(User.email == address).first()
    if user is None:
        raise NotFoundError(
            "no user with that e-mail address was found because they have not signed in yet; ask "
            "them to sign in once, "
            "then grant the role",
            code="user-not-found",
        )
    return user


async def grant_role(tenant: Tenant, user: User, role: str, actor: str) -> bool:
    """Grant ``role`` in ``tenant``; returns False when the user already held it."""
    _require_grantable(role)
    async with TenantRole._meta.db.transaction():
        inserted = await _insert_role(user.id, tenant.id, role, "granted", actor)
        if inserted:
            await record_event(
                "role:granted",
                actor=actor,
                tenant=tenant.slug,
                target=f"user:{user.id}",
                details={"role": role},
            )
    return inserted


async def revoke_role(tenant: Tenant, user: User, role: str, actor: str) -> bool:
    """Revoke ``role`` in ``tenant``; returns False when the user did not hold it.

    The last tenant administrator keeps the role, so a tenant never locks itself out.
    """
    _require_grantable(role)
    async with TenantRole._meta.db.transaction():
        if role == "tenant-admin":
            await _keep_one_admin(tenant, user)
        deleted = (
            await TenantRole.delete()
            .where(
                TenantRole.user == user.id, TenantRole.tenant == tenant.id, TenantRole.role == role
            )
            .returning(TenantRole.id)
        )
        if deleted:
            await record_event(
                "role:revoked",
                actor=actor,
                tenant=tenant.slug,
                target=f"user:{user.id}",
                details={"role": role},
            )
    return bool(deleted)


async def _keep_one_admin(tenant: Tenant, user: User) -> None:
    admins = (
        await TenantRole.select(TenantRole.user)
        .where(TenantRole.tenant == tenant.id, TenantRole.role == "tenant-admin")
        .lock_rows()
    )
    others = [row["user"] for row in admins if row["user"] != user.id]
    if admins and not others:
        raise ConflictError(
            f"this is the last tenant administrator of {tenant.slug!r}; grant the role to "
            "someone else first",
            code="last-tenant-admin",
        )


@dataclass(frozen=True)
class MemberView:
    user_id: int
    email: str
    name: str
    roles: tuple[str, ...]


async def list_members(tenant: Tenant) -> list[MemberView]:
    rows = (
        await TenantRole.select(
            TenantRole.user.id, TenantRole.user.email, TenantRole.user.name, TenantRole.role
        )
        .where(TenantRole.tenant == tenant.id)
        .order_by(TenantRole.user.email)
    )
    grouped: dict[int, MemberView] = {}
    for row in rows:
        user_id = row["user.id"]
        earlier = grouped.get(user_id)
        roles = (*earlier.roles, row["role"]) if earlier else (row["role"],)
        grouped[user_id] = MemberView(user_id, row["user.email"], row["user.name"], roles)
    return list(grouped.values())


# PostgreSQL ``integer`` ids; a larger number in a URL names no user rather than failing.
MAX_ID = 2**31 - 1


async def get_user(user_id: int) -> User:
    user = None
    if 0 < user_id <= MAX_ID:
        user = await User.objects().where(User.id == user_id).first()
    if user is None:
        raise NotFoundError(f"no user {user_id}", code="user-not-found")
    return user
