"""The public verification page, and reading a verification request in any accepted form.

The API (``POST /api/v1/verify``) and the page (``/verify``) take the same inputs: a credential
body (JSON, a compact JWS, or a PNG or SVG image), ``{"url": ...}``, or a multipart form with
the fields ``file``, ``text``, ``url`` and ``recipient``. The page works without JavaScript.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import structlog
from litestar import Controller, MediaType, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.response import Template

from hub import verification
from hub.credentials.baking import MAX_IMAGE_BYTES
from hub.errors import InvalidInputError
from hub.pages import render
from hub.settings import Settings
from hub.verification_input import ACCEPTED

log = structlog.get_logger(__name__)

MULTIPART = "multipart/form-data"
FORM = "application/x-www-form-urlencoded"
# An e-mail address is at most 254 characters (RFC 5321 path limit).
MAX_RECIPIENT_CHARS = 254


@dataclass(frozen=True)
class Submission:
    data: str | bytes
    recipient: str | None


def _no_input() -> InvalidInputError:
    return InvalidInputError(
        f"nothing to verify was sent; {ACCEPTED}. Send it as the request body, as "
        '{"url": "https://..."}, or as a multipart form with a file, text or url field',
        code="unreadable-credential",
    )


async def read_submission(request: Request[Any, Any, Any]) -> Submission:
    """Read the credential and the optional recipient e-mail from a request."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == MULTIPART or (content_type == FORM and not await _is_raw_body(request)):
        return await _read_form(request)
    body = await request.body()
    if not body.strip():
        raise _no_input()
    if content_type.endswith("json") and body.lstrip().startswith(b"{"):
        url_request = _url_request(body)
        if url_request is not None:
            return url_request
    return Submission(body, None)


async def _is_raw_body(request: Request[Any, Any, Any]) -> bool:
    """Tell a credential sent as a form-encoded body (curl's default) from a real form.

    A form body is ``name=value`` pairs. A JSON object starts with a brace, and a compact JWS has
    no ``=`` at all, because base64url in a JWS has no padding.
    """
    body = (await request.body()).lstrip()
    return body.startswith(b"{") or (bool(body) and b"=" not in body)


def _url_request(body: bytes) -> Submission | None:
    """Return the submission of a ``{"url": ..., "recipient": ...}`` body, else None."""
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict) or not set(value) <= {"url", "recipient"} or "url" not in value:
        return None
    url, recipient = value.get("url"), value.get("recipient")
    if not isinstance(url, str) or (recipient is not None and not isinstance(recipient, str)):
        raise InvalidInputError(
            '"url" and "recipient" must be strings, for example {"url": "https://..."}',
            code="unreadable-credential",
        )
    return Submission(url.strip(), _recipient(recipient))


async def _read_form(request: Request[Any, Any, Any]) -> Submission:
    form = await request.form()
    recipient = _recipient(form.get("recipient"))
    given: list[tuple[str, str | bytes]] = []
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(MAX_IMAGE_BYTES + 1)
        if len(data) > MAX_IMAGE_BYTES:
            raise InvalidInputError(
                f"the file {upload.filename!r} is over the limit of {MAX_IMAGE_BYTES:,} bytes",
                code="file-too-large",
            )
        if data.strip():
            given.append(("file", data))
    for field in ("text", "url"):
        value = form.get(field)
        if isinstance(value, str) and value.strip():
            given.append((field, value.strip()))
    if not given:
        raise _no_input()
    if len(given) > 1:
        names = " and ".join(name for name, _ in given)
        raise InvalidInputError(
            f"both {names} were given; send one credential at a time: a file, a text or a URL",
            code="ambiguous-input",
        )
    return Submission(given[0][1], recipient)


def _recipient(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    address = value.strip()
    if len(address) > MAX_RECIPIENT_CHARS or "@" not in address:
        raise InvalidInputError(
            "the recipient must be an e-mail address such as name@example.org",
            code="invalid-recipient",
        )
    return address


_SAFE_DATA_IMAGES = tuple(f"data:image/{kind};base64," for kind in ("png", "jpeg", "gif", "webp"))


def displayable_image(url: str | None, base_url: str) -> str | None:
    """Return the badge image URL when the page may show it, else None.

    Shown are HTTPS images, this hub's own images and raster data URIs. Plain HTTP images from
    elsewhere would make the page mixed content, and other schemes (javascript:, file:) are
    never put in a page.
    """
    if url is None:
        return None
    if url.startswith(("https://", f"{base_url}/", *_SAFE_DATA_IMAGES)):
        return url
    return None


class VerifyPageController(Controller):
    """The public page where anyone verifies a badge by pasting, uploading or linking it."""

    path = "/verify"
    opt = {"access": "public"}

    @get("/", media_type=MediaType.HTML)
    async def page(self, request: Request[Any, Any, Any]) -> Template:
        return await render(request, "verify.html", report=None, error=None)

    @post("/", media_type=MediaType.HTML, status_code=200)
    async def submit(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Template:
        """Verify the submitted badge and show the report; unreadable input shows why, with 400."""
        try:
            submission = await read_submission(request)
            report = await verification.verify(
                settings, submission.data, recipient=submission.recipient
            )
        except InvalidInputError as error:
            log.info("verification_input_rejected", code=error.code)
            return await render(request, "verify.html", 400, report=None, error=error.message)
        image = displayable_image(report.summary.achievement_image, settings.base_url)
        return await render(request, "verify.html", report=report, error=None, image=image)
