"""Render badge images as self-contained SVG documents.

A badge is a scalloped rosette in the primary colour that shows a glyph and a title of at most
three lines. A banner and two ribbon tails in the secondary colour carry the subtitle. The
document contains no script, no foreignObject, no external reference and no XML declaration, so
it can be inlined in HTML, served as ``image/svg+xml`` or baked.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from string import Template
from xml.sax.saxutils import escape

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
VIEWBOX_SIZE = 400
MAX_TITLE_LINES = 3
MAX_SYMBOL_LENGTH = 4

RGB = tuple[int, int, int]

_CENTER_X = 200.0
_CENTER_Y = 168.0
_SCALLOP_RADIUS = 146.0
_SCALLOP_COUNT = 40
_DISC_RADIUS = 122.0
_FONT_FAMILY = "'DejaVu Sans', Arial, Helvetica, 'Liberation Sans', sans-serif"
# Advance widths of DejaVu Sans Bold in em, grouped and rounded up, as measured in Chromium with
# canvas measureText. On mixed text, Liberation Sans Bold (Arial's metrics) measured about 15%
# narrower than DejaVu Sans Bold, so text sized by these widths also fits in Arial. Characters
# outside the groups count as the default width.
# NOTE: the generic sans-serif fallback was not measured. A font wider than DejaVu Sans Bold can
# overflow lines that the estimate judged to fit, because only lines judged too wide get a
# textLength.
_NARROW_CHARS = frozenset(" .,:;'!|iljIJ")
_SEMI_NARROW_CHARS = frozenset("frt-()/[]")
_WIDE_CHARS = frozenset("mwMW&…%@")
_NARROW_WIDTH = 0.38
_SEMI_NARROW_WIDTH = 0.5
_WIDE_WIDTH = 1.1
_UPPERCASE_WIDTH = 0.8
_DEFAULT_WIDTH = 0.69
_LINE_HEIGHT = 1.18
_TITLE_WIDTH = 206.0
_TITLE_TOP = 142.0
_TITLE_BOTTOM = 228.0
_TITLE_FONT_SIZES = (30, 27, 24, 21, 19, 17, 15)
# The title and subtitle hold far fewer characters than this at their smallest sizes, so
# wrapping only this prefix gives the same lines and bounds the cost of very long input.
_WRAP_INPUT_LIMIT = 400
_BANNER_TOP = 240.0
_BANNER_BOTTOM = 280.0
_SUBTITLE_WIDTH = 228.0
_SUBTITLE_LETTER_SPACING = 0.5
_SUBTITLE_FONT_SIZES = (17, 15, 14)
_SUBTITLE_TWO_LINE_FONT_SIZE = 12
# Maximum ratio of estimated to available width that a subtitle line may be narrowed by.
_MAX_SQUEEZE = 1.2
_GLYPH_CENTER_Y = 98.0
_GLYPH_SCALE = 0.7
_SYMBOL_FONT_SIZES = {1: 56, 2: 48, 3: 40, 4: 32}

_HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
# XML 1.0 forbids these code points in a document, even as character references.
_NON_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# A run of characters up to and including the next hyphen, or the rest of the word.
_HYPHENATED_PART = re.compile(r"[^-]*-|[^-]+")
_QUOTE_ENTITIES = {'"': "&quot;", "'": "&apos;"}


def _star_path(cx: float, cy: float, outer: float, inner: float) -> str:
    points = []
    for index in range(10):
        radius = outer if index % 2 == 0 else inner
        angle = index * math.pi / 5 - math.pi / 2
        points.append(f"{cx + radius * math.cos(angle):.1f},{cy + radius * math.sin(angle):.1f}")
    return "M" + " L".join(points) + " Z"


# Icons drawn in a 100 by 100 box. $fg is the colour of the icon and $bg the colour of the disc
# behind it, used to cut details out of filled shapes.
_STROKE = 'fill="none" stroke="$fg" stroke-linecap="round" stroke-linejoin="round"'
GLYPHS: dict[str, str] = {
    "athlete": (
        '<circle cx="64" cy="15" r="10" fill="$fg"/>'
        f'<path d="M58,30 L46,58 M32,44 L48,32 L64,44 L80,38 M46,58 L64,70 L60,92 '
        f'M46,58 L36,78 L18,82" stroke-width="9" {_STROKE}/>'
    ),
    "network": (
        f'<path d="M24,50 L74,24 M24,50 L74,76" stroke-width="7" {_STROKE}/>'
        '<circle cx="24" cy="50" r="13" fill="$fg"/>'
        '<circle cx="76" cy="22" r="13" fill="$fg"/>'
        '<circle cx="76" cy="78" r="13" fill="$fg"/>'
    ),
    "leaf": (
        '<path d="M16,86 C10,42 42,12 90,10 C92,58 62,90 16,86 Z" fill="$fg"/>'
        '<path d="M22,80 C40,60 56,44 78,24 M44,58 L44,40 M58,46 L70,48" stroke="$bg" '
        'stroke-width="5" fill="none" stroke-linecap="round"/>'
    ),
    "project": (
        f'<path d="M10,10 L10,90 L92,90" stroke-width="7" {_STROKE}/>'
        '<rect x="20" y="18" width="36" height="14" rx="4" fill="$fg"/>'
        '<rect x="40" y="42" width="40" height="14" rx="4" fill="$fg"/>'
        '<rect x="60" y="66" width="30" height="14" rx="4" fill="$fg"/>'
    ),
    "globe": (
        f'<circle cx="50" cy="50" r="40" stroke-width="7" {_STROKE}/>'
        f'<ellipse cx="50" cy="50" rx="17" ry="40" stroke-width="6" {_STROKE}/>'
        f'<path d="M10,50 L90,50 M17,30 L83,30 M17,70 L83,70" stroke-width="6" {_STROKE}/>'
    ),
    "campus": (
        '<path d="M6,36 L50,8 L94,36 Z" fill="$fg"/>'
        '<rect x="12" y="40" width="76" height="7" fill="$fg"/>'
        '<rect x="17" y="50" width="10" height="30" fill="$fg"/>'
        '<rect x="37" y="50" width="10" height="30" fill="$fg"/>'
        '<rect x="53" y="50" width="10" height="30" fill="$fg"/>'
        '<rect x="73" y="50" width="10" height="30" fill="$fg"/>'
        '<rect x="6" y="83" width="88" height="9" fill="$fg"/>'
    ),
    "first-aid": (
        '<rect x="6" y="6" width="88" height="88" rx="20" fill="$fg"/>'
        '<path d="M40,18 H60 V40 H82 V60 H60 V82 H40 V60 H18 V40 H40 Z" fill="$bg"/>'
    ),
    "lifebuoy": (
        '<circle cx="50" cy="50" r="32" fill="none" stroke="$fg" stroke-width="22"/>'
        '<path d="M27,27 L15,15 M73,27 L85,15 M27,73 L15,85 M73,73 L85,85" stroke="$bg" '
        'stroke-width="9"/>'
        '<circle cx="50" cy="50" r="32" stroke-width="2" stroke="$bg" fill="none"/>'
    ),
    "helmet": (
        '<path d="M16,68 C16,38 32,20 50,20 C68,20 84,38 84,68 Z" fill="$fg"/>'
        '<rect x="4" y="66" width="92" height="14" rx="7" fill="$fg"/>'
        '<path d="M45,32 H55 V42 H65 V52 H55 V62 H45 V52 H35 V42 H45 Z" fill="$bg"/>'
    ),
    "heart": (
        '<path d="M50,90 C20,68 6,50 6,32 C6,17 18,8 30,8 C39,8 46,13 50,21 '
        'C54,13 61,8 70,8 C82,8 94,17 94,32 C94,50 80,68 50,90 Z" fill="$fg"/>'
    ),
    "people": (
        '<circle cx="22" cy="34" r="11" fill="$fg"/>'
        '<circle cx="78" cy="34" r="11" fill="$fg"/>'
        '<path d="M2,84 C2,58 42,58 42,84 Z M58,84 C58,58 98,58 98,84 Z" fill="$fg"/>'
        '<circle cx="50" cy="26" r="15" fill="$fg" stroke="$bg" stroke-width="4"/>'
        '<path d="M22,94 C22,56 78,56 78,94 Z" fill="$fg" stroke="$bg" stroke-width="4"/>'
    ),
    "star-badge": (
        f'<circle cx="50" cy="40" r="32" stroke-width="7" {_STROKE}/>'
        f'<path d="{_star_path(50, 40, 20, 8.5)}" fill="$fg"/>'
        '<path d="M30,66 L22,96 L35,89 L42,100 L49,73 Z M70,66 L78,96 L65,89 L58,100 '
        'L51,73 Z" fill="$fg"/>'
    ),
    "star": f'<path d="{_star_path(50, 52, 46, 19)}" fill="$fg"/>',
}


def render_badge_svg(title: str, subtitle: str, primary: str, secondary: str, glyph: str) -> str:
    """Render a badge as an SVG document with a viewBox of 400 by 400.

    ``primary`` colours the rosette and ``secondary`` the banner and ribbon, each as ``#rgb`` or
    ``#rrggbb``. ``glyph`` is a key of ``GLYPHS`` or a text symbol of at most four characters,
    such as "SST". A title that does not fit on three lines is cut and ends with "…". Raises
    ValueError for an invalid colour, an empty title or an invalid glyph.
    """
    primary_rgb = _parse_color(primary, "primary")
    secondary_rgb = _parse_color(secondary, "secondary")
    title = _clean_text(title)
    subtitle = _clean_text(subtitle)
    glyph = _clean_text(glyph)
    if not title:
        raise ValueError("badge title is empty: pass the achievement name")
    foreground = _text_color(primary_rgb)
    glyph_markup = _render_glyph(glyph, foreground, _hex(primary_rgb))

    # Gradient ids get a prefix derived from the content, so that several badges inlined in one
    # HTML page do not resolve each other's gradients.
    digest = hashlib.sha256("\x1f".join((title, subtitle, primary, secondary, glyph)).encode())
    prefix = "badge-" + digest.hexdigest()[:10]
    parts = [
        f'<svg xmlns="{SVG_NAMESPACE}" viewBox="0 0 {VIEWBOX_SIZE} {VIEWBOX_SIZE}" '
        f'width="{VIEWBOX_SIZE}" height="{VIEWBOX_SIZE}" role="img" '
        f'aria-labelledby="{prefix}-title">',
        f'<title id="{prefix}-title">{_escape(_join_label(title, subtitle))}</title>',
        _render_defs(prefix, primary_rgb, secondary_rgb),
        _render_tails(secondary_rgb),
        _render_rosette(prefix, primary_rgb),
        glyph_markup,
        _render_title(title, foreground),
        _render_banner(prefix, secondary_rgb),
        _render_subtitle(subtitle, secondary_rgb),
        "</svg>",
    ]
    return "\n".join(part for part in parts if part) + "\n"


def svg_data_uri(svg: str) -> str:
    """Encode an SVG document as a ``data:image/svg+xml;base64,...`` URI."""
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"


# Colours.


def _parse_color(value: str, field: str) -> RGB:
    if not _HEX_COLOR.fullmatch(value):
        raise ValueError(f"invalid {field} colour {value!r}: use #rgb or #rrggbb")
    digits = value[1:]
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _hex(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _mix(rgb: RGB, other: RGB, share: float) -> str:
    """Move ``rgb`` by ``share`` (0 to 1) towards ``other`` and return it as #rrggbb."""
    red, green, blue = (round(a + (b - a) * share) for a, b in zip(rgb, other, strict=True))
    return _hex((red, green, blue))


