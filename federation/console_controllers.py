"""Federation console pages and their API: alliance badges and award rights, registry versions,
and alliance-wide statistics. Every route needs ``alliance:manage``.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from federation import award_rights, registry, registry_history, statistics
from federation.statistics_view import statistics_charts
from hub.auth import permissions
from hub.errors import InvalidInputError
from hub.pages import language_of, render
from hub.settings import Settings
from tenants import identity
from tenants.controllers import actor_of
from tenants.services import achievement_url

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
RIGHT_ACTIONS = {"grant": award_rights.grant_right, "revoke": award_rights.revoke_right}
RIGHT_DONE = {"grant": "granted", "revoke": "revoked"}
BADGES_DONE = ("granted", "revoked", "granted_all", "unchanged")


def _badge_out(settings: Settings, alliance_slug: str, badge: award_rights.AllianceBadge) -> Any:
    achievement = badge.achievement
    return {
        "id": str(achievement.id),
        "slug": achievement.slug,
        "name": achievement.name,
        "status": achievement.status,
        "creator": identity.tenant_did(settings, alliance_slug),
        "url": achievement_url(settings, alliance_slug, achievement.id),
        "award_rights": sorted(badge.holders),
    }


def _right_out(change: award_rights.RightChange) -> dict[str, Any]:
    return {
        "achievement_id": str(change.achievement.id),
        "member": change.member.slug,
        "held": change.held,
        "changed": change.changed,
    }


class FederationBadgesApiController(Controller):
    """Alliance badges and the members holding the right to award each, for scripts."""

    path = "/api/v1/federation/badges"
    tags = ["federation"]
    opt = {"access": permissions.ALLIANCE_MANAGE}

    @get("/")
    async def list_badges(self, settings: NamedDependency[Settings]) -> list[dict[str, Any]]:
        alliance = await registry.get_alliance()
        badges = await award_rights.alliance_badges(alliance)
        return [_badge_out(settings, alliance.slug, badge) for badge in badges]

    @put("/{achievement_id:uuid}/rights/{member:str}", status_code=200)
    async def grant(
        self, request: Request[Any, Any, Any], achievement_id: FromPath[uuid.UUID], member: str
    ) -> dict[str, Any]:
        """Grant a member the right to award an alliance badge; granting twice changes nothing."""
        alliance = await registry.get_alliance()
        actor = await actor_of(request)
        return _right_out(await award_rights.grant_right(alliance, achievement_id, member, actor))

    @delete("/{achievement_id:uuid}/rights/{member:str}", status_code=200)
    async def revoke(
        self, request: Request[Any, Any, Any], achievement_id: FromPath[uuid.UUID], member: str
    ) -> dict[str, Any]:
        """Withdraw the right; credentials issued earlier stay valid."""
        alliance = await registry.get_alliance()
        actor = await actor_of(request)
        return _right_out(await award_rights.revoke_right(alliance, achievement_id, member, actor))


class FederationBadgesConsoleController(Controller):
    """The matrix of alliance badges and members, with grant and revoke buttons in each cell."""

    path = award_rights.CONSOLE_PATH
    opt = {"access": permissions.ALLIANCE_MANAGE}

    @get("/")
    async def badges(
        self, request: Request[Any, Any, Any], done: FromQuery[str | None] = None
    ) -> Template:
        alliance = await registry.get_alliance()
        return await render(
            request,
            "console/federation_badges.html",
            alliance=alliance,
            badges=await award_rights.alliance_badges(alliance),
            memberships=await registry.memberships_of(alliance),
            done=done if done in BADGES_DONE else None,
            section="badges",
        )

    @post("/{achievement_id:uuid}/rights", status_code=303)
    async def change(
        self, request: Request[Any, Any, Any], achievement_id: FromPath[uuid.UUID], data: FormData
    ) -> Redirect:
        action = data.get("action", "")
        if action not in RIGHT_ACTIONS:
            raise InvalidInputError(
                f"unknown award right action {action!r}; use grant or revoke",
                code="unknown-award-right-action",
            )
        alliance = await registry.get_alliance()
        change = await RIGHT_ACTIONS[action](
            alliance, achievement_id, data.get("member", ""), await actor_of(request)
        )
        outcome = RIGHT_DONE[action] if change.changed else "unchanged"
        return Redirect(f"{award_rights.CONSOLE_PATH}?done={outcome}", status_code=303)

    @post("/{achievement_id:uuid}/rights/all", status_code=303)
    async def grant_all(
        self, request: Request[Any, Any, Any], achievement_id: FromPath[uuid.UUID]
    ) -> Redirect:
        alliance = await registry.get_alliance()
        changes = await award_rights.grant_to_all_members(
            alliance, achievement_id, await actor_of(request)
        )
        outcome = "granted_all" if any(change.changed for change in changes) else "unchanged"
        return Redirect(f"{award_rights.CONSOLE_PATH}?done={outcome}", status_code=303)


class RegistryVersionsConsoleController(Controller):
    """Every signed registry version with its changes, linking to each signed JSON."""

    path = "/console/federation/registry"
    opt = {"access": permissions.ALLIANCE_MANAGE}

    @get("/")
    async def versions(self, request: Request[Any, Any, Any]) -> Template:
        alliance = await registry.get_alliance()
        return await render(
            request,
            "console/federation_registry.html",
            alliance=alliance,
            versions=await registry_history.version_history(alliance),
            section="registry",
        )


class StatisticsController(Controller):
    """Credentials issued and revoked across the alliance, as charts with tables and as JSON."""

    opt = {"access": permissions.ALLIANCE_MANAGE}

    @get("/console/federation/statistics")
    async def page(self, request: Request[Any, Any, Any]) -> Template:
        alliance = await registry.get_alliance()
        numbers = await statistics.alliance_statistics(alliance)
        language = language_of(request)
        return await render(
            request,
            "console/federation_statistics.html",
            alliance=alliance,
            numbers=numbers,
            charts=statistics_charts(numbers, language),
            section="statistics",
        )

    @get("/api/v1/federation/statistics", tags=["federation"])
    async def api(self) -> dict[str, Any]:
        alliance = await registry.get_alliance()
        return (await statistics.alliance_statistics(alliance)).to_json()

    @get("/console/federation/statistics.json")
    async def download(self) -> Response[dict[str, Any]]:
        """Return the API's numbers to a signed-in console user, who has no API token."""
        alliance = await registry.get_alliance()
        numbers = (await statistics.alliance_statistics(alliance)).to_json()
        disposition = 'attachment; filename="alliance-statistics.json"'
        return Response(numbers, headers={"Content-Disposition": disposition})


ROUTES = [
    FederationBadgesApiController,
    FederationBadgesConsoleController,
    RegistryVersionsConsoleController,
    StatisticsController,
]
