"""Errors of the hub's JSON-LD processing.

JsonLdError is the base class for every document the hub cannot process as JSON-LD 1.1 (W3C
Recommendation, 16 July 2020). UnknownContextError names a context URL that is not bundled with
the hub. The document loader never fetches a context, so such a document cannot be processed.
"""

from __future__ import annotations


class JsonLdError(Exception):
    """A document could not be processed as JSON-LD."""


class UnknownContextError(JsonLdError):
    """A document references a context URL that is not bundled with the hub."""

    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(
            f"unknown JSON-LD context {url!r}: only bundled contexts are accepted "
            "(Open Badges 2.0/3.0, VC 1.1/2.0, Data Integrity, Multikey, status lists); "
            "use one of those context URLs"
        )
