"""The hub's context rule: a document names its contexts by URL and defines no terms inline.

JSON-LD 1.1 (W3C Recommendation, 16 July 2020) lets a document carry context definitions itself,
at the top or in any nested ``@context``. Such an inline context can map a term to null (pyld then
drops the property from the signed data), set ``@vocab`` or ``@base``, import another context or
redefine terms, so the signature no longer covers what a reader is shown. The hub therefore accepts
only context URLs, which the loader resolves to bundled files or rejects. The canonicaliser itself
still processes inline contexts; the verifier and the signer apply this rule before it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

# Names listed per inline context before the rest are counted.
MAX_LISTED_NAMES = 5


def find_inline_contexts(document: Mapping[str, Any]) -> list[str]:
    """List every ``@context`` entry that is not a URL, as its JSON Pointer and what it sets.

    Looks at the top-level ``@context`` and at every nested one, proofs included, without
    recursion. Context URLs are not checked here; the document loader accepts bundled ones only.
    """
    found: list[str] = []
    pending: list[tuple[object, str]] = [(document, "")]
    while pending:
        node, pointer = pending.pop()
        if isinstance(node, Mapping):
            if "@context" in node:
                found += _inline_entries(node["@context"], f"{pointer}/@context")
            children = [
                (value, f"{pointer}/{_escape(key)}")
                for key, value in node.items()
                if key != "@context"
            ]
        elif isinstance(node, list):
            children = [(item, f"{pointer}/{index}") for index, item in enumerate(node)]
        else:
            continue
        # Reversed, so that the stack visits children, and lists findings, in document order.
        pending += reversed(children)
    return found


def _inline_entries(value: object, pointer: str) -> list[str]:
    if isinstance(value, str):
        return []
    if isinstance(value, list):
        return [
            f"{pointer}/{index} ({_describe(item)})"
            for index, item in enumerate(value)
            if not isinstance(item, str)
        ]
    return [f"{pointer} ({_describe(value)})"]


def _describe(value: object) -> str:
    if value is None:
        return "null, which clears the contexts before it"
    if not isinstance(value, Mapping):
        return f"the {type(value).__name__} {json.dumps(value)[:40]}"
    keywords = [key for key in value if key.startswith("@")]
    terms = [key for key in value if not key.startswith("@")]
    effects = []
    if keywords:
        effects.append(f"sets {_list_names(keywords)}")
    if terms:
        effects.append(f"defines {_list_names(terms)}")
    return "an inline context that " + " and ".join(effects) if effects else "an empty context"


def _list_names(names: Sequence[str]) -> str:
    shown = ", ".join(names[:MAX_LISTED_NAMES])
    hidden = len(names) - MAX_LISTED_NAMES
    return f"{shown} and {hidden} more" if hidden > 0 else shown


def _escape(key: str) -> str:
    """Escape a key as a JSON Pointer reference token (RFC 6901 §3)."""
    return key.replace("~", "~0").replace("/", "~1")
