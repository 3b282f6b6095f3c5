"""Bundled JSON-LD contexts, the pyld document loader that serves only them, and plain pyld calls.

Every context the hub accepts ships in ``contexts/`` and is pinned by SHA-256 in
``contexts/index.json``. The document loader never touches the network: a context URL that is not
bundled raises :class:`UnknownContextError` naming it. Expansion and conversion to RDF follow
JSON-LD 1.1 (W3C Recommendation, 16 July 2020), both done by pyld. canonicalize_with_pyld runs
pyld's URDNA2015 (RDFC-1.0) without the limits that canonicalize applies.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from pyld import jsonld

from hub.credentials.jsonld.errors import ContextImportError, JsonLdError, UnknownContextError
from hub.credentials.jsonld.vocabulary import NQUADS

CONTEXTS_PACKAGE = "hub.credentials.contexts"


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


def reject_context_import(document: object) -> None:
    """Raise ContextImportError when any object in the document has an ``@import`` key."""
    pending = [document]
    while pending:
        node = pending.pop()
        if isinstance(node, Mapping):
            if "@import" in node:
                raise ContextImportError()
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)


def expand(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    reject_context_import(document)
    try:
        expanded: list[dict[str, Any]] = jsonld.expand(dict(document), _options())
        return expanded
    except jsonld.JsonLdError as error:
        raise _unwrap(error) from error


def to_nquads(document: Mapping[str, Any]) -> str:
    """Convert a JSON-LD document to (not canonical) N-Quads with pyld."""
    reject_context_import(document)
    try:
        nquads: str = jsonld.to_rdf(dict(document), _options(format=NQUADS))
        return nquads
    except jsonld.JsonLdError as error:
        raise _unwrap(error) from error


def canonicalize_with_pyld(document: Mapping[str, Any]) -> str:
    """Canonical N-Quads of a JSON-LD document by RDFC-1.0 (pyld's URDNA2015)."""
    reject_context_import(document)
    try:
        canonical: str = jsonld.normalize(
            dict(document), _options(algorithm="URDNA2015", format=NQUADS)
        )
        return canonical
    except jsonld.JsonLdError as error:
        raise _unwrap(error) from error


@contextmanager
def _pyld_errors() -> Iterator[None]:
    """Turn every error pyld raises on a document into a JsonLdError."""
    try:
        yield
    except jsonld.JsonLdError as error:
        raise _unwrap(error) from error
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as error:
        # pyld 3.3 crashes on some invalid input instead of raising its own error, for example
        # on an @vocab-typed value such as "@foo". Callers expect a JsonLdError either way.
        raise JsonLdError(f"invalid JSON-LD: pyld failed with {error!r}") from error
