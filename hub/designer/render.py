"""Draw a ``BadgeDesign`` as an SVG document in the 400 by 400 viewBox of ``hub.badge_image``.

The rosette and ribbon shapes reuse the rosette, banner and ribbon tails of the seed badges.
Circle, shield and hexagon are drawn here with the same rim, ring and gradient disc. The output
is written in the layout that ``hub.images.sanitize_svg`` produces, so sanitising it returns
the same text. It contains no script, no event handler, no foreignObject and no external
reference. Text is XML-escaped and colours are validated #rrggbb values.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from string import Template

from hub import badge_image as parts
from hub.designer.design import NO_GLYPH, BadgeDesign
from hub.designer.logo import InlineLogo
from hub.images.limits import SVG_NAMESPACE

VIEWBOX_SIZE = 400
_CENTER_X = 200.0
# The banner of the rosette and ribbon shapes is 40 units high, so larger text would overflow.
MAX_BANNER_FONT_SIZE = 22
# Vertical offset of a text baseline below the middle of its line, in em, as in hub.badge_image.
_BASELINE_OFFSET = 0.36
_XLINK_NAMESPACE = "http://www.w3.org/1999/xlink"


@dataclass(frozen=True)
class _Layout:
    """Positions of a shape's glyph, text and tenant logo."""

    glyph_center_y: float
    glyph_scale: float
    text_center_y: float
    text_width: float
    has_banner: bool
    # x, y, width and height of the white plate that carries the logo.
    logo_box: tuple[float, float, float, float]


_LAYOUTS = {
    "circle": _Layout(118, 0.8, 228, 260, False, (148, 290, 104, 50)),
    "shield": _Layout(112, 0.8, 218, 236, False, (148, 282, 104, 48)),
    "hexagon": _Layout(118, 0.8, 226, 250, False, (153, 286, 94, 46)),
    "rosette": _Layout(
        parts.GLYPH_CENTER_Y, parts.GLYPH_SCALE, 185, parts.TITLE_WIDTH, True, (156, 300, 88, 44)
    ),
    "ribbon": _Layout(
        parts.GLYPH_CENTER_Y, parts.GLYPH_SCALE, 185, parts.TITLE_WIDTH, True, (156, 300, 88, 44)
    ),
}


def render_design_svg(design: BadgeDesign, logo: InlineLogo | None = None) -> str:
    """Render ``design`` as a standalone SVG document.

    ``logo`` is drawn on a white plate when ``design.logo`` is set, and ignored otherwise.
    """
    layout = _LAYOUTS[design.shape]
    primary = parts.parse_color(design.primary, "primary")
    secondary = parts.parse_color(design.secondary, "secondary")
    logo = logo if design.logo else None
    prefix = _id_prefix(design, logo)

    body = [
        parts.render_gradients(prefix, primary, secondary),
        *_render_shape(design.shape, prefix, primary, secondary),
        _render_glyph(design, layout, primary),
        *_render_text(design, layout, secondary),
        _render_logo(logo, layout, secondary),
    ]
    namespaces = f'xmlns="{SVG_NAMESPACE}"'
    if logo is not None and logo.uses_xlink:
        namespaces += f' xmlns:xlink="{_XLINK_NAMESPACE}"'
    label = " \N{EN DASH} ".join(line for line in (design.line1, design.line2) if line)
    document = [
        f'<svg {namespaces} viewBox="0 0 {VIEWBOX_SIZE} {VIEWBOX_SIZE}" width="{VIEWBOX_SIZE}" '
        f'height="{VIEWBOX_SIZE}" role="img" aria-labelledby="{prefix}-title">',
        f'<title id="{prefix}-title">{parts.escape_text(label or "Badge")}</title>',
        *body,
        "</svg>",
    ]
    return "\n".join(part for part in document if part) + "\n"


