"""Helpers shared by the bulk award API and console: forms, JSON bodies and the error CSV."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Stream

from hub.auth.principal import authenticate
from hub.bulk import reading, service
from hub.bulk.reading import BulkSummary, RowError
from hub.bulk.service import BulkLimits
from hub.bulk.tasks import ProcrastinateJobQueue
from hub.errors import InvalidInputError
from hub.i18n import translate
from hub.settings import Settings
from tenants.scope import TenantScope
from tenants.services import get_tenant
from tenants.tables import BulkAward

MultipartForm = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
UrlEncodedForm = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


async def actor_of(request: Request[Any, Any, Any]) -> str:
    """Return the audit ``actor`` of a request that passed the route's access check."""
    principal = await authenticate(request)
    return principal.actor if principal is not None else "anonymous"


def job_queue(request: Request[Any, Any, Any]) -> ProcrastinateJobQueue:
    """Return the queue that ``create_app`` keeps in the app state for deferring jobs."""
    queue: ProcrastinateJobQueue = request.app.state.bulk_queue
    return queue


def upload_file(form: dict[str, Any]) -> UploadFile:
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise InvalidInputError(
            "the request has no file; send the CSV as the multipart/form-data field 'file'",
            code="missing-file",
        )
    return upload


def form_flag(form: dict[str, Any], name: str, default: bool) -> bool:
    """Read a boolean field. Of repeated values the last wins, as a checkbox follows its twin."""
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


async def validate_form(
    request: Request[Any, Any, Any],
    settings: Settings,
    scope: TenantScope,
    achievement_id: uuid.UUID,
    form: dict[str, Any],
    language: str,
) -> BulkSummary:
    """Run the dry run of the form's file; ``language`` applies when the form names none."""
    upload = upload_file(form)
    try:
        return await service.validate_upload(
            scope,
            achievement_id,
            upload.file,
            upload.filename,
            actor=await actor_of(request),
            language=str(form.get("language") or language),
            send_email=form_flag(form, "send_email", default=True),
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
    async for error in reading.invalid_rows(scope, bulk_id):
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
    bulk = await reading.get_bulk(scope, bulk_id)
    stem = bulk.filename.rsplit(".", 1)[0] or "upload"
    return Stream(
        _error_lines(scope, bulk.id, language),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="errors-{_ascii(stem)}.csv"'},
    )


def _ascii(name: str) -> str:
    return "".join(char if char.isalnum() or char in "-_" else "_" for char in name)[:100]
