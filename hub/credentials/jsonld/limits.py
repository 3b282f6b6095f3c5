"""Processing limits against hostile input, and the error raised for a document over one.

The limits bound the input of JSON-LD 1.1 expansion: characters, objects and nesting. They also
bound the work of RDF Dataset Canonicalization (RDFC-1.0, W3C Recommendation, 21 May 2024) on
blank nodes and in its Hash N-Degree Quads step, and the memory of the template cache.
"""

from __future__ import annotations

import re

from hub.credentials.jsonld.errors import JsonLdError

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


# A JSON string in JSON text. The closing quote is optional, so that an unterminated string ends
# the scan in linear time. The JSON parser then rejects that text.
_JSON_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"?', re.DOTALL)
_JSON_STRING_BYTES = re.compile(_JSON_STRING.pattern.encode(), re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
_NOT_BRACKET_BYTES = re.compile(_NOT_BRACKET.pattern.encode())


def check_json_nesting(text: str | bytes) -> None:
    """Raise DocumentTooComplexError when JSON text nests deeper than MAX_NESTING_DEPTH.

    The json module and msgspec recurse once per level and raise RecursionError at about 1,000
    levels, so this scan runs before parsing: it counts the brackets outside strings, without
    recursion, and stops at the first level over the limit. It does not check that the text is
    valid JSON.
    """
    if isinstance(text, bytes):
        brackets = _NOT_BRACKET_BYTES.sub(b"", _JSON_STRING_BYTES.sub(b"", text)).decode("ascii")
    else:
        brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    depth = 0
    for bracket in brackets:
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_NESTING_DEPTH:
            raise DocumentTooComplexError("MAX_NESTING_DEPTH", depth, MAX_NESTING_DEPTH)


def check_value_nesting(value: object) -> None:
    """Raise DocumentTooComplexError when parsed JSON nests deeper than MAX_NESTING_DEPTH.

    Walks with an explicit stack, so that a value built in memory cannot exhaust Python's stack.
    """
    pending: list[tuple[object, int]] = [(value, 0)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict | list):
            depth += 1
            if depth > MAX_NESTING_DEPTH:
                raise DocumentTooComplexError("MAX_NESTING_DEPTH", depth, MAX_NESTING_DEPTH)
            items = node.values() if isinstance(node, dict) else node
            pending.extend((item, depth) for item in items)
