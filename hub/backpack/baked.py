"""Baked badge images of issued credentials: the badge's SVG, or a PNG rendered from it.

The badge image of an achievement is stored as SVG only. The PNG is rendered with the libraries
the hub already has for certificates: WeasyPrint lays the SVG out on a page of the image's size,
and PDFium (pypdfium2) rasterises that page with a transparent background. No cairo library is
needed, so the container image stays as it is.
"""

from __future__ import annotations

import io

import pypdfium2
from weasyprint import HTML

from hub.certificates.content import svg_data_uri
from hub.certificates.fetcher import InlineOnlyFetcher
from hub.credentials.baking import bake_png, bake_svg

PNG_SIDE = 512
# WeasyPrint lays out CSS pixels at 96 per inch; PDFium renders at 72 points per inch.
_CSS_PIXEL_POINTS = 72 / 96
_PAGE_SIDE = 400


def badge_png(image_svg: str) -> bytes:
    """Render the badge ``image_svg`` as a square PNG of PNG_SIDE pixels, transparent around it."""
    html = (
        f"<style>@page{{size:{_PAGE_SIDE}px {_PAGE_SIDE}px;margin:0}}html,body{{margin:0}}"
        f"img{{display:block;width:{_PAGE_SIDE}px;height:{_PAGE_SIDE}px;object-fit:contain}}"
        f'</style><img alt="" src="{svg_data_uri(image_svg)}">'
    )
    pdf = HTML(string=html, url_fetcher=InlineOnlyFetcher()).write_pdf()
    document = pypdfium2.PdfDocument(pdf)
    try:
        scale = PNG_SIDE / (_PAGE_SIDE * _CSS_PIXEL_POINTS)
        bitmap = document[0].render(scale=scale, fill_color=(255, 255, 255, 0))
        image = bitmap.to_pil()
    finally:
        document.close()
    output = io.BytesIO()
    image.save(output, "PNG", optimize=True)
    return output.getvalue()


def baked_png(image_svg: str, credential_text: str) -> bytes:
    """Return the badge as PNG with ``credential_text`` baked in, byte for byte."""
    return bake_png(badge_png(image_svg), credential_text)


def baked_svg(image_svg: str, credential_text: str) -> bytes:
    """Return the badge SVG with ``credential_text`` baked in, byte for byte."""
    return bake_svg(image_svg, credential_text).encode("utf-8")
