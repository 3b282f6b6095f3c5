"""Uploaded image files: type read from the content, checks, and the report of removals."""

from __future__ import annotations

import pytest

from hub.designer.upload import prepare_image_file, removed_markup
from hub.errors import InvalidInputError
from hub.images import sanitize_svg
from tests.unit.test_images import make_png

SVG_NS = "http://www.w3.org/2000/svg"
HOSTILE_SVG = (
    f'<svg xmlns="{SVG_NS}" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 100" '
    'onload="alert(1)"><script>alert(2)</script>'
    '<foreignObject width="10" height="10"><p xmlns="http://www.w3.org/1999/xhtml">x</p>'
    "</foreignObject>"
    '<image width="10" height="10" xlink:href="https://tracker.example/pixel.png"/>'
    '<circle cx="50" cy="50" r="40" fill="#1d3557" onclick="steal()"/></svg>'
)


def rejection(data: bytes, filename: str = "badge.bin") -> InvalidInputError:
    with pytest.raises(InvalidInputError) as caught:
        prepare_image_file(data, filename)
    return caught.value


def test_png_kept_as_png() -> None:
    png = make_png(64, 64)

    prepared = prepare_image_file(png, "badge.svg")

    assert prepared.image_png == png
    assert prepared.image_svg is None
    assert prepared.removed == ()


def test_svg_sanitised() -> None:
    prepared = prepare_image_file(HOSTILE_SVG.encode(), "badge.png")

    assert prepared.image_png is None
    assert prepared.image_svg == (
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 100 100">'
        '<circle cx="50" cy="50" r="40" fill="#1d3557"/></svg>\n'
    )


def test_svg_removals_named() -> None:
    prepared = prepare_image_file(HOSTILE_SVG.encode(), "badge.svg")

    assert prepared.removed == (
        "<foreignObject>",
        "<image>",
        "<p>",
        "<script>",
        "onclick",
        "onload",
    )


def test_clean_svg_reports_nothing() -> None:
    svg = f'<svg xmlns="{SVG_NS}" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'

    prepared = prepare_image_file(("\ufeff" + svg).encode(), "clean.svg")

    assert prepared.removed == ()
    assert prepared.image_svg == sanitize_svg(svg)


def test_empty_file_rejected() -> None:
    assert rejection(b"").code == "missing-image"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"GIF89a\x01\x00\x01\x00", "neither a PNG image nor an SVG document"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "neither a PNG image nor an SVG document"),
        (b"%PDF-1.7\n", "neither a PNG image nor an SVG document"),
        (b"\xff\xfe<\x00s\x00", "neither a PNG image nor an SVG document"),
        (b"<html><body>Hi</body></html>", "root element is <html>"),
        (b"<svg", "not well-formed"),
    ],
    ids=["gif", "jpeg", "pdf", "utf16", "html", "truncated-svg"],
)
def test_not_an_image_rejected(data: bytes, expected: str) -> None:
    error = rejection(data)

    assert error.code == "invalid-image"
    assert expected in error.message


def test_huge_png_dimensions_rejected() -> None:
    error = rejection(make_png(20_000, 20_000, 0, 1, raw=b""), "huge.png")

    assert error.code == "invalid-image"
    assert "20,000 x 20,000" in error.message


def test_link_unwrapped_and_named() -> None:
    svg = (
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 10 10">'
        '<a href="https://phish.example"><rect width="10" height="10"/></a></svg>'
    )

    prepared = prepare_image_file(svg.encode(), "link.svg")

    assert prepared.removed == ("<a>",)
    assert "<rect" in (prepared.image_svg or "")


def test_removed_markup_of_unparsable_text() -> None:
    assert removed_markup("<svg", "<svg/>") == ()
