"""The console pages of bulk awards: upload form, dry-run results, progress, past uploads.

The forms post with CSRF and work without JavaScript; ``hub/static/bulk_progress.js`` only
refreshes the progress bar.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Stream, Template

from hub.bulk import reading, service
from hub.bulk.errors import BulkFileError
from hub.bulk.web import (
    MultipartForm,
    UrlEncodedForm,
    actor_of,
    bulk_out,
    error_csv,
    job_queue,
    validate_form,
)
from hub.i18n import translate
from hub.pages import language_of, render
from hub.settings import Settings
from tenants.scope import TenantScope
from tenants.services import SUPPORTED_LANGUAGES, get_tenant


class BulkAwardConsoleController(Controller):
    path = "/console/tenants/{slug:str}/bulk-awards"

    @get("/", opt={"access": "award:view"})
    async def index(self, request: Request[Any, Any, Any], slug: FromPath[str]) -> Template:
        return await _index_page(request, slug)

    @post("/", opt={"access": "award:issue"}, status_code=303)
    async def upload(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        settings: NamedDependency[Settings],
        data: MultipartForm,
    ) -> Redirect | Template:
        scope = TenantScope(await get_tenant(slug))
        language = language_of(request)
        try:
            achievement_id = uuid.UUID(str(data.get("achievement_id", "")))
            summary = await validate_form(request, settings, scope, achievement_id, data, language)
        except BulkFileError as error:
            return await _index_page(request, slug, error.message_in(language), status_code=400)
        except ValueError:
            message = translate(language, "bulk.choose_achievement")
            return await _index_page(request, slug, message, status_code=400)
        return Redirect(f"/console/tenants/{slug}/bulk-awards/{summary.bulk.id}", status_code=303)

    @get("/{bulk_id:uuid}", opt={"access": "award:view"})
    async def detail(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        bulk_id: FromPath[uuid.UUID],
        started: FromQuery[bool] = False,
    ) -> Template:
        tenant = await get_tenant(slug)
        summary = await reading.get_summary(TenantScope(tenant), bulk_id)
        return await render(
            request,
            "console/bulk_detail.html",
            tenant=tenant,
            summary=summary,
            bulk=summary.bulk,
            started=started,
            startable=await service.is_startable(summary.bulk),
        )

    @post("/{bulk_id:uuid}/start", opt={"access": "award:issue"}, status_code=303)
    async def start(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        bulk_id: FromPath[uuid.UUID],
        data: UrlEncodedForm,
    ) -> Redirect:
        scope = TenantScope(await get_tenant(slug))
        await service.start(scope, bulk_id, await actor_of(request), job_queue(request))
        return Redirect(
            f"/console/tenants/{slug}/bulk-awards/{bulk_id}?started=true", status_code=303
        )

    @get("/{bulk_id:uuid}/progress", opt={"access": "award:view"})
    async def progress(
        self, request: Request[Any, Any, Any], slug: FromPath[str], bulk_id: FromPath[uuid.UUID]
    ) -> dict[str, Any]:
        """Return the counters that the progress bar of the upload's page polls."""
        bulk = await reading.get_bulk(TenantScope(await get_tenant(slug)), bulk_id)
        body = bulk_out(slug, bulk, language_of(request))
        keys = ("status", "status_label", "valid_rows", "done", "percent", "awarded", "skipped")
        return {key: body[key] for key in (*keys, "failed", "error")}

    @get("/{bulk_id:uuid}/errors.csv", opt={"access": "award:view"})
    async def errors_csv(
        self, request: Request[Any, Any, Any], slug: FromPath[str], bulk_id: FromPath[uuid.UUID]
    ) -> Stream:
        return await error_csv(slug, bulk_id, language_of(request))


async def _index_page(
    request: Request[Any, Any, Any], slug: str, error: str | None = None, status_code: int = 200
) -> Template:
    tenant = await get_tenant(slug)
    scope = TenantScope(tenant)
    settings: Settings = request.app.state.settings
    return await render(
        request,
        "console/bulk_index.html",
        status_code=status_code,
        tenant=tenant,
        achievements=await service.awardable_achievements(scope),
        uploads=await reading.list_bulks(scope),
        languages=SUPPORTED_LANGUAGES,
        error=error,
        max_rows=settings.bulk_max_rows,
        max_file_mb=settings.bulk_max_file_mb,
    )
