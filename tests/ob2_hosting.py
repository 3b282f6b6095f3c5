"""A test stand-in for the outbound fetcher that serves the 1EdTech OB 2.0 sample files.

The 1EdTech validator's own OB 2.0 tests resolve ``example.org`` URLs to its ``ob20/assets``
folder; this double does the same, because tests make no requests to the public network. A
sample given as input is served at its own ``id`` when the test hosts it there.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from hub.outbound import FetchedDocument, FetchError

SHARED_VECTORS = Path(__file__).resolve().parents[1].parent / "shared" / "vectors"
OB20 = SHARED_VECTORS / "1EdTech__digital-credentials-public-validator" / "ob20"
MEDIA_TYPES = {".json": "application/json", ".png": "image/png", ".svg": "image/svg+xml"}


class SampleFetcher:
    """Serve ``http(s)://example.org/NAME`` from ``ob20/assets/NAME``; other URLs get 404."""

    def __init__(self, hosted: dict[str, Path] | None = None, gone: set[str] | None = None):
        self.hosted = dict(hosted or {})
        self.gone = set(gone or ())
        self.requested: list[str] = []

    async def fetch(
        self,
        url: str,
        *,
        accept: str = "application/json",
        max_bytes: int | None = None,
        use_cache: bool = True,
    ) -> FetchedDocument:
        self.requested.append(url)
        if url in self.gone:
            raise FetchError("http-status", url, f"{url} returned HTTP 410", status=410)
        path = self.hosted.get(url) or self._asset(url)
        if path is None or not path.is_file():
            raise FetchError("http-status", url, f"{url} returned HTTP 404", status=404)
        media_type = MEDIA_TYPES.get(path.suffix, "application/json")
        return FetchedDocument(url, url, 200, media_type, path.read_bytes())

    @staticmethod
    def _asset(url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.hostname != "example.org" or not parts.path.strip("/"):
            return None
        name = parts.path.strip("/")
        candidate = OB20 / "assets" / name
        # example.org/badgeclass1 names assets/badgeclass1.json in the samples.
        return candidate if candidate.suffix else candidate.with_suffix(".json")