def _darker(rgb: RGB, share: float) -> str:
    return _mix(rgb, (0, 0, 0), share)


def _lighter(rgb: RGB, share: float) -> str:
    return _mix(rgb, (255, 255, 255), share)


def _relative_luminance(rgb: RGB) -> float:
    """Relative luminance as defined by WCAG 2.1, from 0 for black to 1 for white."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _text_color(background: RGB) -> str:
    """Pick white or near-black, whichever has the higher WCAG contrast with ``background``."""
    luminance = _relative_luminance(background)
    contrast_with_white = 1.05 / (luminance + 0.05)
    # 0.0603 is the relative luminance of #1a1a1a plus the 0.05 flare term.
    contrast_with_dark = (luminance + 0.05) / 0.0603
    return "#ffffff" if contrast_with_white >= contrast_with_dark else "#1a1a1a"


# Text.


def _clean_text(text: str) -> str:
    """Drop characters that XML 1.0 forbids and collapse runs of whitespace."""
    return " ".join(_NON_XML_CHARS.sub("", text).split())


def _escape(text: str) -> str:
    return escape(text, _QUOTE_ENTITIES)


def _join_label(title: str, subtitle: str) -> str:
    return f"{title} \N{EN DASH} {subtitle}" if subtitle else title


def _char_width(char: str) -> float:
    if char in _NARROW_CHARS:
        return _NARROW_WIDTH
    if char in _SEMI_NARROW_CHARS:
        return _SEMI_NARROW_WIDTH
    if char in _WIDE_CHARS:
        return _WIDE_WIDTH
    return _UPPERCASE_WIDTH if char.isupper() else _DEFAULT_WIDTH


def _text_width(text: str, font_size: float, letter_spacing: float = 0.0) -> float:
    """Estimate the rendered width of ``text`` in user units, rounded up on purpose."""
    return sum(_char_width(char) * font_size + letter_spacing for char in text)


def _split_word(word: str, width: float, font_size: float) -> list[str]:
    """Cut a word that is wider than a line into pieces that each fit on one.

    The cuts fall after hyphens where possible, and between any two characters otherwise.
    """
    pieces = [""]
    for part in _HYPHENATED_PART.findall(word):
        if pieces[-1] and _text_width(pieces[-1] + part, font_size) > width:
            pieces.append("")
        if _text_width(part, font_size) <= width:
            pieces[-1] += part
            continue
        for char in part:
            if pieces[-1] and _text_width(pieces[-1] + char, font_size) > width:
                pieces.append("")
            pieces[-1] += char
    return pieces


def _wrap(text: str, width: float, font_size: float) -> list[str]:
    """Wrap ``text`` at spaces into lines of at most ``width``, splitting longer words."""
    lines: list[str] = []
    for word in text.split():
        for piece in _split_word(word, width, font_size):
            candidate = f"{lines[-1]} {piece}" if lines else piece
            if lines and _text_width(candidate, font_size) <= width:
                lines[-1] = candidate
            else:
                lines.append(piece)
    return lines


def _end_with_ellipsis(text: str, width: float, font_size: float, spacing: float = 0.0) -> str:
    """Shorten ``text`` as needed so that it still fits in ``width`` with "…" appended."""
    while text and _text_width(f"{text}…", font_size, spacing) > width:
        text = text[:-1]
    return f"{text.rstrip()}…"


def _wrap_title(title: str) -> tuple[int, list[str]]:
    """Wrap the title at the largest font size that fits and return the size and the lines.

    A size at which every word fits on a line wins over a larger size that would cut words. If
    the title does not fit on three lines at the smallest size, the third line is cut and ends
    with "…".
    """
    title = title[:_WRAP_INPUT_LIMIT]
    words = title.split()
    for may_cut_words in (False, True):
        for font_size in _TITLE_FONT_SIZES:
            widest_word = max(_text_width(word, font_size) for word in words)
            if not may_cut_words and widest_word > _TITLE_WIDTH:
                continue
            lines = _wrap(title, _TITLE_WIDTH, font_size)
            block_height = (len(lines) - 1) * font_size * _LINE_HEIGHT + font_size
            if len(lines) <= MAX_TITLE_LINES and block_height <= _TITLE_BOTTOM - _TITLE_TOP:
                return font_size, lines

    font_size = _TITLE_FONT_SIZES[-1]
    lines = _wrap(title, _TITLE_WIDTH, font_size)[:MAX_TITLE_LINES]
    lines[-1] = _end_with_ellipsis(lines[-1], _TITLE_WIDTH, font_size)
    return font_size, lines


def _text_length(text: str, width: float, font_size: float) -> str:
    """Return a textLength attribute if the text may run wider than ``width``, else ''."""
    if _text_width(text, font_size) <= width:
        return ""
    return f' textLength="{width:.0f}" lengthAdjust="spacingAndGlyphs"'


# Shapes.


def _render_defs(prefix: str, primary: RGB, secondary: RGB) -> str:
    return (
        "<defs>"
        f'<radialGradient id="{prefix}-disc" cx="0.5" cy="0.35" r="0.75">'
        f'<stop offset="0" stop-color="{_lighter(primary, 0.16)}"/>'
        f'<stop offset="1" stop-color="{_darker(primary, 0.14)}"/>'
        "</radialGradient>"
        f'<linearGradient id="{prefix}-banner" x1="0" y1="0" x2="0" y2="1">'
        f'<stop offset="0" stop-color="{_lighter(secondary, 0.14)}"/>'
        f'<stop offset="1" stop-color="{_darker(secondary, 0.08)}"/>'
        "</linearGradient>"
        "</defs>"
    )


def _render_tails(secondary: RGB) -> str:
    """Draw the two ribbon tails that hang below the rosette, each ending in a notch."""
    fill = _darker(secondary, 0.05)
    shade = _darker(secondary, 0.3)
    return (
        f'<path d="M146,268 L196,286 L164,392 L143,370 L112,380 Z" fill="{fill}"/>'
        f'<path d="M254,268 L204,286 L236,392 L257,370 L288,380 Z" fill="{fill}"/>'
        f'<path d="M146,268 L196,286 L189,308 Z" fill="{shade}"/>'
        f'<path d="M254,268 L204,286 L211,308 Z" fill="{shade}"/>'
    )


def _scallop_path() -> str:
    """Outline the rosette as a ring of arcs that bulge outwards between points on a circle."""
    step = 2 * math.pi / _SCALLOP_COUNT
    bump = _SCALLOP_RADIUS * math.sin(step / 2) * 1.02
    points = [
        (
            _CENTER_X + _SCALLOP_RADIUS * math.cos(index * step - math.pi / 2),
            _CENTER_Y + _SCALLOP_RADIUS * math.sin(index * step - math.pi / 2),
        )
        for index in range(_SCALLOP_COUNT)
    ]
    commands = [f"M{points[0][0]:.2f},{points[0][1]:.2f}"]
    for x, y in [*points[1:], points[0]]:
        commands.append(f"A{bump:.2f},{bump:.2f} 0 0 1 {x:.2f},{y:.2f}")
    return " ".join(commands) + " Z"


def _render_rosette(prefix: str, primary: RGB) -> str:
    center = f'cx="{_CENTER_X:.0f}" cy="{_CENTER_Y:.0f}"'
    return (
        f'<path d="{_scallop_path()}" fill="{_darker(primary, 0.28)}"/>'
        f'<circle {center} r="{_DISC_RADIUS + 8:.0f}" fill="{_lighter(primary, 0.88)}"/>'
        f'<circle {center} r="{_DISC_RADIUS:.0f}" fill="url(#{prefix}-disc)"/>'
        f'<circle {center} r="{_DISC_RADIUS - 9:.0f}" fill="none" '
        f'stroke="{_lighter(primary, 0.55)}" stroke-width="2" stroke-dasharray="0.1 6" '
        'stroke-linecap="round"/>'
    )


def _render_glyph(glyph: str, foreground: str, background: str) -> str:
    if glyph in GLYPHS:
        markup = Template(GLYPHS[glyph]).substitute(fg=foreground, bg=background)
        offset_x = _CENTER_X - 50 * _GLYPH_SCALE
        offset_y = _GLYPH_CENTER_Y - 50 * _GLYPH_SCALE
        return (
            f'<g class="badge-glyph" transform="translate({offset_x:.1f} {offset_y:.1f}) '
            f'scale({_GLYPH_SCALE})">{markup}</g>'
        )
    if not glyph or len(glyph) > MAX_SYMBOL_LENGTH:
        raise ValueError(
            f"invalid glyph {glyph!r}: use one of {', '.join(sorted(GLYPHS))} "
            f"or a text symbol of 1 to {MAX_SYMBOL_LENGTH} characters"
        )
    font_size = _SYMBOL_FONT_SIZES[len(glyph)]
    baseline = _GLYPH_CENTER_Y + font_size * 0.36
    return (
        f'<text class="badge-glyph" x="{_CENTER_X:.0f}" y="{baseline:.1f}" text-anchor="middle" '
        f'font-family="{_FONT_FAMILY}" font-weight="700" font-size="{font_size}" '
        f'fill="{foreground}">{_escape(glyph)}</text>'
    )


def _render_title(title: str, color: str) -> str:
    font_size, lines = _wrap_title(title)
    line_height = font_size * _LINE_HEIGHT
    block_height = line_height * (len(lines) - 1)
    first_baseline = (_TITLE_TOP + _TITLE_BOTTOM - block_height) / 2 + font_size * 0.36
    spans = []
    for index, line in enumerate(lines):
        y = first_baseline + index * line_height
        fit = _text_length(line, _TITLE_WIDTH, font_size)
        spans.append(f'<tspan x="{_CENTER_X:.0f}" y="{y:.1f}"{fit}>{_escape(line)}</tspan>')
    return (
        f'<text class="badge-title" text-anchor="middle" font-family="{_FONT_FAMILY}" '
        f'font-weight="700" font-size="{font_size}" fill="{color}">{"".join(spans)}</text>'
    )


def _render_banner(prefix: str, secondary: RGB) -> str:
    """Draw the banner across the lower part of the rosette, with folded ends behind it."""
    top, bottom = _BANNER_TOP, _BANNER_BOTTOM
    end = _darker(secondary, 0.18)
    fold = _darker(secondary, 0.45)
    return (
        f'<path d="M56,{top + 12:.0f} L94,{top + 12:.0f} L94,{bottom + 12:.0f} '
        f'L56,{bottom + 12:.0f} L68,{(top + bottom) / 2 + 12:.0f} Z" fill="{end}"/>'
        f'<path d="M344,{top + 12:.0f} L306,{top + 12:.0f} L306,{bottom + 12:.0f} '
        f'L344,{bottom + 12:.0f} L332,{(top + bottom) / 2 + 12:.0f} Z" fill="{end}"/>'
        f'<path d="M78,{bottom:.0f} L94,{bottom + 12:.0f} L94,{bottom:.0f} Z" fill="{fold}"/>'
        f'<path d="M322,{bottom:.0f} L306,{bottom + 12:.0f} L306,{bottom:.0f} Z" fill="{fold}"/>'
        f'<path d="M78,{top:.0f} Q200,{top - 10:.0f} 322,{top:.0f} L322,{bottom:.0f} '
        f'Q200,{bottom - 10:.0f} 78,{bottom:.0f} Z" fill="url(#{prefix}-banner)"/>'
    )


def _wrap_subtitle(subtitle: str) -> tuple[int, float, list[str]]:
    """Fit the subtitle on the banner and return its font size, letter spacing and lines.

    The largest size that fits on one line wins. A longer subtitle, such as a university's full
    name, is split into the two most even lines, which textLength may narrow by up to
    ``_MAX_SQUEEZE``. Beyond that the second line is cut and ends with "…".
    """
    spacing = _SUBTITLE_LETTER_SPACING
    for font_size in _SUBTITLE_FONT_SIZES:
        if _text_width(subtitle, font_size, spacing) <= _SUBTITLE_WIDTH:
            return font_size, spacing, [subtitle]

    font_size = _SUBTITLE_TWO_LINE_FONT_SIZE
    subtitle = subtitle[:_WRAP_INPUT_LIMIT]
    words = subtitle.split()
    splits = [(" ".join(words[:index]), " ".join(words[index:])) for index in range(1, len(words))]
    if splits:
        first, second = min(
            splits, key=lambda pair: max(_text_width(line, font_size) for line in pair)
        )
        widest = max(_text_width(first, font_size), _text_width(second, font_size))
        if widest <= _SUBTITLE_WIDTH * _MAX_SQUEEZE:
            return font_size, 0.0, [first, second]

    lines = _wrap(subtitle, _SUBTITLE_WIDTH, font_size)
    if len(lines) > 2:
        lines = [lines[0], _end_with_ellipsis(lines[1], _SUBTITLE_WIDTH, font_size)]
    return font_size, 0.0, lines


def _render_subtitle(subtitle: str, secondary: RGB) -> str:
    if not subtitle:
        return ""
    font_size, spacing, lines = _wrap_subtitle(subtitle)
    line_height = font_size * _LINE_HEIGHT

    # The banner's curve lifts its middle by 5 units, so the text sits 5 units higher too.
    middle = (_BANNER_TOP + _BANNER_BOTTOM) / 2 - 5
    first_baseline = middle - line_height * (len(lines) - 1) / 2 + font_size * 0.36
    spans = []
    for index, line in enumerate(lines):
        y = first_baseline + index * line_height
        fit = _text_length(line, _SUBTITLE_WIDTH, font_size)
        spans.append(f'<tspan x="{_CENTER_X:.0f}" y="{y:.1f}"{fit}>{_escape(line)}</tspan>')
    return (
        f'<text class="badge-subtitle" text-anchor="middle" font-family="{_FONT_FAMILY}" '
        f'font-weight="700" font-size="{font_size}" letter-spacing="{spacing:g}" '
        f'fill="{_text_color(secondary)}">{"".join(spans)}</text>'
    )


# Building blocks for hub.designer, which composes other badge shapes in the same 400 by 400
# viewBox. The rosette, banner and tails keep the geometry of render_badge_svg.
FONT_FAMILY = _FONT_FAMILY
LINE_HEIGHT = _LINE_HEIGHT
ROSETTE_CENTER = (_CENTER_X, _CENTER_Y)
ROSETTE_DISC_RADIUS = _DISC_RADIUS
GLYPH_CENTER_Y = _GLYPH_CENTER_Y
GLYPH_SCALE = _GLYPH_SCALE
BANNER_TOP = _BANNER_TOP
BANNER_BOTTOM = _BANNER_BOTTOM
TITLE_WIDTH = _TITLE_WIDTH
SUBTITLE_WIDTH = _SUBTITLE_WIDTH
parse_color = _parse_color
hex_color = _hex
darker = _darker
lighter = _lighter
text_color_for = _text_color
clean_text = _clean_text
escape_text = _escape
estimate_text_width = _text_width
render_gradients = _render_defs
render_tails = _render_tails
render_rosette = _render_rosette
render_banner = _render_banner
