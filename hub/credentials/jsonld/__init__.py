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
   module runs the remaining steps itself, with pyld's serialisation.
4. Anything the template cannot prove equivalent goes to pyld (see ``_pins_for``, ``_duplicates``
   and ``_issue_canonical_labels`` for the rules), under the limits below.

pyld keeps module-level caches that are not thread-safe, and so does this module: call it from
one thread per process only (use a process pool for parallel work).
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
import re
import secrets
import warnings
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.nquads import escape as escape_literal

CONTEXTS_PACKAGE = "hub.credentials.contexts"

# Limits against hostile input, because a public verifier canonicalises documents from anyone.
# The largest Open Badges 3.0 sample from 1EdTech ("complete") has 13,385 characters, 87 JSON
# objects, 35 blank nodes and 11 levels of nesting. The limits leave room for much more. Times
# below were measured with pyld 3.3.0 on one core of an AMD EPYC server.
# Characters in keys and strings, where an image embedded as a data: URL adds a few hundred
# thousand.
MAX_DOCUMENT_CHARACTERS = 4_000_000
# JSON objects, each of which pyld expands into a node or a value.
MAX_NODES = 10_000
# Nested objects and arrays, because pyld recurses once per level and Python's stack is limited.
MAX_NESTING_DEPTH = 64
# RDF blank nodes, each hashed at least once: 1,000 identical ones take pyld about 0.5 s.
MAX_BLANK_NODES = 1_000
# Hash N-Degree Quads calls in pyld. Without a bound, a clique of 7 blank nodes took 7 s.
MAX_HASH_N_DEGREE_CALLS = 1_000
# Nested Hash N-Degree Quads calls, because pyld recurses along chains of blank nodes.
MAX_HASH_N_DEGREE_DEPTH = 100
# Orderings Hash N-Degree Quads may try, counted as the factorial of each group of blank nodes
# sharing a related hash. The "complete" sample needs 2,896.
MAX_HASH_N_DEGREE_PERMUTATIONS = 25_000

# Template cache bounds, so that hostile input cannot grow memory.
# Shapes kept. An issuer has a handful per achievement, and a verifier receives many.
TEMPLATE_CACHE_SIZE = 512
# Larger shapes (for example big inline contexts) go to pyld without caching.
MAX_CACHED_SHAPE_CHARACTERS = 65_536
# Characters of the values copied into a cache key for pyld to process (see _pins_for).
MAX_PINNED_CHARACTERS = 4_096
# Rounds of pinning, because each round can reveal slots that the previous skeleton dropped.
MAX_PIN_ROUNDS = 3

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_NIL = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
NQUADS = "application/n-quads"

# The keywords pyld recognises: those of JSON-LD 1.1 and of JSON-LD 1.1 Framing.
JSONLD_KEYWORDS = frozenset(jsonld.KEYWORDS)


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


class DocumentTooComplexError(JsonLdError):
    """A document exceeds one of the processing limits (``MAX_*`` in this module)."""

    def __init__(self, limit: str, value: int, maximum: int) -> None:
        self.limit = limit
        self.value = value
        self.maximum = maximum
        counted, fix = _LIMIT_WORDS[limit]
        super().__init__(
            f"JSON-LD document too complex: {value:,} {counted}, over the limit "
            f"{limit} = {maximum:,}; {fix}"
        )


_SYMMETRIC = "give repeated objects an id or make them differ, or send a smaller document"
_LIMIT_WORDS = {
    "MAX_DOCUMENT_CHARACTERS": ("characters", "send a smaller document"),
    "MAX_NODES": ("JSON objects", "send a smaller document"),
    "MAX_NESTING_DEPTH": ("levels of nesting", "send a less deeply nested document"),
    "MAX_BLANK_NODES": ("blank nodes", "give objects an id, or send a smaller document"),
    "MAX_HASH_N_DEGREE_CALLS": ("deep hashing steps", _SYMMETRIC),
    "MAX_HASH_N_DEGREE_DEPTH": ("nested hashing steps", _SYMMETRIC),
    "MAX_HASH_N_DEGREE_PERMUTATIONS": ("blank node orderings", _SYMMETRIC),
}


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
        expanded: list[dict[str, Any]] = jsonld.expand(dict(document), _options())
        return expanded
    except jsonld.JsonLdError as error:
        raise _unwrap(error) from error


