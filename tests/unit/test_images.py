"""Badge image checks: SVG sanitising, PNG and JPEG validation, and the PNG wrapper."""

from __future__ import annotations

import base64
import re
import struct
import time
import zlib
from xml.etree import ElementTree as ET

import pytest

from hub.badge_image import GLYPHS, render_badge_svg
from hub.errors import InvalidInputError
from hub.images import embed_png_in_svg, prepare_uploaded_image, sanitize_svg, validate_png
from hub.images.limits import MAX_PNG_BYTES, MAX_SVG_BYTES
from hub.images.svg import _SvgTreeParser
from tenants import seed_data

SVG_NS = "http://www.w3.org/2000/svg"
OPEN = f'<svg xmlns="{SVG_NS}" viewBox="0 0 100 100">'
OPEN_XLINK = f'<svg xmlns="{SVG_NS}" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 9 9">'
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def make_png(
    width: int = 4,
    height: int = 3,
    color_type: int = 6,
    bit_depth: int = 8,
    raw: bytes | None = None,
    interlace: int = 0,
) -> bytes:
    """Build a PNG file of one colour by hand, so the tests need no imaging library."""
    if raw is None:
        row = 1 + (width * CHANNELS[color_type] * bit_depth + 7) // 8
        raw = b"\x00" * (row * height)
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, interlace)
    palette = png_chunk(b"PLTE", b"\x00\x00\x00") if color_type == 3 else b""
    return (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", header)
        + palette
        + png_chunk(b"IDAT", zlib.compress(raw, 9))
        + png_chunk(b"IEND", b"")
    )


