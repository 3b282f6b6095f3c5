"""Render a tenant's badge designs and store designed or uploaded achievement images.

Every check runs before ``set_achievement_image`` is called, so a rejected design or file
stores nothing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from dataclasses import dataclass

from hub.designer.design import (
    GLYPH_CHOICES,
    MAX_FONT_SIZE,
    MAX_LINE_LENGTH,
    MIN_FONT_SIZE,
    SHAPES,
    BadgeDesign,
    shorten_line,
)
from hub.designer.logo import inline_logo
from hub.designer.render import MAX_BANNER_FONT_SIZE, render_design_svg
from hub.designer.upload import PreparedImage, prepare_image_file
from hub.errors import InvalidInputError
from hub.images import sanitize_svg
from hub.images.limits import MAX_PNG_BYTES, MAX_SVG_BYTES
from tenants.achievements import set_achievement_image
from tenants.scope import TenantScope
from tenants.tables import Achievement, Tenant

DESIGNER_CHOICES = {
    "shapes": SHAPES,
    "glyphs": GLYPH_CHOICES,
    "max_line_length": MAX_LINE_LENGTH,
    "min_font_size": MIN_FONT_SIZE,
    "max_font_size": MAX_FONT_SIZE,
    "max_banner_font_size": MAX_BANNER_FONT_SIZE,
}


def _size_label(size: int) -> str:
    return f"{size / 1024**2:g} MiB" if size >= 1024**2 else f"{size / 1024:g} KiB"


UPLOAD_LIMITS = {
    "png_bytes": MAX_PNG_BYTES,
    "svg_bytes": MAX_SVG_BYTES,
    "png_label": _size_label(MAX_PNG_BYTES),
    "svg_label": _size_label(MAX_SVG_BYTES),
}


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    data: bytes


@dataclass(frozen=True)
class SavedImage:
    """A stored image, of the ``kind`` ``design``, ``png`` or ``svg``."""

    kind: str
    # Names of the elements and attributes that sanitising removed from an uploaded SVG.
    removed: tuple[str, ...] = ()


def achievement_name(achievement: Achievement, language: str) -> str:
    names: dict[str, str] = achievement.name if isinstance(achievement.name, dict) else {}
    return str(names.get(language) or names.get("en") or next(iter(names.values()), ""))


def default_design(tenant: Tenant, achievement: Achievement, language: str) -> BadgeDesign:
    """Start a design from the achievement's name and the university's short name."""
    return BadgeDesign(
        line1=shorten_line(achievement_name(achievement, language)),
        line2=shorten_line(tenant.slug.upper()),
        logo=bool(tenant.logo_svg.strip()),
    )


def without_logo(design: BadgeDesign) -> BadgeDesign:
    return dataclasses.replace(design, logo=False)


async def render_tenant_design(tenant: Tenant, design: BadgeDesign) -> str:
    """Render ``design`` with the tenant's logo, in a worker thread because it is CPU-bound.

    Raises ``InvalidInputError`` when the design requests a logo that the tenant lacks or that
    the sanitiser rejects.
    """
    if design.logo and not tenant.logo_svg.strip():
        raise InvalidInputError(
            f"the university {tenant.slug!r} has no logo to show on the badge; untick the logo "
            "option, or add a logo to the university first",
            code="missing-logo",
        )
    return await asyncio.to_thread(_render, design, tenant.logo_svg if design.logo else "")


def _render(design: BadgeDesign, logo_svg: str) -> str:
    logo = inline_logo(logo_svg) if logo_svg else None
    return render_design_svg(design, logo)


async def save_design(
    scope: TenantScope, achievement_id: uuid.UUID, design: BadgeDesign, actor: str
) -> SavedImage:
    # The renderer writes only inert markup, which the sanitiser returns unchanged. Sanitising
    # before storing keeps the stored image inert even if a future shape slips something in.
    svg = await asyncio.to_thread(sanitize_svg, await render_tenant_design(scope.tenant, design))
    await set_achievement_image(scope, achievement_id, image_svg=svg, image_png=None, actor=actor)
    return SavedImage("design")


async def save_upload(
    scope: TenantScope, achievement_id: uuid.UUID, upload: UploadedFile, actor: str
) -> SavedImage:
    """Check an uploaded PNG or SVG file and store it. An SVG file is stored sanitised."""
    prepared: PreparedImage = await asyncio.to_thread(
        prepare_image_file, upload.data, upload.filename
    )
    await set_achievement_image(
        scope,
        achievement_id,
        image_svg=prepared.image_svg,
        image_png=prepared.image_png,
        actor=actor,
    )
    return SavedImage("png" if prepared.image_png else "svg", prepared.removed)
