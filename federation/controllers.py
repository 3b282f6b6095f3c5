"""HTTP routes of the trust registry: the signed JSON, its page, and membership administration.

The registry JSON is public and cacheable: its ``ETag`` is the version number, and a numbered
version never changes once signed. Changing a membership needs ``alliance:manage``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_304_NOT_MODIFIED

from federation import memberships, registry
from federation.registry import TrustRegistry
from federation.tables import RegistryVersion
from hub.auth import permissions
from hub.credentials.jsonld import bundled_contexts
from hub.errors import InvalidInputError, NotFoundError
from hub.pages import render
from hub.settings import Settings
from tenants import identity
from tenants.controllers import actor_of
from tenants.services import get_tenant
from tenants.tables import Tenant

# The VC Data Model 2.0 media type of a credential with an embedded proof.
VC_MEDIA_TYPE = "application/vc"
# Relying parties poll the latest version; a suspension reaches them within this many seconds.
LATEST_CACHE_SECONDS = 60
VERSION_FILE = re.compile(r"([1-9][0-9]{0,8})\.json")
ACTIONS = {"suspend": memberships.suspend_member, "reinstate": memberships.reinstate_member}
DONE = {"suspend": "suspended", "reinstate": "reinstated", "add": "added"}
# A logo is an SVG uploaded by a university; served alone, it must not run scripts.
LOGO_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "public, max-age=3600",
}


def _etag(row: RegistryVersion) -> str:
    return f'"v{row.version}"'


def _registry_response(
    request: Request[Any, Any, Any], row: RegistryVersion, cache_control: str
) -> Response[str]:
    """Return the exact signed text, or 304 when ``If-None-Match`` names this version."""
    headers = {
        "ETag": _etag(row),
        "Cache-Control": cache_control,
        "Access-Control-Allow-Origin": "*",
    }
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        if "*" in tags or _etag(row) in tags:
            return Response("", status_code=HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(row.document_text, media_type=VC_MEDIA_TYPE, headers=headers)


async def _latest_response(request: Request[Any, Any, Any]) -> Response[str]:
    row = await registry.require_latest_version(await registry.get_alliance())
    cache_control = f"public, max-age={LATEST_CACHE_SECONDS}, must-revalidate"
    return _registry_response(request, row, cache_control)


class RegistryController(Controller):
    """The signed registry and its human-readable page. Public: relying parties need no login."""

    path = "/"
    opt = {"access": permissions.PUBLIC}

    @get(registry.WELL_KNOWN_PATH, media_type=VC_MEDIA_TYPE)
    async def well_known(self, request: Request[Any, Any, Any]) -> Response[str]:
        return await _latest_response(request)

    @get("/federation/registry.json", media_type=VC_MEDIA_TYPE)
    async def latest(self, request: Request[Any, Any, Any]) -> Response[str]:
        return await _latest_response(request)

    @get("/federation/registry/versions/{file_name:str}", media_type=VC_MEDIA_TYPE)
    async def version(
        self, request: Request[Any, Any, Any], file_name: FromPath[str]
    ) -> Response[str]:
        match = VERSION_FILE.fullmatch(file_name)
        if match is None:
            raise NotFoundError(
                f"no registry version file {file_name!r}; versions are named like 1.json",
                code="registry-version-not-found",
            )
        row = await registry.get_version(await registry.get_alliance(), int(match.group(1)))
        return _registry_response(request, row, "public, max-age=31536000, immutable")

    @get("/federation/registry", media_type="text/html")
    async def page(self, request: Request[Any, Any, Any]) -> Template:
        alliance = await registry.get_alliance()
        row = await registry.require_latest_version(alliance)
        return await render(
            request,
            "federation/registry.html",
            alliance=alliance,
            registry=TrustRegistry.from_document(msgspec.json.decode(row.document_text)),
            row=row,
            versions=await registry.list_versions(alliance),
            json_url=registry.WELL_KNOWN_PATH,
        )

    @get(registry.CONTEXT_PATH, media_type="application/ld+json")
    async def context(self) -> Response[bytes]:
        bundled = bundled_contexts()[registry.REGISTRY_CONTEXT]
        return Response(
            msgspec.json.encode(bundled.document),
            media_type="application/ld+json",
            headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=86400"},
        )

    @get("/federation/members/{slug:str}/logo.svg", media_type="image/svg+xml")
    async def logo(self, slug: FromPath[str]) -> Response[str]:
        tenant = await get_tenant(slug)
        if not tenant.logo_svg:
            raise NotFoundError(f"tenant {slug!r} has no logo", code="logo-not-found")
        return Response(tenant.logo_svg, media_type="image/svg+xml", headers=LOGO_HEADERS)


class MemberIn(msgspec.Struct, forbid_unknown_fields=True):
    tenant: str
    member_since: date | None = None


class ReasonIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: str


def _membership_out(settings: Settings, change: memberships.MembershipChange) -> dict[str, Any]:
    return {
        "member": change.member.slug,
        "did": identity.tenant_did(settings, change.member.slug),
        "status": change.status,
        "member_since": change.member_since.isoformat(),
        "changed": change.changed,
        "registry_version": change.registry.version if change.registry else None,
    }


class MembershipApiController(Controller):
    """Alliance membership administration for scripts of alliance administrators."""

    path = "/api/v1/federation/members"
    tags = ["federation"]
    opt = {"access": permissions.ALLIANCE_MANAGE}

    @get("/")
    async def list_members(self, settings: NamedDependency[Settings]) -> list[dict[str, Any]]:
        rows = await registry.memberships_of(await registry.get_alliance())
        return [
            {
                "member": row.member.slug,
                "did": identity.tenant_did(settings, row.member.slug),
                "name": row.member.name,
                "status": row.status,
                "member_since": row.member_since.isoformat(),
            }
            for row in rows
        ]

    @post("/", status_code=201)
    async def add(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        data: JSONBody[MemberIn],
    ) -> dict[str, Any]:
        alliance = await registry.get_alliance()
        actor = await actor_of(request)
        change = await memberships.add_member(
            settings, alliance, data.tenant, actor, data.member_since
        )
        return _membership_out(settings, change)

    @post("/{member:str}/{action:str}", status_code=200)
    async def change(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        member: FromPath[str],
        action: FromPath[str],
        data: JSONBody[ReasonIn],
    ) -> dict[str, Any]:
        """Suspend or reinstate a member (``action`` is ``suspend`` or ``reinstate``)."""
        change = await _apply(request, settings, member, action, data.reason)
        return _membership_out(settings, change)


async def _apply(
    request: Request[Any, Any, Any], settings: Settings, member: str, action: str, reason: str
) -> memberships.MembershipChange:
    if action not in ACTIONS:
        raise NotFoundError(
            f"unknown membership action {action!r}; use {' or '.join(ACTIONS)}",
            code="unknown-membership-action",
        )
    alliance = await registry.get_alliance()
    return await ACTIONS[action](settings, alliance, member, reason, await actor_of(request))


class MembershipConsoleController(Controller):
    """The console page where alliance administrators add, suspend and reinstate members."""

    path = "/console/federation/members"
    opt = {"access": permissions.ALLIANCE_MANAGE}

    @get("/")
    async def members(
        self, request: Request[Any, Any, Any], done: FromQuery[str | None] = None
    ) -> Template:
        alliance = await registry.get_alliance()
        rows = await registry.memberships_of(alliance)
        member_ids = {row.member.id for row in rows}
        candidates = (
            await Tenant.objects()
            .where(Tenant.kind != "alliance", Tenant.id.not_in(list(member_ids) or [0]))
            .order_by(Tenant.slug)
        )
        return await render(
            request,
            "console/federation_members.html",
            alliance=alliance,
            memberships=rows,
            candidates=candidates,
            latest=await registry.latest_version(alliance),
            done=done if done in DONE.values() or done == "unchanged" else None,
            max_reason=memberships.MAX_REASON_LENGTH,
            section="members",
        )

    @post("/", status_code=303)
    async def add(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect:
        since = _parse_date(data.get("member_since", "").strip())
        await memberships.add_member(
            settings,
            await registry.get_alliance(),
            data.get("tenant", "").strip(),
            await actor_of(request),
            since,
        )
        return Redirect("/console/federation/members?done=added", status_code=303)

    @post("/{member:str}/{action:str}", status_code=303)
    async def change(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        member: FromPath[str],
        action: FromPath[str],
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect:
        change = await _apply(request, settings, member, action, data.get("reason", ""))
        outcome = DONE[action] if change.changed else "unchanged"
        return Redirect(f"/console/federation/members?done={outcome}", status_code=303)


def _parse_date(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise InvalidInputError(
            f"member_since {value!r} is not a date; write it as YYYY-MM-DD", code="invalid-date"
        ) from error


ROUTES = [RegistryController, MembershipApiController, MembershipConsoleController]