def make_jpeg_header(width: int, height: int) -> bytes:
    """Build the start of a JPEG file up to its baseline frame header (SOF0)."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    frame = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + frame + b"\xff\xd9"


def data_uri(kind: str, data: bytes) -> str:
    return f"data:image/{kind};base64,{base64.b64encode(data).decode()}"


def rejection(text: str) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as caught:
        sanitize_svg(text)
    assert caught.value.code == "invalid-image"
    return caught.value


def png_rejection(data: bytes) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as caught:
        validate_png(data)
    assert caught.value.code == "invalid-image"
    return caught.value


def local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def assert_inert(svg: str) -> None:
    """Check the promises of the sanitiser on its output, whatever the input was."""
    root = ET.fromstring(svg)
    assert root.tag == f"{{{SVG_NS}}}svg"
    assert "javascript" not in svg.lower()
    for element in root.iter():
        assert element.tag.startswith(f"{{{SVG_NS}}}"), element.tag
        assert local(element.tag) not in {"script", "foreignObject", "animate", "set", "a"}
        for name, value in element.attrib.items():
            assert not local(name).lower().startswith("on"), name
            if local(name) == "href":
                assert value.startswith(("#", "data:image/png;base64,", "data:image/jpeg;")), value
    for reference in re.findall(r"url\(([^)]*)\)", svg):
        assert reference.strip("'\"").startswith("#"), reference


# Our own badges.


@pytest.mark.parametrize("achievement", seed_data.ACHIEVEMENTS, ids=lambda a: a.slug)
def test_seed_badge_unchanged(achievement: seed_data.AchievementSeed) -> None:
    short_names = {tenant.slug: tenant.short_name for tenant in seed_data.TENANTS}
    short_names[seed_data.ALLIANCE.slug] = seed_data.ALLIANCE.short_name
    art = achievement.art
    svg = render_badge_svg(
        achievement.name["en"],
        short_names[achievement.creator_slug],
        art.primary,
        art.secondary,
        art.glyph,
    )

    assert sanitize_svg(svg) == svg


@pytest.mark.parametrize("glyph", [*sorted(GLYPHS), "SST"])
def test_every_glyph_unchanged(glyph: str) -> None:
    svg = render_badge_svg("Gérer un projet", "UPHF", "#00386e", "#f2b705", glyph)

    assert sanitize_svg(svg) == svg


def test_badge_with_markup_in_text_unchanged() -> None:
    svg = render_badge_svg("<&\"'> Ω \N{EN DASH} it's", "Université « x »", "#fff", "#000", "<&>")

    assert sanitize_svg(svg) == svg


# Removed content.

ATTACKS = {
    "script": f"{OPEN}<script>alert(1)</script><circle r='5'/></svg>",
    "prefixed-script": (
        f'<s:svg xmlns:s="{SVG_NS}" viewBox="0 0 9 9"><s:script>alert(1)</s:script></s:svg>'
    ),
    "xhtml-script": (
        f'{OPEN}<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script></svg>'
    ),
    "cdata-script": f"{OPEN}<script><![CDATA[alert(1)]]></script></svg>",
    "onload": f'<svg xmlns="{SVG_NS}" viewBox="0 0 9 9" onload="alert(1)"><g/></svg>',
    "onclick": f'{OPEN}<rect width="9" height="9" onclick="alert(1)" ONMOUSEOVER="x()"/></svg>',
    "foreign-object": (
        f'{OPEN}<foreignObject width="9" height="9"><div xmlns="http://www.w3.org/1999/xhtml">'
        '<img src="x" onerror="alert(1)"/></div></foreignObject></svg>'
    ),
    "iframe": (
        f'{OPEN}<iframe xmlns="http://www.w3.org/1999/xhtml" src="javascript:alert(1)"/>'
        '<embed src="https://evil.example/x.swf"/></svg>'
    ),
    "javascript-link": (
        f'{OPEN}<a href="javascript:alert(1)"><text x="1" y="9">Click</text></a></svg>'
    ),
    "xlink-javascript-link": (
        f'{OPEN_XLINK}<a xlink:href="javascript:alert(1)"><circle r="3"/></a></svg>'
    ),
    "external-image": f'{OPEN}<image href="https://evil.example/track.png" width="9"/></svg>',
    "file-image": f'{OPEN_XLINK}<image xlink:href="file:///etc/passwd" width="9"/></svg>',
    "svg-data-image": (f'{OPEN}<image href="data:image/svg+xml;base64,PHN2Zy8+" width="9"/></svg>'),
    "external-use": f'{OPEN}<use href="https://evil.example/sprite.svg#icon"/></svg>',
    "animate-href": (
        f'{OPEN}<a><animate attributeName="href" to="javascript:alert(1)"/><text>x</text></a></svg>'
    ),
    "set-handler": (
        f'{OPEN}<rect width="9" height="9"><set attributeName="onmouseover" '
        'to="alert(1)"/></rect></svg>'
    ),
    "external-paint": f'{OPEN}<rect width="9" height="9" fill="url(https://evil.example/p)"/></svg>',
    "style-attribute": (
        f'{OPEN}<rect width="9" style="fill:red;background:url(https://evil.example/t)"/></svg>'
    ),
    "style-escape": f'{OPEN}<rect width="9" style="fill:u\\72l(https://evil.example/t)"/></svg>',
    "style-expression": f'{OPEN}<rect width="9" style="fill:expression(alert(1))"/></svg>',
    "style-image-set": (
        f'{OPEN}<rect width="9" style="fill:image-set(\'https://evil.example/t\' 1x)"/></svg>'
    ),
    "stylesheet-import": (
        f"{OPEN}<style>@import url(https://evil.example/x.css);"
        ".a{fill:red} .b{fill:url(https://evil.example/p);stroke:blue}</style></svg>"
    ),
    "stylesheet-binding": (
        f"{OPEN}<style>rect{{-moz-binding:url(https://evil.example/x.xml#b)}}</style></svg>"
    ),
    "stylesheet-font": (
        f"{OPEN}<style>@font-face{{font-family:x;src:url(https://evil.example/f.woff)}}</style>"
        "</svg>"
    ),
    "stylesheet-pi": (
        '<?xml-stylesheet href="https://evil.example/x.css"?>'
        f'{OPEN}<!-- a comment --><circle r="2"/></svg>'
    ),
    "filter": (
        f'{OPEN}<filter id="f"><feImage href="https://evil.example/x.png"/></filter>'
        '<rect width="9" height="9" filter="url(#f)"/></svg>'
    ),
    "editor-namespaces": (
        f'<svg xmlns="{SVG_NS}" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
        'viewBox="0 0 9 9" inkscape:version="1.3"><inkscape:grid/><g inkscape:label="L"/></svg>'
    ),
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_output_inert(name: str) -> None:
    clean = sanitize_svg(ATTACKS[name])

    assert_inert(clean)
    assert "evil.example" not in clean
    assert "alert" not in clean


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_sanitised_output_stable(name: str) -> None:
    clean = sanitize_svg(ATTACKS[name])

    assert sanitize_svg(clean) == clean


def test_script_removed_shapes_kept() -> None:
    clean = sanitize_svg(ATTACKS["script"])

    assert clean == f'<svg xmlns="{SVG_NS}" viewBox="0 0 100 100"><circle r="5"/></svg>\n'


def test_link_removed_content_kept() -> None:
    clean = sanitize_svg(ATTACKS["javascript-link"])

    assert clean == f'{OPEN}<text x="1" y="9">Click</text></svg>\n'


def test_handler_attributes_removed() -> None:
    clean = sanitize_svg(ATTACKS["onclick"])

    assert clean == f'{OPEN}<rect width="9" height="9"/></svg>\n'


def test_style_keeps_allowed_declarations() -> None:
    clean = sanitize_svg(ATTACKS["style-attribute"])

    assert '<rect width="9" style="fill:red"/>' in clean


def test_stylesheet_keeps_safe_rules() -> None:
    clean = sanitize_svg(ATTACKS["stylesheet-import"])

    assert "<style>.a{fill:red}\n.b{stroke:blue}</style>" in clean


def test_stylesheet_dropped_when_empty() -> None:
    clean = sanitize_svg(ATTACKS["stylesheet-binding"])

    assert "<style" not in clean


def test_filter_reference_dropped_with_filter() -> None:
    clean = sanitize_svg(ATTACKS["filter"])

    assert clean == f'{OPEN}<rect width="9" height="9"/></svg>\n'


def test_internal_references_kept() -> None:
    svg = (
        f'{OPEN_XLINK}<defs><linearGradient id="g"><stop offset="0" stop-color="red"/>'
        '</linearGradient><path id="p" d="M0,0 L9,9"/></defs>'
        '<use xlink:href="#p" fill="url(#g)"/><text><textPath href="#p">Hi</textPath></text>'
        "</svg>"
    )

    clean = sanitize_svg(svg)

    assert clean == svg + "\n"


def test_embedded_png_kept() -> None:
    href = data_uri("png", make_png())
    svg = f'{OPEN}<image width="9" height="9" href="{href}"/></svg>'

    assert sanitize_svg(svg) == svg + "\n"


def test_embedded_jpeg_header_checked() -> None:
    small = f'{OPEN}<image href="{data_uri("jpeg", make_jpeg_header(64, 64))}"/></svg>'
    huge = f'{OPEN}<image href="{data_uri("jpeg", make_jpeg_header(30000, 30000))}"/></svg>'

    assert "data:image/jpeg" in sanitize_svg(small)
    assert "30,000 x 30,000" in rejection(huge).message


def test_embedded_png_bomb_rejected() -> None:
    bomb = make_png(20_000, 20_000, color_type=0, bit_depth=1, raw=b"")
    svg = f'{OPEN}<image href="{data_uri("png", bomb)}"/></svg>'

    error = rejection(svg)

    assert "embeds a rejected image" in error.message
    assert "20,000 x 20,000" in error.message


def test_embedded_invalid_base64_rejected() -> None:
    error = rejection(f'{OPEN}<image href="data:image/png;base64,!!!"/></svg>')

    assert "base64" in error.message


def test_illustrator_switch_keeps_drawing() -> None:
    svg = (
        f'{OPEN}<switch><foreignObject requiredExtensions="http://ns.adobe.com/AdobeIllustrator'
        '/10.0/"/><g><circle r="4"/></g></switch></svg>'
    )

    assert sanitize_svg(svg) == f'{OPEN}<switch><g><circle r="4"/></g></switch></svg>\n'


def test_xml_declaration_and_whitespace_accepted() -> None:
    svg = f'\n<?xml version="1.0" encoding="ISO-8859-1"?>\n{OPEN}<title>Été</title></svg>'

    assert sanitize_svg(svg) == f"{OPEN}<title>Été</title></svg>\n"


# Rejected input.

XML_BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)).replace(
        "&lol0;", "&lol;"
    )
    + f"]>{OPEN}<text>&lol9;</text></svg>"
)
EXTERNAL_ENTITY = (
    f'<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>{OPEN}<text>&xxe;</text></svg>'
)


@pytest.mark.parametrize(
    "text",
    [
        XML_BOMB,
        EXTERNAL_ENTITY,
        f'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://x.example/svg11.dtd">{OPEN}</svg>',
        f"<!doctype svg>{OPEN}</svg>",
        f"<! DOCTYPE svg>{OPEN}</svg>",
    ],
    ids=["billion-laughs", "external-entity", "public-dtd", "lowercase", "spaced"],
)
def test_doctype_rejected_fast(text: str) -> None:
    started = time.perf_counter()

    error = rejection(text)

    assert time.perf_counter() - started < 0.5
    assert "DOCTYPE" in error.message


def test_parser_rejects_doctype_itself() -> None:
    # The raw-text check runs first in sanitize_svg. This proves the parser's own handlers
    # reject a DOCTYPE too, should that check ever miss a spelling.
    with pytest.raises(InvalidInputError) as caught:
        _SvgTreeParser().parse(EXTERNAL_ENTITY)

    assert "declares or references an entity" in caught.value.message


def test_undeclared_entity_rejected() -> None:
    error = rejection(f"{OPEN}<text>&xxe;</text></svg>")

    assert "not well-formed" in error.message
    assert "undefined entity" in error.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<html><body><p>Hello</p></body></html>", "root element is <html>"),
        ("<p>Hello<br></p>", "not well-formed"),
        ("just some text", "not well-formed"),
        ("", "not well-formed"),
        (f"{OPEN}<g></svg>", "mismatched tag"),
        ('<svg viewBox="0 0 9 9"><circle r="3"/></svg>', "without the SVG namespace"),
        (f'<svg xmlns="{SVG_NS}"><circle r="3"/></svg>', "neither a viewBox"),
        (f'<svg xmlns="{SVG_NS}" width="9"><circle r="3"/></svg>', "neither a viewBox"),
        (f'<svg xmlns="{SVG_NS}" viewBox="0 0 0 9"/>', "viewBox '0 0 0 9' is invalid"),
        (f'<svg xmlns="{SVG_NS}" viewBox="zero"/>', "viewBox 'zero' is invalid"),
    ],
    ids=[
        "html", "html-not-xml", "plain-text", "empty", "mismatched", "no-namespace",
        "no-size", "width-only", "zero-viewbox", "word-viewbox",
    ],
)  # fmt: skip
def test_not_svg_rejected(text: str, expected: str) -> None:
    error = rejection(text)

    assert expected in error.message


def test_rejection_names_what_is_accepted() -> None:
    error = rejection("<html/>")

    assert "upload an SVG 1.1 or SVG 2 document of at most 512 KiB" in error.message


def test_svg_over_size_limit_rejected() -> None:
    padding = "<g/>" * (MAX_SVG_BYTES // 4)

    error = rejection(f"{OPEN}{padding}</svg>")

    assert f"over the limit of {MAX_SVG_BYTES:,} bytes" in error.message
    assert "image_png_base64" in error.message


def test_svg_with_lone_surrogate_rejected() -> None:
    error = rejection(f"{OPEN}<title>\ud800</title></svg>")

    assert "unpaired surrogate" in error.message


def test_deep_nesting_rejected() -> None:
    error = rejection(OPEN + "<g>" * 100 + "</g>" * 100 + "</svg>")

    assert "more than 32 levels deep" in error.message


def test_use_bomb_rejected_fast() -> None:
    levels = ['<path id="l0" d="M0,0"/>']
    for level in range(1, 11):
        levels.append(f'<g id="l{level}">' + f'<use href="#l{level - 1}"/>' * 10 + "</g>")
    svg = f'{OPEN}<defs>{"".join(levels)}</defs><use href="#l10"/></svg>'
    started = time.perf_counter()

    error = rejection(svg)

    assert time.perf_counter() - started < 0.5
    assert "<use> references" in error.message


def test_use_fan_out_rejected() -> None:
    shapes = "".join(f'<circle id="c{index}" r="1"/>' for index in range(100))
    copies = '<use href="#all"/>' * 600
    svg = f'{OPEN}<defs><g id="all">{shapes}</g></defs>{copies}</svg>'

    error = rejection(svg)

    assert "more than 50,000 elements" in error.message


def test_use_cycle_rejected() -> None:
    error = rejection(f'{OPEN}<g id="a"><use href="#a"/></g></svg>')

    assert "circular reference" in error.message


# PNG.


@pytest.mark.parametrize(
    ("color_type", "bit_depth", "interlace"),
    [(6, 8, 0), (2, 16, 0), (0, 1, 0), (3, 4, 0), (4, 8, 0), (6, 8, 1), (0, 2, 1)],
)
def test_png_accepted(color_type: int, bit_depth: int, interlace: int) -> None:
    if interlace:
        raw = b"\x00" * adam7_size(13, 7, CHANNELS[color_type] * bit_depth)
        data = make_png(13, 7, color_type, bit_depth, raw=raw, interlace=1)
    else:
        data = make_png(13, 7, color_type, bit_depth)

    info = validate_png(data)

    assert (info.width, info.height) == (13, 7)
    assert info.color_type == color_type
    assert info.is_interlaced == bool(interlace)


def adam7_size(width: int, height: int, bits_per_pixel: int) -> int:
    """Inflated size of an interlaced image, from the pass grid written out in the PNG spec."""
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2)]
    passes.append((0, 1, 1, 2))
    size = 0
    for x0, y0, dx, dy in passes:
        columns = len(range(x0, width, dx))
        rows = len(range(y0, height, dy))
        if columns and rows:
            size += rows * (1 + (columns * bits_per_pixel + 7) // 8)
    return size


def test_png_at_maximum_size_accepted() -> None:
    info = validate_png(make_png(2048, 2048, color_type=6, bit_depth=16))

    assert (info.width, info.height) == (2048, 2048)


def test_png_bomb_rejected_from_header() -> None:
    # 20,000 x 20,000 at one bit per pixel: about 50 MB of pixels in a 49 KB file.
    raw = b"\x00" * (20_000 * (1 + 2500))
    bomb = make_png(20_000, 20_000, color_type=0, bit_depth=1, raw=raw)
    started = time.perf_counter()

    error = png_rejection(bomb)

    assert len(bomb) < MAX_PNG_BYTES
    assert time.perf_counter() - started < 0.05
    assert "20,000 x 20,000 pixels, over the limit of 2048 x 2048" in error.message


def test_png_header_checked_before_data() -> None:
    # The image data is not zlib at all: only a check that stops at the header reports the size.
    header = struct.pack(">IIBBBBB", 20_000, 20_000, 8, 6, 0, 0, 0)
    data = PNG_SIGNATURE + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", b"not zlib")

    error = png_rejection(data)

    assert "20,000 x 20,000" in error.message


def test_png_just_over_side_rejected() -> None:
    error = png_rejection(make_png(2049, 1))

    assert "2,049 x 1 pixels" in error.message


def test_png_over_byte_limit_rejected() -> None:
    data = make_png() + b"\x00" * MAX_PNG_BYTES

    error = png_rejection(data)

    assert f"over the limit of {MAX_PNG_BYTES:,} bytes" in error.message


@pytest.mark.parametrize("cut", [10, 30, 45, -20, -12, -1])
def test_truncated_png_rejected(cut: int) -> None:
    data = make_png(40, 40)

    error = png_rejection(data[:cut])

    assert "truncated" in error.message or "does not start with an IHDR" in error.message


def test_png_without_iend_rejected() -> None:
    data = make_png()

    error = png_rejection(data[:-12])

    assert "no IEND chunk" in error.message


def test_png_bad_crc_rejected() -> None:
    data = bytearray(make_png())
    data[20] ^= 0xFF

    error = png_rejection(bytes(data))

    assert "fails its CRC check" in error.message


def test_png_short_image_data_rejected() -> None:
    data = make_png(10, 10, raw=b"\x00" * 100)

    error = png_rejection(data)

    assert "inflates to 100 bytes where 10 x 10 pixels need 410" in error.message


def test_png_corrupt_image_data_rejected() -> None:
    header = struct.pack(">IIBBBBB", 4, 4, 8, 6, 0, 0, 0)
    data = (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", b"\x78\x9c\xff\xff\xff")
        + png_chunk(b"IEND", b"")
    )

    error = png_rejection(data)

    assert "corrupt" in error.message


def test_palette_png_without_plte_rejected() -> None:
    data = make_png(4, 4, color_type=3).replace(png_chunk(b"PLTE", b"\x00\x00\x00"), b"")

    error = png_rejection(data)

    assert "no PLTE chunk" in error.message


@pytest.mark.parametrize(("color_type", "bit_depth"), [(2, 4), (6, 1), (3, 16), (5, 8)], ids=str)
def test_png_invalid_bit_depth_rejected(color_type: int, bit_depth: int) -> None:
    header = struct.pack(">IIBBBBB", 4, 4, bit_depth, color_type, 0, 0, 0)
    data = PNG_SIGNATURE + png_chunk(b"IHDR", header) + png_chunk(b"IEND", b"")

    error = png_rejection(data)

    assert "invalid bit depth" in error.message


@pytest.mark.parametrize(
    "data",
    [b"", b"GIF89a", make_jpeg_header(8, 8), b"<svg/>"],
    ids=["empty", "gif", "jpeg", "svg"],
)
def test_not_png_rejected(data: bytes) -> None:
    error = png_rejection(data)

    assert "not a PNG image" in error.message


# The PNG wrapper.


def test_png_wrapper_survives_sanitiser() -> None:
    wrapper = embed_png_in_svg(make_png(30, 20))

    assert sanitize_svg(wrapper) == wrapper
    assert wrapper.startswith(f'<svg xmlns="{SVG_NS}" viewBox="0 0 30 20" width="30"')


def test_png_wrapper_holds_the_png() -> None:
    data = make_png(30, 20)

    image = ET.fromstring(embed_png_in_svg(data)).find(f"{{{SVG_NS}}}image")

    assert image is not None
    assert image.get("href") == data_uri("png", data)
    assert (image.get("width"), image.get("height")) == ("30", "20")


def test_png_wrapper_rejects_invalid_png() -> None:
    with pytest.raises(InvalidInputError) as caught:
        embed_png_in_svg(make_png(3000, 10))

    assert caught.value.code == "invalid-image"


# Choosing what to store.


def test_prepare_without_upload_returns_none() -> None:
    assert prepare_uploaded_image(None, None) is None
    assert prepare_uploaded_image("", b"") is None


def test_prepare_sanitises_svg() -> None:
    stored = prepare_uploaded_image(ATTACKS["script"], None)

    assert stored == sanitize_svg(ATTACKS["script"])


def test_prepare_wraps_png() -> None:
    data = make_png()

    stored = prepare_uploaded_image(None, data)

    assert stored == embed_png_in_svg(data)


def test_prepare_rejects_both_images() -> None:
    with pytest.raises(InvalidInputError) as caught:
        prepare_uploaded_image(ATTACKS["script"], make_png())

    assert caught.value.code == "invalid-image"
    assert "send only one of them" in caught.value.message
