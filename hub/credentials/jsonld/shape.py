"""The shape of a JSON document: the template cache key, read in one pass that checks the limits.

The shape keeps keys, contexts, types, language tags, numbers, booleans and nulls. Every other
string is a slot, whose value is substituted into a cached template. Values under ``@context``,
``type`` and the other shape keys stay whole because they decide how JSON-LD 1.1 (W3C
Recommendation, 16 July 2020) expansion reads everything else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hub.credentials.jsonld.errors import ContextImportError, JsonLdError
from hub.credentials.jsonld.limits import (
    MAX_DOCUMENT_CHARACTERS,
    MAX_NESTING_DEPTH,
    MAX_NODES,
    DocumentTooComplexError,
)


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
                if key == "@import":
                    raise ContextImportError()
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
