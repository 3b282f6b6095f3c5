"""HTTP routes of bulk awarding: the API and the console pages, behind one router.

The router raises the request body limit for these routes only, to the upload size setting plus
room for the multipart envelope. It rejects a larger upload with a 413 that names the limit.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from litestar import Controller, Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Stream, Template
from litestar.status_codes import (
    HTTP_201_CREATED,
    HTTP_202_ACCEPTED,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
)

from hub.auth.principal import authenticate
from hub.bulk import service
from hub.bulk.errors import BulkFileError, UploadTooLargeError
from hub.bulk.service import BulkLimits, BulkSummary, RowError
from hub.bulk.tasks import ProcrastinateJobQueue
from hub.errors import InvalidInputError
from hub.i18n import translate
from hub.pages import language_of, render
from hub.problems import problem_response
from hub.settings import Settings
from tenants.scope import TenantScope
from tenants.services import SUPPORTED_LANGUAGES, get_tenant
from tenants.tables import BulkAward

# Room for the multipart boundaries and the form's other fields around the file.
MULTIPART_ENVELOPE_BYTES = 64 * 1024
ROWS_PAGE_MAX = 1000
MultipartForm = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
UrlEncodedForm = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


async def _actor(request: Request[Any, Any, Any]) -> str:
    principal = await authenticate(request)
    return principal.actor if principal is not None else "anonymous"


def _queue(request: Request[Any, Any, Any]) -> ProcrastinateJobQueue:
    queue: ProcrastinateJobQueue = request.app.state.bulk_queue
    return queue


def _upload_file(form: dict[str, Any]) -> UploadFile:
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise InvalidInputError(
            "the request has no file; send the CSV as the multipart/form-data field 'file'",
            code="missing-file",
        )
    return upload


def _flag(form: dict[str, Any], name: str, default: bool) -> bool:
    """Read a boolean field; of repeated values the last wins (a checkbox after its hidden twin)."""
    raw = form.get(name, "")
    value = str(raw[-1] if isinstance(raw, list) and raw else raw).strip().lower()
    if value == "":
        return default
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off"):
        return False
    raise InvalidInputError(
        f"{name} {value!r} is not a boolean; send true or false", code="invalid-request"
    )


async def _validate_form(
    request: Request[Any, Any, Any],
    settings: Settings,
    scope: TenantScope,
    achievement_id: uuid.UUID,
    form: dict[str, Any],
    language: str,
) -> BulkSummary:
    upload = _upload_file(form)
    try:
        return await service.validate_upload(
            scope,
            achievement_id,
            upload.file,
            upload.filename,
            actor=await _actor(request),
            language=str(form.get("language") or language),
            send_email=_flag(form, "send_email", default=True),
            limits=BulkLimits.from_settings(settings),
        )
    finally:
        await upload.close()


# JSON ------------------------------------------------------------------------------------------


def bulk_out(slug: str, bulk: BulkAward, language: str = "en") -> dict[str, Any]:
    done = bulk.awarded + bulk.skipped + bulk.failed
    base = f"/api/v1/tenants/{slug}/bulk-awards/{bulk.id}"
    return {
        "id": str(bulk.id),
        "achievement_id": str(bulk.achievement),
        "filename": bulk.filename,
        "file_sha256": bulk.file_sha256,
        "status": bulk.status,
        "status_label": translate(language, f"bulk.status.{bulk.status}"),
        "language": bulk.language,
        "send_email": bulk.send_email,
        "total_rows": bulk.total_rows,
        "valid_rows": bulk.valid_rows,
        "invalid_rows": bulk.total_rows - bulk.valid_rows,
        "awarded": bulk.awarded,
        "skipped": bulk.skipped,
        "failed": bulk.failed,
        "done": done,
        "percent": _percent(done, bulk.valid_rows),
        "error": bulk.error,
        "created_by": bulk.created_by,
        "created_at": bulk.created_at.isoformat(),
        "started_at": bulk.started_at.isoformat() if bulk.started_at else None,
        "finished_at": bulk.finished_at.isoformat() if bulk.finished_at else None,
        "url": base,
        "rows_url": f"{base}/rows",
        "errors_csv_url": f"{base}/errors.csv",
    }


def _percent(done: int, total: int) -> int:
    return 100 if total == 0 else min(100, done * 100 // total)


def error_out(error: RowError, language: str = "en") -> dict[str, Any]:
    return {
        "row": error.row_number,
        "code": error.problem.code,
        "message": error.problem.message(language),
        "email": error.email,
        "name": error.name,
    }


def summary_out(slug: str, summary: BulkSummary) -> dict[str, Any]:
    return {
        **bulk_out(slug, summary.bulk),
        "counts": summary.counts,
        "encoding": summary.encoding,
        "delimiter": summary.delimiter,
        "previous_upload": str(summary.previous_upload) if summary.previous_upload else None,
        "errors": [error_out(error) for error in summary.errors],
    }


# CSV of row errors -----------------------------------------------------------------------------

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """Quote a value that a spreadsheet would run as a formula (CSV injection)."""
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_PREFIXES) else text


async def _error_lines(
    scope: TenantScope, bulk_id: uuid.UUID, language: str
) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # A byte order mark, so that spreadsheets read the accents as UTF-8.
    yield "\ufeff".encode()
    writer.writerow(["row", "email", "name", "code", "error"])
    async for error in service.invalid_rows(scope, bulk_id):
        writer.writerow(
            [
                error.row_number,
                _cell(error.email),
                _cell(error.name),
                error.problem.code,
                _cell(error.problem.message(language)),
            ]
        )
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


async def error_csv(slug: str, bulk_id: uuid.UUID, language: str) -> Stream:
    scope = TenantScope(await get_tenant(slug))
    bulk = await service.get_bulk(scope, bulk_id)
    stem = bulk.filename.rsplit(".", 1)[0] or "upload"
    return Stream(
        _error_lines(scope, bulk.id, language),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="errors-{_ascii(stem)}.csv"'},
    )


def _ascii(name: str) -> str:
    return "".join(char if char.isalnum() or char in "-_" else "_" for char in name)[:100]


# API -------------------------------------------------------------------------------------------


class BulkAwardApiController(Controller):
    """Bulk awards of one tenant: upload a CSV for a dry run, start it, follow it."""

    path = "/api/v1/tenants/{slug:str}"
    tags = ["bulk awards"]

    @post(
        "/achievements/{achievement_id:uuid}/bulk-awards",
        opt={"access": "award:issue"},
        status_code=HTTP_201_CREATED,
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        achievement_id: FromPath[uuid.UUID],
        settings: NamedDependency[Settings],
        data: MultipartForm,
    ) -> Response[dict[str, Any]]:
        """Check a CSV file (multipart field ``file``); with ``dry_run=false`` also start it."""
        scope = TenantScope(await get_tenant(slug))
        dry_run = _flag(data, "dry_run", default=True)
        summary = await _validate_form(request, settings, scope, achievement_id, data, "en")
        body = summary_out(slug, summary)
        if dry_run:
            return Response(body, status_code=HTTP_201_CREATED, headers={"Location": body["url"]})
        bulk = await service.start(scope, summary.bulk.id, await _actor(request), _queue(request))
        body.update(bulk_out(slug, bulk))
        return Response(body, status_code=HTTP_202_ACCEPTED, headers={"Location": body["url"]})

    @get("/bulk-awards", opt={"access": "award:view"})
    async def list_uploads(self, slug: FromPath[str]) -> list[dict[str, Any]]:
        scope = TenantScope(await get_tenant(slug))
        return [bulk_out(slug, bulk) for bulk in await service.list_bulks(scope)]

    @get("/bulk-awards/{bulk_id:uuid}", opt={"access": "award:view"})
    async def get_upload(self, slug: FromPath[str], bulk_id: FromPath[uuid.UUID]) -> dict[str, Any]:
        scope = TenantScope(await get_tenant(slug))
        return summary_out(slug, await service.get_summary(scope, bulk_id))

    @post(
        "/bulk-awards/{bulk_id:uuid}/start",
        opt={"access": "award:issue"},
        status_code=HTTP_202_ACCEPTED,
    )
    async def start(
        self, request: Request[Any, Any, Any], slug: FromPath[str], bulk_id: FromPath[uuid.UUID]
    ) -> dict[str, Any]:
        scope = TenantScope(await get_tenant(slug))
        bulk = await service.start(scope, bulk_id, await _actor(request), _queue(request))
        return bulk_out(slug, bulk)

    @get("/bulk-awards/{bulk_id:uuid}/rows", opt={"access": "award:view"})
    async def rows(
        self,
        slug: FromPath[str],
        bulk_id: FromPath[uuid.UUID],
        row_state: Annotated[str | None, QueryParameter(name="state")] = None,
        offset: FromQuery[int] = 0,
        limit: FromQuery[int] = 100,
    ) -> dict[str, Any]:
        """Page through the rows of an upload in file order, optionally of one state."""
        if row_state is not None and row_state not in service.ROW_STATES:
            raise InvalidInputError(
                f"state {row_state!r} is unknown; use one of {', '.join(service.ROW_STATES)}",
                code="invalid-request",
            )
        if offset < 0 or not 1 <= limit <= ROWS_PAGE_MAX:
            raise InvalidInputError(
                f"offset must be 0 or more and limit 1 to {ROWS_PAGE_MAX}", code="invalid-request"
            )
        scope = TenantScope(await get_tenant(slug))
        rows = await service.rows_page(scope, bulk_id, row_state, offset, limit)
        return {"offset": offset, "limit": limit, "rows": [_row_out(row) for row in rows]}

    @get("/bulk-awards/{bulk_id:uuid}/errors.csv", opt={"access": "award:view"})
    async def errors_csv(self, slug: FromPath[str], bulk_id: FromPath[uuid.UUID]) -> Stream:
        return await error_csv(slug, bulk_id, "en")


def _row_out(row: Any) -> dict[str, Any]:
    out = {
        "row": row.row_number,
        "state": row.state,
        "email": row.email,
        "name": row.name,
        "level": row.level or None,
        "evidence_url": row.evidence_url or None,
        "narrative": row.narrative or None,
        "issue_date": row.issue_date.date().isoformat() if row.issue_date else None,
        "award_id": str(row.award) if row.award else None,
    }
    if row.error:
        problem = service.row_error(row).problem
        out.update(code=problem.code, message=problem.message())
    return out


# Console ---------------------------------------------------------------------------------------


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
            summary = await _validate_form(request, settings, scope, achievement_id, data, language)
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
        summary = await service.get_summary(TenantScope(tenant), bulk_id)
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
        await service.start(scope, bulk_id, await _actor(request), _queue(request))
        return Redirect(
            f"/console/tenants/{slug}/bulk-awards/{bulk_id}?started=true", status_code=303
        )

    @get("/{bulk_id:uuid}/progress", opt={"access": "award:view"})
    async def progress(
        self, request: Request[Any, Any, Any], slug: FromPath[str], bulk_id: FromPath[uuid.UUID]
    ) -> dict[str, Any]:
        """Return the counters that the progress bar of the upload's page polls."""
        bulk = await service.get_bulk(TenantScope(await get_tenant(slug)), bulk_id)
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
        uploads=await service.list_bulks(scope),
        languages=SUPPORTED_LANGUAGES,
        error=error,
        max_rows=settings.bulk_max_rows,
        max_file_mb=settings.bulk_max_file_mb,
    )


# Router ----------------------------------------------------------------------------------------


def _too_large(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    settings: Settings = request.app.state.settings
    problem = UploadTooLargeError(settings.bulk_max_file_bytes)
    language = language_of(request) if not request.url.path.startswith("/api/") else "en"
    return problem_response(
        request, HTTP_413_REQUEST_ENTITY_TOO_LARGE, problem.code, problem.message_in(language)
    )


def router(settings: Settings) -> Router:
    """Mount the bulk routes with their own request body limit and 413 response."""
    return Router(
        path="/",
        route_handlers=[BulkAwardApiController, BulkAwardConsoleController],
        request_max_body_size=settings.bulk_max_file_bytes + MULTIPART_ENVELOPE_BYTES,
        exception_handlers={
            UploadTooLargeError: _too_large,
            HTTP_413_REQUEST_ENTITY_TOO_LARGE: _too_large,
        },
    )
