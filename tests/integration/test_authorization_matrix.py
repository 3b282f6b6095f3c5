"""Authorization matrix generated from the app's route table.

Every route × every kind of caller × own tenant / other tenant is requested, and the outcome is
compared with the expectations below, written independently of the code under test. A route
without a declared access level, or with one this table does not know, fails the test.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from federation.award_rights import grant_right
from federation.memberships import add_member
from federation.tables import AwardRight, RegistryVersion
from hub.app import create_app
from hub.auth import login
from hub.auth.principal import SESSION_COOKIE
from hub.auth.tables import TenantRole, User
from hub.settings import Settings
from tenants.tables import Tenant
from tests.factories import make_achievement, make_tenant, make_token

pytestmark = pytest.mark.integration

OWN, OTHER = "uphf", "btu"
CALLERS = (
    "anonymous",
    "member",
    "issuer",
    "badge-editor",
    "badge-approver",
    "tenant-admin",
    "alliance-admin",
    "api-token",
)
EVERYONE = frozenset(CALLERS)

# Who may use a route of each access level in their own tenant. In another tenant only the
# alliance admin keeps tenant-scoped permissions.
EXPECTED_IN_OWN_TENANT: dict[str, frozenset[str]] = {
    "public": EVERYONE,
    "signed-in": EVERYONE - {"anonymous"},
    "tenant:view": frozenset(
        {"issuer", "badge-editor", "badge-approver", "tenant-admin", "alliance-admin", "api-token"}
    ),
    "members:manage": frozenset({"tenant-admin", "alliance-admin"}),
    "achievement:edit": frozenset({"badge-editor", "tenant-admin", "alliance-admin", "api-token"}),
    "achievement:approve": frozenset({"badge-approver", "tenant-admin", "alliance-admin"}),
    "award:issue": frozenset({"issuer", "tenant-admin", "alliance-admin", "api-token"}),
    "award:view": frozenset({"issuer", "tenant-admin", "alliance-admin", "api-token"}),
    "alliance:manage": frozenset({"alliance-admin"}),
}
TENANT_INDEPENDENT = ("public", "signed-in", "alliance:manage")

DESIGNER = "/console/tenants/{slug:str}/achievements/{achievement_id:uuid}"
# Routes whose access level is part of their contract, so that loosening one fails here: the
# audit log names people and internal reasons, and tenant API tokens must not read it. The
# badge designer replaces a badge's image, which only those who edit badges may do.
PINNED_ACCESS = {
    ("GET", "/console/tenants/{slug:str}/audit"): "members:manage",
    ("GET", "/console/tenants/{slug:str}/audit.csv"): "members:manage",
    ("GET", "/console/audit"): "alliance:manage",
    ("GET", "/console/audit.csv"): "alliance:manage",
    ("GET", "/api/v1/tenants/{slug:str}/audit"): "members:manage",
    ("GET", "/api/v1/tenants/{slug:str}/audit.csv"): "members:manage",
    ("GET", f"{DESIGNER}/design"): "achievement:edit",
    ("POST", f"{DESIGNER}/design/preview"): "achievement:edit",
    ("POST", f"{DESIGNER}/image"): "achievement:edit",
    ("GET", "/console/federation/badges"): "alliance:manage",
    ("POST", "/console/federation/badges/{achievement_id:uuid}/rights"): "alliance:manage",
    ("POST", "/console/federation/badges/{achievement_id:uuid}/rights/all"): "alliance:manage",
    ("GET", "/api/v1/federation/badges"): "alliance:manage",
    ("PUT", "/api/v1/federation/badges/{achievement_id:uuid}/rights/{member:str}"): (
        "alliance:manage"
    ),
    ("DELETE", "/api/v1/federation/badges/{achievement_id:uuid}/rights/{member:str}"): (
        "alliance:manage"
    ),
    ("GET", "/console/federation/registry"): "alliance:manage",
    ("GET", "/console/federation/statistics"): "alliance:manage",
    ("GET", "/api/v1/federation/statistics"): "alliance:manage",
    ("GET", "/console/tenants/{slug:str}/alliance-badges"): "award:issue",
    ("POST", "/console/tenants/{slug:str}/alliance-badges/{achievement_id:uuid}/award"): (
        "award:issue"
    ),
}

# Public to the hub's guard, these routes check their own OAuth access token (OpenID4VCI 1.0):
# an OAuth invalid_token response means the caller got past the guard to the route itself.
# The Open Badges API returns the same as an Imsx_StatusInfo body, and its token and
# revocation endpoints with invalid_client when the client does not authenticate.
OWN_BEARER_ROUTES = frozenset(
    {
        "/tenants/{slug:str}/oid4vci/credential",
        "/ims/ob/v3p0/credentials",
        "/ims/ob/v3p0/profile",
        "/oauth/token",
        "/oauth/revoke",
    }
)

# Signed-in routes about a person's own badges: an API token is signed in but is no person, so
# these routes reject it with 403.
PERSON_ONLY = frozenset(
    {
        ("GET", "/backpack"),
        ("POST", "/backpack/badges/{award_id:uuid}/visibility"),
        ("GET", "/backpack/import"),
        ("POST", "/backpack/import"),
        ("GET", "/backpack/imported/{badge_id:int}/credential"),
        ("POST", "/backpack/imported/{badge_id:int}/delete"),
        ("POST", "/oauth/authorize"),
        ("GET", "/backpack/applications"),
        ("POST", "/backpack/applications/{client_id:str}/revoke"),
        ("GET", "/backpack/badges/{award_id:uuid}/send"),
        ("POST", "/backpack/badges/{award_id:uuid}/send"),
        ("GET", "/backpack/imported/{badge_id:int}/send"),
        ("POST", "/backpack/imported/{badge_id:int}/send"),
        ("GET", "/backpack/send/callback"),
        ("POST", "/backpack/send/hosts/{grant_id:int}/forget"),
    }
)

PARAMETER = re.compile(r"\{(\w+):(\w+)\}")
SAMPLE_VALUES = {"uuid": str(uuid.UUID(int=1)), "int": "999999", "str": "issuer"}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    access: str | None
    name: str


def endpoints(app: Litestar) -> Iterator[Endpoint]:
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods):
                if method in ("HEAD", "OPTIONS"):
                    continue
                access = handler.opt.get("access")
                yield Endpoint(method, route.path, access, handler.handler_name)


def concrete_path(path_format: str, tenant: str) -> str:
    def value(match: re.Match[str]) -> str:
        name, kind = match.groups()
        if name == "slug":
            return tenant
        if kind == "path":
            return "/hub.css"
        return SAMPLE_VALUES[kind]

    return PARAMETER.sub(value, path_format)


@pytest.fixture
async def callers(db: str, settings: Settings) -> dict[str, dict[str, str]]:
    """How each kind of caller authenticates; roles are held in OWN only.

    Session callers carry a user id: every request opens a fresh session, because the logout
    route ends the session it is called with.
    """
    uphf = await make_tenant(settings, OWN)
    await make_tenant(settings, OTHER, country="DE")
    credentials: dict[str, dict[str, str]] = {"anonymous": {}}
    credentials["api-token"] = {"authorization": f"Bearer {await make_token(uphf)}"}
    for caller in CALLERS[1:-1]:
        user = User(
            subject=f"matrix:{caller}",
            email=f"{caller}@example.org",
            name=caller,
            is_alliance_admin=caller == "alliance-admin",
            created_at=uphf.created_at,
        )
        await user.save()
        if caller not in ("alliance-admin",):
            await TenantRole(
                user=user.id,
                tenant=uphf.id,
                role=caller,
                source="granted",
                created_at=uphf.created_at,
            ).save()
        credentials[caller] = {"user": str(user.id)}
    return credentials


async def send(
    client: httpx.AsyncClient,
    settings: Settings,
    endpoint: Endpoint,
    path: str,
    caller: dict[str, str],
) -> httpx.Response:
    cookies = {}
    headers = {"accept": "application/json"}
    if "user" in caller:
        user = await User.objects().where(User.id == int(caller["user"])).first()
        cookies[SESSION_COOKIE] = await login.open_session(settings, user, None)
    if "authorization" in caller:
        headers["authorization"] = caller["authorization"]
    client.cookies.clear()
    csrf = (await client.get("/health/live")).cookies.get("badgehub_csrf")
    if csrf is None:
        csrf = (await client.get("/tenants/uphf/did.json")).cookies.get("badgehub_csrf") or ""
    cookies["badgehub_csrf"] = csrf
    headers["x-csrf-token"] = csrf
    client.cookies.clear()
    headers["cookie"] = "; ".join(f"{key}={value}" for key, value in cookies.items())
    return await client.request(
        endpoint.method, path, headers=headers, json={} if endpoint.method != "GET" else None
    )


def denied(response: httpx.Response) -> bool:
    if response.status_code in (401, 403):
        return True
    location = response.headers.get("location", "")
    return response.status_code in (302, 303, 307) and location.startswith("/auth/login")


def _reached_own_bearer_check(endpoint: Endpoint, response: httpx.Response) -> bool:
    if endpoint.path not in OWN_BEARER_ROUTES or response.status_code != 401:
        return False
    body = response.json()
    return bool(
        body.get("error") in ("invalid_token", "invalid_client")
        or body.get("imsx_codeMajor") == "failure"
    )


async def test_every_route_declares_known_access(settings: Settings, db: str) -> None:
    app = create_app(settings, db)

    undeclared = [
        f"{endpoint.method} {endpoint.path} ({endpoint.name}): {endpoint.access!r}"
        for endpoint in endpoints(app)
        if endpoint.access not in EXPECTED_IN_OWN_TENANT
    ]

    assert undeclared == []


async def test_pinned_routes_keep_access(settings: Settings, db: str) -> None:
    app = create_app(settings, db)
    declared = {(endpoint.method, endpoint.path): endpoint.access for endpoint in endpoints(app)}

    for route, access in PINNED_ACCESS.items():
        assert declared.get(route) == access, route
    assert "api-token" not in EXPECTED_IN_OWN_TENANT["members:manage"]


async def test_authorization_matrix(
    settings: Settings, db: str, callers: dict[str, dict[str, str]]
) -> None:
    app = create_app(settings, db)
    transport = httpx.ASGITransport(app=app)
    mismatches = []
    checked = 0
    async with httpx.AsyncClient(transport=transport, base_url=settings.public_url) as client:
        for endpoint in endpoints(app):
            tenants = (OWN, OTHER) if "{slug:" in endpoint.path else (OWN,)
            for tenant in tenants:
                path = concrete_path(endpoint.path, tenant)
                for caller in CALLERS:
                    # The API ignores console session cookies, so a session caller is
                    # anonymous there.
                    acting_as = caller
                    if path.startswith("/api/") and "user" in callers[caller]:
                        acting_as = "anonymous"
                    allowed = acting_as in EXPECTED_IN_OWN_TENANT[endpoint.access or ""]
                    if tenant == OTHER and endpoint.access not in TENANT_INDEPENDENT:
                        allowed = allowed and acting_as == "alliance-admin"
                    if (endpoint.method, endpoint.path) in PERSON_ONLY:
                        allowed = allowed and acting_as != "api-token"
                    response = await send(client, settings, endpoint, path, callers[caller])
                    checked += 1
                    refused = denied(response) and not _reached_own_bearer_check(endpoint, response)
                    if refused == allowed or response.status_code == 500:
                        mismatches.append(
                            f"{endpoint.method} {path} as {caller}: {response.status_code}, "
                            f"expected {'allowed' if allowed else 'denied'}"
                        )

    assert mismatches == []
    assert checked > 200
    assert await Tenant.count() == 2


async def test_alliance_routes_with_an_alliance(
    settings: Settings, db: str, callers: dict[str, dict[str, str]]
) -> None:
    """The federation routes again, with an alliance present, so that allowed calls reach it."""
    alliance = await make_tenant(settings, "eunice", kind="alliance")
    await add_member(settings, alliance, OWN, "test")
    badge = await make_achievement(alliance, "i-support-eunice")
    await grant_right(alliance, badge.id, OWN, "test")
    routes = [
        ("GET", "/.well-known/eunice-registry.json", "public"),
        ("GET", "/federation/registry", "public"),
        ("GET", "/console/federation/members", "alliance:manage"),
        ("POST", "/console/federation/members/uphf/suspend", "alliance:manage"),
        ("GET", "/api/v1/federation/members", "alliance:manage"),
        ("POST", "/api/v1/federation/members/uphf/suspend", "alliance:manage"),
        ("POST", "/api/v1/federation/members", "alliance:manage"),
        ("GET", "/console/federation/peers", "alliance:manage"),
        ("POST", "/console/federation/peers", "alliance:manage"),
        ("POST", "/console/federation/peers/1/sync", "alliance:manage"),
        ("POST", "/console/federation/peers/1/remove", "alliance:manage"),
        ("GET", "/api/v1/federation/peers", "alliance:manage"),
        ("POST", "/api/v1/federation/peers", "alliance:manage"),
        ("POST", "/api/v1/federation/peers/1/sync", "alliance:manage"),
        ("DELETE", "/api/v1/federation/peers/1", "alliance:manage"),
        ("GET", "/console/federation/badges", "alliance:manage"),
        ("POST", f"/console/federation/badges/{badge.id}/rights", "alliance:manage"),
        ("POST", f"/console/federation/badges/{badge.id}/rights/all", "alliance:manage"),
        ("GET", "/api/v1/federation/badges", "alliance:manage"),
        ("PUT", f"/api/v1/federation/badges/{badge.id}/rights/uphf", "alliance:manage"),
        ("DELETE", f"/api/v1/federation/badges/{badge.id}/rights/uphf", "alliance:manage"),
        ("GET", "/console/federation/registry", "alliance:manage"),
        ("GET", "/console/federation/statistics", "alliance:manage"),
        ("GET", "/console/federation/statistics.json", "alliance:manage"),
        ("GET", "/api/v1/federation/statistics", "alliance:manage"),
        ("GET", "/console/tenants/uphf/alliance-badges", "award:issue"),
        ("GET", f"/console/tenants/uphf/alliance-badges/{badge.id}", "award:issue"),
    ]
    app = create_app(settings, db)
    transport = httpx.ASGITransport(app=app)
    mismatches = []
    async with httpx.AsyncClient(transport=transport, base_url=settings.public_url) as client:
        for method, path, access in routes:
            endpoint = Endpoint(method, path, access, path)
            for caller in CALLERS:
                acting_as = caller
                if path.startswith("/api/") and "user" in callers[caller]:
                    acting_as = "anonymous"
                allowed = acting_as in EXPECTED_IN_OWN_TENANT[access]
                response = await send(client, settings, endpoint, path, callers[caller])
                if denied(response) == allowed or response.status_code == 500:
                    mismatches.append(f"{method} {path} as {caller}: {response.status_code}")

    assert mismatches == []
    # Every body was empty, so no call changed a membership or signed a registry version, and
    # no session caller reached the award rights API (it takes bearer tokens only).
    assert await RegistryVersion.count() == 1
    assert await AwardRight.count() == 1


# Access levels that are part of a route's contract. The matrix above checks who gets in; this
# table fails when such a route disappears or its level changes.
CONTRACT_ACCESS = {
    ("GET", "/credentials/{award_id:uuid}/certificate.pdf"): "public",
    ("GET", "/credentials/{award_id:uuid}/badge.png"): "public",
    ("GET", "/credentials/{award_id:uuid}/badge.svg"): "public",
    ("GET", "/credentials/{award_id:uuid}/ob2"): "public",
    ("GET", "/credentials/{award_id:uuid}/ob2/badge"): "public",
    ("GET", "/credentials/{award_id:uuid}/ob2/issuer"): "public",
    ("GET", "/console/tenants/{slug:str}/certificate"): "members:manage",
    ("POST", "/console/tenants/{slug:str}/certificate"): "members:manage",
    ("GET", "/console/tenants/{slug:str}/certificate/preview.pdf"): "members:manage",
    # Wallets call these with the offer's own access token, not a hub session or API token;
    # only the earner may open an offer of a badge (test_oid4vci.py).
    ("GET", "/.well-known/openid-credential-issuer/tenants/{slug:str}"): "public",
    ("GET", "/.well-known/oauth-authorization-server/tenants/{slug:str}"): "public",
    ("POST", "/tenants/{slug:str}/oid4vci/token"): "public",
    ("POST", "/tenants/{slug:str}/oid4vci/nonce"): "public",
    ("POST", "/tenants/{slug:str}/oid4vci/credential"): "public",
    ("GET", "/credentials/{award_id:uuid}/wallet"): "signed-in",
    ("POST", "/credentials/{award_id:uuid}/wallet"): "signed-in",
    # Sending a badge to another Open Badges 3.0 host: only its holder may (test_ob_consumer.py).
    ("GET", "/backpack/badges/{award_id:uuid}/send"): "signed-in",
    ("POST", "/backpack/badges/{award_id:uuid}/send"): "signed-in",
    ("GET", "/backpack/imported/{badge_id:int}/send"): "signed-in",
    ("POST", "/backpack/imported/{badge_id:int}/send"): "signed-in",
    ("GET", "/backpack/send/callback"): "signed-in",
    ("POST", "/backpack/send/hosts/{grant_id:int}/forget"): "signed-in",
    # Open to the scraper; HUB_METRICS_TOKEN adds a bearer token check (test_metrics.py).
    ("GET", "/metrics"): "public",
}


async def test_contract_routes_keep_access(settings: Settings, db: str) -> None:
    app = create_app(settings, db)

    declared = {(endpoint.method, endpoint.path): endpoint.access for endpoint in endpoints(app)}

    assert {route: declared.get(route) for route in CONTRACT_ACCESS} == CONTRACT_ACCESS


# Peer hubs change which foreign badges this hub trusts, so only alliance admins reach them.
PEER_ROUTES = {
    ("GET", "/api/v1/federation/peers"): "alliance:manage",
    ("POST", "/api/v1/federation/peers"): "alliance:manage",
    ("DELETE", "/api/v1/federation/peers/{peer_id:int}"): "alliance:manage",
    ("POST", "/api/v1/federation/peers/{peer_id:int}/sync"): "alliance:manage",
    ("GET", "/console/federation/peers"): "alliance:manage",
    ("POST", "/console/federation/peers"): "alliance:manage",
    ("POST", "/console/federation/peers/{peer_id:int}/sync"): "alliance:manage",
    ("POST", "/console/federation/peers/{peer_id:int}/remove"): "alliance:manage",
}


async def test_peer_routes_need_alliance_manage(settings: Settings, db: str) -> None:
    app = create_app(settings, db)

    declared = {
        (endpoint.method, endpoint.path): endpoint.access
        for endpoint in endpoints(app)
        if "/federation/peers" in endpoint.path
    }

    assert declared == PEER_ROUTES


# Bulk awards: reading an upload needs award:view, anything that can issue needs award:issue.
BULK_AWARD_ROUTES = {
    ("POST", "/api/v1/tenants/{slug:str}/achievements/{achievement_id:uuid}/bulk-awards"): (
        "award:issue"
    ),
    ("GET", "/api/v1/tenants/{slug:str}/bulk-awards"): "award:view",
    ("GET", "/api/v1/tenants/{slug:str}/bulk-awards/{bulk_id:uuid}"): "award:view",
    ("POST", "/api/v1/tenants/{slug:str}/bulk-awards/{bulk_id:uuid}/start"): "award:issue",
    ("GET", "/api/v1/tenants/{slug:str}/bulk-awards/{bulk_id:uuid}/rows"): "award:view",
    ("GET", "/api/v1/tenants/{slug:str}/bulk-awards/{bulk_id:uuid}/errors.csv"): "award:view",
    ("GET", "/console/tenants/{slug:str}/bulk-awards"): "award:view",
    ("POST", "/console/tenants/{slug:str}/bulk-awards"): "award:issue",
    ("GET", "/console/tenants/{slug:str}/bulk-awards/{bulk_id:uuid}"): "award:view",
    ("POST", "/console/tenants/{slug:str}/bulk-awards/{bulk_id:uuid}/start"): "award:issue",
    ("GET", "/console/tenants/{slug:str}/bulk-awards/{bulk_id:uuid}/progress"): "award:view",
    ("GET", "/console/tenants/{slug:str}/bulk-awards/{bulk_id:uuid}/errors.csv"): "award:view",
}


async def test_bulk_award_routes_declare_award_permissions(settings: Settings, db: str) -> None:
    app = create_app(settings, db)

    declared = {
        (endpoint.method, endpoint.path): endpoint.access
        for endpoint in endpoints(app)
        if "bulk-awards" in endpoint.path
    }

    assert declared == BULK_AWARD_ROUTES
