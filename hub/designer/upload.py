"""Check an uploaded badge image file and report what sanitising removed from it.

The file type is read from the content, never from the file name or the browser's
Content-Type: a PNG starts with the PNG signature and an SVG document with an XML tag.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from hub.errors import InvalidInputError
from hub.images import sanitize_svg, validate_png
from hub.images.limits import ACCEPTED_PNG, ACCEPTED_SVG, invalid_image
from hub.images.raster import PNG_SIGNATURE

_BYTE_ORDER_MARK = b"\xef\xbb\xbf"
_LEADING_SPACE = "\ufeff \t\r\n"
# Number of removed names reported to the person who uploaded the file.
MAX_REPORTED_REMOVALS = 12


@dataclass(frozen=True)
class PreparedImage:
    """A checked upload: a sanitised SVG document or a validated PNG file, never both."""

    image_svg: str | None
    image_png: bytes | None
    # Elements (as "<name>") and attributes that the sanitiser removed from an SVG upload.
    removed: tuple[str, ...] = ()


def prepare_image_file(data: bytes, filename: str) -> PreparedImage:
    """Check an uploaded file and return it ready for storing.

    Raises ``InvalidInputError``: code ``missing-image`` for an empty upload, ``invalid-image``
    for a file that is neither PNG nor SVG or that the image checks reject.
    """
    if not data:
        raise InvalidInputError(
            "no file was uploaded, or the file is empty; choose a PNG or SVG file",
            code="missing-image",
        )
    if data.startswith(PNG_SIGNATURE):
        validate_png(data)
        return PreparedImage(image_svg=None, image_png=data)
    text = _svg_text(data)
    if text is None:
        raise invalid_image(
            f"the file {filename!r} is neither a PNG image nor an SVG document (it starts with "
            f"{data[:8]!r}); {ACCEPTED_PNG}, or {ACCEPTED_SVG}"
        )
    clean = sanitize_svg(text)
    return PreparedImage(image_svg=clean, image_png=None, removed=removed_markup(text, clean))


def _svg_text(data: bytes) -> str | None:
    """Decode ``data`` as UTF-8 text that starts with a tag, or return None."""
    try:
        text = data.removeprefix(_BYTE_ORDER_MARK).decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if text.lstrip(_LEADING_SPACE).startswith("<") else None


def removed_markup(original: str, clean: str) -> tuple[str, ...]:
    """List the elements, and the attributes of kept elements, that sanitising removed.

    A name is listed when it occurs fewer times in ``clean`` than in ``original``. Attributes of
    an element removed whole are not listed, since the element is. ``original`` must be text
    that ``sanitize_svg`` accepted: it has no DOCTYPE and a bounded depth, so the standard parser
    is safe on it.
    """
    try:
        original_root = ET.fromstring(original.lstrip(_LEADING_SPACE))  # noqa: S314
        clean_root = ET.fromstring(clean)  # noqa: S314
    except ET.ParseError:
        return ()
    kept_tags = {_local(element.tag) for element in clean_root.iter()}
    removed = _markup_names(original_root, kept_tags) - _markup_names(clean_root, kept_tags)
    return tuple(sorted(removed))[:MAX_REPORTED_REMOVALS]


def _markup_names(root: ET.Element, kept_tags: set[str]) -> Counter[str]:
    """Count element names as "<name>", and attribute names on elements named in ``kept_tags``."""
    names: Counter[str] = Counter()
    for element in root.iter():
        tag = _local(element.tag)
        names[f"<{tag}>"] += 1
        if tag in kept_tags:
            names.update(_local(name) for name in element.attrib)
    return names


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]
