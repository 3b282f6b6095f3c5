"""The router of the bulk award routes, with its own request body limit.

It raises the request body limit for these routes only, to the upload size setting plus room
for the multipart envelope. It rejects a larger upload with a 413 that names the limit.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router
from litestar.status_codes import HTTP_413_REQUEST_ENTITY_TOO_LARGE

from hub.bulk.console import BulkAwardConsoleController
from hub.bulk.controllers import BulkAwardApiController
from hub.bulk.errors import UploadTooLargeError
from hub.pages import language_of
from hub.problems import problem_response
from hub.settings import Settings

# Room for the multipart boundaries and the form's other fields around the file.
MULTIPART_ENVELOPE_BYTES = 64 * 1024


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
