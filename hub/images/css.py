"""Allow-list filtering of the CSS in SVG images: style attributes and <style> elements.

A CSS value is kept only if it cannot fetch anything: no scheme, no escape, no function outside
a short list, and url() only to a ``#fragment`` of the same document. Rules keep plain
selectors, and every at-rule is dropped.
"""

from __future__ import annotations

import re

# CSS properties, allowed as presentation attributes and in style declarations. Their values
# are checked because paint, clip-path, mask and marker values can hold url() references.
# filter is left out together with the filter elements: effects are decorative, and filter
# primitives such as feImage fetch resources.
CSS_PROPERTIES = frozenset(
    {
        "alignment-baseline", "baseline-shift", "clip-path", "clip-rule", "color",
        "color-interpolation", "direction", "display", "dominant-baseline", "fill",
        "fill-opacity", "fill-rule", "font", "font-family", "font-size", "font-size-adjust",
        "font-stretch", "font-style", "font-variant", "font-weight", "image-rendering",
        "isolation", "letter-spacing", "marker", "marker-end", "marker-mid", "marker-start",
        "mask", "mix-blend-mode", "opacity", "overflow", "paint-order", "shape-rendering",
        "stop-color", "stop-opacity", "stroke", "stroke-dasharray", "stroke-dashoffset",
        "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-opacity",
        "stroke-width", "text-anchor", "text-decoration", "text-rendering", "transform",
        "transform-origin", "unicode-bidi", "vector-effect", "visibility", "white-space",
        "word-spacing", "writing-mode",
    }
)  # fmt: skip
# Colour and transform functions. Any other function, such as image-set() or attr(), makes
# the value rejected.
_CSS_FUNCTIONS = frozenset(
    {
        "url", "rgb", "rgba", "hsl", "hsla", "calc", "matrix", "translate", "translatex",
        "translatey", "scale", "scalex", "scaley", "rotate", "skewx", "skewy",
    }
)  # fmt: skip

# A CSS value may not contain a colon (so no scheme), a backslash (CSS escapes can spell any
# name), braces, semicolons, angle brackets or at-signs.
_CSS_VALUE = re.compile(r"[\w\s#%.,()'\"+\-*/!]*")
_CSS_FUNCTION = re.compile(r"([\w-]+)\s*\(")
_CSS_URL = re.compile(r"url\s*\(", re.IGNORECASE)
_FRAGMENT_URL = re.compile(r"url\(\s*(['\"]?)#[\w.\-]+\1\s*\)", re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_CSS_SELECTOR = re.compile(r"[\w\s.#,>+~*:()\[\]=\"'|^$-]+")


def is_safe_css_value(value: str) -> bool:
    """Accept a CSS value that uses only allowed functions and references only ``#fragment``."""
    if not _CSS_VALUE.fullmatch(value) or "/*" in value:
        return False
    if any(match[1].lower() not in _CSS_FUNCTIONS for match in _CSS_FUNCTION.finditer(value)):
        return False
    return _CSS_URL.search(_FRAGMENT_URL.sub("", value)) is None


def clean_declarations(declarations: str, removed: set[str]) -> str:
    """Return the allowed declarations of a style attribute or rule as ``name:value;...``.

    The name of each dropped declaration is added to ``removed`` as ``style:NAME``.
    """
    kept = []
    for declaration in _CSS_COMMENT.sub(" ", declarations).split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip().lower(), value.strip()
        if not name and not value:
            continue
        if name in CSS_PROPERTIES and is_safe_css_value(value):
            kept.append(f"{name}:{value}")
        else:
            removed.add(f"style:{name}")
    return ";".join(kept)


def clean_stylesheet(stylesheet: str, removed: set[str]) -> str:
    """Return the rules of a stylesheet that have plain selectors, with allowed declarations.

    At-rules are dropped because @import and @font-face fetch and @media nests rules. Text that
    does not split into rules, because of unbalanced braces or escapes, yields "".
    """
    stylesheet = _CSS_COMMENT.sub(" ", stylesheet)
    blocks = None if "\\" in stylesheet else _split_css_blocks(stylesheet)
    if blocks is None:
        return ""
    rules = []
    for prelude, body in blocks:
        selector = " ".join(prelude.split())
        if selector.startswith("@") or body is None or "{" in body:
            removed.add(f"style:{selector.split(' ')[0] or 'rule'}")
            continue
        if not _CSS_SELECTOR.fullmatch(selector):
            removed.add("style:selector")
            continue
        declarations = clean_declarations(body, removed)
        if declarations:
            rules.append(f"{selector}{{{declarations}}}")
    return "\n".join(rules)


def _split_css_blocks(stylesheet: str) -> list[tuple[str, str | None]] | None:
    """Split a stylesheet into top-level (prelude, block body) pairs.

    A statement without a block, such as an @import, has the body None. Returns None when the
    braces do not balance.
    """
    blocks: list[tuple[str, str | None]] = []
    depth = start = body_start = 0
    prelude = ""
    for index, char in enumerate(stylesheet):
        if char == "{":
            if depth == 0:
                prelude, body_start = stylesheet[start:index], index + 1
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return None
            if depth == 0:
                blocks.append((prelude, stylesheet[body_start:index]))
                start = index + 1
        elif char == ";" and depth == 0:
            blocks.append((stylesheet[start:index], None))
            start = index + 1
    if depth != 0:
        return None
    if stylesheet[start:].strip():
        blocks.append((stylesheet[start:], None))
    return blocks
