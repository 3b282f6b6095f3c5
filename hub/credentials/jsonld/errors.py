"""Errors of the hub's JSON-LD processing.

JsonLdError is the base class for every document the hub cannot process as JSON-LD 1.1 (W3C
Recommendation, 16 July 2020). UnknownContextError names a context URL that is not bundled with
the hub. The document loader never fetches a context, so such a document cannot be processed.
ContextImportError rejects ``@import``, which pyld processes unsafely.
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


class ContextImportError(JsonLdError):
    """A context uses ``@import``, which the hub does not let pyld process.

    pyld 3.3 handles ``@import`` by merging the importing context into its cached copy of the
    imported context, in place (``_process_context`` in pyld/jsonld.py). The change would then
    apply to every later document in the process that uses the imported context.
    """

    def __init__(self) -> None:
        super().__init__(
            "a context uses @import, which is not supported; name the contexts by URL instead"
        )
