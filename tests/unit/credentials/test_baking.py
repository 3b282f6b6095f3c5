"""Baking and unbaking PNG and SVG badge images, on third-party baked images and hostile files."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import pytest

from hub.credentials import baking
from hub.credentials.baking import BakedVersion, BakingError, ImageKind
from tests.unit.credentials.conftest import text_from_png, token_from_svg

SHARED_VECTORS = Path(__file__).resolve().parents[3].parent / "shared" / "vectors"
VALIDATOR = SHARED_VECTORS / "1EdTech__digital-credentials-public-validator"
BAKERY = SHARED_VECTORS / "mozilla__openbadges-bakery" / "test"
VALIDATOR_CORE = SHARED_VECTORS / "1EdTech__openbadges-validator-core" / "testfiles"

pytestmark = pytest.mark.skipif(
    not SHARED_VECTORS.is_dir(), reason=f"the shared vectors are not at {SHARED_VECTORS}"
)


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_with(*extra: bytes) -> bytes:
    """The unbaked bakery PNG with chunks inserted before IEND."""
    png = (BAKERY / "unbaked.png").read_bytes()
    iend = png.rindex(b"IEND") - 4
    return png[:iend] + b"".join(extra) + png[iend:]


def itxt(keyword: bytes, text: bytes, *, compressed: bool = False) -> bytes:
    flag = b"\x01" if compressed else b"\x00"
    return chunk(b"iTXt", keyword + b"\0" + flag + b"\0" + b"\0\0" + text)


@pytest.mark.parametrize(
    ("name", "version", "image", "start"),
    [
        ("ob30/simple-json.png", BakedVersion.OB3, ImageKind.PNG, "{"),
        ("ob30/simple-jwt.png", BakedVersion.OB3, ImageKind.PNG, "eyJ"),
        ("ob30/simple-json.svg", BakedVersion.OB3, ImageKind.SVG, "{"),
        ("ob30/simple-jwt.svg", BakedVersion.OB3, ImageKind.SVG, "eyJ"),
        ("ob20/simple-badge.png", BakedVersion.OB2, ImageKind.PNG, "{"),
    ],
)
def test_unbake_validator_samples(name: str, version: str, image: str, start: str) -> None:
    baked = baking.unbake((VALIDATOR / name).read_bytes())

    assert baked.version == version
    assert baked.image == image
    assert baked.text.startswith(start)


def test_unbake_ob2_heart_png() -> None:
    baked = baking.unbake((VALIDATOR_CORE / "baked_heart.png").read_bytes())

    assert baked.version is BakedVersion.OB2
    assert json.loads(baked.text)["type"] == "Assertion"


def test_unbake_ob2_svg_verify_url() -> None:
    baked = baking.unbake((BAKERY / "baked.svg").read_bytes())

    assert baked.version is BakedVersion.OB2
    assert baked.text == "http://example.org"


def test_unbake_ob2_text_chunk() -> None:
    png = png_with(chunk(b"tEXt", b"openbadges\0https://example.org/assertion.json"))

    baked = baking.unbake(png)

    assert baked.text == "https://example.org/assertion.json"
    assert baked.version is BakedVersion.OB2


@pytest.mark.parametrize("name", ["unbaked.png", "unbaked.svg"])
def test_unbake_unbaked_image(name: str) -> None:
    with pytest.raises(BakingError, match="no baked credential"):
        baking.unbake((BAKERY / name).read_bytes())


def test_unbake_compressed_itxt() -> None:
    png = png_with(itxt(b"openbadgecredential", zlib.compress(b'{"a": 1}'), compressed=True))

    with pytest.raises(BakingError, match="compressed iTXt is not allowed by the baking spec"):
        baking.unbake(png)


def test_unbake_ztxt() -> None:
    png = png_with(chunk(b"zTXt", b"openbadges\0\0" + zlib.compress(b"https://example.org/a")))

    with pytest.raises(BakingError, match="compressed zTXt"):
        baking.unbake(png)


def test_unbake_oversized_chunk_rejected_from_length() -> None:
    # The chunk declares 16 MiB but the file contains none of it: the length alone must reject it.
    png = png_with(struct.pack(">I", 16 * 1024 * 1024) + b"iTXt" + b"openbadgecredential\0")

    with pytest.raises(BakingError, match="over the limit of 1,048,576 bytes"):
        baking.unbake(png)


def test_unbake_two_credential_chunks() -> None:
    png = png_with(itxt(b"openbadgecredential", b"{}"), itxt(b"openbadges", b"{}"))

    with pytest.raises(BakingError, match="2 baked credential chunks"):
        baking.unbake(png)


def test_unbake_bad_crc() -> None:
    good = itxt(b"openbadgecredential", b"{}")
    png = png_with(good[:-1] + bytes([good[-1] ^ 1]))

    with pytest.raises(BakingError, match="CRC of its iTXt chunk"):
        baking.unbake(png)


def test_unbake_truncated_png() -> None:
    png = (VALIDATOR / "ob30/simple-json.png").read_bytes()

    with pytest.raises(BakingError, match="truncated"):
        baking.unbake(png[: len(png) // 2])


def test_unbake_image_over_limit() -> None:
    png = png_with() + b"\0" * baking.MAX_IMAGE_BYTES

    with pytest.raises(BakingError, match="over the limit of 2,097,152 bytes"):
        baking.unbake(png)


def test_unbake_svg_with_entities() -> None:
    svg = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaa">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
        b"<openbadges:credential>&a;</openbadges:credential></svg>"
    )

    with pytest.raises(BakingError, match="entities"):
        baking.unbake(svg)


def test_unbake_svg_with_external_entity() -> None:
    svg = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>'
    )

    with pytest.raises(BakingError, match="entities"):
        baking.unbake(svg)


def test_unbake_two_svg_credentials() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
        b'<openbadges:credential verify="a.b.c"/><openbadges:credential verify="d.e.f"/></svg>'
    )

    with pytest.raises(BakingError, match="2 baked credential elements"):
        baking.unbake(svg)


def test_bake_png_round_trip_replaces_old_chunk() -> None:
    png = (VALIDATOR / "ob20/simple-badge.png").read_bytes()
    credential = (VALIDATOR / "ob30/simple.json").read_text("utf-8")

    baked = baking.bake_png(png, credential)
    rebaked = baking.bake_png(baked, "header.payload.signature")

    assert baking.unbake(baked).text == credential.strip()
    assert baking.unbake(rebaked).text == "header.payload.signature"
    assert rebaked.count(b"iTXt") == 1
    assert rebaked.endswith(chunk(b"IEND", b""))


def test_bake_svg_json_round_trip() -> None:
    svg = (BAKERY / "unbaked.svg").read_text("utf-8")
    credential = json.dumps({"name": "a ]]> b", "é": "ü"}, ensure_ascii=False)

    baked = baking.bake_svg(svg, credential)

    text = baking.unbake(baked.encode("utf-8")).text
    assert json.loads(text) == {"name": "a ]]> b", "é": "ü"}
    assert f'xmlns:openbadges="{baking.OB3_SVG_NAMESPACE}"' in baked


def test_bake_svg_jws_replaces_credential() -> None:
    svg = (VALIDATOR / "ob30/simple-json.svg").read_text("utf-8")

    baked = baking.bake_svg(svg, "header.payload.signature")

    read = baking.unbake(baked.encode("utf-8"))
    assert read.text == "header.payload.signature"
    assert read.version is BakedVersion.OB3
    assert baked.count("openbadges:credential") == 1
    assert baked.startswith('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE svg')


@pytest.mark.parametrize(
    "name",
    ["simple-json.png", "simple-jwt.png", "simple-jwt_v1.png", "simple-json.svg", "simple-jwt.svg"],
)
def test_unbake_matches_test_reader(name: str) -> None:
    path = VALIDATOR / "ob30" / name
    independent = text_from_png(path) if name.endswith(".png") else token_from_svg(path)

    assert baking.unbake(path.read_bytes()).text == independent.strip()