def to_nquads(document: Mapping[str, Any]) -> str:
    """Convert a JSON-LD document to (not canonical) N-Quads with pyld."""
    try:
        nquads: str = jsonld.to_rdf(dict(document), _options(format=NQUADS))
        return nquads
    except jsonld.JsonLdError as error:
        raise _unwrap(error) from error


def canonicalize_with_pyld(document: Mapping[str, Any]) -> str:
    """Canonical N-Quads of a JSON-LD document by RDFC-1.0 (pyld's URDNA2015)."""
    try:
        canonical: str = jsonld.normalize(
            dict(document), _options(algorithm="URDNA2015", format=NQUADS)
        )
        return canonical
    except jsonld.JsonLdError as error:
        raise _unwrap(error) from error


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


def clear_template_cache() -> None:
    """Forget every cached template (for tests and benchmarks)."""
    _TEMPLATES.clear()


# --- Shape of a document -------------------------------------------------------------------


class _Token:
    """A marker in a shape key, compared by identity so that it never equals document data."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


_MAP, _LIST, _END, _SLOT = _Token("map"), _Token("list"), _Token("end"), _Token("slot")
_TRUE, _FALSE, _NULL = _Token("true"), _Token("false"), _Token("null")
_NUMBER, _JSON = _Token("number"), _Token("json")

# Values under these keys decide how pyld reads everything else (contexts, type-scoped contexts,
# language tags, index merging), so they are part of the shape rather than slots.
_SHAPE_KEYS = frozenset({"@context", "type", "@type", "@language", "@direction", "@index"})
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class _Shape:
    key: tuple[object, ...]
    values: list[str]
    shape_characters: int


class _ShapeValues:
    """Freezes the values under shape keys and applies the limits while a shape is read."""

    def __init__(self) -> None:
        self.nodes = 0
        self.characters = 0

    def count_node(self) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise DocumentTooComplexError("MAX_NODES", self.nodes, MAX_NODES)

    def freeze(self, value: object, depth: int) -> object:
        """Turn a value under a shape key into one hashable token that keeps all of it."""
        if type(value) is str:
            return value  # counted and checked with the other string tokens
        if type(value) is list and all(type(item) is str for item in value):
            _check_text("".join(value))
            self.characters += sum(map(len, value))
            return tuple(value)
        self.measure(value, depth)
        text = json.dumps(value, ensure_ascii=False)
        self.characters += len(text)
        return (_JSON, text)

    def measure(self, value: object, depth: int) -> None:
        """Apply the limits to a subtree kept whole in the shape, such as an inline context."""
        if depth > MAX_NESTING_DEPTH:
            raise DocumentTooComplexError("MAX_NESTING_DEPTH", depth, MAX_NESTING_DEPTH)
        if type(value) is str:
            _check_text(value)
        elif type(value) is dict:
            self.count_node()
            for key, item in value.items():
                _check_text(key)
                self.measure(item, depth + 1)
        elif type(value) is list:
            for item in value:
                self.measure(item, depth + 1)
        else:
            _scalar_token(value)


def _read_shape(document: object) -> _Shape:
    """Walk a JSON document once, building its shape key and enforcing the limits."""
    tokens: list[object] = []
    values: list[str] = []
    add_token, add_value = tokens.append, values.append
    shape_values = _ShapeValues()

    def read(node: object, depth: int) -> None:
        if depth > MAX_NESTING_DEPTH:
            raise DocumentTooComplexError("MAX_NESTING_DEPTH", depth, MAX_NESTING_DEPTH)
        kind = type(node)
        if kind is dict:
            shape_values.count_node()
            add_token(_MAP)
            for key, item in node.items():  # type: ignore[attr-defined]
                add_token(key)
                if key in _SHAPE_KEYS:
                    add_token(shape_values.freeze(item, depth + 1))
                elif type(item) is str:
                    add_token(_SLOT)
                    add_value(item)
                else:
                    read(item, depth + 1)
            add_token(_END)
        elif kind is str:
            add_token(_SLOT)
            add_value(node)  # type: ignore[arg-type]
        elif kind is list:
            add_token(_LIST)
            for item in node:  # type: ignore[attr-defined]
                read(item, depth + 1)
            add_token(_END)
        else:
            add_token(_scalar_token(node))

    read(document, 1)
    key = tuple(tokens)
    # Keys and shape strings are the str tokens; joining them checks all of them in one pass.
    shape_text = "".join([token for token in key if type(token) is str])
    value_text = "".join(values)
    _check_text(shape_text)
    _check_text(value_text)
    shape_characters = len(shape_text) + shape_values.characters
    characters = shape_characters + len(value_text)
    if characters > MAX_DOCUMENT_CHARACTERS:
        raise DocumentTooComplexError(
            "MAX_DOCUMENT_CHARACTERS", characters, MAX_DOCUMENT_CHARACTERS
        )
    return _Shape(key, values, shape_characters)


def _check_text(text: str) -> None:
    # A lone surrogate (from a JSON escape such as "\ud800") cannot be encoded as UTF-8, so
    # neither pyld nor this module could hash it.
    if text.isascii():
        return
    found = _SURROGATE.search(text)
    if found is not None:
        raise JsonLdError(
            f"invalid string: a lone surrogate {found.group()!r} at position {found.start()} "
            "cannot be encoded as UTF-8; fix the JSON escape that produced it"
        )


def _scalar_token(value: object) -> object:
    if value is True:
        return _TRUE
    if value is False:
        return _FALSE
    if value is None:
        return _NULL
    if type(value) is int or type(value) is float:
        # repr keeps 1, 1.0 and -0.0 apart, which pyld converts to different literals.
        return (_NUMBER, repr(value))
    raise JsonLdError(f"invalid JSON value of type {type(value).__name__}: {value!r:.40}")


def _as_json(document: Mapping[str, Any]) -> dict[str, Any]:
    return document if type(document) is dict else dict(document)


# --- Skeletons and their sentinels ---------------------------------------------------------

# A sentinel is an absolute IRI whose part after the scheme starts with "//". pyld's IRI
# expansion returns such a value before it looks at prefixes, so a sentinel passes through
# unchanged whether pyld reads it as an IRI or as a literal. The random part keeps documents
# from forging one.
_SLOT_PREFIX = f"x-hub-slot://{secrets.token_hex(8)}/"
_EMBEDDED_SLOT = re.compile(re.escape(_SLOT_PREFIX) + r"(\d+)")


def _sentinel(slot: int) -> str:
    return f"{_SLOT_PREFIX}{slot}"


def _slot_of(value: str) -> int | None:
    if not value.startswith(_SLOT_PREFIX):
        return None
    number = value[len(_SLOT_PREFIX) :]
    if not number.isdigit() or _sentinel(int(number)) != value:
        return None
    return int(number)


def _build_skeleton(node: Any, pins: Mapping[int, str], slots: itertools.count[int]) -> Any:
    """Copy a document with every slot string replaced by its sentinel or its pinned value.

    Traverses in the same order as _read_shape, so slot numbers match shape values.
    """
    kind = type(node)
    if kind is str:
        slot = next(slots)
        return pins[slot] if slot in pins else _sentinel(slot)
    if kind is dict:
        # Shape values are copied, so that pyld's context cache never shares an object that the
        # caller may change later.
        return {
            key: copy.deepcopy(value) if key in _SHAPE_KEYS else _build_skeleton(value, pins, slots)
            for key, value in node.items()
        }
    if kind is list:
        return [_build_skeleton(item, pins, slots) for item in node]
    return node


@dataclass(frozen=True)
class _Scope:
    """Supersets of the terms, and of the terms usable as prefixes, in a document's contexts."""

    terms: frozenset[str]
    prefixes: frozenset[str]

    def with_inline_contexts(self, skeleton: object) -> _Scope:
        terms, prefixes = set(self.terms), set(self.prefixes)
        _collect_inline_terms(skeleton, terms, prefixes)
        return _Scope(frozenset(terms), frozenset(prefixes))


