"""Skeletons: copies of a document with every slot string replaced by a unique sentinel IRI.

For each shape, pyld converts a skeleton to RDF once (JSON-LD 1.1, W3C Recommendation, 16 July
2020). A sentinel passes through pyld's IRI expansion unchanged, and the term scopes of the
contexts tell which real values pass through it unchanged too.
"""

from __future__ import annotations

import copy
import itertools
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from hub.credentials.jsonld.loader import bundled_contexts
from hub.credentials.jsonld.shape import _SHAPE_KEYS

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