def _id_prefix(design: BadgeDesign, logo: InlineLogo | None) -> str:
    """Derive element ids from the content, so badges inlined in one page keep theirs apart."""
    content = json.dumps(design.to_json(), sort_keys=True) + (logo.markup if logo else "")
    return "design-" + hashlib.sha256(content.encode()).hexdigest()[:10]


# Shapes.


def _render_shape(shape: str, prefix: str, primary: parts.RGB, secondary: parts.RGB) -> list[str]:
    if shape in ("rosette", "ribbon"):
        medal = (
            parts.render_rosette(prefix, primary) if shape == "rosette" else _medal(prefix, primary)
        )
        return [
            f'<g class="badge-shape badge-shape-{shape}">{parts.render_tails(secondary)}',
            medal,
            f"{parts.render_banner(prefix, secondary)}</g>",
        ]
    outline = {"circle": _circle_path, "shield": _shield_path, "hexagon": _hexagon_path}[shape]
    return [
        f'<g class="badge-shape badge-shape-{shape}">'
        f'<path d="{outline(1.0)}" fill="{parts.darker(secondary, 0.05)}"/>'
        f'<path d="{outline(0.93)}" fill="{parts.lighter(primary, 0.88)}"/>'
        f'<path d="{outline(0.885)}" fill="url(#{prefix}-disc)"/>'
        f'<path d="{outline(0.82)}" fill="none" stroke="{parts.lighter(primary, 0.55)}" '
        'stroke-width="2" stroke-dasharray="0.1 6" stroke-linecap="round"/>'
        "</g>"
    ]


def _medal(prefix: str, primary: parts.RGB) -> str:
    """Draw a plain round medal where the rosette has its scalloped edge."""
    center_x, center_y = parts.ROSETTE_CENTER
    radius = parts.ROSETTE_DISC_RADIUS
    center = f'cx="{center_x:.0f}" cy="{center_y:.0f}"'
    return (
        f'<circle {center} r="{radius + 20:.0f}" fill="{parts.darker(primary, 0.28)}"/>'
        f'<circle {center} r="{radius + 8:.0f}" fill="{parts.lighter(primary, 0.88)}"/>'
        f'<circle {center} r="{radius:.0f}" fill="url(#{prefix}-disc)"/>'
        f'<circle {center} r="{radius - 9:.0f}" fill="none" '
        f'stroke="{parts.lighter(primary, 0.55)}" stroke-width="2" stroke-dasharray="0.1 6" '
        'stroke-linecap="round"/>'
    )


def _scale(points: list[tuple[float, float]], scale: float, center_y: float = 200.0) -> list[str]:
    """Scale points about (200, ``center_y``) and format them as "x,y"."""
    return [
        f"{_CENTER_X + (x - _CENTER_X) * scale:.1f},{center_y + (y - center_y) * scale:.1f}"
        for x, y in points
    ]


def _circle_path(scale: float) -> str:
    radius = 184 * scale
    top, bottom = 200 - radius, 200 + radius
    return (
        f"M200,{top:.1f} A{radius:.1f},{radius:.1f} 0 0 1 200,{bottom:.1f} "
        f"A{radius:.1f},{radius:.1f} 0 0 1 200,{top:.1f} Z"
    )


def _shield_path(scale: float) -> str:
    # A heater shield: a flat top with a notch in the middle, straight sides, and two curves
    # that meet in a point at the bottom.
    points = _scale(
        [
            (200, 16), (264, 44), (320, 56), (364, 56),
            (364, 190),
            (364, 292), (296, 352), (200, 388),
            (104, 352), (36, 292), (36, 190),
            (36, 56),
            (80, 56), (136, 44), (200, 16),
        ],
        scale,
        center_y=202.0,
    )  # fmt: skip
    return (
        f"M{points[0]} C{points[1]} {points[2]} {points[3]} L{points[4]} "
        f"C{points[5]} {points[6]} {points[7]} C{points[8]} {points[9]} {points[10]} "
        f"L{points[11]} C{points[12]} {points[13]} {points[14]} Z"
    )


