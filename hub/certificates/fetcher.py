"""The URL fetcher that WeasyPrint uses for certificates: it decodes data: URIs and rejects
every other URL.

Everything a certificate shows is inline: the logo and badge image are data: URIs and the QR
code is inline SVG. WeasyPrint 70 passes data: URIs through the URL fetcher too, so this
fetcher decodes them itself (RFC 2397) and rejects every other URL, whatever its scheme.
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


class RejectedURLError(ValueError):
    """A certificate asked for a URL other than an allowed data: URI."""


class InlineOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """Decode data: URIs of images and reject every other URL, listing it in ``rejected``.

    WeasyPrint catches the rejection, logs a warning and renders the page without that resource.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False)
        self.rejected: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        match = _DATA_URI.fullmatch(url)
        if match is None:
            raise self._reject(url, "only data: URIs are allowed")
        parameters = [part.strip() for part in match[1].split(";")]
        media_type = parameters[0].lower() or "text/plain"
        if media_type not in ALLOWED_MEDIA_TYPES:
            raise self._reject(url, f"the media type {media_type} is not an image type")
        try:
            if "base64" in (parameter.lower() for parameter in parameters[1:]):
                body = base64.b64decode(match[2], validate=True)
            else:
                body = unquote_to_bytes(match[2])
        except binascii.Error as error:
            raise self._reject(url, "its base64 data is invalid") from error
        return URLFetcherResponse(url, body, headers={"Content-Type": media_type})

    def _reject(self, url: str, reason: str) -> RejectedURLError:
        self.rejected.append(url)
        log.warning("certificate_url_rejected", url=url[:120], reason=reason)
        return RejectedURLError(f"certificates fetch no URL: {reason}")
