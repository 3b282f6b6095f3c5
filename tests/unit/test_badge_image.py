import base64
import xml.etree.ElementTree as ET

import pytest

from hub.badge_image import GLYPHS, render_badge_svg, svg_data_uri

SVG = "{http://www.w3.org/2000/svg}"
NAVY = "#00386e"
GOLD = "#f2b705"


def render(title: str = "Gérer un projet", glyph: str = "project", **colors: str) -> str:
    primary = colors.get("primary", NAVY)
    secondary = colors.get("secondary", GOLD)
    return render_badge_svg(title, "UPHF", primary, secondary, glyph)


def text_lines(svg: str, css_class: str) -> list[str]:
    text = ET.fromstring(svg).find(f"{SVG}text[@class='{css_class}']")
    assert text is not None
    return [span.text or "" for span in text.findall(f"{SVG}tspan")]


def title_lines(svg: str) -> list[str]:
    return text_lines(svg, "badge-title")


def title_fill(svg: str) -> str | None:
    title = ET.fromstring(svg).find(f"{SVG}text[@class='badge-title']")
    assert title is not None
    return title.get("fill")


def local_name(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def test_root_is_svg_with_viewbox() -> None:
    root = ET.fromstring(render())

    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 400 400"


@pytest.mark.parametrize("glyph", [*sorted(GLYPHS), "SST", "Ω"])
def test_glyph_output_is_inert(glyph: str) -> None:
    svg = render(glyph=glyph)

    elements = list(ET.fromstring(svg).iter())
    assert "<script" not in svg.lower()
    assert "foreignobject" not in svg.lower()
    for element in elements:
        assert local_name(element.tag) not in {"script", "foreignObject", "image", "use"}
        for name, value in element.attrib.items():
            assert not local_name(name).lower().startswith("on"), name
            if local_name(name) == "href":
                assert value.startswith("#"), value
            if "url(" in value:
                assert value.startswith("url(#"), value


def test_special_characters_escaped() -> None:
    title = """R&D <b>"quoted"</b> l'atelier"""

    svg = render_badge_svg(title, "<&\"'>", NAVY, GOLD, "<&>")

    assert "<b>" not in svg
    assert "&lt;b&gt;" in svg
    assert "&amp;" in svg
    root = ET.fromstring(svg)
    assert text_lines(svg, "badge-subtitle") == ["<&\"'>"]
    assert root.findtext(f"{SVG}text[@class='badge-glyph']") == "<&>"
    assert " ".join(title_lines(svg)) == title


def test_long_title_wrapped_to_three_lines() -> None:
    title = ("Reconnaissance des compétences transversales acquises " * 4)[:200]

    lines = title_lines(render(title))

    assert len(title) == 200
    assert len(lines) <= 3
    assert lines[-1].endswith("…")
    assert title.startswith(" ".join(lines)[:-1].rstrip())


def test_long_word_split_across_lines() -> None:
    lines = title_lines(render("x" * 200))

    assert len(lines) == 3
    assert lines[-1].endswith("…")


def test_full_university_name_on_two_lines() -> None:
    name = "Brandenburg University of Technology Cottbus-Senftenberg"

    svg = render_badge_svg("Cap Campus", name, NAVY, GOLD, "campus")

    assert " ".join(text_lines(svg, "badge-subtitle")) == name


def test_overlong_subtitle_cut() -> None:
    svg = render_badge_svg("Cap Campus", "Université " * 20, NAVY, GOLD, "campus")

    lines = text_lines(svg, "badge-subtitle")
    assert len(lines) == 2
    assert lines[-1].endswith("…")


def test_short_title_on_one_line() -> None:
    assert title_lines(render("PSC1")) == ["PSC1"]


def test_title_whitespace_collapsed() -> None:
    assert " ".join(title_lines(render("  Cap \n\t Campus "))) == "Cap Campus"


def test_control_characters_dropped() -> None:
    svg = render_badge_svg("Cap\x00 Campus\x1b\ud800", "UPHF\x0c", NAVY, GOLD, "S\ud800ST")

    assert " ".join(title_lines(svg)) == "Cap Campus"


def test_text_contrasts_with_primary() -> None:
    assert title_fill(render(primary="#ffffff")) == "#1a1a1a"
    assert title_fill(render(primary="#f5d000")) == "#1a1a1a"
    assert title_fill(render(primary=NAVY)) == "#ffffff"


def test_gradient_ids_differ_between_badges() -> None:
    first = {element.get("id") for element in ET.fromstring(render("Cap Campus")).iter()}
    second = {element.get("id") for element in ET.fromstring(render("PSC1")).iter()}

    assert first & second == {None}


def test_short_colors_accepted() -> None:
    assert ET.fromstring(render(primary="#036", secondary="#fc0")).tag == f"{SVG}svg"


@pytest.mark.parametrize("color", ["red", "#12345", "#gggggg", '#fff" onload="alert(1)', ""])
def test_invalid_color_rejected(color: str) -> None:
    with pytest.raises(ValueError, match="colour"):
        render(primary=color)


@pytest.mark.parametrize("glyph", ["", "runner-figure", "<script>"])
def test_invalid_glyph_rejected(glyph: str) -> None:
    with pytest.raises(ValueError, match="glyph"):
        render(glyph=glyph)


def test_empty_title_rejected() -> None:
    with pytest.raises(ValueError, match="title"):
        render(" \n ")


def test_data_uri_round_trip() -> None:
    svg = render("Étudiant Sportif de Haut Niveau")

    uri = svg_data_uri(svg)

    prefix = "data:image/svg+xml;base64,"
    assert uri.startswith(prefix)
    assert base64.b64decode(uri[len(prefix) :]).decode("utf-8") == svg
