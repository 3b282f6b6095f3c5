"""The parameters of a designed badge, and their validation.

A design arrives as form fields or as a JSON object with the same names. Every value is
checked here, so the SVG renderer only receives a valid ``BadgeDesign``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from hub.badge_image import GLYPHS, clean_text
from hub.errors import InvalidInputError

SHAPES = ("circle", "shield", "hexagon", "rosette", "ribbon")
NO_GLYPH = "none"
GLYPH_CHOICES = (NO_GLYPH, *sorted(GLYPHS))
MAX_LINE_LENGTH = 40
MIN_FONT_SIZE = 12
MAX_FONT_SIZE = 60
FIELDS = (
    "shape",
    "primary",
    "secondary",
    "text_color",
    "line1",
    "size1",
    "line2",
    "size2",
    "glyph",
    "logo",
)

_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
_CHECKED = frozenset({"on", "true", "1", "yes"})
_UNCHECKED = frozenset({"", "off", "false", "0", "no"})


@dataclass(frozen=True)
class BadgeDesign:
    """A badge drawn by ``render_design_svg``: one shape, three colours, a glyph, two lines."""

    shape: str = "rosette"
    primary: str = "#1d3557"
    secondary: str = "#e9c46a"
    text_color: str = "#ffffff"
    line1: str = ""
    size1: int = 28
    line2: str = ""
    size2: int = 18
    glyph: str = "star-badge"
    logo: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def parse_design(values: Mapping[str, Any]) -> BadgeDesign:
    """Validate design parameters from a form or a JSON object and return the design.

    Keys other than ``FIELDS`` are ignored, so a form's CSRF token and buttons can be passed
    along. A missing key takes the default of ``BadgeDesign``. Raises ``InvalidInputError`` with
    the code ``invalid-design`` naming the first invalid value.
    """
    defaults = BadgeDesign()
    return BadgeDesign(
        shape=_choice(values.get("shape", defaults.shape), "shape", SHAPES),
        primary=_color(values.get("primary", defaults.primary), "primary"),
        secondary=_color(values.get("secondary", defaults.secondary), "secondary"),
        text_color=_color(values.get("text_color", defaults.text_color), "text_color"),
        line1=_line(values.get("line1", defaults.line1), "line1"),
        size1=_font_size(values.get("size1", defaults.size1), "size1"),
        line2=_line(values.get("line2", defaults.line2), "line2"),
        size2=_font_size(values.get("size2", defaults.size2), "size2"),
        glyph=_choice(values.get("glyph", defaults.glyph), "glyph", GLYPH_CHOICES),
        logo=_flag(values.get("logo", defaults.logo), "logo"),
    )


def shorten_line(text: str) -> str:
    """Cut ``text`` to ``MAX_LINE_LENGTH`` characters at a space where possible, for defaults."""
    text = clean_text(text)
    if len(text) <= MAX_LINE_LENGTH:
        return text
    cut = text[: MAX_LINE_LENGTH - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"


def invalid_design(message: str) -> InvalidInputError:
    return InvalidInputError(message, code="invalid-design")


def _choice(value: Any, field: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise invalid_design(f"{field} {value!r} is invalid; use one of {', '.join(choices)}")
    return value


def _color(value: Any, field: str) -> str:
    if not isinstance(value, str) or not _HEX_COLOR.fullmatch(value):
        raise invalid_design(
            f"{field} colour {value!r} is invalid; give it as #rrggbb, for example #1d3557"
        )
    return value.lower()


def _line(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise invalid_design(f"{field} must be text, not {type(value).__name__}")
    text = clean_text(value)
    if len(text) > MAX_LINE_LENGTH:
        raise invalid_design(
            f"{field} has {len(text)} characters, over the limit of {MAX_LINE_LENGTH}; shorten "
            "it or move part of it to the other line"
        )
    return text


def _font_size(value: Any, field: str) -> int:
    size: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        size = value
    elif isinstance(value, str) and value.strip().isdigit():
        size = int(value.strip())
    if size is None or not MIN_FONT_SIZE <= size <= MAX_FONT_SIZE:
        raise invalid_design(
            f"{field} font size {value!r} is invalid; give a whole number from {MIN_FONT_SIZE} "
            f"to {MAX_FONT_SIZE}"
        )
    return size


def _flag(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _CHECKED | _UNCHECKED:
        return value.strip().lower() in _CHECKED
    raise invalid_design(f"{field} {value!r} is invalid; use true or false")
