"""Templates: the quads pyld produces for a skeleton, with slots left open, in a bounded cache.

pyld converts each skeleton to RDF (JSON-LD 1.1, W3C Recommendation, 16 July 2020) once, and its
quads become a template in a bounded LRU cache. A slot is pinned when pyld would not read its
sentinel as it reads the real value, and the refined skeleton then contains the value itself.
"""

from __future__ import annotations

import itertools
import json
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pyld import jsonld
from pyld.nquads import escape as escape_literal

from hub.credentials.jsonld.analysis import _Analysis, _expand_and_analyse
from hub.credentials.jsonld.limits import (
    MAX_BLANK_NODES,
    MAX_CACHED_SHAPE_CHARACTERS,
    MAX_PIN_ROUNDS,
    MAX_PINNED_CHARACTERS,
    TEMPLATE_CACHE_SIZE,
    DocumentTooComplexError,
)
from hub.credentials.jsonld.loader import _options
from hub.credentials.jsonld.shape import _Shape
from hub.credentials.jsonld.skeleton import (
    _EMBEDDED_SLOT,
    _SLOT_PREFIX,
    _build_skeleton,
    _bundled_scope,
    _is_plain_iri,
    _Scope,
    _slot_of,
)
from hub.credentials.jsonld.vocabulary import RDF_LANGSTRING, RDF_NIL, XSD_DOUBLE, XSD_STRING

# The kind of an IRI slot. The kind of a literal slot is its N-Quads suffix.
_IRI_SLOT = None


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


def clear_template_cache() -> None:
    """Forget every cached template (for tests and benchmarks)."""
    _TEMPLATES.clear()
