"""HTTP routes of PDF certificates: the public PDF of an award and the console design page."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import structlog
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from hub.auth.principal import authenticate
from hub.certificates import services
from hub.certificates.content import certificate_language, svg_data_uri
from hub.certificates.design import LAYOUTS, MAX_WORDING_LENGTH, MAX_WORDING_LINES, design_of
from hub.errors import InvalidInputError
from hub.pages import language_of, render
from hub.settings import Settings
from tenants.services import get_tenant

log = structlog.get_logger(__name__)

PDF = "application/pdf"
# Browsers and proxies may keep a certificate for five minutes, the same delay after which
# verifiers see a revocation.
PUBLIC_CACHE_CONTROL = "public, max-age=300"


class CertificateController(Controller):
    """The PDF certificate of an issued credential, public like the credential page."""

    path = "/credentials/{award_id:uuid}/certificate.pdf"
    opt = {"access": "public"}
    tags = ["credentials"]

    @get("/", media_type=PDF)
    async def certificate(
        self,
        request: Request[Any, Any, Any],
        award_id: FromPath[uuid.UUID],
        settings: NamedDependency[Settings],
        lang: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        """Return the certificate in ``lang`` (fr or en), by default in the award's language."""
        certificate = await services.prepare_certificate(settings, award_id, lang)
        etag = f'"{certificate.digest}"'
        headers = {
            "Cache-Control": PUBLIC_CACHE_CONTROL,
            "ETag": etag,
            "Content-Language": certificate.language,
            "X-Content-Type-Options": "nosniff",
        }
        if request.headers.get("if-none-match") == etag:
            return Response(b"", status_code=304, headers=headers, media_type=PDF)
        pdf = await services.certificate_pdf(certificate)
        headers["Content-Disposition"] = f'inline; filename="{certificate.filename}"'
        return Response(pdf, media_type=PDF, headers=headers)


class CertificateConsoleController(Controller):
    """The console page where tenant administrators design their certificates."""

    path = "/console/tenants/{slug:str}/certificate"
    opt = {"access": "members:manage"}

    @get("/")
    async def design_form(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        done: FromQuery[str | None] = None,
    ) -> Template:
        tenant = await get_tenant(slug)
        design = design_of(tenant).to_json()
        return await _render_form(request, tenant, design, saved=done == "saved")

    @post("/", status_code=303)
    async def save_design(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Redirect | Template:
        viewer = await authenticate(request)
        assert viewer is not None  # the route's access level requires a signed-in person
        tenant = await get_tenant(slug)
        form = {key: value for key, value in data.items() if isinstance(value, str)}
        logo = await _read_upload(data.get("logo"))

        try:
            await services.update_design(
                tenant, form, logo, form.get("remove_logo") == "on", viewer.actor
            )
        except InvalidInputError as error:
            log.info("certificate_design_rejected", tenant=slug, code=error.code)
            # The form is shown again with what was typed, so nothing has to be typed twice.
            return await _render_form(request, tenant, _submitted(form), error=error.message)
        return Redirect(f"/console/tenants/{slug}/certificate?done=saved", status_code=303)

    @get("/preview.pdf", media_type=PDF)
    async def preview(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        settings: NamedDependency[Settings],
        lang: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        tenant = await get_tenant(slug)
        language = certificate_language(language_of(request), lang)
        pdf = await services.preview_certificate(settings, tenant, language)
        return Response(
            pdf,
            media_type=PDF,
            headers={
                "Content-Disposition": f'inline; filename="{slug}-certificate-preview.pdf"',
                "Cache-Control": "no-store",
            },
        )


async def _read_upload(value: Any) -> bytes | None:
    """Return an uploaded file's bytes, or None when the form has no file."""
    if not isinstance(value, UploadFile):
        return None
    content = await value.read()
    return content or None


def _submitted(form: dict[str, str]) -> dict[str, Any]:
    """Arrange submitted form fields like a stored design, to fill the form again."""
    return {
        "primary_color": form.get("primary_color", ""),
        "accent_color": form.get("accent_color", ""),
        "signatory_name": form.get("signatory_name", ""),
        "signatory_title": {
            language: form.get(f"signatory_title_{language}", "") for language in ("fr", "en")
        },
        "wording": {language: form.get(f"wording_{language}", "") for language in ("fr", "en")},
        "layout": form.get("layout", ""),
    }


async def _render_form(
    request: Request[Any, Any, Any],
    tenant: Any,
    design: dict[str, Any],
    saved: bool = False,
    error: str | None = None,
) -> Template:
    return await render(
        request,
        "console/certificate.html",
        status_code=400 if error else 200,
        tenant=tenant,
        design=design,
        layouts=LAYOUTS,
        logo_uri=svg_data_uri(tenant.logo_svg) if tenant.logo_svg else None,
        max_wording=MAX_WORDING_LENGTH,
        max_lines=MAX_WORDING_LINES,
        saved=saved,
        error=error,
    )


ROUTES = [CertificateController, CertificateConsoleController]
