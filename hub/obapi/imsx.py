"""Imsx_StatusInfo, the error body of every Open Badges API endpoint (OB 3.0 §6.2, Appendix)."""

from __future__ import annotations

from typing import Any

from litestar import Response

API_PREFIX = "/ims/ob/v3p0"

# imsx_codeMinorFieldValue for each HTTP status the API returns.
CODE_MINOR_BY_STATUS = {
    400: "invalid_data",
    401: "unauthorizedrequest",
    403: "forbidden",
    404: "not_found",
    405: "not_allowed",
    406: "not_acceptable",
    413: "invalid_data",
    415: "invalid_data",
    421: "misdirected_request",
    500: "internal_server_error",
    503: "server_busy",
}


class ImsxError(Exception):
    """An API failure: the HTTP status, the code minor value and a description for people."""

    def __init__(
        self,
        status: int,
        description: str,
        *,
        code_minor: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.code_minor = code_minor or CODE_MINOR_BY_STATUS.get(status, "unknown")
        self.headers = headers or {}


def status_info(description: str, code_minor: str) -> dict[str, Any]:
    return {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_codeMinor": {
            "imsx_codeMinorField": [
                {
                    "imsx_codeMinorFieldName": "TargetEndSystem",
                    "imsx_codeMinorFieldValue": code_minor,
                }
            ]
        },
    }


def imsx_response(
    status: int,
    description: str,
    code_minor: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    minor = code_minor or CODE_MINOR_BY_STATUS.get(status, "unknown")
    return Response(
        status_info(description, minor),
        status_code=status,
        media_type="application/json",
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def handle_imsx_error(_: Any, error: Exception) -> Response[Any]:
    assert isinstance(error, ImsxError)
    return imsx_response(error.status, error.description, error.code_minor, error.headers)


def is_api_path(path: str) -> bool:
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")
