"""The achievements API: working copies, revisions, the approval workflow and its settings."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from hub.auth.principal import authenticate
from hub.errors import ConflictError
from hub.settings import Settings
from tenants import achievements, services, workflow
from tenants.controllers import achievement_out, actor_of, catalogue
from tenants.scope import TenantScope
from tenants.tables import Achievement, Tenant


class AlignmentIn(msgspec.Struct, forbid_unknown_fields=True):
    target_name: str
    target_url: str
    target_description: str = ""
    target_framework: str = ""
    target_code: str = ""
    target_type: str = ""


class LevelIn(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    name: dict[str, str]
    description: dict[str, str] = {}


class ContentIn(msgspec.Struct, forbid_unknown_fields=True):
    name: dict[str, str]
    description: dict[str, str]
    criteria: dict[str, str]
    achievement_type: str = "Badge"
    evidence: dict[str, str] = {}
    tags: list[str] = []
    alignments: list[AlignmentIn] = []
    levels: list[LevelIn] = []
    credits_available: float | None = None
    eqf_level: int | None = None
    valid_for_months: int | None = None
    # The revision the client edited; a newer stored revision makes the update a 409.
    expected_revision: int | None = None


class AchievementIn(ContentIn, forbid_unknown_fields=True):
    slug: str = ""
    image_svg: str | None = None
    # A PNG file sent base64-encoded (RFC 4648). It is stored wrapped in an SVG document, so
    # that achievement images are stored and served in one format.
    image_png: bytes | None = msgspec.field(default=None, name="image_png_base64")
    # ``published`` only for tenants whose approval rule is off.
    status: str = "draft"


class TransitionIn(msgspec.Struct, forbid_unknown_fields=True):
    action: str
    comment: str = ""


class ApprovalRuleIn(msgspec.Struct, forbid_unknown_fields=True):
    approval_required: bool
    distinct_approver: bool


def content_of(data: ContentIn) -> achievements.AchievementContent:
    return achievements.AchievementContent(
        name=data.name,
        description=data.description,
        criteria=data.criteria,
        achievement_type=data.achievement_type,
        evidence=data.evidence,
        tags=data.tags,
        alignments=[msgspec.structs.asdict(item) for item in data.alignments],
        levels=[msgspec.structs.asdict(item) for item in data.levels],
        credits_available=data.credits_available,
        eqf_level=data.eqf_level,
        valid_for_months=data.valid_for_months,
    )


def working_copy_out(settings: Settings, tenant: Tenant, row: Achievement) -> dict[str, Any]:
    """Describe the working copy with its workflow state, for editors and approvers."""
    url = services.achievement_url(settings, tenant.slug, row.id)
    return {
        "id": str(row.id),
        "url": url,
        "slug": row.slug,
        "status": row.status,
        "revision": row.revision,
        "version": row.version,
        "awardable": row.published is not None and row.status != "archived",
        "achievement_type": row.achievement_type,
        "name": row.name,
        "description": row.description,
        "criteria": row.criteria,
        "evidence": row.evidence,
        "tags": row.tags,
        "alignments": row.alignments,
        "levels": row.levels,
        "credits_available": row.credits_available,
        "eqf_level": row.eqf_level,
        "valid_for_months": row.valid_for_months,
        "created_by": row.created_by,
        "updated_by": row.updated_by,
        "submitted_by": row.submitted_by,
        "updated_at": row.updated_at.isoformat(),
        "image_url": f"{url}/image.svg" if row.published else None,
    }


async def _permissions(request: Request[Any, Any, Any], slug: str) -> frozenset[str]:
    principal = await authenticate(request)
    return principal.permissions_in(slug) if principal is not None else frozenset()


class AchievementCollectionApiController(Controller):
    path = "/api/v1/tenants/{slug:str}/achievements"
    tags = ["achievements"]

    @get("/", opt={"access": "public"})
    async def list_published(
        self, slug: FromPath[str], settings: NamedDependency[Settings]
    ) -> list[dict[str, Any]]:
        """List the tenant's public catalogue: published achievements that are not archived."""
        tenant = await services.get_tenant(slug)
        return [achievement_out(settings, tenant, row) for row in await catalogue(tenant)]

    @post("/", opt={"access": "achievement:edit"}, status_code=HTTP_201_CREATED)
    async def create(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        data: JSONBody[AchievementIn],
        settings: NamedDependency[Settings],
    ) -> dict[str, Any]:
        """Create an achievement; published at once only without the approval rule."""
        tenant = await services.get_tenant(slug)
        if data.status == "published" and workflow.approval_rule(tenant).approval_required:
            raise ConflictError(
                f"{tenant.slug!r} requires approval before publishing; create the achievement "
                "as a draft, then submit it for approval",
                code="approval-required",
            )
        content = content_of(data)
        row = await achievements.create_achievement(
            TenantScope(tenant),
            achievements.AchievementCreate(
                **content.__dict__,
                slug=data.slug,
                image_svg=data.image_svg,
                image_png=data.image_png,
                status=data.status,
            ),
            actor=await actor_of(request),
        )
        return working_copy_out(settings, tenant, row)


