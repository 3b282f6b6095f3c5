"""HTTP routes of the tenants domain: public identity documents and the issuing API."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody
from litestar.response import Template
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from hub.auth.principal import authenticate
from hub.images import INERT_SVG_HEADERS
from hub.pages import language_of, render
from hub.settings import Settings
from tenants import achievements, identity, services
from tenants.scope import TenantScope
from tenants.tables import Achievement, Award, Tenant

JSON_LD = "application/ld+json"
DID_JSON = "application/did+json"
# Identity documents are public and fetched by verifiers running in other sites' pages.
PUBLIC_DOCUMENT_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Cache-Control": "public, max-age=300",
}
# Pages that return HTML or JSON-LD by the Accept header, so shared caches keep both apart.
NEGOTIATED_HEADERS = {"Vary": "Accept", "Access-Control-Allow-Origin": "*"}


class AwardIn(msgspec.Struct, forbid_unknown_fields=True):
    achievement_id: FromPath[uuid.UUID]
    recipient_email: str
    recipient_name: str
    language: str = "en"
    level: str | None = None
    evidence_url: str = ""
    narrative: str = ""
    # Queue the award notice e-mail to the earner (default) or not.
    send_email: bool = True


def achievement_out(
    settings: NamedDependency[Settings], tenant: Tenant, row: Achievement
) -> dict[str, Any]:
    """Describe the published revision of an achievement, for the public catalogue API."""
    view = achievements.published_view(row)
    assert view is not None  # callers list published achievements only
    url = services.achievement_url(settings, tenant.slug, row.id)
    return {
        "id": str(row.id),
        "url": url,
        "slug": row.slug,
        "version": view.version,
        "archived": view.archived,
        "achievement_type": view.achievement_type,
        "name": view.name,
        "description": view.description,
        "criteria": view.criteria,
        "evidence": view.evidence,
        "tags": view.tags,
        "alignments": view.alignments,
        "levels": view.levels,
        "credits_available": view.credits_available,
        "eqf_level": view.eqf_level,
        "valid_for_months": view.valid_for_months,
        "image_url": f"{url}/image.svg",
    }


def award_out(settings: NamedDependency[Settings], award: Award) -> dict[str, Any]:
    url = services.credential_url(settings, award.id)
    return {
        "id": str(award.id),
        "achievement_id": str(award.achievement),
        "issued_at": award.issued_at.isoformat(),
        "credential_url": url,
        "verification_page": url,
        "json_url": f"{url}/credential.json",
        "jwt_url": f"{url}/credential.jwt",
        "credential": msgspec.json.decode(award.credential_text),
    }


async def actor_of(request: Request[Any, Any, Any]) -> str:
    """Return the audit ``actor`` of a request that passed the route's access check."""
    principal = await authenticate(request)
    return principal.actor if principal is not None else "anonymous"


async def catalogue(tenant: Tenant) -> list[Achievement]:
    """List the achievements a tenant shows publicly: published and not archived."""
    return list(
        await TenantScope(tenant)
        .achievements()
        .where(Achievement.published.is_not_null(), Achievement.status != "archived")
        .order_by(Achievement.created_at)
    )


def prefers_html(request: Request[Any, Any, Any]) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "json" not in accept.split(",")[0]


