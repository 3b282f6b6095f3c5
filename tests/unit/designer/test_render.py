"""SVG documents drawn from badge designs: well-formed, escaped, inert and sanitiser-stable."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from hub.badge_image import GLYPHS
from hub.designer import BadgeDesign, inline_logo, parse_design, render_design_svg
from hub.designer.design import SHAPES
from hub.designer.render import MAX_BANNER_FONT_SIZE
from hub.errors import InvalidInputError
from hub.images import sanitize_svg

NS = "{http://www.w3.org/2000/svg}"
LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 80" fill="#003a70">'
    '<rect width="200" height="80" rx="6"/><text x="100" y="50" fill="#fff">UPHF</text></svg>'
)
HOSTILE_TEXT = "<script>alert(\"x\")</script> & 'co'"


def design(**values: object) -> BadgeDesign:
    return parse_design({"line1": "Premiers secours", "line2": "UPHF", **values})


def root_of(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def text_of(svg: str, css_class: str) -> ET.Element:
    element = root_of(svg).find(f".//{NS}text[@class='{css_class}']")
    assert element is not None, css_class
    return element


@pytest.mark.parametrize("shape", SHAPES)
def test_shape_renders_valid_svg(shape: str) -> None:
    svg = render_design_svg(design(shape=shape))

    root = root_of(svg)
    assert root.tag == f"{NS}svg"
    assert root.get("viewBox") == "0 0 400 400"
    assert root.find(f".//{NS}g[@class='badge-shape badge-shape-{shape}']") is not None
    assert text_of(svg, "badge-line1").text == "Premiers secours"
    assert text_of(svg, "badge-line2").text == "UPHF"


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("with_logo", [False, True], ids=["no-logo", "logo"])
def test_output_passes_sanitiser_unchanged(shape: str, with_logo: bool) -> None:
    logo = inline_logo(LOGO) if with_logo else None
    svg = render_design_svg(design(shape=shape, logo=with_logo, line1=HOSTILE_TEXT), logo)

    assert sanitize_svg(svg) == svg


@pytest.mark.parametrize("glyph", ["none", *sorted(GLYPHS)])
def test_glyph_output_passes_sanitiser_unchanged(glyph: str) -> None:
    svg = render_design_svg(design(glyph=glyph))

    assert sanitize_svg(svg) == svg


def test_shapes_differ() -> None:
    outlines = {render_design_svg(design(shape=shape)) for shape in SHAPES}

    assert len(outlines) == len(SHAPES)


def test_text_escaped() -> None:
    svg = render_design_svg(design(line1="<script>alert(1)</script>", line2="R&D"))

    assert "<script" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "R&amp;D" in svg
    assert text_of(svg, "badge-line1").text == "<script>alert(1)</script>"
    assert text_of(svg, "badge-line2").text == "R&D"


def test_title_names_both_lines() -> None:
    title = root_of(render_design_svg(design(line1="A & B", line2="C"))).find(f"{NS}title")

    assert title is not None
    assert title.text == "A & B \N{EN DASH} C"


def test_output_has_no_active_content() -> None:
    svg = render_design_svg(design(logo=True, line1=HOSTILE_TEXT), inline_logo(LOGO))

    for element in root_of(svg).iter():
        name = element.tag.rsplit("}", 1)[-1]
        assert name not in {"script", "foreignObject", "image", "a", "use", "style"}
        for attribute, value in element.attrib.items():
            assert not attribute.rsplit("}", 1)[-1].startswith("on"), attribute
            assert "url(" not in value or value.startswith("url(#"), value
            assert "href" not in attribute, attribute


def test_colours_applied() -> None:
    svg = render_design_svg(
        design(shape="circle", primary="#c1121f", secondary="#2a9d8f", text_color="#fefae0")
    )

    shape = root_of(svg).find(f"{NS}g[@class='badge-shape badge-shape-circle']")
    glyph = root_of(svg).find(f"{NS}g[@class='badge-glyph']")
    assert shape is not None
    assert glyph is not None
    # The rim is the secondary colour 5% darker: each channel times 0.95, rounded.
    assert shape[0].get("fill") == "#289588"
    assert text_of(svg, "badge-line1").get("fill") == "#fefae0"
    assert {element.get("fill") for element in glyph.iter()} >= {"#fefae0"}


def test_invalid_colour_rejected_by_renderer() -> None:
    unchecked = BadgeDesign(primary="url(javascript:alert(1))")

    with pytest.raises(ValueError, match="invalid primary colour"):
        render_design_svg(unchecked)


def test_long_line_squeezed_to_fit() -> None:
    svg = render_design_svg(design(shape="circle", line1="W" * 40, size1=60))

    line = text_of(svg, "badge-line1")
    assert line.get("textLength") == "260"
    assert line.get("lengthAdjust") == "spacingAndGlyphs"


def test_short_line_not_squeezed() -> None:
    line = text_of(render_design_svg(design(shape="circle", line1="Hi")), "badge-line1")

    assert line.get("textLength") is None


def test_banner_line_capped_and_contrasted() -> None:
    svg = render_design_svg(
        design(shape="rosette", size2=60, secondary="#e9c46a", text_color="#ffffff")
    )

    line2 = text_of(svg, "badge-line2")
    assert line2.get("font-size") == str(MAX_BANNER_FONT_SIZE)
    assert line2.get("fill") == "#1a1a1a"


def test_second_line_below_first() -> None:
    svg = render_design_svg(design(shape="hexagon", size1=30, size2=20))

    first = float(text_of(svg, "badge-line1").get("y", "0"))
    second = float(text_of(svg, "badge-line2").get("y", "0"))
    assert second > first + 20


def test_empty_lines_left_out() -> None:
    svg = render_design_svg(parse_design({"line1": "", "line2": ""}))

    assert root_of(svg).find(f".//{NS}text") is None
    title = root_of(svg).find(f"{NS}title")
    assert title is not None
    assert title.text == "Badge"


def test_no_glyph_draws_none() -> None:
    svg = render_design_svg(design(glyph="none"))

    assert 'class="badge-glyph"' not in svg


def test_logo_nested_in_plate() -> None:
    svg = render_design_svg(design(shape="shield", logo=True), inline_logo(LOGO))

    nested = root_of(svg).find(f"{NS}svg[@class='badge-logo']")
    assert nested is not None
    assert nested.get("viewBox") == "0 0 200 80"
    assert nested.get("fill") == "#003a70"
    assert nested.get("preserveAspectRatio") == "xMidYMid meet"
    assert nested.find(f"{NS}text") is not None
    assert root_of(svg).find(f"{NS}rect[@class='badge-logo-plate']") is not None


def test_logo_left_out_when_not_chosen() -> None:
    svg = render_design_svg(design(logo=False), inline_logo(LOGO))

    assert "badge-logo" not in svg


def test_ids_differ_between_designs() -> None:
    first = root_of(render_design_svg(design(line1="A"))).get("aria-labelledby")
    second = root_of(render_design_svg(design(line1="B"))).get("aria-labelledby")

    assert first != second


def test_logo_script_removed() -> None:
    hostile = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="40" onload="alert(1)">'
        '<script>alert(2)</script><rect width="100" height="40"/></svg>'
    )

    logo = inline_logo(hostile)
    svg = render_design_svg(design(logo=True), logo)

    assert logo.view_box == "0 0 100 40"
    assert "alert" not in svg
    assert sanitize_svg(svg) == svg


def test_logo_with_xlink_reference() -> None:
    logo_svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'viewBox="0 0 10 10"><defs><circle id="dot" r="3"/></defs>'
        '<use xlink:href="#dot" x="5" y="5"/></svg>'
    )

    svg = render_design_svg(design(logo=True), inline_logo(logo_svg))

    assert 'xmlns:xlink="http://www.w3.org/1999/xlink"' in svg
    assert sanitize_svg(svg) == svg


@pytest.mark.parametrize(
    ("logo_svg", "expected"),
    [
        ("<html/>", "root element is <html>"),
        ('<svg xmlns="http://www.w3.org/2000/svg" width="2cm" height="1cm"/>', "not in pixels"),
    ],
)
def test_unusable_logo_rejected(logo_svg: str, expected: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        inline_logo(logo_svg)

    assert caught.value.code == "invalid-logo"
    assert expected in caught.value.message