@cache
def _bundled_scope() -> _Scope:
    terms: set[str] = set()
    prefixes: set[str] = set()
    for context in bundled_contexts().values():
        _collect_terms(context.document.get("@context"), terms, prefixes)
    return _Scope(frozenset(terms), frozenset(prefixes))


def _collect_terms(value: object, terms: set[str], prefixes: set[str]) -> None:
    """Add every non-keyword key found anywhere in a context, and those that can be prefixes.

    pyld uses a term as a prefix only when a plain string defines it or when its definition
    sets "@prefix" to true (JSON-LD 1.1, Create Term Definition).
    """
    if isinstance(value, dict):
        for key, item in value.items():
            if not key.startswith("@"):
                terms.add(key)
                if isinstance(item, str) or (isinstance(item, dict) and item.get("@prefix")):
                    prefixes.add(key)
            _collect_terms(item, terms, prefixes)
    elif isinstance(value, list):
        for item in value:
            _collect_terms(item, terms, prefixes)


def _collect_inline_terms(node: object, terms: set[str], prefixes: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                _collect_terms(value, terms, prefixes)
            else:
                _collect_inline_terms(value, terms, prefixes)
    elif isinstance(node, list):
        for item in node:
            _collect_inline_terms(item, terms, prefixes)


# A subset of what pyld calls absolute, because its scheme class also admits "," and its check
# lets a trailing newline through. This one admits no whitespace at all.
_PLAIN_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]*")