class TenantPublicController(Controller):
    """Issuer identity documents. Public: verifiers fetch them without credentials."""

    path = "/tenants/{slug:str}"
    opt = {"access": "public"}

    @get("/", media_type=JSON_LD)
    async def profile(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        settings: NamedDependency[Settings],
    ) -> Response[Any] | Template:
        tenant = await services.get_tenant(slug)
        if prefers_html(request):
            rows = await catalogue(tenant)
            return await render(
                request,
                "tenant.html",
                tenant=tenant,
                achievements=[achievements.published_view(row) for row in rows],
                did=identity.tenant_did(settings, slug),
            )
        return Response(
            identity.profile_document(settings, tenant),
            media_type=JSON_LD,
            headers=NEGOTIATED_HEADERS,
        )

    @get("/did.json", media_type=DID_JSON)
    async def did_document(
        self, slug: FromPath[str], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        tenant = await services.get_tenant(slug)
        keys = await services.published_keys(tenant)
        return Response(
            identity.did_document(settings, tenant, keys),
            media_type=DID_JSON,
            headers=PUBLIC_DOCUMENT_HEADERS,
        )

    @get("/jwks.json", media_type="application/jwk-set+json")
    async def jwks(self, slug: FromPath[str], settings: NamedDependency[Settings]) -> Response[Any]:
        tenant = await services.get_tenant(slug)
        keys = await services.published_keys(tenant)
        return Response(
            identity.jwks(keys, settings, slug),
            media_type="application/jwk-set+json",
            headers=PUBLIC_DOCUMENT_HEADERS,
        )

    @get("/achievements/{achievement_id:uuid}", media_type=JSON_LD)
    async def achievement(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        achievement_id: FromPath[uuid.UUID],
        settings: NamedDependency[Settings],
        lang: FromQuery[str | None] = None,
    ) -> Response[Any] | Template:
        tenant = await services.get_tenant(slug)
        row = await TenantScope(tenant).get_published_achievement(achievement_id)
        view = achievements.published_view(row)
        assert view is not None  # get_published_achievement guarantees it
        language = lang if lang in services.SUPPORTED_LANGUAGES else language_of(request)
        data = services.achievement_data(settings, tenant, view, language)
        if prefers_html(request):
            return await render(
                request, "achievement.html", tenant=tenant, achievement=view, data=data
            )
        document = {
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            ],
            **data.to_json(),
        }
        return Response(document, media_type=JSON_LD, headers=NEGOTIATED_HEADERS)

    @get("/achievements/{achievement_id:uuid}/image.svg", media_type="image/svg+xml")
    async def achievement_image(
        self, slug: FromPath[str], achievement_id: FromPath[uuid.UUID]
    ) -> Response[str]:
        tenant = await services.get_tenant(slug)
        row = await TenantScope(tenant).get_published_achievement(achievement_id)
        view = achievements.published_view(row)
        assert view is not None  # get_published_achievement guarantees it
        return Response(
            view.image_svg,
            media_type="image/svg+xml",
            headers={"Cache-Control": "public, max-age=3600", **INERT_SVG_HEADERS},
        )


class TenantApiController(Controller):
    """The issuing API of one tenant, for systems holding that tenant's API token."""

    path = "/api/v1/tenants"
    tags = ["tenants"]

    @get("/", opt={"access": "public"})
    async def list_tenants(self, settings: NamedDependency[Settings]) -> list[dict[str, Any]]:
        tenants = await Tenant.objects().output(load_json=True).order_by(Tenant.slug)
        return [
            {
                "slug": tenant.slug,
                "kind": tenant.kind,
                "name": tenant.name,
                "name_en": tenant.name_en,
                "country": tenant.country,
                "home_page": tenant.home_page,
                "did": identity.tenant_did(settings, tenant.slug),
                "profile_url": identity.tenant_url(settings, tenant.slug),
            }
            for tenant in tenants
        ]

    @post("/{slug:str}/awards", opt={"access": "award:issue"})
    async def create_award(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        data: JSONBody[AwardIn],
        settings: NamedDependency[Settings],
        idempotency_key: Annotated[
            str | None, HeaderParameter(name="Idempotency-Key", required=False)
        ] = None,
    ) -> Response[dict[str, Any]]:
        tenant = await services.get_tenant(slug)
        result = await services.award_achievement(
            settings,
            TenantScope(tenant),
            services.AwardCreate(
                achievement_id=data.achievement_id,
                recipient_email=data.recipient_email,
                recipient_name=data.recipient_name,
                language=data.language,
                idempotency_key=idempotency_key,
                level=data.level,
                evidence_url=data.evidence_url,
                narrative=data.narrative,
                send_email=data.send_email,
            ),
            actor=await actor_of(request),
        )
        status = HTTP_201_CREATED if result.created else HTTP_200_OK
        return Response(award_out(settings, result.award), status_code=status)

    @get("/{slug:str}/awards/{award_id:uuid}", opt={"access": "award:view"})
    async def get_award(
        self,
        slug: FromPath[str],
        award_id: FromPath[uuid.UUID],
        settings: NamedDependency[Settings],
    ) -> dict[str, Any]:
        tenant = await services.get_tenant(slug)
        award = await TenantScope(tenant).get_award(award_id)
        return award_out(settings, award)


ROUTES = [TenantPublicController, TenantApiController]
