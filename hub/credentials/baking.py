"""Baking: a credential carried inside its badge image, and read back out of it.

Implements Open Badges 3.0 §5.3 "Baking" (PNG: one uncompressed ``iTXt`` chunk with the keyword
``openbadgecredential``, holding the credential's JSON or its compact JWS; SVG: an
``<openbadges:credential>`` element in the namespace ``https://purl.imsglobal.org/ob/v3p0``,
holding the JSON in CDATA or the compact JWS in its ``verify`` attribute). Reading also accepts
Open Badges 2.0 §"Baking" images: the PNG keyword ``openbadges`` (``iTXt``, or ``tEXt`` as older
bakers wrote it) and the SVG element ``<openbadges:assertion>`` in the namespace
``http://openbadges.org``, whose ``verify`` attribute holds the hosted assertion's URL or the
signed assertion's compact JWS.

PNG files are read chunk by chunk (no pixel decoding): every chunk's CRC is checked, a text chunk
longer than :data:`MAX_CREDENTIAL_BYTES` is rejected from its length field before its data is
read, and a compressed credential chunk (``zTXt``, or ``iTXt`` with compression flag 1) is
rejected because the baking specifications require an uncompressed one. SVG files are parsed
with defusedxml, which rejects entity declarations and never fetches external resources.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass
from enum import StrEnum
from xml.etree import ElementTree as ET
from xml.parsers import expat

import defusedxml
import defusedxml.ElementTree

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OB3_KEYWORD = "openbadgecredential"
OB2_KEYWORD = "openbadges"
OB3_SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
OB2_SVG_NAMESPACE = "http://openbadges.org"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"

# A baked image travels in a request body capped at 2 MiB, so a larger one cannot be verified.
MAX_IMAGE_BYTES = 2 * 1024 * 1024
# A credential with a few endorsements and an embedded image is tens of kilobytes; a text chunk
# of more than 1 MiB is rejected without reading it.
MAX_CREDENTIAL_BYTES = 1024 * 1024

_CREDENTIAL_KEYWORDS = (OB3_KEYWORD.encode(), OB2_KEYWORD.encode())
_TEXT_CHUNKS = (b"iTXt", b"tEXt", b"zTXt")


class BakingError(ValueError):
    """The image cannot be read or baked; the message names the problem and the fix."""


class BakedVersion(StrEnum):
    """The Open Badges version whose baking rules the image follows."""

    OB3 = "ob3"
    OB2 = "ob2"


class ImageKind(StrEnum):
    PNG = "PNG"
    SVG = "SVG"


@dataclass(frozen=True)
class BakedCredential:
    """The text found in a baked image: JSON, a compact JWS or (OB 2.0) a hosted assertion URL."""

    text: str
    version: BakedVersion
    image: ImageKind


def is_png(data: bytes) -> bool:
    return data.startswith(PNG_SIGNATURE)


def is_svg(data: bytes) -> bool:
    """Tell whether the bytes look like an SVG document, from its first kilobytes only."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and b"<svg" in head


def unbake(data: bytes) -> BakedCredential:
    """Return the credential baked into a PNG or SVG image."""
    if len(data) > MAX_IMAGE_BYTES:
        raise BakingError(
            f"the image is {len(data):,} bytes, over the limit of {MAX_IMAGE_BYTES:,} bytes; "
            "send the credential's JSON or compact JWS instead of the image"
        )
    if is_png(data):
        return unbake_png(data)
    if is_svg(data):
        return unbake_svg(data)
    raise BakingError("the file is neither a PNG nor an SVG image, so no credential is baked in it")


# PNG (ISO/IEC 15948, W3C PNG Third Edition §11.3.3 textual information)


@dataclass(frozen=True)
class _Chunk:
    kind: bytes
    start: int  # offset of the length field
    end: int  # offset just past the CRC
    data: bytes


def _walk_png(data: bytes) -> list[_Chunk]:
    """Split a PNG file into its chunks, checking lengths, CRCs and the IHDR ... IEND frame."""
    if not is_png(data):
        raise BakingError("the file does not start with the PNG signature")
    chunks: list[_Chunk] = []
    offset = len(PNG_SIGNATURE)
    while True:
        if offset + 8 > len(data):
            raise BakingError(f"the PNG file is truncated: it ends at byte {offset} before IEND")
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if kind in _TEXT_CHUNKS and length > MAX_CREDENTIAL_BYTES:
            raise BakingError(
                f"the PNG file has a {kind.decode('latin-1')} chunk of {length:,} bytes, over the "
                f"limit of {MAX_CREDENTIAL_BYTES:,} bytes for baked text"
            )
        end = offset + 12 + length
        if end > len(data):
            raise BakingError(
                f"the PNG file is truncated: its {kind.decode('latin-1')} chunk at byte {offset} "
                f"declares {length:,} bytes but the file ends first"
            )
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(kind + body) != crc:
            raise BakingError(
                f"the PNG file is damaged: the CRC of its {kind.decode('latin-1')} chunk at byte "
                f"{offset} does not match"
            )
        chunks.append(_Chunk(kind, offset, end, body))
        if not chunks[0].kind == b"IHDR":
            raise BakingError("the PNG file does not start with an IHDR chunk")
        if kind == b"IEND":
            return chunks
        offset = end