def _is_plain_iri(value: str, scope: _Scope) -> bool:
    """Tell whether pyld keeps this value unchanged as an absolute IRI in every IRI position.

    pyld expands a term (whole value, in @vocab positions) and a compact IRI whose prefix is a
    term, unless the part after the first colon starts with "//".
    """
    if not _PLAIN_IRI.fullmatch(value) or value in scope.terms:
        return False
    scheme, _, rest = value.partition(":")
    return rest.startswith("//") or scheme not in scope.prefixes


# --- Templates -----------------------------------------------------------------------------

# The kind of an IRI slot. The kind of a literal slot is its N-Quads suffix.
_IRI_SLOT = None


@dataclass(frozen=True)
class _Analysis:
    """Dropped terms and value object keys found by pyld's expansion of a skeleton."""

    undefined_terms: tuple[str, ...]
    # (@type, @language, @index) of each literal slot's value object, as pyld compares them.
    value_keys: dict[int, tuple[Any, Any, Any]]
    has_explicit_rdf_type: bool


@dataclass(eq=False)
class _Template:
    """The quads pyld produced for one skeleton, with slots left open.

    The per-document term table is ``fixed_terms``, then one term per IRI slot, then one per
    literal slot. ``quads`` index into that table, and graph -1 is the default graph.
    """

    serial: int
    scope: _Scope
    unusable: str | None = None
    required_pins: frozenset[int] = frozenset()
    fixed_terms: list[str] = field(default_factory=list)
    iri_slots: tuple[int, ...] = ()
    literal_slots: tuple[tuple[int, str], ...] = ()
    quads: list[tuple[int, int, int, int]] = field(default_factory=list)
    object_origins: tuple[str, ...] = ()
    blank_node_quads: dict[int, list[int]] = field(default_factory=dict)
    blank_quads: tuple[int, ...] = ()
    analysis: _Analysis | None = None

    def slot_of_object(self, quad: int) -> int:
        first_literal = len(self.fixed_terms) + len(self.iri_slots)
        return self.literal_slots[self.quads[quad][2] - first_literal][0]


