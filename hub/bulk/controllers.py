"""The bulk award API of a tenant: upload a CSV for a dry run, start it, follow it."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Stream
from litestar.status_codes import (
    HTTP_201_CREATED,
    HTTP_202_ACCEPTED,
)

from hub.bulk import reading, service
from hub.bulk.web import (
    MultipartForm,
    actor_of,
    bulk_out,
    error_csv,
    form_flag,
    job_queue,
    summary_out,
    validate_form,
)
from hub.errors import InvalidInputError
from hub.settings import Settings
from tenants.scope import TenantScope
from tenants.services import get_tenant

ROWS_PAGE_MAX = 1000


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
        """Check a CSV file (multipart field ``file``), and with ``dry_run=false`` also start it."""
        scope = TenantScope(await get_tenant(slug))
        dry_run = form_flag(data, "dry_run", default=True)
        summary = await validate_form(request, settings, scope, achievement_id, data, "en")
        body = summary_out(slug, summary)
        if dry_run:
            return Response(body, status_code=HTTP_201_CREATED, headers={"Location": body["url"]})
        bulk = await service.start(
            scope, summary.bulk.id, await actor_of(request), job_queue(request)
        )
        body.update(bulk_out(slug, bulk))
        return Response(body, status_code=HTTP_202_ACCEPTED, headers={"Location": body["url"]})

    @get("/bulk-awards", opt={"access": "award:view"})
    async def list_uploads(self, slug: FromPath[str]) -> list[dict[str, Any]]:
        scope = TenantScope(await get_tenant(slug))
        return [bulk_out(slug, bulk) for bulk in await reading.list_bulks(scope)]

    @get("/bulk-awards/{bulk_id:uuid}", opt={"access": "award:view"})
    async def get_upload(self, slug: FromPath[str], bulk_id: FromPath[uuid.UUID]) -> dict[str, Any]:
        scope = TenantScope(await get_tenant(slug))
        return summary_out(slug, await reading.get_summary(scope, bulk_id))

    @post(
        "/bulk-awards/{bulk_id:uuid}/start",
        opt={"access": "award:issue"},
        status_code=HTTP_202_ACCEPTED,
    )
    async def start(
        self, request: Request[Any, Any, Any], slug: FromPath[str], bulk_id: FromPath[uuid.UUID]
    ) -> dict[str, Any]:
        scope = TenantScope(await get_tenant(slug))
        bulk = await service.start(scope, bulk_id, await actor_of(request), job_queue(request))
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
        if row_state is not None and row_state not in reading.ROW_STATES:
            raise InvalidInputError(
                f"state {row_state!r} is unknown; use one of {', '.join(reading.ROW_STATES)}",
                code="invalid-request",
            )
        if offset < 0 or not 1 <= limit <= ROWS_PAGE_MAX:
            raise InvalidInputError(
                f"offset must be 0 or more and limit 1 to {ROWS_PAGE_MAX}", code="invalid-request"
            )
        scope = TenantScope(await get_tenant(slug))
        rows = await reading.rows_page(scope, bulk_id, row_state, offset, limit)
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
        problem = reading.row_error(row).problem
        out.update(code=problem.code, message=problem.message())
    return out
