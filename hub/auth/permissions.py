"""Roles and what they allow. Routes declare one access level in ``opt["access"]``.

Access levels:
- ``public``: anyone, signed in or not;
- ``signed-in``: any signed-in person (console session or bearer token);
- a permission such as ``award:issue``: checked against the caller's roles in the tenant named by
  the route's ``slug`` path parameter (alliance admins hold every permission in every tenant).
"""

from __future__ import annotations

from typing import Final

PUBLIC: Final = "public"
SIGNED_IN: Final = "signed-in"
# Alliance-wide administration (all tenants, the alliance itself): alliance admins only.
ALLIANCE_MANAGE: Final = "alliance:manage"

# Roles a person can hold in a tenant. ``member`` comes from the Keycloak organization claim and
# grants nothing in the console by itself; the others are granted by tenant or alliance admins.
TENANT_ROLES: Final = ("tenant-admin", "badge-editor", "badge-approver", "issuer")
MEMBER_ROLE: Final = "member"
ALLIANCE_ADMIN_ROLE: Final = "alliance-admin"

PERMISSIONS_BY_ROLE: Final[dict[str, frozenset[str]]] = {
    "tenant-admin": frozenset(
        {
            "tenant:view",
            "members:manage",
            "achievement:edit",
            "achievement:approve",
            "award:issue",
            "award:view",
        }
    ),
    "badge-editor": frozenset({"tenant:view", "achievement:edit"}),
    "badge-approver": frozenset({"tenant:view", "achievement:approve"}),
    "issuer": frozenset({"tenant:view", "award:issue", "award:view"}),
    MEMBER_ROLE: frozenset(),
}

# Permissions of a tenant API token (``bh_…``) in its own tenant: the issuing API and reading
# the tenant's achievements; never approving, and never managing people.
API_TOKEN_PERMISSIONS: Final = frozenset(
    {"tenant:view", "achievement:edit", "award:issue", "award:view"}
)

ALL_PERMISSIONS: Final = frozenset().union(*PERMISSIONS_BY_ROLE.values())

ACCESS_LEVELS: Final = frozenset({PUBLIC, SIGNED_IN, ALLIANCE_MANAGE, *ALL_PERMISSIONS})


def permissions_of(roles: frozenset[str]) -> frozenset[str]:
    return frozenset().union(*(PERMISSIONS_BY_ROLE.get(role, frozenset()) for role in roles))
