"""Inline a tenant's SVG logo in a designed badge, as a nested <svg> element.

The logo is sanitised first, whatever its source, and its drawing keeps the serialisation of
``hub.images.sanitize_svg``, so that the badge around it still passes the sanitiser unchanged.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from hub.errors import InvalidInputError
from hub.images import sanitize_svg

# Attributes of the logo's root that the nested <svg> sets itself.
_PLACEMENT_ATTRIBUTES = frozenset({"x", "y", "width", "height", "viewBox", "preserveAspectRatio"})
_XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"
_PIXELS = re.compile(r"\s*([0-9]*\.?[0-9]+)\s*(?:px)?\s*")
_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;",
     "\t": "&#9;"}
)  # fmt: skip


@dataclass(frozen=True)
class InlineLogo:
    """A sanitised logo split into its root attributes and its serialised children."""

    view_box: str
    attributes: tuple[tuple[str, str], ...]
    children: str
    markup: str

    @property
    def uses_xlink(self) -> bool:
        return " xlink:href=" in self.children

    def nested(self, x: float, y: float, width: float, height: float) -> str:
        """Return the logo as an <svg> element that fits the box, centred, keeping its ratio."""
        extra = "".join(
            f' {name}="{value.translate(_ATTRIBUTE_ESCAPES)}"' for name, value in self.attributes
        )
        start = (
            f'<svg class="badge-logo" x="{x:g}" y="{y:g}" width="{width:g}" height="{height:g}" '
            f'viewBox="{self.view_box}" preserveAspectRatio="xMidYMid meet"{extra}'
        )
        return f"{start}>{self.children}</svg>" if self.children else f"{start}/>"


# The live preview renders the same logo on every change of a control, and sanitising a logo
# near the 512 KiB limit took about 0.1 s on a 2-core AMD EPYC server.
@functools.lru_cache(maxsize=16)
def inline_logo(logo_svg: str) -> InlineLogo:
    """Sanitise a tenant's logo and prepare it for ``InlineLogo.nested``.

    NOTE: a <style> element kept in the logo applies to the whole badge, because CSS in a
    nested <svg> is not scoped. Element selectors such as ``text {fill: red}`` restyle the
    badge's own text. Scoping would need the logo's selectors rewritten under a prefix.

    Raises ``InvalidInputError`` (code ``invalid-logo``) when the logo is rejected by the
    sanitiser or its size cannot be read.
    """
    try:
        markup = sanitize_svg(logo_svg)
    except InvalidInputError as error:
        raise InvalidInputError(
            f"the university's logo cannot be used: {error.message}; upload a new logo or "
            "design the badge without it",
            code="invalid-logo",
        ) from error
    # The sanitised text has no DOCTYPE and a bounded depth, so the standard parser is safe here.
    root = ET.fromstring(markup)  # noqa: S314
    attributes = tuple(
        (_prefixed(name), value)
        for name, value in root.attrib.items()
        if name not in _PLACEMENT_ATTRIBUTES
    )
    return InlineLogo(_view_box(root), attributes, _children(markup), markup)


def _prefixed(name: str) -> str:
    """Write ElementTree's ``{namespace}local`` names of xml: attributes with their prefix."""
    return name.replace(f"{{{_XML_NAMESPACE}}}", "xml:")


def _view_box(root: ET.Element) -> str:
    view_box = root.get("viewBox")
    if view_box is not None:
        return " ".join(view_box.replace(",", " ").split())
    width = _PIXELS.fullmatch(root.get("width", ""))
    height = _PIXELS.fullmatch(root.get("height", ""))
    if width is None or height is None or float(width[1]) <= 0 or float(height[1]) <= 0:
        raise InvalidInputError(
            f"the university's logo has no viewBox and its size {root.get('width')!r} x "
            f"{root.get('height')!r} is not in pixels; add a viewBox such as "
            'viewBox="0 0 200 80" to the logo',
            code="invalid-logo",
        )
    return f"0 0 {width[1]} {height[1]}"


def _children(markup: str) -> str:
    """Return the serialised content between the root's start and end tags.

    The sanitiser writes ">" inside attribute values as "&gt;", so the first ">" ends the root's
    start tag.
    """
    start_end = markup.index(">")
    if markup[start_end - 1] == "/":
        return ""
    return markup[start_end + 1 : markup.rindex("</svg>")]