def _hexagon_path(scale: float) -> str:
    corners = [
        (_CENTER_X + 192 * math.cos(angle), 200 + 192 * math.sin(angle))
        for angle in (math.radians(-90 + 60 * index) for index in range(6))
    ]
    points = _scale(corners, scale)
    return "M" + " L".join(points) + " Z"


# Glyph, text and logo.


def _render_glyph(design: BadgeDesign, layout: _Layout, primary: parts.RGB) -> str:
    if design.glyph == NO_GLYPH:
        return ""
    markup = Template(parts.GLYPHS[design.glyph]).substitute(
        fg=design.text_color, bg=parts.hex_color(primary)
    )
    offset_x = _CENTER_X - 50 * layout.glyph_scale
    offset_y = layout.glyph_center_y - 50 * layout.glyph_scale
    return (
        f'<g class="badge-glyph" transform="translate({offset_x:.1f} {offset_y:.1f}) '
        f'scale({layout.glyph_scale})">{markup}</g>'
    )


def _render_text(design: BadgeDesign, layout: _Layout, secondary: parts.RGB) -> list[str]:
    """Draw line 1, and line 2 below it or, on shapes with a banner, on the banner.

    Text on the banner is drawn in black or white, whichever contrasts more with the secondary
    colour, because the text colour is chosen for the primary colour.
    """
    lines = [("badge-line1", design.line1, design.size1)]
    banner_line = ("badge-line2", design.line2, min(design.size2, MAX_BANNER_FONT_SIZE))
    if not layout.has_banner:
        lines.append(("badge-line2", design.line2, design.size2))
    lines = [line for line in lines if line[1]]

    rendered = []
    spacing = sum(size for _, _, size in lines) / 2 * parts.LINE_HEIGHT
    middle = layout.text_center_y - spacing * (len(lines) - 1) / 2
    for index, (css_class, text, size) in enumerate(lines):
        rendered.append(
            _render_line(
                css_class, text, size, middle + index * spacing, layout.text_width,
                design.text_color,
            )
        )  # fmt: skip
    if layout.has_banner and design.line2:
        # The banner's curve lifts its middle by 5 units, so the text sits 5 units higher too.
        banner_middle = (parts.BANNER_TOP + parts.BANNER_BOTTOM) / 2 - 5
        color = parts.text_color_for(secondary)
        rendered.append(_render_line(*banner_line, banner_middle, parts.SUBTITLE_WIDTH, color))
    return rendered


def _render_line(
    css_class: str, text: str, size: int, middle: float, width: float, color: str
) -> str:
    """Draw one centred line. A line estimated wider than ``width`` is squeezed to fit."""
    baseline = middle + size * _BASELINE_OFFSET
    fit = ""
    if parts.estimate_text_width(text, size) > width:
        fit = f' textLength="{width:.0f}" lengthAdjust="spacingAndGlyphs"'
    return (
        f'<text class="{css_class}" x="{_CENTER_X:.0f}" y="{baseline:.1f}"{fit} '
        f'text-anchor="middle" font-family="{parts.FONT_FAMILY}" font-weight="700" '
        f'font-size="{size}" fill="{color}">{parts.escape_text(text)}</text>'
    )


def _render_logo(logo: InlineLogo | None, layout: _Layout, secondary: parts.RGB) -> str:
    if logo is None:
        return ""
    x, y, width, height = layout.logo_box
    padding = 5
    return (
        f'<rect class="badge-logo-plate" x="{x:g}" y="{y:g}" width="{width:g}" '
        f'height="{height:g}" rx="8" fill="#ffffff" stroke="{parts.darker(secondary, 0.2)}" '
        'stroke-width="2"/>\n'
        + logo.nested(x + padding, y + padding, width - 2 * padding, height - 2 * padding)
    )