def _keyword(chunk: _Chunk) -> bytes:
    return chunk.data.split(b"\0", 1)[0]


def _credential_chunks(chunks: list[_Chunk]) -> list[_Chunk]:
    return [
        chunk
        for chunk in chunks
        if chunk.kind in _TEXT_CHUNKS and _keyword(chunk) in _CREDENTIAL_KEYWORDS
    ]


def unbake_png(data: bytes) -> BakedCredential:
    found = _credential_chunks(_walk_png(data))
    if not found:
        raise BakingError(
            "the PNG image has no baked credential: it has no iTXt chunk with the keyword "
            f"{OB3_KEYWORD!r} (Open Badges 3.0) or {OB2_KEYWORD!r} (Open Badges 2.0)"
        )
    if len(found) > 1:
        raise BakingError(
            f"the PNG image has {len(found)} baked credential chunks; the baking specifications "
            "allow one, so it is ambiguous which credential the image carries"
        )
    chunk = found[0]
    version = BakedVersion.OB3 if _keyword(chunk) == OB3_KEYWORD.encode() else BakedVersion.OB2
    text = _read_text_chunk(chunk)
    return BakedCredential(text.strip(), version, ImageKind.PNG)


def _read_text_chunk(chunk: _Chunk) -> str:
    keyword, _, rest = chunk.data.partition(b"\0")
    if chunk.kind == b"zTXt":
        raise BakingError("compressed zTXt is not allowed by the baking spec; bake an iTXt chunk")
    if chunk.kind == b"tEXt":
        # tEXt is Latin-1 by definition; OB 2.0 bakers wrote URLs and ASCII JSON there.
        return rest.decode("latin-1")
    if len(rest) < 2:
        raise BakingError(f"the iTXt chunk {keyword.decode('latin-1')!r} is truncated")
    if rest[0] != 0:
        raise BakingError("compressed iTXt is not allowed by the baking spec")
    parts = rest[2:].split(b"\0", 2)
    if len(parts) != 3:
        raise BakingError(
            f"the iTXt chunk {keyword.decode('latin-1')!r} lacks its language tag or translated "
            "keyword"
        )
    try:
        return parts[2].decode("utf-8")
    except UnicodeDecodeError as error:
        raise BakingError(
            f"the baked iTXt text is not UTF-8 ({error.reason} at byte {error.start})"
        ) from error


def bake_png(png: bytes, credential: str) -> bytes:
    """Return the PNG with the credential in one iTXt chunk before IEND.

    Any credential chunk already present (OB 3.0 or 2.0) is removed, so the result carries one.
    """
    if len(png) > MAX_IMAGE_BYTES:
        raise BakingError(f"the PNG image is over the limit of {MAX_IMAGE_BYTES:,} bytes")
    text = credential.encode("utf-8")
    if len(text) > MAX_CREDENTIAL_BYTES:
        raise BakingError(
            f"the credential is {len(text):,} bytes, over the limit of {MAX_CREDENTIAL_BYTES:,}"
        )
    chunks = _walk_png(png)
    stale = _credential_chunks(chunks)
    # Keyword, NUL, compression flag 0, compression method 0, empty language tag and
    # translated keyword, each ended by NUL, then the UTF-8 text.
    body = OB3_KEYWORD.encode() + b"\0\0\0\0\0" + text
    new_chunk = struct.pack(">I", len(body)) + b"iTXt" + body
    new_chunk += struct.pack(">I", zlib.crc32(b"iTXt" + body))
    kept = b"".join(png[chunk.start : chunk.end] for chunk in chunks[:-1] if chunk not in stale)
    iend = chunks[-1]
    return PNG_SIGNATURE + kept + new_chunk + png[iend.start : iend.end]


# SVG


def _parse_svg(data: bytes) -> ET.Element:
    try:
        root: ET.Element = defusedxml.ElementTree.fromstring(data, forbid_dtd=False)
    except defusedxml.DefusedXmlException as error:
        name = getattr(error, "name", None)
        entity = f" (entity {name!r})" if name else ""
        raise BakingError(
            f"the SVG image declares or references XML entities{entity}, which are rejected; "
            "remove the DOCTYPE's entity declarations"
        ) from error
    except ET.ParseError as error:
        raise BakingError(f"the SVG image is not well-formed XML ({error})") from error
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        raise BakingError(f"the XML document's root element is {root.tag}, not an SVG <svg>")
    return root


