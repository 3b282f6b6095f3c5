"""HTTP routes of the audit log: console pages, CSV downloads and the JSON API.

A tenant's log needs ``members:manage`` there (tenant admins, alliance admins): it names who did
what to whom, so it is as sensitive as the list of people and roles. The all-tenants pages need
``alliance:manage``. Tenant API tokens (``bh_…``) have only the issuing permissions, so they
cannot read the log. A token is a long-lived secret stored in another system, and a leaked one
should not expose the names of the tenant's staff or the internal reasons of revocations.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Stream, Template

from hub.audit_log import display
from hub.audit_log.export import export_csv, export_filename
from hub.audit_log.query import (
    DEFAULT_PAGE_SIZE,
    AuditPage,
    AuditRow,
    Cursor,
    CursorCodec,
    FilterInput,
    list_events,
    parse_filter,
)
from hub.auth import permissions
from hub.auth.login import derive_key
from hub.auth.principal import authenticate
from hub.errors import InvalidInputError
from hub.pages import language_of, render
from hub.settings import Settings
from tenants.services import get_tenant
from tenants.tables import Tenant

# The log names people and internal reasons, so no shared cache may keep a copy.
PRIVATE_HEADERS = {"Cache-Control": "no-store"}
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


async def provide_filter_input(
    action: FromQuery[str | None] = None,
    actor: FromQuery[str | None] = None,
    target: FromQuery[str | None] = None,
    date_from: Annotated[str | None, QueryParameter(name="from")] = None,
    date_to: Annotated[str | None, QueryParameter(name="to")] = None,
) -> FilterInput:
    """Read the filters of a tenant's log: ``action`` (exact, or a prefix ending in ``:``),
    ``actor`` and ``target`` (exact), ``from`` and ``to`` (dates or date-times, inclusive)."""
    return FilterInput(
        action=action or "",
        actor=actor or "",
        target=target or "",
        date_from=date_from or "",
        date_to=date_to or "",
    )


async def provide_all_tenants_filter_input(
    action: FromQuery[str | None] = None,
    actor: FromQuery[str | None] = None,
    target: FromQuery[str | None] = None,
    date_from: Annotated[str | None, QueryParameter(name="from")] = None,
    date_to: Annotated[str | None, QueryParameter(name="to")] = None,
    tenant: FromQuery[str | None] = None,
) -> FilterInput:
    """Read the filters of the all-tenants log: a tenant's filters plus ``tenant`` (a slug)."""
    filters = await provide_filter_input(action, actor, target, date_from, date_to)
    return dataclasses.replace(filters, tenant=tenant or "")


TENANT_FILTERS = {"filters": Provide(provide_filter_input)}
ALL_TENANTS_FILTERS = {"filters": Provide(provide_all_tenants_filter_input)}


def cursor_codec(settings: Settings) -> CursorCodec:
    return CursorCodec(derive_key(settings, b"audit-cursor"))


async def _actor(request: Request[Any, Any, Any]) -> str:
    principal = await authenticate(request)
    assert principal is not None  # the routes' access levels require a signed-in caller
    return principal.actor