class _TemplateCompiler:
    """Turns pyld's RDF dataset of a skeleton into a _Template."""

    def __init__(self, template: _Template) -> None:
        self.template = template
        self.kinds: dict[int, str | None] = {}
        self.pins: set[int] = set()
        self.raw_quads: list[tuple[str | int, str | int, str | int, str | int | None]] = []
        self.origins: list[str] = []

    def compile(self, dataset: dict[str, list[dict[str, Any]]]) -> _Template:
        for graph_name, triples in dataset.items():
            graph = None if graph_name == "@default" else self.term(_graph_term(graph_name))
            for triple in triples:
                self.add(triple, graph)
        if self.pins:
            return self.pending()
        return self.finish()

    def add(self, triple: dict[str, dict[str, Any]], graph: str | int | None) -> None:
        obj = triple["object"]
        subject, predicate = self.term(triple["subject"]), self.term(triple["predicate"])
        object_term = self.term(obj)
        self.raw_quads.append((subject, predicate, object_term, graph))
        if obj["type"] != "literal":
            self.origins.append("list" if obj["value"] == RDF_NIL else "node")
        else:
            self.origins.append("slot" if isinstance(object_term, int) else "fixed")

    def term(self, term: dict[str, Any]) -> str | int:
        kind, value = term["type"], term["value"]
        if kind == "blank node":
            return str(value)
        if kind == "IRI":
            slot = _slot_of(value)
            if slot is None:
                self.pin_embedded(value)
                return f"<{value}>"
            self.note_kind(slot, _IRI_SLOT)
            return slot
        return self.literal(value, term["datatype"], term.get("language"))

    def literal(self, value: str, datatype: str, language: str | None) -> str | int:
        self.pin_embedded(datatype)
        self.pin_embedded(language or "")
        suffix = _literal_suffix(datatype, language)
        slot = _slot_of(value)
        if slot is None:
            self.pin_embedded(value)
            return f'"{escape_literal(value)}"{suffix}'
        if datatype == XSD_DOUBLE:
            # pyld rewrites a numeric string with this datatype as a canonical double.
            self.pins.add(slot)
        else:
            self.note_kind(slot, suffix)
        return slot

    def note_kind(self, slot: int, kind: str | None) -> None:
        if self.kinds.setdefault(slot, kind) != kind:
            self.pins.add(slot)

    def pin_embedded(self, text: str) -> None:
        """Pin slots whose sentinel pyld copied into a longer string (such as a JSON literal)."""
        if _SLOT_PREFIX in text:
            self.pins.update(int(number) for number in _EMBEDDED_SLOT.findall(text))

    def pending(self) -> _Template:
        template = self.template
        template.required_pins = frozenset(self.pins)
        template.iri_slots = tuple(s for s, kind in self.kinds.items() if kind is _IRI_SLOT)
        return template

    def finish(self) -> _Template:
        template = self.template
        fixed = sorted({part for quad in self.raw_quads for part in quad if isinstance(part, str)})
        iri_slots = [slot for slot, kind in self.kinds.items() if kind is _IRI_SLOT]
        literal_slots = [(slot, kind) for slot, kind in self.kinds.items() if kind is not None]
        fixed_positions = {term: number for number, term in enumerate(fixed)}
        slot_order = [*iri_slots, *(slot for slot, _ in literal_slots)]
        slot_positions = {slot: len(fixed) + number for number, slot in enumerate(slot_order)}

        def position(part: str | int | None) -> int:
            if part is None:
                return -1
            return fixed_positions[part] if isinstance(part, str) else slot_positions[part]

        template.quads = [
            (position(s), position(p), position(o), position(g)) for s, p, o, g in self.raw_quads
        ]
        template.fixed_terms = fixed
        template.iri_slots = tuple(iri_slots)
        template.literal_slots = tuple(literal_slots)
        template.object_origins = tuple(self.origins)
        template.blank_node_quads = _blank_node_quads(fixed, template.quads)
        template.blank_quads = tuple(
            sorted({number for numbers in template.blank_node_quads.values() for number in numbers})
        )
        if len(set(template.quads)) != len(template.quads):
            # pyld kept two equal quads (for example from 1 and "1" with the same datatype).
            # Substituted values could not keep both, so such a template is never used.
            template.unusable = "pyld produced a repeated quad"
        return template


def _graph_term(name: str) -> dict[str, str]:
    return {"type": "blank node" if name.startswith("_:") else "IRI", "value": name}


def _literal_suffix(datatype: str, language: str | None) -> str:
    """Return what pyld writes after a literal's quoted value (see pyld.nquads.serialize_nquad)."""
    if datatype == RDF_LANGSTRING:
        return f"@{language}" if language else ""
    if datatype == XSD_STRING:
        return ""
    return f"^^<{datatype}>"


def _blank_node_quads(
    terms: list[str], quads: list[tuple[int, int, int, int]]
) -> dict[int, list[int]]:
    """Map each blank node to its quads, once per position it holds, as RDFC-1.0 step 2 does."""
    found: dict[int, list[int]] = {}
    for number, (subject, _, obj, graph) in enumerate(quads):
        for position in (subject, obj, graph):
            if 0 <= position < len(terms) and terms[position].startswith("_:"):
                found.setdefault(position, []).append(number)
    return found


def _compile_template(document: Any, pins: Mapping[int, str], scope: _Scope | None) -> _Template:
    skeleton = _build_skeleton(document, pins, itertools.count())
    if scope is None:
        scope = _bundled_scope().with_inline_contexts(skeleton)
    template = _Template(next(_SERIALS), scope)
    if '"@index"' in json.dumps(skeleton):
        # pyld merges nodes that share an id and raises when their @index values differ. The
        # sentinels keep such nodes apart, so the template would hide that error.
        template.unusable = "@index"
        return template
    try:
        # One expansion serves both the analysis and the RDF: pyld's toRdf expands its input
        # first, and expanding an expanded document changes nothing (JSON-LD 1.1 API).
        expanded, template.analysis = _expand_and_analyse(skeleton)
        dataset = jsonld.to_rdf(expanded, _options())
    except Exception as error:
        # A sentinel may fail where the real value would have worked. The pyld path then
        # processes the real document and raises its own error, if any.
        template.unusable = f"pyld failed on the skeleton: {error}"
        return template
    return _TemplateCompiler(template).compile(dataset)


