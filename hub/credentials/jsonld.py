"""JSON-LD processing over bundled contexts only (JSON-LD 1.1, RDF Dataset Canonicalization 1.0).

Every context the hub accepts ships in ``contexts/`` and is pinned by SHA-256 in
``contexts/index.json``. The document loader never touches the network: a context URL that is not
bundled raises :class:`UnknownContextError` naming it.

pyld keeps module-level caches that are not thread-safe, so all calls into pyld must happen on one
thread per process (use a process pool for parallel work).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from pyld import jsonld

CONTEXTS_PACKAGE = "hub.credentials.contexts"


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


@dataclass(frozen=True)
class BundledContext:
    url: str
    file: str
    sha256: str
    document: Mapping[str, Any]


@cache
def bundled_contexts() -> dict[str, BundledContext]:
    """Load every bundled context, checking each file against its pinned SHA-256."""
    root = resources.files(CONTEXTS_PACKAGE)
    index = json.loads((root / "index.json").read_text("utf-8"))
    loaded: dict[str, BundledContext] = {}
    for url, entry in index["contexts"].items():
        raw = (root / entry["file"]).read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if digest != entry["sha256"]:
            raise RuntimeError(
                f"bundled context {entry['file']} has SHA-256 {digest}, expected {entry['sha256']}"
            )
        loaded[url] = BundledContext(url, entry["file"], digest, json.loads(raw))
    for alias, target in index["aliases"].items():
        loaded[alias] = loaded[target]
    return loaded


def load_document(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """pyld document loader that serves bundled contexts and rejects everything else.

    The ``'tag': 'static'`` marker lets pyld keep the processed context between calls.
    """
    context = bundled_contexts().get(url)
    if context is None:
        raise UnknownContextError(url)
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": context.document,
        "tag": "static",
    }


def _options(**extra: Any) -> dict[str, Any]:
    return {"documentLoader": load_document, "base": None, **extra}


def _unwrap(error: jsonld.JsonLdError) -> Exception:
    """Find an UnknownContextError buried inside pyld's nested error causes."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, UnknownContextError):
            return cause
        cause = cause.__cause__ or cause.__context__
    return JsonLdError(f"invalid JSON-LD: {error}")


def expand(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    try:
        return jsonld.expand(dict(document), _options())
    except jsonld.JsonLdError as error:
        raise _unwrap(error) from error


def to_nquads(document: Mapping[str, Any]) -> str:
    """Convert a JSON-LD document to (not canonical) N-Quads with pyld."""
    try:
        return jsonld.to_rdf(dict(document), _options(format="application/n-quads"))
    except jsonld.JsonLdError as error:
        raise _unwrap(error) from error


def canonicalize_with_pyld(document: Mapping[str, Any]) -> str:
    """Canonical N-Quads of a JSON-LD document by RDFC-1.0 (pyld's URDNA2015)."""
    try:
        return jsonld.normalize(
            dict(document), _options(algorithm="URDNA2015", format="application/n-quads")
        )
    except jsonld.JsonLdError as error:
        raise _unwrap(error) from error


# NOTE: placeholder until the cached fast path lands; callers use this name.
canonicalize = canonicalize_with_pyld
