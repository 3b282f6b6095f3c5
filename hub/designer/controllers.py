"""Console routes of the badge designer: the page, its live preview, and saving an image.

The page works without JavaScript: the design form and the upload form post to the same
route, which stores the image and redirects back. ``hub/static/designer.js`` adds the live
preview, which requests from ``…/design/preview`` for the SVG that saving would store.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlencode

import structlog
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody
from litestar.response import Redirect, Template

from hub.badge_image import svg_data_uri
from hub.designer import service
from hub.designer.design import FIELDS, BadgeDesign, invalid_design, parse_design
from hub.designer.upload import MAX_REPORTED_REMOVALS
from hub.errors import ConflictError, InvalidInputError
from hub.images import INERT_SVG_HEADERS
from hub.pages import language_of, render
from tenants.achievements import EDITABLE_STATES
from tenants.controllers import actor_of
from tenants.scope import TenantScope
from tenants.services import get_tenant
from tenants.tables import Achievement, Tenant

log = structlog.get_logger(__name__)

# The preview is shown by an <img>, but a browser that opens it directly must run nothing.
PREVIEW_HEADERS = {"Cache-Control": "no-store", **INERT_SVG_HEADERS}

_MARKUP_NAME = re.compile(r"<?[A-Za-z][\w.:-]{0,40}>?")


class DesignerController(Controller):
    path = "/console/tenants/{slug:str}/achievements/{achievement_id:uuid}"
    opt = {"access": "achievement:edit"}

    @get("/design")
    async def designer(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        achievement_id: FromPath[uuid.UUID],
    ) -> Template:
        tenant, achievement = await _load(slug, achievement_id)
        page = DesignerPage(request, tenant, achievement)
        values = {key: request.query_params[key] for key in FIELDS if key in request.query_params}
        if not values:
            return await page.render(service.default_design(tenant, achievement, page.language))
        try:
            design = parse_design(values)
        except InvalidInputError as error:
            log.info(
                "badge_design_rejected",
                tenant=slug,
                achievement=str(achievement_id),
                code=error.code,
            )
            default = service.default_design(tenant, achievement, page.language)
            return await page.render(default, values, error=error.message, status_code=400)
        return await page.render(design)

    @post("/design/preview", status_code=200)
    async def preview(
        self,
        slug: FromPath[str],
        achievement_id: FromPath[uuid.UUID],
        data: JSONBody[dict[str, Any]],
    ) -> Response[str]:
        tenant, _ = await _load(slug, achievement_id)
        svg = await service.render_tenant_design(tenant, parse_design(data))
        return Response(svg, media_type="image/svg+xml", headers=PREVIEW_HEADERS)

    @post("/image", status_code=303)
    async def save_image(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        achievement_id: FromPath[uuid.UUID],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Redirect | Template:
        tenant, achievement = await _load(slug, achievement_id)
        page = DesignerPage(request, tenant, achievement)
        source = data.get("source")
        design = service.default_design(tenant, achievement, page.language)
        try:
            if source == "design":
                design = parse_design(data)
                saved = await service.save_design(
                    TenantScope(tenant), achievement.id, design, actor=await actor_of(request)
                )
            else:
                saved = await service.save_upload(
                    TenantScope(tenant),
                    achievement.id,
                    await _uploaded_file(source, data.get("file")),
                    actor=await actor_of(request),
                )
        except (InvalidInputError, ConflictError) as error:
            # Nothing was stored: every check runs before the service writes the image.
            log.warning(
                "badge_image_rejected",
                tenant=slug,
                achievement=str(achievement_id),
                source=str(source),
                code=error.code,
            )
            submitted = data if source == "design" else {}
            status = 409 if isinstance(error, ConflictError) else 400
            return await page.render(design, submitted, error=error.message, status_code=status)
        return Redirect(page.url("design", _saved_query(saved, design)), status_code=303)


class DesignerPage:
    """The designer page of one achievement, rendered with a design and an optional message."""

    def __init__(
        self, request: Request[Any, Any, Any], tenant: Tenant, achievement: Achievement
    ) -> None:
        self.request = request
        self.tenant = tenant
        self.achievement = achievement
        self.language = language_of(request)

    def url(self, route: str, query: dict[str, str] | None = None) -> str:
        base = f"/console/tenants/{self.tenant.slug}/achievements/{self.achievement.id}/{route}"
        return f"{base}?{urlencode(query)}" if query else base

    async def render(
        self,
        design: BadgeDesign,
        submitted: Mapping[str, Any] | None = None,
        error: str | None = None,
        status_code: int = 200,
    ) -> Template:
        """Render the page. The controls show ``submitted`` values over those of ``design``.

        After a rejected design the controls keep what was typed, while the preview shows
        ``design``.
        """
        preview_error = None
        try:
            preview = await service.render_tenant_design(self.tenant, design)
        except InvalidInputError as problem:
            log.warning("badge_logo_unusable", tenant=self.tenant.slug, code=problem.code)
            preview_error = problem.message
            preview = await service.render_tenant_design(self.tenant, service.without_logo(design))
        notice = _saved_notice(self.request.query_params)
        return await render(
            self.request,
            "console/designer.html",
            status_code=status_code,
            tenant=self.tenant,
            achievement=self.achievement,
            achievement_name=service.achievement_name(self.achievement, self.language),
            values=_control_values(design, submitted or {}),
            choices=service.DESIGNER_CHOICES,
            limits=service.UPLOAD_LIMITS,
            has_logo=bool(self.tenant.logo_svg.strip()),
            is_editable=self.achievement.status in EDITABLE_STATES,
            preview_uri=svg_data_uri(preview),
            current_uri=svg_data_uri(self.achievement.image_svg),
            error=error or preview_error,
            notice=None if error else notice,
            design_url=self.url("design"),
            preview_url=self.url("design/preview"),
            image_url=self.url("image"),
        )


def _control_values(design: BadgeDesign, submitted: Mapping[str, Any]) -> dict[str, str]:
    values = {key: str(value) for key, value in design.to_json().items()}
    values["logo"] = "on" if design.logo else ""
    for key in FIELDS:
        if isinstance(submitted.get(key), str):
            values[key] = submitted[key]
    if submitted:
        values["logo"] = "on" if submitted.get("logo") == "on" else ""
    return values


def _saved_query(saved: service.SavedImage, design: BadgeDesign) -> dict[str, str]:
    """Build the query of the page shown after saving, which shows a saved design again."""
    if saved.kind != "design":
        return {"saved": saved.kind, "removed": " ".join(saved.removed)}
    values = {key: str(value) for key, value in design.to_json().items()}
    values["logo"] = "on" if design.logo else "off"
    return {**values, "saved": "design"}


def _saved_notice(query: Any) -> dict[str, Any] | None:
    """Read the notice shown after saving from the query, leaving out unknown kinds and names."""
    kind = query.get("saved")
    if kind not in ("design", "png", "svg"):
        return None
    removed = [name for name in query.get("removed", "").split() if _MARKUP_NAME.fullmatch(name)]
    return {"kind": kind, "removed": removed[:MAX_REPORTED_REMOVALS]}


async def _load(slug: str, achievement_id: uuid.UUID) -> tuple[Tenant, Achievement]:
    tenant = await get_tenant(slug)
    return tenant, await TenantScope(tenant).get_achievement(achievement_id)


async def _uploaded_file(source: Any, upload: Any) -> service.UploadedFile:
    if source != "upload":
        raise invalid_design(f"source {source!r} is invalid; post source=design or source=upload")
    if not isinstance(upload, UploadFile):
        raise InvalidInputError(
            "no file was uploaded; choose a PNG or SVG file in the upload form",
            code="missing-image",
        )
    return service.UploadedFile(upload.filename or "", await upload.read())


ROUTES = [DesignerController]