# --- Template cache ------------------------------------------------------------------------

_SERIALS = itertools.count()
_TEMPLATES: OrderedDict[object, _Template] = OrderedDict()


def _cached_template(
    key: object, document: Any, pins: Mapping[int, str], scope: _Scope | None
) -> _Template:
    template = _TEMPLATES.get(key)
    if template is not None:
        _TEMPLATES.move_to_end(key)
        return template
    template = _compile_template(document, pins, scope)
    _TEMPLATES[key] = template
    if len(_TEMPLATES) > TEMPLATE_CACHE_SIZE:
        _TEMPLATES.popitem(last=False)
    return template


def _pins_for(template: _Template, values: list[str]) -> dict[int, str]:
    """Choose the slots whose values pyld itself must see in a refined skeleton.

    A slot is pinned when the template recorded that pyld needs its value (copied into a longer
    string, typed xsd:double, or read as two kinds). It is also pinned when it is an IRI whose
    value pyld would change: a relative IRI, a blank node label, a keyword, a term or a compact
    IRI each expand differently from the sentinel.
    """
    pins = {slot: values[slot] for slot in template.required_pins}
    for slot in template.iri_slots:
        value = values[slot]
        if not _is_plain_iri(value, template.scope):
            pins[slot] = value
    return pins


def _template_for(document: Any, shape: _Shape) -> _Template | None:
    """Find or build the template this document's values can be substituted into, if any."""
    if shape.shape_characters > MAX_CACHED_SHAPE_CHARACTERS:
        return None  # too large to keep in memory, so pyld processes it

    base = _cached_template(shape.key, document, {}, None)
    template, pins = base, {}
    for _ in range(MAX_PIN_ROUNDS):
        if template.unusable is not None:
            return None  # the reason is in template.unusable
        new_pins = _pins_for(template, shape.values)
        if not new_pins:
            break
        pins.update(new_pins)
        if not _can_pin(pins):
            return None
        key = (base.serial, tuple(sorted(pins.items())))
        template = _cached_template(key, document, pins, base.scope)
    else:
        # Pinning did not settle: every round revealed more slots that pyld must see.
        return None
    if len(template.blank_node_quads) > MAX_BLANK_NODES:
        raise DocumentTooComplexError(
            "MAX_BLANK_NODES", len(template.blank_node_quads), MAX_BLANK_NODES
        )
    return template


def _can_pin(pins: Mapping[int, str]) -> bool:
    # A pinned value enters a skeleton, where a copy of the sentinel prefix would be misread.
    values = pins.values()
    return sum(map(len, values)) <= MAX_PINNED_CHARACTERS and not any(
        _SLOT_PREFIX in value for value in values
    )


# --- Substitution and RDFC-1.0 -------------------------------------------------------------


def _line(terms: list[str], quad: tuple[int, int, int, int]) -> str:
    subject, predicate, obj, graph = quad
    if graph < 0:
        return f"{terms[subject]} {terms[predicate]} {terms[obj]} .\n"
    return f"{terms[subject]} {terms[predicate]} {terms[obj]} {terms[graph]} .\n"


def _canonicalize_with_template(template: _Template, values: list[str]) -> str | None:
    terms, lines = _substitute(template, values)
    dropped: frozenset[int] = frozenset()
    if len(set(lines)) != len(lines):
        duplicates = _duplicates(template, lines)
        if duplicates is None:
            return None
        dropped = duplicates
    if template.blank_node_quads:
        labels = _issue_canonical_labels(terms, template.quads, template.blank_node_quads, dropped)
        if labels is None:
            return None
        _relabel(template, terms, lines, labels)
    return _join_sorted(lines, dropped)


def _substitute(template: _Template, values: list[str]) -> tuple[list[str], list[str]]:
    """Build the document's term table and its N-Quads lines, blank nodes not yet canonical."""
    terms = template.fixed_terms.copy()
    terms += [f"<{values[slot]}>" for slot in template.iri_slots]
    terms += [
        f'"{escape_literal(values[slot])}"{suffix}' for slot, suffix in template.literal_slots
    ]
    return terms, [_line(terms, quad) for quad in template.quads]


