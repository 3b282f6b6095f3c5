"""The URL fetcher that WeasyPrint uses for certificates: it decodes data: URIs and fetches
nothing else.

Everything a certificate shows is inline: the logo and badge image are data: URIs and the QR
code is inline SVG. WeasyPrint 70 passes data: URIs through the URL fetcher too, so this
fetcher decodes them itself (RFC 2397) and refuses every other URL, whatever its scheme.
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import unquote_to_bytes

import structlog
from weasyprint.urls import URLFetcher, URLFetcherResponse

log = structlog.get_logger(__name__)

# Media types a certificate embeds: badge images and logos (SVG, possibly wrapping PNG or JPEG).
ALLOWED_MEDIA_TYPES = frozenset({"image/svg+xml", "image/png", "image/jpeg"})
_DATA_URI = re.compile(r"data:([^,]*),(.*)", re.IGNORECASE | re.DOTALL)


class RefusedURLError(ValueError):
    """A certificate asked for a URL other than an allowed data: URI."""


class InlineOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """Decode data: URIs of images and refuse every other URL, listing it in ``refused``.

    WeasyPrint catches the refusal, logs a warning and renders the page without that resource.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        match = _DATA_URI.fullmatch(url)
        if match is None:
            raise self._refuse(url, "only data: URIs are allowed")
        parameters = [part.strip() for part in match[1].split(";")]
        media_type = parameters[0].lower() or "text/plain"
        if media_type not in ALLOWED_MEDIA_TYPES:
            raise self._refuse(url, f"the media type {media_type} is not an image type")
        try:
            if "base64" in (parameter.lower() for parameter in parameters[1:]):
                body = base64.b64decode(match[2], validate=True)
            else:
                body = unquote_to_bytes(match[2])
        except binascii.Error as error:
            raise self._refuse(url, "its base64 data is invalid") from error
        return URLFetcherResponse(url, body, headers={"Content-Type": media_type})

    def _refuse(self, url: str, reason: str) -> RefusedURLError:
        self.refused.append(url)
        log.warning("certificate_url_refused", url=url[:120], reason=reason)
        return RefusedURLError(f"certificates fetch nothing: {reason}")
