"""Terms that JSON-LD processing silently drops, found while pyld expands a document.

pyld has no safe mode. Its expansion (JSON-LD 1.1, W3C Recommendation, 16 July 2020) reports
dropped properties through the ``on_property_dropped`` callback, and a walk over the expanded
document finds relative IRIs, value object keys and rdf:type properties.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Any

from pyld import jsonld

from hub.credentials.jsonld.loader import _options, _pyld_errors
from hub.credentials.jsonld.skeleton import _slot_of
from hub.credentials.jsonld.vocabulary import JSONLD_KEYWORDS, RDF_TYPE


@dataclass(frozen=True)
class _Analysis:
    """Dropped terms and value object keys found by pyld's expansion of a skeleton."""

    undefined_terms: tuple[str, ...]
    # (@type, @language, @index) of each literal slot's value object, as pyld compares them.
    value_keys: dict[int, tuple[Any, Any, Any]]
    has_explicit_rdf_type: bool


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
