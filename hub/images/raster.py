"""Check PNG and JPEG files, reading their dimensions before any image data is inflated.

PNG follows the W3C PNG Specification, Second Edition (ISO/IEC 15948:2004): signature, chunks
with CRC-32, IHDR, PLTE, IDAT and IEND. JPEG support is limited to reading the frame
size from the first start-of-frame segment (ITU-T T.81), which is what embedded images need.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from hub.errors import InvalidInputError
from hub.images.limits import ACCEPTED_PNG, MAX_IMAGE_SIDE, MAX_PNG_BYTES, invalid_image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Allowed bit depths by PNG colour type, and the samples per pixel of each colour type.
_PNG_BIT_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
# Adam7 passes as (first column, first row, column step, row step).
_ADAM7_PASSES = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4),
                 (1, 0, 2, 2), (0, 1, 1, 2))  # fmt: skip
_INFLATE_STEP = 1024 * 1024
# JPEG start-of-frame markers (ITU-T T.81): every SOFn except DHT, JPG and DAC.
_JPEG_FRAME_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers without a length field: TEM, RST0 to RST7 and SOI.
_JPEG_STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xD9)})


@dataclass(frozen=True)
class PngInfo:
    """The header fields of a PNG image that passed ``validate_png``."""

    width: int
    height: int
    bit_depth: int
    color_type: int
    is_interlaced: bool


def validate_png(data: bytes) -> PngInfo:
    """Check a PNG file's structure and size without keeping its pixels, and return its header.

    The size limit is checked first and the dimensions right after the IHDR chunk, so a
    decompression bomb is rejected before any image data is inflated. Every chunk CRC is
    verified, and the image data must inflate to exactly the size the header announces. Scanline
    filter bytes and the contents of ancillary chunks are not checked: a viewer shows such
    errors as a broken image.
    """
    if len(data) > MAX_PNG_BYTES:
        raise invalid_image(
            f"the PNG image is {len(data):,} bytes, over the limit of {MAX_PNG_BYTES:,} bytes; "
            f"reduce its size or colours, and {ACCEPTED_PNG}"
        )
    if not data.startswith(PNG_SIGNATURE):
        raise invalid_image(
            f"the file is not a PNG image (the PNG signature is missing); {ACCEPTED_PNG}"
        )
    chunks = _read_png_chunks(data)
    kind, header = next(chunks, (b"", b""))
    if kind != b"IHDR":
        raise invalid_image(f"the PNG image does not start with an IHDR chunk; {ACCEPTED_PNG}")
    info = _read_png_header(header)

    image_data = _collect_png_data(chunks, info)
    _check_png_data(image_data, info)
    return info


def _read_png_chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """Yield (type, data) of each chunk after the signature, checking its bounds and CRC."""
    position = len(PNG_SIGNATURE)
    while position < len(data):
        if position + 8 > len(data):
            raise _truncated_png(position)
        length, kind = struct.unpack_from(">I4s", data, position)
        end = position + 12 + length
        if end > len(data):
            raise _truncated_png(position)
        if not kind.isalpha():
            raise invalid_image(
                f"the PNG image has an invalid chunk type {kind!r} at byte {position}; the file "
                "is corrupt, export it again"
            )
        payload = data[position + 8 : end - 4]
        (expected_crc,) = struct.unpack_from(">I", data, end - 4)
        if zlib.crc32(kind + payload) != expected_crc:
            raise invalid_image(
                f"the PNG chunk {kind.decode()} at byte {position} fails its CRC check; the file "
                "is corrupt, export it again"
            )
        yield kind, payload
        position = end


def _truncated_png(position: int) -> InvalidInputError:
    return invalid_image(
        f"the PNG image ends inside a chunk at byte {position}; the file is truncated, upload "
        "it again"
    )


def _read_png_header(header: bytes) -> PngInfo:
    if len(header) != 13:
        raise invalid_image(
            f"the PNG IHDR chunk has {len(header)} bytes instead of 13; the file is corrupt"
        )
    width, height, bit_depth, color_type, compression, filtering, interlace = struct.unpack(
        ">IIBBBBB", header
    )
    if not (0 < width < 2**31 and 0 < height < 2**31):
        raise invalid_image(f"the PNG image has invalid dimensions {width} x {height}")
    if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE:
        raise invalid_image(
            f"the PNG image is {width:,} x {height:,} pixels, over the limit of "
            f"{MAX_IMAGE_SIDE} x {MAX_IMAGE_SIDE}; scale it down"
        )
    if bit_depth not in _PNG_BIT_DEPTHS.get(color_type, ()):
        raise invalid_image(
            f"the PNG image has colour type {color_type} with the invalid bit depth {bit_depth}"
        )
    if compression != 0 or filtering != 0 or interlace not in (0, 1):
        raise invalid_image(
            "the PNG image names an unknown compression, filter or interlace method"
        )
    return PngInfo(width, height, bit_depth, color_type, interlace == 1)


def _collect_png_data(chunks: Iterator[tuple[bytes, bytes]], info: PngInfo) -> bytes:
    """Return the joined IDAT data, checking chunk order up to a final IEND."""
    image_data: list[bytes] = []
    has_palette = False
    for kind, payload in chunks:
        if kind == b"IEND":
            if next(chunks, None) is not None:
                raise invalid_image("the PNG image has chunks after IEND; export it again")
            if not image_data:
                raise invalid_image("the PNG image has no IDAT chunk, so it contains no pixels")
            return b"".join(image_data)
        if kind == b"PLTE":
            has_palette = True
        elif kind == b"IDAT":
            if info.color_type == 3 and not has_palette:
                raise invalid_image(
                    "the PNG image uses a palette but has no PLTE chunk before its data"
                )
            image_data.append(payload)
    raise invalid_image("the PNG image has no IEND chunk; the file is truncated, upload it again")


def _check_png_data(image_data: bytes, info: PngInfo) -> None:
    """Inflate the image data in steps, keeping none of it, and compare its size to the header.

    The output is capped one byte past the expected size, so a stream that inflates further
    costs no more than a valid image of the same dimensions.
    """
    expected = _png_raw_size(info)
    inflater = zlib.decompressobj()
    produced = 0
    pending = image_data
    try:
        while not inflater.eof and produced <= expected:
            step = min(_INFLATE_STEP, expected + 1 - produced)
            produced += len(inflater.decompress(pending, step))
            pending = inflater.unconsumed_tail
            if not pending and not inflater.eof:
                break
    except zlib.error as error:
        raise invalid_image(f"the PNG image data is corrupt ({error}); export it again") from error
    if not inflater.eof or produced != expected:
        raise invalid_image(
            f"the PNG image data inflates to {produced:,} bytes where {info.width} x {info.height} "
            f"pixels need {expected:,}; the file is truncated or corrupt, export it again"
        )


def _png_raw_size(info: PngInfo) -> int:
    """Return the inflated size of the image data: each scanline is a filter byte and pixels."""
    bits_per_pixel = info.bit_depth * _PNG_CHANNELS[info.color_type]
    passes = _ADAM7_PASSES if info.is_interlaced else ((0, 0, 1, 1),)
    size = 0
    for column, row, column_step, row_step in passes:
        columns = max(0, -(-(info.width - column) // column_step))
        rows = max(0, -(-(info.height - row) // row_step))
        if columns and rows:
            size += rows * (1 + -(-columns * bits_per_pixel // 8))
    return size


def check_jpeg(data: bytes) -> None:
    """Check a JPEG file's frame header dimensions without decoding it.

    NOTE: the entropy-coded data after the header is not checked, so a corrupt JPEG passes and
    shows as a broken image. Checking it needs a JPEG decoder such as Pillow.
    """
    width, height = _jpeg_dimensions(data)
    if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE:
        raise invalid_image(
            f"the JPEG image is {width:,} x {height:,} pixels, over the limit of "
            f"{MAX_IMAGE_SIDE} x {MAX_IMAGE_SIDE}; scale it down"
        )


def _jpeg_dimensions(data: bytes) -> tuple[int, int]:
    """Return (width, height) from the first start-of-frame segment of a JPEG file."""
    if not data.startswith(b"\xff\xd8"):
        raise invalid_image("the file is not a JPEG image (the SOI marker is missing)")
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            raise invalid_image(f"the JPEG image has no marker at byte {position}; it is corrupt")
        marker = data[position + 1]
        if marker == 0xFF:
            position += 1  # A fill byte before a marker.
            continue
        if marker in _JPEG_STANDALONE_MARKERS:
            position += 2
            continue
        (length,) = struct.unpack_from(">H", data, position + 2)
        if marker in _JPEG_FRAME_MARKERS and length >= 7 and position + 9 <= len(data):
            height, width = struct.unpack_from(">HH", data, position + 5)
            if width == 0 or height == 0:
                raise invalid_image("the JPEG image declares a zero width or height")
            return width, height
        if marker in (0xD9, 0xDA) or length < 2:
            break
        position += 2 + length
    raise invalid_image("the JPEG image has no frame header before its data; it is corrupt")
