"""JSON-LD processing over bundled contexts only, with a cached RDFC-1.0 canonicaliser.

Specifications: JSON-LD 1.1 (W3C Recommendation, 16 July 2020) for expansion and conversion to
RDF, both done by pyld; RDF Dataset Canonicalization (RDFC-1.0, W3C Recommendation, 21 May 2024);
RDF 1.1 N-Quads for the output, in the exact line format of pyld's URDNA2015.

Every context the hub accepts ships in ``contexts/`` and is pinned by SHA-256 in
``contexts/index.json``. The document loader never touches the network: a context URL that is not
bundled raises :class:`UnknownContextError` naming it.

:func:`canonicalize` returns the same text as :func:`canonicalize_with_pyld`, about 40 times
faster for an Open Badge whose structure repeats (``benchmarks/canonicalize.py``):

1. The *shape* of a document (keys, contexts, types, language tags, numbers, booleans, nulls) is
   a cache key. Every other string is a *slot*.
2. For each shape, pyld converts a *skeleton* to RDF once, with every slot replaced by a unique
   sentinel IRI. The resulting quads become a template in a bounded LRU cache.
3. Later documents of that shape get their values substituted into the template. When every blank
   node has a unique first-degree hash, RDFC-1.0 needs no Hash N-Degree Quads step, and this
   package runs the remaining steps itself, with pyld's serialisation.
4. Anything the template cannot prove equivalent goes to pyld (see ``templates._pins_for``,
   ``rdfc._duplicates`` and ``rdfc._issue_canonical_labels`` for the rules), under the limits in
   ``limits``.

pyld keeps module-level caches that are not thread-safe, and so does this package: call it from
one thread per process only (use a process pool for parallel work).

Modules: ``loader`` (bundled contexts, document loader, plain pyld calls), ``limits``,
``shape`` (step 1), ``skeleton`` and ``templates`` (step 2), ``rdfc`` (step 3), ``fallback``
(step 4), ``analysis`` (undefined terms), ``policy`` (the rule against inline contexts),
``errors`` and ``vocabulary``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.credentials.jsonld.analysis import _expand_and_analyse
from hub.credentials.jsonld.errors import ContextImportError, JsonLdError, UnknownContextError
from hub.credentials.jsonld.fallback import _canonicalize_bounded
from hub.credentials.jsonld.limits import (
    MAX_BLANK_NODES,
    MAX_CACHED_SHAPE_CHARACTERS,
    MAX_DOCUMENT_CHARACTERS,
    MAX_HASH_N_DEGREE_CALLS,
    MAX_HASH_N_DEGREE_DEPTH,
    MAX_HASH_N_DEGREE_PERMUTATIONS,
    MAX_NESTING_DEPTH,
    MAX_NODES,
    MAX_PIN_ROUNDS,
    MAX_PINNED_CHARACTERS,
    TEMPLATE_CACHE_SIZE,
    DocumentTooComplexError,
    check_json_nesting,
    check_value_nesting,
)
from hub.credentials.jsonld.loader import (
    CONTEXTS_PACKAGE,
    BundledContext,
    bundled_contexts,
    canonicalize_with_pyld,
    expand,
    load_document,
    to_nquads,
)
from hub.credentials.jsonld.policy import find_inline_contexts
from hub.credentials.jsonld.rdfc import _canonicalize_with_template
from hub.credentials.jsonld.shape import _as_json, _read_shape
from hub.credentials.jsonld.templates import _template_for, clear_template_cache
from hub.credentials.jsonld.vocabulary import (
    JSONLD_KEYWORDS,
    NQUADS,
    RDF_LANGSTRING,
    RDF_NIL,
    RDF_TYPE,
    XSD_DOUBLE,
    XSD_STRING,
)

__all__ = [
    "CONTEXTS_PACKAGE",
    "JSONLD_KEYWORDS",
    "MAX_BLANK_NODES",
    "MAX_CACHED_SHAPE_CHARACTERS",
    "MAX_DOCUMENT_CHARACTERS",
    "MAX_HASH_N_DEGREE_CALLS",
    "MAX_HASH_N_DEGREE_DEPTH",
    "MAX_HASH_N_DEGREE_PERMUTATIONS",
    "MAX_NESTING_DEPTH",
    "MAX_NODES",
    "MAX_PINNED_CHARACTERS",
    "MAX_PIN_ROUNDS",
    "NQUADS",
    "RDF_LANGSTRING",
    "RDF_NIL",
    "RDF_TYPE",
    "TEMPLATE_CACHE_SIZE",
    "XSD_DOUBLE",
    "XSD_STRING",
    "BundledContext",
    "ContextImportError",
    "DocumentTooComplexError",
    "JsonLdError",
    "UnknownContextError",
    "bundled_contexts",
    "canonicalize",
    "canonicalize_fast",
    "canonicalize_with_pyld",
    "check_json_nesting",
    "check_value_nesting",
    "clear_template_cache",
    "expand",
    "find_inline_contexts",
    "find_undefined_terms",
    "load_document",
    "to_nquads",
]


def canonicalize(document: Mapping[str, Any]) -> str:
    """Canonicalise a JSON-LD document by RDFC-1.0 into the text canonicalize_with_pyld returns.

    Raises DocumentTooComplexError over a limit, UnknownContextError for a context that is not
    bundled, and JsonLdError for any other document that pyld cannot process. Unlike
    canonicalize_with_pyld it also rejects strings with lone surrogates, which cannot be hashed.
    """
    document = _as_json(document)
    shape = _read_shape(document)
    template = _template_for(document, shape)
    if template is not None:
        canonical = _canonicalize_with_template(template, shape.values)
        if canonical is not None:
            return canonical
    return _canonicalize_bounded(document)


def canonicalize_fast(document: Mapping[str, Any]) -> str | None:
    """Canonicalise through the template cache only; None when the document needs pyld."""
    document = _as_json(document)
    shape = _read_shape(document)
    template = _template_for(document, shape)
    if template is None:
        return None
    return _canonicalize_with_template(template, shape.values)


def find_undefined_terms(document: Mapping[str, Any]) -> list[str]:
    """List the properties, types and IRI references that JSON-LD processing silently drops.

    pyld has no safe mode: it drops properties missing from the contexts, and with no base IRI
    it keeps undefined types and relative ``id`` values as relative IRIs, which RDF conversion
    then drops too. A signature does not cover what was dropped, so the signer must reject a
    document with any entry here, and the verifier reports them. Each entry is the name or value
    as written in the document, in pyld's processing order, without repeats.
    """
    document = _as_json(document)
    shape = _read_shape(document)
    template = _template_for(document, shape)
    if template is None or template.analysis is None:
        _, analysis = _expand_and_analyse(document)
        return list(analysis.undefined_terms)
    return list(template.analysis.undefined_terms)
