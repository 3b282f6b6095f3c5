"""Errors of the OID4VCI endpoints, returned as OAuth error JSON rather than RFC 9457 problems.

Wallets switch on the ``error`` member (RFC 6749 §5.2 for the token endpoint, OpenID4VCI 1.0
§8.3.1.2 for the credential endpoint), so these errors keep the specifications' own codes.
"""

from __future__ import annotations

from typing import Any

import structlog
from litestar import Request, Response

log = structlog.get_logger(__name__)


class Oid4vciError(Exception):
    """An OAuth or OpenID4VCI error: ``error`` is the registered code, the message gives the reason."""

    def __init__(self, error: str, description: str, status_code: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status_code = status_code


class InvalidTokenError(Oid4vciError):
    """The access token is missing, unknown or expired (RFC 6750 §3.1)."""

    def __init__(self, description: str) -> None:
        super().__init__("invalid_token", description, status_code=401)


def oauth_error_response(_: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    assert isinstance(error, Oid4vciError)
    log.info("oid4vci_request_rejected", error=error.error, status=error.status_code)
    headers = {"Cache-Control": "no-store"}
    if isinstance(error, InvalidTokenError):
        headers["WWW-Authenticate"] = (
            f'Bearer error="invalid_token", error_description="{error.description}"'
        )
    return Response(
        {"error": error.error, "error_description": error.description},
        status_code=error.status_code,
        headers=headers,
        media_type="application/json",
    )