def unbake_svg(data: bytes) -> BakedCredential:
    if len(data) > MAX_IMAGE_BYTES:
        raise BakingError(f"the SVG image is over the limit of {MAX_IMAGE_BYTES:,} bytes")
    root = _parse_svg(data)
    found = [
        *(
            (element, BakedVersion.OB3)
            for element in root.iter(f"{{{OB3_SVG_NAMESPACE}}}credential")
        ),
        *(
            (element, BakedVersion.OB2)
            for element in root.iter(f"{{{OB2_SVG_NAMESPACE}}}assertion")
        ),
    ]
    if not found:
        raise BakingError(
            "the SVG image has no baked credential: it has no <openbadges:credential> element "
            f"(namespace {OB3_SVG_NAMESPACE}) or <openbadges:assertion> element "
            f"(namespace {OB2_SVG_NAMESPACE})"
        )
    if len(found) > 1:
        raise BakingError(
            f"the SVG image has {len(found)} baked credential elements; the baking "
            "specifications allow one, so it is ambiguous which credential the image carries"
        )
    element, version = found[0]
    text = (element.get("verify") or element.text or "").strip()
    if not text:
        raise BakingError("the baked credential element of the SVG image is empty")
    if len(text.encode("utf-8")) > MAX_CREDENTIAL_BYTES:
        raise BakingError(
            f"the baked credential is over the limit of {MAX_CREDENTIAL_BYTES:,} bytes"
        )
    return BakedCredential(text, version, ImageKind.SVG)


def bake_svg(svg: str, credential: str) -> str:
    """Return the SVG with one ``<openbadges:credential>`` element first inside its root.

    JSON goes in CDATA, a compact JWS in the ``verify`` attribute. A credential element already
    present is replaced, and the root gains the ``xmlns:openbadges`` declaration when it lacks it.
    """
    encoded = svg.encode("utf-8")
    _parse_svg(encoded)
    positions = _svg_positions(encoded)
    if positions.root_tag.endswith(b"/>"):
        raise BakingError("the SVG image has an empty root element, so it draws nothing")
    root_tag = positions.root_tag
    if not positions.declares_namespace:
        declaration = f' xmlns:openbadges="{OB3_SVG_NAMESPACE}"'.encode()
        root_tag = root_tag[:-1] + declaration + b">"

    before = encoded[: positions.root_start]
    after = encoded[positions.root_start + len(positions.root_tag) :]
    if positions.old_credential is not None:
        start, end = (
            index - positions.root_start - len(positions.root_tag)
            for index in positions.old_credential
        )
        after = after[:start] + after[end:]
    element = _credential_element(credential.strip())
    return (before + root_tag).decode("utf-8") + "\n  " + element + after.decode("utf-8")


def _credential_element(text: str) -> str:
    if not text.startswith("{"):
        return f'<openbadges:credential verify="{_escape_attribute(text)}"/>'
    # JSON escapes never produce "]]>", but a string value may contain it verbatim, and it would
    # end the CDATA section early.
    text = text.replace("]]>", "]]\\u003e")
    return f"<openbadges:credential><![CDATA[{text}]]></openbadges:credential>"


# A start tag: its name, then attributes whose quoted values may contain ">".
_START_TAG = re.compile(rb"""<[^\s/>]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>""")


@dataclass
class _SvgPositions:
    root_start: int = -1
    root_tag: bytes = b""
    declares_namespace: bool = False
    old_credential: tuple[int, int] | None = None


def _svg_positions(data: bytes) -> _SvgPositions:
    """Find, by byte offset, the root start tag and an existing OB 3.0 credential element."""
    positions = _SvgPositions()
    parser = expat.ParserCreate(namespace_separator=" ")
    depth = 0
    credential_start = -1

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal depth, credential_start
        if depth == 0:
            positions.root_start = parser.CurrentByteIndex
        if name == f"{OB3_SVG_NAMESPACE} credential" and depth == 1:
            credential_start = parser.CurrentByteIndex
        depth += 1

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1
        if depth != 1 or credential_start < 0 or positions.old_credential is not None:
            return
        index = parser.CurrentByteIndex
        if index == credential_start:
            # expat reports the end of an empty-element tag at the tag's own start.
            tag = _START_TAG.match(data, index)
            assert tag is not None  # expat has just parsed this tag
            positions.old_credential = (credential_start, tag.end())
        else:
            positions.old_credential = (credential_start, data.index(b">", index) + 1)

    def namespace(prefix: str | None, uri: str | None) -> None:
        if prefix != "openbadges" or depth != 0:
            return
        if uri != OB3_SVG_NAMESPACE:
            raise BakingError(
                f"the SVG image binds the prefix openbadges to {uri}, so an Open Badges 3.0 "
                "credential cannot be baked into it under that prefix"
            )
        positions.declares_namespace = True

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartNamespaceDeclHandler = namespace
    parser.Parse(data, True)
    match = _START_TAG.match(data, positions.root_start)
    assert match is not None  # expat has parsed the root start tag
    positions.root_tag = match.group(0)
    return positions


def _escape_attribute(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )
