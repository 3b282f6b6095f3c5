"""Download routes of the baked badge images of an issued credential.

They are public like ``credential.json``, ``credential.jwt`` and the PDF certificate: the
credential's URL is what an earner hands out, and a verifier must be able to fetch it. A
revoked credential still downloads, because the baked credential carries its status entry and
every verifier reports the revocation.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from hub.backpack.baked import baked_png, baked_svg
from hub.controllers import load_award
from tenants.achievements import published_view
from tenants.tables import Achievement

PNG = "image/png"
SVG = "image/svg+xml"
PUBLIC_CACHE_CONTROL = "public, max-age=300"


def badge_svg_of(achievement: Achievement) -> str:
    """Return the published image of the badge, or its working copy when never published."""
    published = published_view(achievement)
    return published.image_svg if published is not None else achievement.image_svg


class BadgeImageController(Controller):
    """The badge image with the exact signed credential baked in (Open Badges 3.0 §5.3)."""

    path = "/credentials/{award_id:uuid}"
    opt = {"access": "public"}
    tags = ["credentials"]

    @get("/badge.png", media_type=PNG)
    async def badge_png(
        self, request: Request[Any, Any, Any], award_id: FromPath[uuid.UUID]
    ) -> Response[bytes]:
        """Return the badge as PNG with one iTXt chunk ``openbadgecredential``."""
        return await _baked_response(request, award_id, PNG, "png")

    @get("/badge.svg", media_type=SVG)
    async def badge_svg(
        self, request: Request[Any, Any, Any], award_id: FromPath[uuid.UUID]
    ) -> Response[bytes]:
        """Return the badge as SVG with one ``<openbadges:credential>`` element."""
        return await _baked_response(request, award_id, SVG, "svg")


async def _baked_response(
    request: Request[Any, Any, Any], award_id: uuid.UUID, media_type: str, suffix: str
) -> Response[bytes]:
    award, _, achievement = await load_award(award_id)
    image = badge_svg_of(achievement)
    digest = hashlib.sha256(
        b"\0".join((award.credential_text.encode("utf-8"), image.encode("utf-8")))
    ).hexdigest()
    etag = f'"{suffix}-{digest[:32]}"'
    headers = {
        "Cache-Control": PUBLIC_CACHE_CONTROL,
        "ETag": etag,
        "Access-Control-Allow-Origin": "*",
        "X-Content-Type-Options": "nosniff",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(b"", status_code=304, headers=headers, media_type=media_type)
    bake = baked_png if suffix == "png" else baked_svg
    body = await asyncio.to_thread(bake, image, award.credential_text)
    headers["Content-Disposition"] = f'attachment; filename="{award_id}.{suffix}"'
    return Response(body, media_type=media_type, headers=headers)


ROUTES = [BadgeImageController]