def _relabel(
    template: _Template, terms: list[str], lines: list[str], labels: dict[int, str]
) -> None:
    for position, label in labels.items():
        terms[position] = label
    for number in template.blank_quads:
        lines[number] = _line(terms, template.quads[number])


def _join_sorted(lines: list[str], dropped: frozenset[int]) -> str:
    if dropped:
        lines = [line for number, line in enumerate(lines) if number not in dropped]
    lines.sort()
    return "".join(lines)


def _duplicates(template: _Template, lines: list[str]) -> frozenset[int] | None:
    """Find quads that became equal after substitution and that pyld would have merged too.

    pyld merges nodes with the same id and keeps one copy of each equal value: node references
    and types always, literals only when their value objects match (same @type, @language and
    @index). Any other coincidence (a literal from a number and one from a string, two empty
    lists, rdf:type written as a property) is left to pyld; None means so. Returns the numbers
    of the quads to drop.
    """
    groups: dict[str, list[int]] = {}
    for number, line in enumerate(lines):
        groups.setdefault(line, []).append(number)
    dropped: set[int] = set()
    for members in groups.values():
        if len(members) > 1:
            if not _is_mergeable(template, members):
                return None
            dropped.update(members[1:])
    return frozenset(dropped)


def _is_mergeable(template: _Template, members: list[int]) -> bool:
    analysis = template.analysis
    if analysis is None:
        return False  # only unusable templates lack an analysis
    origins = {template.object_origins[number] for number in members}
    if origins == {"node"}:
        predicate = template.quads[members[0]][1]
        if predicate >= len(template.fixed_terms):
            return False  # a slot as predicate has never been seen, so it is not trusted
        is_type = template.fixed_terms[predicate] == f"<{RDF_TYPE}>"
        return not is_type or not analysis.has_explicit_rdf_type
    if origins == {"slot"}:
        keys = analysis.value_keys
        found = {keys.get(template.slot_of_object(number)) for number in members}
        return len(found) == 1 and None not in found
    return False


def _issue_canonical_labels(
    terms: list[str],
    quads: list[tuple[int, int, int, int]],
    blank_node_quads: dict[int, list[int]],
    dropped: frozenset[int],
) -> dict[int, str] | None:
    """Label blank nodes by RDFC-1.0 when all first-degree hashes differ; None otherwise.

    With unique first-degree hashes, step 5 of RDFC-1.0 issues every canonical identifier in
    hash order and Hash N-Degree Quads never runs. Shared hashes go to pyld, under limits.
    """
    hash_terms = terms.copy()
    for position in blank_node_quads:
        hash_terms[position] = "_:z"
    hashes: dict[int, str] = {}
    for position, numbers in blank_node_quads.items():
        hash_terms[position] = "_:a"
        nquads = sorted(_line(hash_terms, quads[n]) for n in numbers if n not in dropped)
        hash_terms[position] = "_:z"
        hashes[position] = hashlib.sha256("".join(nquads).encode()).hexdigest()
    if len(set(hashes.values())) != len(hashes):
        return None
    ordered = sorted(hashes, key=hashes.__getitem__)
    return {position: f"_:c14n{number}" for number, position in enumerate(ordered)}


# --- pyld path -----------------------------------------------------------------------------


class _BoundedURDNA2015(URDNA2015):  # type: ignore[misc]
    """pyld's RDFC-1.0 with a work budget, because a crafted graph of 7 blank nodes ran 7 s."""

    def __init__(self) -> None:
        super().__init__()
        self.hash_n_degree_calls = 0
        self.hash_n_degree_depth = 0
        self.hash_n_degree_permutations = 0

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
        self.hash_n_degree_calls += 1
        if self.hash_n_degree_calls > MAX_HASH_N_DEGREE_CALLS:
            raise DocumentTooComplexError(
                "MAX_HASH_N_DEGREE_CALLS", self.hash_n_degree_calls, MAX_HASH_N_DEGREE_CALLS
            )
        self.hash_n_degree_depth += 1
        try:
            if self.hash_n_degree_depth > MAX_HASH_N_DEGREE_DEPTH:
                raise DocumentTooComplexError(
                    "MAX_HASH_N_DEGREE_DEPTH", self.hash_n_degree_depth, MAX_HASH_N_DEGREE_DEPTH
                )
            return super().hash_n_degree_quads(id_, issuer)
        finally:
            self.hash_n_degree_depth -= 1

    def create_hash_to_related(self, id_: str, issuer: Any) -> Any:
        # Counted before pyld iterates, so that a group of a dozen costs nothing.
        related = super().create_hash_to_related(id_, issuer)
        for group in related.values():
            self.hash_n_degree_permutations += math.factorial(min(len(group), 20))
        if self.hash_n_degree_permutations > MAX_HASH_N_DEGREE_PERMUTATIONS:
            raise DocumentTooComplexError(
                "MAX_HASH_N_DEGREE_PERMUTATIONS",
                self.hash_n_degree_permutations,
                MAX_HASH_N_DEGREE_PERMUTATIONS,
            )
        return related