class AuditConsoleController(Controller):
    """The audit log pages of the console and their CSV downloads."""

    path = "/console"

    @get("/tenants/{slug:str}/audit", opt={"access": "members:manage"}, dependencies=TENANT_FILTERS)
    async def tenant_log(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        settings: NamedDependency[Settings],
        filters: NamedDependency[FilterInput],
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        tenant = await get_tenant(slug)
        return await _render_log(request, settings, filters, cursor, tenant)

    @get(
        "/tenants/{slug:str}/audit.csv",
        opt={"access": "members:manage"},
        dependencies=TENANT_FILTERS,
        media_type="text/csv",
    )
    async def tenant_csv(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        filters: NamedDependency[FilterInput],
    ) -> Stream:
        tenant = await get_tenant(slug)
        return await _csv_response(request, filters, tenant.slug)

    @get("/audit", opt={"access": permissions.ALLIANCE_MANAGE}, dependencies=ALL_TENANTS_FILTERS)
    async def all_tenants_log(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        filters: NamedDependency[FilterInput],
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        return await _render_log(request, settings, filters, cursor, None)

    @get(
        "/audit.csv",
        opt={"access": permissions.ALLIANCE_MANAGE},
        dependencies=ALL_TENANTS_FILTERS,
        media_type="text/csv",
    )
    async def all_tenants_csv(
        self, request: Request[Any, Any, Any], filters: NamedDependency[FilterInput]
    ) -> Stream:
        return await _csv_response(request, filters, None)


async def _render_log(
    request: Request[Any, Any, Any],
    settings: Settings,
    filters: FilterInput,
    cursor: str | None,
    tenant: Tenant | None,
) -> Template:
    """Render one page of the log, or the form with the error and status 400 for bad filters."""
    base = f"/console/tenants/{tenant.slug}/audit" if tenant else "/console/audit"
    language = language_of(request)
    context: dict[str, Any] = {
        "tenant": tenant,
        "filters": filters,
        "base": base,
        "csv_url": _link(base + ".csv", filters.query()),
        "action_choices": display.action_choices(language),
        # Links that narrow the current filters to one actor, action, target or tenant.
        "filter_link": lambda name, value: _link(base, {**filters.query(), name: value}),
    }
    codec = cursor_codec(settings)
    try:
        audit_filter = parse_filter(filters, tenant=tenant.slug if tenant else None)
        page = await list_events(audit_filter, cursor=codec.decode(cursor) if cursor else None)
    except InvalidInputError as error:
        context.update(error=error.message, events=[], newer_url=None, older_url=None)
        return await render(request, "console/audit.html", status_code=400, **context)
    context.update(
        error=None,
        events=await display.event_views(page.events, language),
        newer_url=_page_link(base, filters, codec, page.previous),
        older_url=_page_link(base, filters, codec, page.next),
    )
    return await render(request, "console/audit.html", **context)


def _page_link(
    base: str, filters: FilterInput, codec: CursorCodec, cursor: Cursor | None
) -> str | None:
    if cursor is None:
        return None
    return _link(base, {**filters.query(), "cursor": codec.encode(cursor)})


def _link(path: str, query: dict[str, str]) -> str:
    return f"{path}?{urlencode(query)}" if query else path


async def _csv_response(
    request: Request[Any, Any, Any], filters: FilterInput, tenant: str | None
) -> Stream:
    """Validate the filters, record the export, then stream the file."""
    audit_filter = parse_filter(filters, tenant=tenant)
    chunks = await export_csv(audit_filter, actor=await _actor(request))
    filename = export_filename(audit_filter.tenant, datetime.now(UTC))
    return Stream(
        chunks,
        media_type=CSV_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
            **PRIVATE_HEADERS,
        },
    )


def event_out(row: AuditRow) -> dict[str, Any]:
    time = row.created_at.astimezone(UTC).isoformat(timespec="microseconds")
    return {
        "id": row.id,
        "tenant": row.tenant,
        "time": time.replace("+00:00", "Z"),
        "actor": row.actor,
        "action": row.action,
        "target": row.target,
        "details": row.details,
    }


def page_out(page: AuditPage, codec: CursorCodec, limit: int) -> dict[str, Any]:
    return {
        "events": [event_out(row) for row in page.events],
        "limit": limit,
        "next_cursor": codec.encode(page.next) if page.next else None,
        "previous_cursor": codec.encode(page.previous) if page.previous else None,
    }


class AuditApiController(Controller):
    """A tenant's audit log for scripts that hold a Keycloak access token."""

    path = "/api/v1/tenants/{slug:str}"
    tags = ["audit"]
    dependencies = TENANT_FILTERS

    @get("/audit", opt={"access": "members:manage"})
    async def list_audit_events(
        self,
        slug: FromPath[str],
        settings: NamedDependency[Settings],
        filters: NamedDependency[FilterInput],
        limit: FromQuery[int] = DEFAULT_PAGE_SIZE,
        cursor: FromQuery[str | None] = None,
    ) -> Response[dict[str, Any]]:
        """Return events newest first; pass ``next_cursor`` back as ``cursor`` for older ones."""
        tenant = await get_tenant(slug)
        codec = cursor_codec(settings)
        audit_filter = parse_filter(filters, tenant=tenant.slug)
        page = await list_events(
            audit_filter, limit=limit, cursor=codec.decode(cursor) if cursor else None
        )
        return Response(page_out(page, codec, limit), headers=PRIVATE_HEADERS)

    @get("/audit.csv", opt={"access": "members:manage"}, media_type="text/csv")
    async def export_audit_events(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        filters: NamedDependency[FilterInput],
    ) -> Stream:
        """Stream every matching event as CSV (UTF-8 with BOM, CRLF), newest first."""
        tenant = await get_tenant(slug)
        return await _csv_response(request, filters, tenant.slug)


ROUTES = [AuditConsoleController, AuditApiController]
