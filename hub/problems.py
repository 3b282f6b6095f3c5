"""The one mapping from exceptions to HTTP: RFC 9457 problem details for the API, HTML pages
for browsers.

Every problem carries a stable kebab-case ``code``. Unexpected exceptions become a 500 whose body
reveals nothing internal; the log line has the traceback and the request id.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import asyncpg
import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)

from hub.errors import (
    AuthenticationError,
    ConflictError,
    HubError,
    InvalidInputError,
    LoginRequiredError,
    NotFoundError,
    PermissionDeniedError,
    ServiceUnavailableError,
)
from hub.obapi.imsx import imsx_response, is_api_path

log = structlog.get_logger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"

STATUS_BY_ERROR: tuple[tuple[type[HubError], int], ...] = (
    (InvalidInputError, HTTP_400_BAD_REQUEST),
    (AuthenticationError, HTTP_401_UNAUTHORIZED),
    (PermissionDeniedError, HTTP_403_FORBIDDEN),
    (NotFoundError, HTTP_404_NOT_FOUND),
    (ConflictError, HTTP_409_CONFLICT),
    (ServiceUnavailableError, HTTP_503_SERVICE_UNAVAILABLE),
)

TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    500: "Internal server error",
    503: "Service unavailable",
}

# Codes for errors Litestar raises itself, before any handler of ours runs.
FRAMEWORK_CODES = {
    400: "invalid-request",
    401: "authentication-required",
    403: "permission-denied",
    404: "not-found",
    405: "method-not-allowed",
    413: "request-too-large",
    415: "unsupported-media-type",
    500: "internal-error",
}


def _wants_html(request: Request[Any, Any, Any]) -> bool:
    if request.url.path.startswith("/api/"):
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept


def problem_response(
    request: Request[Any, Any, Any],
    status: int,
    code: str,
    detail: str,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    title = TITLES.get(status, "Error")
    if is_api_path(request.url.path):
        # The Open Badges API returns every error as an Imsx_StatusInfo body (OB 3.0 §6.2).
        return imsx_response(status, detail, headers=headers)
    if _wants_html(request):
        from hub.pages import language_of

        return Template(
            template_name=f"errors/{status if status in (404, 500) else 'error'}.html",
            context={
                "status": status,
                "title": title,
                "detail": detail,
                "code": code,
                "lang": language_of(request),
                # The caller, when the access guard already identified them for this request.
                "viewer": request.scope.get("state", {}).get("principal"),
            },
            status_code=status,
            media_type=MediaType.HTML,
        )
    body: dict[str, Any] = {
        "type": f"urn:badgehub:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.url.path,
    }
    if extra:
        body.update(extra)
    return Response(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def status_for(error: HubError) -> int:
    """Return the HTTP status of a domain error, 500 for a kind without one."""
    return next(
        (code for kind, code in STATUS_BY_ERROR if isinstance(error, kind)),
        HTTP_500_INTERNAL_SERVER_ERROR,
    )


def handle_hub_error(request: Request[Any, Any, Any], error: HubError) -> Response[Any]:
    if isinstance(error, LoginRequiredError) and not request.url.path.startswith("/api/"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(f"/auth/login?{urlencode({'next': target})}", status_code=303)
    status = status_for(error)
    # Token errors carry their RFC 6750 challenge (error="invalid_token" and a description).
    challenge = getattr(error, "www_authenticate", None)
    headers = None
    if challenge:
        headers = {"WWW-Authenticate": challenge}
    elif status == 401:
        headers = {"WWW-Authenticate": 'Bearer realm="badgehub"'}
    if status >= 500:
        log.error("request_failed", code=error.code, error=error.message)
    return problem_response(request, status, error.code, error.message, error.extra, headers)


def handle_validation_error(
    request: Request[Any, Any, Any], error: ValidationException
) -> Response[Any]:
    errors = error.extra if isinstance(error.extra, list) else []
    parts = [f"{item.get('key', 'body')}: {item.get('message')}" for item in errors if item]
    detail = "the request is invalid" + (": " + "; ".join(parts) if parts else f": {error.detail}")
    return problem_response(
        request, HTTP_400_BAD_REQUEST, "invalid-request", detail, {"errors": errors}
    )


def handle_http_exception(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    status = error.status_code
    code = FRAMEWORK_CODES.get(status, "http-error")
    detail = error.detail or TITLES.get(status, "error")
    if status == HTTP_404_NOT_FOUND and detail == "Not Found":
        detail = f"nothing is served at {request.url.path}"
    if status == HTTP_413_REQUEST_ENTITY_TOO_LARGE:
        limit = request.app.request_max_body_size
        detail = (
            f"the request body is over {limit:,} bytes; send a smaller body (an achievement "
            "image may be at most 512 KiB of SVG or 1 MiB of PNG)"
        )
        if is_api_path(request.url.path):
            detail = f"the request body is over {limit:,} bytes; send a smaller credential"
    headers = error.headers or None
    if isinstance(error, NotAuthorizedException) and not headers:
        headers = {"WWW-Authenticate": 'Bearer realm="badgehub"'}
    return problem_response(request, status, code, detail, headers=headers)


def handle_database_data_error(
    request: Request[Any, Any, Any], error: asyncpg.DataError
) -> Response[Any]:
    # Validation should reject such values first; this keeps a missed case a client error.
    log.warning("database_rejected_value", error_type=type(error).__name__)
    return problem_response(
        request,
        HTTP_400_BAD_REQUEST,
        "invalid-input",
        "a value in the request cannot be stored (a control character such as NUL, or a number "
        "out of range); correct it and retry",
    )


def handle_unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    log.exception("unhandled_error", path=request.url.path, error_type=type(error).__name__)
    return problem_response(
        request,
        HTTP_500_INTERNAL_SERVER_ERROR,
        "internal-error",
        "the server failed to handle this request; it has been logged, retry later or report "
        "the request id",
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    HubError: handle_hub_error,
    ValidationException: handle_validation_error,
    HTTPException: handle_http_exception,
    asyncpg.DataError: handle_database_data_error,
    Exception: handle_unexpected,
}
