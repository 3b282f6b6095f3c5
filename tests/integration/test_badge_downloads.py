"""Baked PNG and SVG downloads of issued credentials, read back with a parser written here.

The checks follow Open Badges 3.0 §5.3 "Baking": a PNG carries one uncompressed iTXt chunk with
the keyword ``openbadgecredential``; an SVG declares the namespace
``https://purl.imsglobal.org/ob/v3p0`` and has one ``<openbadges:credential>`` element.
"""

from __future__ import annotations

import struct
import zlib
from xml.etree import ElementTree as ET

import pytest
from httpx import AsyncClient

from hub import verification
from hub.credentials.baking import unbake
from hub.settings import Settings
from tests.factories import make_achievement, make_award, make_tenant

pytestmark = pytest.mark.integration

OB3_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """Split a PNG file into (type, data) chunks, checking the signature and every CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, position = [], 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + body)
        chunks.append((kind, body))
        position += 12 + length
    return chunks


async def issued_award_id(settings: Settings) -> str:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant)
    return str((await make_award(settings, tenant, achievement)).award.id)


async def test_baked_png_carries_the_exact_credential(
    client: AsyncClient, settings: Settings
) -> None:
    award_id = await issued_award_id(settings)
    signed = (await client.get(f"/credentials/{award_id}/credential.json")).text

    response = await client.get(f"/credentials/{award_id}/badge.png")

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-disposition"] == f'attachment; filename="{award_id}.png"'
    chunks = png_chunks(response.content)
    assert chunks[0][0] == b"IHDR"
    assert chunks[-1] == (b"IEND", b"")
    width, height = struct.unpack(">II", chunks[0][1][:8])
    assert (width, height) == (512, 512)
    text_chunks = [body for kind, body in chunks if kind in (b"iTXt", b"tEXt", b"zTXt")]
    assert len(text_chunks) == 1
    keyword, rest = text_chunks[0].split(b"\0", 1)
    assert keyword == b"openbadgecredential"
    # Compression flag 0 and method 0, then empty language tag and translated keyword.
    assert rest[:4] == b"\0\0\0\0"
    assert rest[4:].decode("utf-8") == signed
    assert unbake(response.content).text == signed
    report = await verification.verify(settings, response.content)
    assert report.valid, report.to_dict()


async def test_baked_svg_carries_the_exact_credential(
    client: AsyncClient, settings: Settings
) -> None:
    award_id = await issued_award_id(settings)
    signed = (await client.get(f"/credentials/{award_id}/credential.json")).text

    response = await client.get(f"/credentials/{award_id}/badge.svg")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.headers["content-disposition"] == f'attachment; filename="{award_id}.svg"'
    assert f'xmlns:openbadges="{OB3_NAMESPACE}"' in response.text
    root = ET.fromstring(response.content)
    assert root.tag == f"{{{SVG_NAMESPACE}}}svg"
    elements = root.findall(f".//{{{OB3_NAMESPACE}}}credential")
    assert len(elements) == 1
    assert elements[0].text == signed
    assert unbake(response.content).text == signed
    report = await verification.verify(settings, response.content)
    assert report.valid, report.to_dict()


async def test_baked_downloads_revalidate_with_their_etag(
    client: AsyncClient, settings: Settings
) -> None:
    award_id = await issued_award_id(settings)
    first = await client.get(f"/credentials/{award_id}/badge.png")

    again = await client.get(
        f"/credentials/{award_id}/badge.png", headers={"If-None-Match": first.headers["etag"]}
    )

    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize("suffix", ["png", "svg"])
async def test_unknown_credential_has_no_baked_image(client: AsyncClient, suffix: str) -> None:
    response = await client.get(f"/credentials/00000000-0000-0000-0000-000000000001/badge.{suffix}")

    assert response.status_code == 404
    assert response.json()["code"] == "credential-not-found"
