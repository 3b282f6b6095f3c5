"""Member console pages for awarding alliance badges: the alliance is the creator, the member
the issuer. Only badges the member has the award right for are listed or accepted.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from federation.memberships import suspending_alliances
from hub.console_achievements import award_request
from hub.errors import HubError
from hub.pages import render
from hub.problems import status_for
from hub.settings import Settings
from tenants import services
from tenants.achievements import published_view
from tenants.controllers import actor_of
from tenants.scope import TenantScope
from tenants.tables import Achievement, Tenant

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


async def _owner(achievement: Achievement) -> Tenant:
    owner = await Tenant.objects().where(Tenant.id == achievement.tenant).first()
    assert owner is not None  # achievement.tenant is a foreign key
    return owner


class AllianceBadgeAwardController(Controller):
    path = "/console/tenants/{slug:str}/alliance-badges"
    opt = {"access": "award:issue"}

    @get("/")
    async def index(self, request: Request[Any, Any, Any], slug: FromPath[str]) -> Template:
        tenant = await services.get_tenant(slug)
        scope = TenantScope(tenant)
        ids = await scope.awardable_alliance_achievement_ids()
        rows = (
            await Achievement.objects()
            .output(load_json=True)
            .where(Achievement.id.is_in(list(ids) or [uuid.UUID(int=0)]))
            .order_by(Achievement.created_at)
        )
        badges = [row for row in rows if (view := published_view(row)) and not view.archived]
        owners = await Tenant.select(Tenant.id, Tenant.slug).where(
            Tenant.id.is_in([row.tenant for row in badges] or [0])
        )
        return await render(
            request,
            "console/alliance_badges.html",
            tenant=tenant,
            achievements=badges,
            owners={owner["id"]: owner["slug"] for owner in owners},
            suspended_by=await suspending_alliances(tenant),
        )

    @get("/{achievement_id:uuid}")
    async def detail(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        slug: FromPath[str],
        achievement_id: FromPath[uuid.UUID],
    ) -> Template:
        tenant = await services.get_tenant(slug)
        achievement = await TenantScope(tenant).get_awardable_achievement(achievement_id)
        return await self._page(request, settings, tenant, achievement)

    async def _page(
        self,
        request: Request[Any, Any, Any],
        settings: Settings,
        tenant: Tenant,
        achievement: Achievement,
        error: str | None = None,
        status_code: int = 200,
    ) -> Template:
        owner = await _owner(achievement)
        view = services.awardable_view(achievement)
        return await render(
            request,
            "console/alliance_badge.html",
            status_code=status_code,
            tenant=tenant,
            creator=owner,
            achievement=achievement,
            published=view,
            public_url=services.achievement_url(settings, owner.slug, achievement.id),
            submission=secrets.token_urlsafe(16),
            error=error,
        )

    @post("/{achievement_id:uuid}/award", status_code=303)
    async def award(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        slug: FromPath[str],
        achievement_id: FromPath[uuid.UUID],
        data: FormData,
    ) -> Redirect | Template:
        """Award the alliance badge as this member, and open the new credential's page."""
        tenant = await services.get_tenant(slug)
        scope = TenantScope(tenant)
        try:
            result = await services.award_achievement(
                settings, scope, award_request(achievement_id, data), await actor_of(request)
            )
        except HubError as error:
            achievement = await scope.get_awardable_achievement(achievement_id)
            return await self._page(
                request, settings, tenant, achievement, error.message, status_for(error)
            )
        return Redirect(f"/console/tenants/{slug}/awards/{result.award.id}", status_code=303)


ROUTES = [AllianceBadgeAwardController]
