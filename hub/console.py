"""The console: a dashboard per role and tenant membership management (server-rendered).

Every form posts back to the server and works without JavaScript; Litestar's CSRF middleware
checks each POST.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post, put
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from federation.memberships import suspending_alliances
from hub.auth import permissions, users
from hub.auth.onboarding import onboard_tenant
from hub.auth.principal import Principal, authenticate
from hub.pages import render
from hub.settings import Settings
from tenants.scope import TenantScope
from tenants.services import TenantCreate, get_tenant
from tenants.tables import Achievement, Award, Tenant


async def _viewer(request: Request[Any, Any, Any]) -> Principal:
    principal = await authenticate(request)
    assert principal is not None  # the route's access level requires a signed-in person
    return principal


async def _tenants_of(viewer: Principal) -> list[Tenant]:
    """List every tenant for alliance admins, and for others the tenants they belong to."""
    query = Tenant.objects().output(load_json=True).order_by(Tenant.kind).order_by(Tenant.slug)
    if not viewer.is_alliance_admin:
        query = query.where(Tenant.slug.is_in(list(viewer.roles) or [""]))
    return list(await query)


class ConsoleController(Controller):
    path = "/console"

    @get("/tenants/new", opt={"access": permissions.ALLIANCE_MANAGE})
    async def new_tenant(self, request: Request[Any, Any, Any]) -> Template:
        return await render(request, "console/tenant_new.html", result=None)

    @post("/tenants/new", opt={"access": permissions.ALLIANCE_MANAGE})
    async def create_tenant(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template:
        viewer = await _viewer(request)
        result = await onboard_tenant(
            settings,
            TenantCreate(
                slug=data.get("slug", "").strip(),
                name=data.get("name", "").strip(),
                name_en=data.get("name_en", "").strip() or data.get("name", "").strip(),
                country=data.get("country", "").strip().upper(),
                home_page=data.get("home_page", "").strip(),
                city=data.get("city", "").strip(),
                email_domain=data.get("email_domain", "").strip().lower(),
            ),
            actor=viewer.actor,
        )
        return await render(request, "console/tenant_new.html", result=result)

    @get("/", opt={"access": permissions.SIGNED_IN})
    async def dashboard(self, request: Request[Any, Any, Any]) -> Template:
        viewer = await _viewer(request)
        tenants = await _tenants_of(viewer)
        return await render(request, "console/dashboard.html", tenants=tenants)

    @get("/tenants/{slug:str}", opt={"access": "tenant:view"})
    async def tenant(self, request: Request[Any, Any, Any], slug: FromPath[str]) -> Template:
        tenant = await get_tenant(slug)
        scope = TenantScope(tenant)
        recent = await scope.awards().order_by(Award.issued_at, ascending=False).limit(10)
        return await render(
            request,
            "console/tenant.html",
            tenant=tenant,
            achievement_count=await Achievement.count().where(Achievement.tenant == tenant.id),
            award_count=await Award.count().where(Award.tenant == tenant.id),
            recent=recent,
            suspended_by=await suspending_alliances(tenant),
        )

    @get("/tenants/{slug:str}/members", opt={"access": "members:manage"})
    async def members(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        done: FromQuery[str | None] = None,
    ) -> Template:
        tenant = await get_tenant(slug)
        return await render(
            request,
            "console/members.html",
            tenant=tenant,
            members=await users.list_members(tenant),
            grantable=permissions.TENANT_ROLES,
            done=done if done in ("granted", "already", "revoked") else None,
        )

    @post("/tenants/{slug:str}/members", opt={"access": "members:manage"}, status_code=303)
    async def grant(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect:
        viewer = await _viewer(request)
        tenant = await get_tenant(slug)
        user = await users.find_user_by_email(data.get("email", ""))
        granted = await users.grant_role(tenant, user, data.get("role", ""), viewer.actor)
        outcome = "granted" if granted else "already"
        return Redirect(f"/console/tenants/{slug}/members?done={outcome}", status_code=303)

    @post(
        "/tenants/{slug:str}/members/{user_id:int}/revoke",
        opt={"access": "members:manage"},
        status_code=303,
    )
    async def revoke(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        user_id: FromPath[int],
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect:
        viewer = await _viewer(request)
        tenant = await get_tenant(slug)
        user = await users.get_user(user_id)
        await users.revoke_role(tenant, user, data.get("role", ""), viewer.actor)
        return Redirect(f"/console/tenants/{slug}/members?done=revoked", status_code=303)


def _member_out(member: users.MemberView) -> dict[str, Any]:
    return {
        "user_id": member.user_id,
        "email": member.email,
        "name": member.name,
        "roles": list(member.roles),
    }


class MembershipApiController(Controller):
    """Roles of people in a tenant, for scripts that have a Keycloak access token."""

    path = "/api/v1"
    tags = ["members"]

    @get("/me", opt={"access": permissions.SIGNED_IN})
    async def me(self, request: Request[Any, Any, Any]) -> dict[str, Any]:
        viewer = await _viewer(request)
        return {
            "name": viewer.display_name,
            "email": viewer.email,
            "alliance_admin": viewer.is_alliance_admin,
            "tenants": {slug: sorted(roles) for slug, roles in viewer.roles.items()},
        }

    @get("/tenants/{slug:str}/members", opt={"access": "members:manage"})
    async def list_members(self, slug: FromPath[str]) -> list[dict[str, Any]]:
        tenant = await get_tenant(slug)
        return [_member_out(member) for member in await users.list_members(tenant)]

    @put(
        "/tenants/{slug:str}/members/{user_id:int}/roles/{role:str}",
        opt={"access": "members:manage"},
    )
    async def grant_role(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        user_id: FromPath[int],
        role: FromPath[str],
    ) -> dict[str, Any]:
        viewer = await _viewer(request)
        tenant = await get_tenant(slug)
        granted = await users.grant_role(tenant, await users.get_user(user_id), role, viewer.actor)
        return {"granted": granted}

    @delete(
        "/tenants/{slug:str}/members/{user_id:int}/roles/{role:str}",
        opt={"access": "members:manage"},
        status_code=200,
    )
    async def revoke_role(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        user_id: FromPath[int],
        role: FromPath[str],
    ) -> dict[str, Any]:
        viewer = await _viewer(request)
        tenant = await get_tenant(slug)
        revoked = await users.revoke_role(tenant, await users.get_user(user_id), role, viewer.actor)
        return {"revoked": revoked}


ROUTES = [ConsoleController, MembershipApiController]