def _canonicalize_bounded(document: Mapping[str, Any]) -> str:
    """Canonicalise with pyld as jsonld.normalize does, after checking the blank node count."""
    dataset = _to_dataset(document)
    blank_nodes = {
        term["value"]
        for triples in dataset.values()
        for triple in triples
        for term in (triple["subject"], triple["object"])
        if term["type"] == "blank node"
    }
    blank_nodes.update(name for name in dataset if name.startswith("_:"))
    if len(blank_nodes) > MAX_BLANK_NODES:
        raise DocumentTooComplexError("MAX_BLANK_NODES", len(blank_nodes), MAX_BLANK_NODES)
    return str(_BoundedURDNA2015().main(dataset, {"format": NQUADS}))


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


def _to_dataset(document: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    with _pyld_errors():
        dataset: dict[str, list[dict[str, Any]]] = jsonld.to_rdf(dict(document), _options())
    return dataset


def _expand_and_analyse(document: Any) -> tuple[list[Any], _Analysis]:
    """Expand a document with pyld and record what was dropped or left relative."""
    dropped: list[str | None] = []
    with _pyld_errors(), warnings.catch_warnings():
        # A sentinel in place of a language tag only makes pyld warn, and the pinning rules
        # then hand that value to pyld.
        warnings.simplefilter("ignore")
        expanded = jsonld.expand(document, _options(), on_property_dropped=dropped.append)
    names = [name for name in dropped if name is not None]
    if None in dropped:
        # pyld reports a dropped key shaped like a keyword (or a term mapped to null, which its
        # context drops on purpose) without its name, so the keys are found here.
        names += _keyword_like_keys(document)
    walker = _ExpandedWalker()
    walker.walk(expanded)
    names += walker.relative_iris
    analysis = _Analysis(
        tuple(dict.fromkeys(names)), walker.value_keys, walker.has_explicit_rdf_type
    )
    return expanded, analysis


def _keyword_like_keys(node: object) -> list[str]:
    """Find keys shaped like keywords (such as "@foo"), which JSON-LD 1.1 drops unnamed."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("@context", "@value"):
                continue
            if re.fullmatch("@[a-zA-Z]+", key) and key not in JSONLD_KEYWORDS:
                found.append(key)
            found += _keyword_like_keys(value)
    elif isinstance(node, list):
        for item in node:
            found += _keyword_like_keys(item)
    return found


# The absolute IRI check of pyld's RDF conversion, written out ("+-." in pyld is a range).
_ABSOLUTE_IRI = re.compile(r"([A-Za-z][A-Za-z0-9+,.-]*|_):[^\s]*")


class _ExpandedWalker:
    """Collects relative IRIs, value object keys and rdf:type properties from expanded JSON-LD."""

    def __init__(self) -> None:
        self.relative_iris: list[str] = []
        self.value_keys: dict[int, tuple[Any, Any, Any]] = {}
        self.has_explicit_rdf_type = False

    def walk(self, node: object) -> None:
        if isinstance(node, list):
            for item in node:
                self.walk(item)
        elif isinstance(node, dict):
            if "@value" in node:
                self.note_value(node)
                return
            self.note_node(node)
            for key, value in node.items():
                if key not in ("@id", "@type", "@index"):
                    self.walk(value)

    def note_value(self, node: dict[str, Any]) -> None:
        value = node["@value"]
        slot = _slot_of(value) if isinstance(value, str) else None
        if slot is not None:
            self.value_keys[slot] = (node.get("@type"), node.get("@language"), node.get("@index"))

    def note_node(self, node: dict[str, Any]) -> None:
        iris = list(node.get("@type", []))
        if isinstance(node.get("@id"), str):
            iris.append(node["@id"])
        self.relative_iris += [iri for iri in iris if not _ABSOLUTE_IRI.fullmatch(iri)]
        if RDF_TYPE in node:
            self.has_explicit_rdf_type = True
