"""The ``upsertCredential`` call of the Open Badges 3.0 API (OB 3.0 §6.2.3).

``POST {api base}/credentials`` with the credential as ``application/json`` (the exact stored
text, so its proof still verifies) or a VC-JWT as ``text/plain``. The host responds 201 when it
created the credential, 200 when it replaced one, and an ``Imsx_StatusInfo`` otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog

from hub.ob_consumer.discovery import fetch_failure
from hub.ob_consumer.errors import SendError
from hub.outbound import FetchError

if TYPE_CHECKING:
    from authlib.integrations.httpx_client import AsyncOAuth2Client

log = structlog.get_logger(__name__)

JSON = "application/json"
COMPACT_JWS = "text/plain"
MAX_DETAIL_CHARS = 500


@dataclass(frozen=True)
class SendableCredential:
    """A credential ready to send: its exact text and the media type the API takes it in."""

    text: str
    media_type: str
    name: str


class UpsertRejectedError(SendError):
    """The host responded to the upsert with a status other than 200 or 201."""

    def __init__(self, message: str, *, host: str, detail: str, http_status: int) -> None:
        super().__init__("upsert-rejected", message, host=host, detail=detail)
        self.http_status = http_status


async def upsert_credential(
    oauth: AsyncOAuth2Client, api_base: str, credential: SendableCredential, host: str
) -> bool:
    """Send the credential; return True when the host created it, False when it replaced it."""
    try:
        response = await oauth.post(
            f"{api_base}/credentials",
            content=credential.text.encode("utf-8"),
            headers={
                "Content-Type": credential.media_type,
                "Accept": f"{credential.media_type}, {JSON}",
            },
        )
    except FetchError as error:
        raise fetch_failure(error, host) from None
    if response.status_code in (200, 201):
        return bool(response.status_code == 201)
    detail = status_info_description(_json_or_none(response)) or f"HTTP {response.status_code}"
    log.warning("ob_upsert_rejected", host=host, status=response.status_code)
    raise UpsertRejectedError(
        f"{host} did not accept the badge (HTTP {response.status_code}): {detail}",
        host=host,
        detail=detail,
        http_status=response.status_code,
    )


def status_info_description(body: Any) -> str:
    """Return the ``imsx_description`` of an ``Imsx_StatusInfo``, with its code minor values.

    Returns an empty string for a body that is no ``Imsx_StatusInfo`` or has no description.
    """
    if not isinstance(body, dict):
        return ""
    description = body.get("imsx_description")
    text = description.strip() if isinstance(description, str) else ""
    fields = body.get("imsx_codeMinor", {})
    fields = fields.get("imsx_codeMinorField", []) if isinstance(fields, dict) else []
    minors = [
        str(field["imsx_codeMinorFieldValue"])
        for field in fields
        if isinstance(field, dict) and "imsx_codeMinorFieldValue" in field
    ]
    if text and minors:
        text = f"{text} ({', '.join(minors)})"
    return text[:MAX_DETAIL_CHARS]


def _json_or_none(response: Any) -> Any:
    try:
        return response.json()
    except (ValueError, RecursionError):
        return None
