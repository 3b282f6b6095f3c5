"""Limits on uploaded badge images, and the error that every image check raises."""

from __future__ import annotations

from hub.errors import InvalidInputError

SVG_NAMESPACE = "http://www.w3.org/2000/svg"

# A generated badge is about 6 KiB and hand-drawn badge art rarely passes 100 KiB.
MAX_SVG_BYTES = 512 * 1024
# A PNG travels base64-encoded in a JSON body capped at 2 MiB. Base64 adds a third, so 1 MiB is
# the largest PNG that reaches this check instead of being cut off with a 413.
MAX_PNG_BYTES = 1024 * 1024
# A badge is shown at a few hundred pixels at most, and 2048 x 2048 RGBA at 16 bits per channel
# inflates to 32 MiB, a bound every viewer can afford.
MAX_IMAGE_SIDE = 2048
# Badge art nests groups a dozen levels at most. The limit also bounds the recursion of the
# sanitiser, the serialiser and the <use> expansion check.
MAX_SVG_DEPTH = 32
# Each <use> renders a copy of its target, so these two limits bound the rendering work of an
# SVG image that repeats content through references.
MAX_USE_NESTING = 8
MAX_RENDERED_ELEMENTS = 50_000

ACCEPTED_SVG = (
    "upload an SVG 1.1 or SVG 2 document of at most 512 KiB whose root is <svg "
    f'xmlns="{SVG_NAMESPACE}"> with a viewBox or a width and height, without a DOCTYPE '
    "(in Inkscape, save as Plain SVG)"
)
ACCEPTED_PNG = f"upload a PNG file of at most 1 MiB and {MAX_IMAGE_SIDE} x {MAX_IMAGE_SIDE} pixels"


def invalid_image(message: str) -> InvalidInputError:
    """Build the error for an image that is rejected, with the stable code ``invalid-image``."""
    return InvalidInputError(message, code="invalid-image")
