"""Check uploaded badge images and sanitise SVG so that every stored image is inert.

An achievement stores one SVG document. An uploaded SVG goes through ``sanitize_svg``. An
uploaded PNG is checked by ``validate_png`` and stored wrapped in an SVG document by
``embed_png_in_svg``, so storage and serving stay one format. Input that is not an image, is
malformed or exceeds a limit of ``hub.images.limits`` raises ``InvalidInputError`` with the
code ``invalid-image``.
"""

from hub.images.raster import PngInfo, validate_png
from hub.images.svg import embed_png_in_svg, prepare_uploaded_image, sanitize_svg

# Headers for serving a stored SVG: a browser that opens it directly runs nothing, even if the
# sanitiser missed a case.
INERT_SVG_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
}

__all__ = [
    "INERT_SVG_HEADERS",
    "PngInfo",
    "embed_png_in_svg",
    "prepare_uploaded_image",
    "sanitize_svg",
    "validate_png",
]
