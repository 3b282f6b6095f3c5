"""Development sign-in: pick a seeded demo person instead of signing in through Keycloak.

Settings refuse ``HUB_DEV_LOGIN`` outside demo mode or on a non-loopback host, and the routes
check again that the request itself comes from a loopback address.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.auth import permissions
from hub.auth.tables import TenantRole, User
from hub.auth.users import grant_role, record_user
from hub.errors import NotFoundError
from tenants.seed_data import DEMO_PEOPLE, PersonSeed
from tenants.tables import Tenant

# Seed role names (short, for people writing seed data) and the hub's tenant roles.
SEED_ROLES = {
    "admin": "tenant-admin",
    "editor": "badge-editor",
    "approver": "badge-approver",
    "issuer": "issuer",
}


@dataclass(frozen=True)
class DemoClaims:
    subject: str
    email: str | None
    name: str | None
    realm_roles: tuple[str, ...]
    organizations: tuple[str, ...]


def demo_people() -> tuple[PersonSeed, ...]:
    return DEMO_PEOPLE


async def sign_in_demo_person(email: str) -> User:
    """Record the demo person with ``email`` and their seeded roles; return the user."""
    person = next((p for p in DEMO_PEOPLE if p.email == email), None)
    if person is None:
        raise NotFoundError(f"no demo person with address {email!r}", code="demo-user-not-found")
    claims = DemoClaims(
        subject=f"dev:{person.email}",
        email=person.email,
        name=f"{person.given_name} {person.family_name}",
        realm_roles=(permissions.ALLIANCE_ADMIN_ROLE,) if person.is_alliance_admin else (),
        organizations=(person.tenant_slug,),
    )
    user = await record_user(claims, sync_memberships=True)
    await apply_demo_roles(user)
    return user


async def apply_demo_roles(user: User) -> None:
    """Grant a demo person's seeded tenant roles; people not in the demo data get none.

    Demo mode only: it also runs after a Keycloak sign-in, whose development users share their
    e-mail addresses with the demo people.
    """
    person = next((p for p in DEMO_PEOPLE if p.email == user.email), None)
    if person is None or await TenantRole.exists().where(
        TenantRole.user == user.id, TenantRole.source == "granted"
    ):
        # Seeded roles are given once; roles revoked later in the console stay revoked.
        return
    tenant = await Tenant.objects().where(Tenant.slug == person.tenant_slug).first()
    if tenant is None:
        return
    for seed_role in person.tenant_roles:
        await grant_role(tenant, user, SEED_ROLES[seed_role], actor="demo-seed")
