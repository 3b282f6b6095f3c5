"""HTTP routes of the platform: health, verification, credential pages and the home page."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from hub import verification
from hub.auth.principal import authenticate
from hub.backpack import sharing
from hub.errors import NotFoundError, ServiceUnavailableError
from hub.pages import render
from hub.problems import problem_response
from hub.settings import Settings
from hub.verify_page import VerifyPageController, read_submission
from tenants import identity
from tenants.controllers import prefers_html
from tenants.tables import Achievement, Award, Tenant


class HealthController(Controller):
    path = "/health"
    opt = {"access": "public"}

    @get("/")
    async def health(self) -> dict[str, str]:
        return await check_database()

    @get("/live")
    async def live(self) -> dict[str, str]:
        return {"status": "ok"}

    @get("/ready")
    async def ready(self) -> dict[str, str]:
        return await check_database()


async def check_database() -> dict[str, str]:
    try:
        await Tenant.raw("SELECT 1")
    except Exception as error:
        raise ServiceUnavailableError(
            f"the database is unreachable ({type(error).__name__}); check HUB_DATABASE_URL",
            code="database-unavailable",
        ) from error
    return {"status": "ok", "database": "ok"}


def handle_verification_busy(
    request: Request[Any, Any, Any], error: verification.VerificationBusyError
) -> Response[Any]:
    """Return a 503 problem with the Retry-After header, which the shared HubError mapping lacks."""
    headers = {"Retry-After": str(error.retry_after_seconds)}
    return problem_response(request, 503, error.code, error.message, error.extra, headers)


class VerifyController(Controller):
    path = "/api/v1/verify"
    opt = {"access": "public"}
    tags = ["verification"]
    exception_handlers = {verification.VerificationBusyError: handle_verification_busy}

    @post("/", status_code=200)
    async def verify(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> dict[str, Any]:
        """Verify a credential sent as JSON, a compact JWS, a baked PNG or SVG, or a URL.

        The body is the credential itself, or ``{"url": ..., "recipient": ...}``, or a multipart
        form with the fields file, text, url and recipient.
        """
        submission = await read_submission(request)
        report = await verification.verify(
            settings, submission.data, recipient=submission.recipient
        )
        return report.to_dict()


async def load_award(award_id: FromPath[uuid.UUID]) -> tuple[Award, Tenant, Achievement]:
    award = await Award.objects().output(load_json=True).where(Award.id == award_id).first()
    if award is None:
        raise NotFoundError(
            f"no credential {award_id} was issued here", code="credential-not-found"
        )
    tenant = await Tenant.objects().output(load_json=True).where(Tenant.id == award.tenant).first()
    achievement = (
        await Achievement.objects()
        .output(load_json=True)
        .where(Achievement.id == award.achievement)
        .first()
    )
    assert tenant is not None and achievement is not None  # foreign keys guarantee both
    return award, tenant, achievement


class CredentialController(Controller):
    """Public view of one issued credential: its page, its exact JSON, its VC-JWT."""

    path = "/credentials/{award_id:uuid}"
    opt = {"access": "public"}
    # The page verifies the credential live, in the same worker pool as the verify API.
    exception_handlers = {verification.VerificationBusyError: handle_verification_busy}

    @get("/", media_type=MediaType.HTML)
    async def page(
        self,
        request: Request[Any, Any, Any],
        award_id: FromPath[uuid.UUID],
        settings: NamedDependency[Settings],
    ) -> Template | Response[str]:
        award, tenant, achievement = await load_award(award_id)
        if not prefers_html(request):
            return Response(
                award.credential_text,
                media_type="application/ld+json",
                headers={"Vary": "Accept", "Access-Control-Allow-Origin": "*"},
            )
        if award.hidden and not await sharing.may_see_hidden(
            await authenticate(request), award, tenant
        ):
            raise NotFoundError(
                f"the earner of credential {award_id} has hidden it from public view; the "
                "credential itself still verifies",
                code="credential-hidden",
            )
        report = await verification.verify(settings, award.credential_text)
        credential_url = f"{settings.public_url}/credentials/{award_id}"
        viewer = await authenticate(request)
        return await render(
            request,
            "credential.html",
            award=award,
            tenant=tenant,
            achievement=achievement,
            credential=award.credential,
            report=report,
            did=identity.tenant_did(settings, tenant.slug),
            credential_url=credential_url,
            linkedin_url=sharing.linkedin_add_url(award.credential, credential_url, str(award_id)),
            may_send_to_wallet=await sharing.may_send_to_wallet(viewer, award),
        )

    @get("/credential.json", media_type="application/ld+json")
    async def credential_json(self, award_id: FromPath[uuid.UUID]) -> Response[str]:
        award, _, _ = await load_award(award_id)
        return Response(
            award.credential_text,
            media_type="application/ld+json",
            headers={
                "Content-Disposition": f'attachment; filename="{award_id}.json"',
                "Access-Control-Allow-Origin": "*",
            },
        )

    @get("/credential.jwt", media_type="application/jwt")
    async def credential_jwt(
        self, award_id: FromPath[uuid.UUID], settings: NamedDependency[Settings]
    ) -> Response[str]:
        from tenants.services import credential_jwt

        award, tenant, _ = await load_award(award_id)
        token = await credential_jwt(settings, tenant, award)
        return Response(
            token,
            media_type="application/jwt",
            headers={
                "Content-Disposition": f'attachment; filename="{award_id}.jwt"',
                "Access-Control-Allow-Origin": "*",
            },
        )


@get("/", media_type=MediaType.HTML, opt={"access": "public"})
async def home(request: Request[Any, Any, Any]) -> Template:
    tenants = await Tenant.objects().output(load_json=True).order_by(Tenant.kind, Tenant.name_en)
    return await render(request, "home.html", tenants=tenants)


ROUTES = [HealthController, VerifyController, VerifyPageController, CredentialController, home]
