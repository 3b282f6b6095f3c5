"""HTTP routes of revocation and suspension: published status lists, the API and the console.

The status lists are public and cacheable (RFC 9110 §13 conditional requests with ``ETag`` and
``Last-Modified``). Changing a status needs ``award:issue`` in the tenant; seeing it needs
``award:view``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_304_NOT_MODIFIED

from hub.auth.principal import authenticate
from hub.errors import NotFoundError
from hub.pages import render
from hub.settings import Settings
from tenants import services, status, status_publishing
from tenants.controllers import actor_of
from tenants.scope import TenantScope
from tenants.status_publishing import CACHE_SECONDS, PublishedList

# The VC Data Model 2.0 media type of a credential with an embedded proof, which the "Media Types"
# section of Bitstring Status List v1.0 gives as an example for status list credentials.
VC_MEDIA_TYPE = "application/vc"
# Browser-based verifiers and wallets on other origins read the lists too.
PUBLIC_HEADERS = {
    "Cache-Control": f"public, max-age={CACHE_SECONDS}",
    "Access-Control-Allow-Origin": "*",
}
CHANGES = {"revoke": status.revoke, "suspend": status.suspend, "reinstate": status.reinstate}
DONE = {"revoke": "revoked", "suspend": "suspended", "reinstate": "reinstated"}


class ReasonIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: str


def _cache_headers(published: PublishedList) -> dict[str, str]:
    return {
        **PUBLIC_HEADERS,
        "ETag": published.etag,
        "Last-Modified": format_datetime(published.last_modified, usegmt=True),
    }


def _is_not_modified(request: Request[Any, Any, Any], published: PublishedList) -> bool:
    """Apply If-None-Match, or else If-Modified-Since (RFC 9110 §13.2.2)."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or published.etag in tags
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since is None:
        return False
    try:
        since: datetime = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    return since.tzinfo is not None and published.last_modified <= since


class StatusListController(Controller):
    """A tenant's published status lists. Public: verifiers fetch them without credentials."""

    path = "/tenants/{slug:str}"

    @get(
        "/status/{purpose:str}/{number:int}",
        media_type=VC_MEDIA_TYPE,
        opt={"access": "public"},
    )
    async def status_list(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        purpose: FromPath[str],
        number: FromPath[int],
        settings: NamedDependency[Settings],
    ) -> Response[str]:
        tenant = await services.get_tenant(slug)
        published = await status_publishing.published_status_list(settings, tenant, purpose, number)
        headers = _cache_headers(published)
        if _is_not_modified(request, published):
            return Response("", status_code=HTTP_304_NOT_MODIFIED, headers=headers)
        return Response(published.text, media_type=VC_MEDIA_TYPE, headers=headers)

    @get("/revocation-list", media_type="application/json", opt={"access": "public"})
    async def revocation_list(
        self, slug: FromPath[str], settings: NamedDependency[Settings]
    ) -> Response[dict[str, Any]]:
        tenant = await services.get_tenant(slug)
        document = await status_publishing.revocation_list(settings, tenant)
        return Response(document, headers=PUBLIC_HEADERS)


def _status_out(award_id: uuid.UUID, change: status.StatusChange) -> dict[str, Any]:
    return {"award_id": str(award_id), **change.view.to_json(), "changed": change.changed}


class AwardStatusApiController(Controller):
    """Revoke, suspend and reinstate an award through the issuing API."""

    path = "/api/v1/tenants/{slug:str}/awards/{award_id:uuid}"

    @get("/status", opt={"access": "award:view"}, tags=["tenants"])
    async def get_status(
        self, slug: FromPath[str], award_id: FromPath[uuid.UUID]
    ) -> dict[str, Any]:
        scope = TenantScope(await services.get_tenant(slug))
        await scope.get_award(award_id)
        view = await status.status_of(scope, award_id)
        return _status_out(award_id, status.StatusChange(view, changed=False))

    @post("/revoke", opt={"access": "award:issue"}, status_code=200, tags=["tenants"])
    async def revoke(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        award_id: FromPath[uuid.UUID],
        data: JSONBody[ReasonIn],
    ) -> dict[str, Any]:
        """Revoke for good: a revoked credential can never be reinstated."""
        change = await _apply(request, slug, award_id, "revoke", data.reason)
        return _status_out(award_id, change)

    @post("/suspend", opt={"access": "award:issue"}, status_code=200, tags=["tenants"])
    async def suspend(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        award_id: FromPath[uuid.UUID],
        data: JSONBody[ReasonIn],
    ) -> dict[str, Any]:
        change = await _apply(request, slug, award_id, "suspend", data.reason)
        return _status_out(award_id, change)

    @post("/reinstate", opt={"access": "award:issue"}, status_code=200, tags=["tenants"])
    async def reinstate(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        award_id: FromPath[uuid.UUID],
        data: JSONBody[ReasonIn],
    ) -> dict[str, Any]:
        """End a suspension; for a revoked credential, return 409 revocation-is-final."""
        change = await _apply(request, slug, award_id, "reinstate", data.reason)
        return _status_out(award_id, change)


async def _apply(
    request: Request[Any, Any, Any], slug: str, award_id: uuid.UUID, action: str, reason: str
) -> status.StatusChange:
    if action not in CHANGES:
        raise NotFoundError(
            f"unknown status action {action!r}; use {', '.join(CHANGES)}",
            code="unknown-status-action",
        )
    scope = TenantScope(await services.get_tenant(slug))
    return await CHANGES[action](scope, award_id, reason, await actor_of(request))


class AwardConsoleController(Controller):
    """The console page of one issued credential, with its status and the forms to change it."""

    path = "/console/tenants/{slug:str}/awards/{award_id:uuid}"

    @get("/", opt={"access": "award:view"})
    async def award(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        award_id: FromPath[uuid.UUID],
        settings: NamedDependency[Settings],
        done: FromQuery[str | None] = None,
    ) -> Template:
        tenant = await services.get_tenant(slug)
        scope = TenantScope(tenant)
        award = await scope.get_award(award_id)
        viewer = await authenticate(request)
        return await render(
            request,
            "console/award.html",
            tenant=tenant,
            award=award,
            view=await status.status_of(scope, award_id),
            can_change=viewer is not None and viewer.can("award:issue", slug),
            public_url=services.credential_url(settings, award_id),
            done=done if done in (*DONE.values(), "unchanged") else None,
            max_reason=status.MAX_REASON_LENGTH,
        )

    @post("/{action:str}", opt={"access": "award:issue"}, status_code=303)
    async def change_status(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        award_id: FromPath[uuid.UUID],
        action: FromPath[str],
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect:
        change = await _apply(request, slug, award_id, action, data.get("reason", ""))
        outcome = DONE[action] if change.changed else "unchanged"
        return Redirect(
            f"/console/tenants/{slug}/awards/{award_id}?done={outcome}", status_code=303
        )


ROUTES = [StatusListController, AwardStatusApiController, AwardConsoleController]