class AchievementApiController(Controller):
    """Editing and reviewing achievements of one tenant."""

    path = "/api/v1/tenants/{slug:str}/achievements/{achievement_id:uuid}"
    tags = ["achievements"]

    @get("/", opt={"access": "tenant:view"})
    async def get_working_copy(
        self,
        slug: FromPath[str],
        achievement_id: FromPath[uuid.UUID],
        settings: NamedDependency[Settings],
    ) -> dict[str, Any]:
        tenant = await services.get_tenant(slug)
        row = await TenantScope(tenant).get_achievement(achievement_id)
        return working_copy_out(settings, tenant, row)

    @put("/", opt={"access": "achievement:edit"}, status_code=HTTP_200_OK)
    async def update(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        achievement_id: FromPath[uuid.UUID],
        data: JSONBody[ContentIn],
        settings: NamedDependency[Settings],
    ) -> dict[str, Any]:
        tenant = await services.get_tenant(slug)
        row = await achievements.update_achievement(
            TenantScope(tenant),
            achievement_id,
            content_of(data),
            actor=await actor_of(request),
            expected_revision=data.expected_revision,
        )
        return working_copy_out(settings, tenant, row)

    @post("/transitions", opt={"access": "tenant:view"}, status_code=HTTP_200_OK)
    async def transition(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        achievement_id: FromPath[uuid.UUID],
        data: JSONBody[TransitionIn],
        settings: NamedDependency[Settings],
    ) -> dict[str, Any]:
        """Apply a workflow action; each action checks its own permission (edit or approve)."""
        tenant = await services.get_tenant(slug)
        row = await workflow.apply_transition(
            TenantScope(tenant),
            achievement_id,
            data.action,
            actor=await actor_of(request),
            permissions=await _permissions(request, slug),
            comment=data.comment,
        )
        return working_copy_out(settings, tenant, row)

    @get("/revisions", opt={"access": "tenant:view"})
    async def list_revisions(
        self, slug: FromPath[str], achievement_id: FromPath[uuid.UUID]
    ) -> list[dict[str, Any]]:
        scope = TenantScope(await services.get_tenant(slug))
        rows = await achievements.revisions(scope, achievement_id)
        return [
            {
                "revision": row.revision,
                "actor": row.actor,
                "created_at": row.created_at.isoformat(),
                "content": {key: value for key, value in row.content.items() if key != "image_svg"},
            }
            for row in rows
        ]

    @get("/reviews", opt={"access": "tenant:view"})
    async def list_reviews(
        self, slug: FromPath[str], achievement_id: FromPath[uuid.UUID]
    ) -> list[dict[str, Any]]:
        scope = TenantScope(await services.get_tenant(slug))
        rows = await workflow.reviews(scope, achievement_id)
        return [
            {
                "revision": row.revision,
                "from": row.from_status,
                "to": row.to_status,
                "actor": row.actor,
                "comment": row.comment,
                "created_at": row.created_at.isoformat(),
            }
            for row in rows
        ]


class TenantSettingsApiController(Controller):
    path = "/api/v1/tenants/{slug:str}/settings"
    tags = ["tenants"]

    @get("/approval", opt={"access": "tenant:view"})
    async def get_approval_rule(self, slug: FromPath[str]) -> dict[str, bool]:
        rule = workflow.approval_rule(await services.get_tenant(slug))
        return msgspec.structs.asdict(ApprovalRuleIn(**rule.__dict__))

    @put("/approval", opt={"access": "members:manage"}, status_code=HTTP_200_OK)
    async def set_approval_rule(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        data: JSONBody[ApprovalRuleIn],
    ) -> dict[str, bool]:
        tenant = await services.get_tenant(slug)
        rule = workflow.ApprovalRule(data.approval_required, data.distinct_approver)
        await workflow.set_approval_rule(tenant, rule, await actor_of(request))
        return msgspec.structs.asdict(data)


ROUTES = [AchievementCollectionApiController, AchievementApiController, TenantSettingsApiController]
