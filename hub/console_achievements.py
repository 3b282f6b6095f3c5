"""Console pages for achievements: catalogue, editing, approval workflow, history, awarding.

Forms work without JavaScript. A rejected form is shown again with the submitted values and
the error, so nothing typed is lost.
"""

from __future__ import annotations

import re
import secrets
import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from hub.auth.principal import Principal, authenticate
from hub.credentials.ob3 import ACHIEVEMENT_TYPES
from hub.errors import ConflictError, HubError, InvalidInputError, PermissionDeniedError
from hub.images import INERT_SVG_HEADERS
from hub.pages import render
from hub.problems import status_for
from hub.settings import Settings
from tenants import achievements, services, workflow
from tenants.scope import TenantScope
from tenants.tables import Achievement, Award, Tenant

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
# Empty rows offered below the filled ones in the levels and alignments tables.
SPARE_ROWS = 2
LOCALIZED_FIELDS = ("name", "description", "criteria", "evidence")
ALIGNMENT_KEYS = (
    "target_name",
    "target_url",
    "target_framework",
    "target_code",
    "target_type",
    "target_description",
)
SVG_HEADERS = {"Cache-Control": "private, no-cache", **INERT_SVG_HEADERS}


async def _viewer(request: Request[Any, Any, Any]) -> Principal:
    principal = await authenticate(request)
    assert principal is not None  # the route's access level requires a signed-in person
    return principal


def form_languages(values: dict[str, Any], add: str | None = None) -> list[str]:
    """Return the languages a form shows: French, English, those with text, and ``add``."""
    languages = ["fr", "en"]
    for field_name in LOCALIZED_FIELDS:
        for language in values.get(field_name) or {}:
            if language not in languages:
                languages.append(language)
    if add in achievements.EU_LANGUAGES and add not in languages:
        languages.append(add)
    return languages


def values_of(row: Achievement | None) -> dict[str, Any]:
    """Return a working copy as form values (the shape ``parse_form`` returns)."""
    if row is None:
        return {
            "slug": "",
            "achievement_type": "Badge",
            "name": {},
            "description": {},
            "criteria": {},
            "evidence": {},
            "tags": [],
            "alignments": [],
            "levels": [],
            "credits_available": None,
            "eqf_level": None,
            "valid_for_months": None,
        }
    return {
        "slug": row.slug,
        "achievement_type": row.achievement_type,
        "name": row.name,
        "description": row.description,
        "criteria": row.criteria,
        "evidence": row.evidence or {},
        "tags": row.tags or [],
        "alignments": [
            {
                "target_name": item.get("targetName", ""),
                "target_url": item.get("targetUrl", ""),
                "target_framework": item.get("targetFramework", ""),
                "target_code": item.get("targetCode", ""),
                "target_type": item.get("targetType", ""),
                "target_description": item.get("targetDescription", ""),
            }
            for item in row.alignments or []
        ],
        "levels": row.levels or [],
        "credits_available": row.credits_available,
        "eqf_level": row.eqf_level,
        "valid_for_months": row.valid_for_months,
    }


def _optional_number(form: dict[str, str], key: str, label: str, kind: type) -> Any:
    text = form.get(key, "").strip().replace(",", ".")
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        raise InvalidInputError(
            f"{label} {text!r} is not a number; give digits such as 2.5", code="invalid-number"
        ) from None


def parse_form(form: dict[str, str]) -> dict[str, Any]:
    """Read the achievement form back into values; blank rows and blank translations drop out."""
    values: dict[str, Any] = {"slug": form.get("slug", "").strip()}
    for field_name in LOCALIZED_FIELDS:
        prefix = f"{field_name}."
        values[field_name] = {
            key.removeprefix(prefix): text.strip()
            for key, text in form.items()
            if key.startswith(prefix) and text.strip()
        }
    values["achievement_type"] = form.get("achievement_type", "Badge")
    values["tags"] = [tag.strip() for tag in form.get("tags", "").split(",") if tag.strip()]
    alignments = []
    for index in _row_indices(form, "alignment."):
        row = {key: form.get(f"alignment.{index}.{key}", "").strip() for key in ALIGNMENT_KEYS}
        if any(row.values()):
            alignments.append(row)
    values["alignments"] = alignments
    levels = []
    for index in _row_indices(form, "level."):
        prefix = f"level.{index}."
        level_id = form.get(prefix + "id", "").strip()
        names = {
            key.removeprefix(prefix + "name."): text.strip()
            for key, text in form.items()
            if key.startswith(prefix + "name.") and text.strip()
        }
        descriptions = {
            key.removeprefix(prefix + "description."): text.strip()
            for key, text in form.items()
            if key.startswith(prefix + "description.") and text.strip()
        }
        if level_id or names or descriptions:
            levels.append({"id": level_id, "name": names, "description": descriptions})
    values["levels"] = levels
    values["credits_available"] = _optional_number(form, "credits_available", "ECTS", float)
    values["eqf_level"] = _optional_number(form, "eqf_level", "EQF level", int)
    values["valid_for_months"] = _optional_number(
        form, "valid_for_months", "validity in months", int
    )
    return values


ROW_KEY = re.compile(r"^(?:alignment|level)\.(\d{1,4})\.")


def _row_indices(form: dict[str, str], prefix: str) -> list[int]:
    """Return the row numbers used by the form's fields of one table, in order.

    Every submitted row counts, so a form with too many rows gets the validator's "at most"
    error instead of losing rows silently.
    """
    indices = set()
    for key in form:
        if key.startswith(prefix):
            match = ROW_KEY.match(key)
            if match is None:
                raise InvalidInputError(
                    f"form field {key!r} is malformed; table rows are numbered 0, 1, 2…",
                    code="invalid-form",
                )
            indices.add(int(match.group(1)))
    return sorted(indices)


def content_of(values: dict[str, Any]) -> achievements.AchievementContent:
    return achievements.AchievementContent(
        name=values["name"],
        description=values["description"],
        criteria=values["criteria"],
        achievement_type=values["achievement_type"],
        evidence=values["evidence"],
        tags=values["tags"],
        alignments=values["alignments"],
        levels=values["levels"],
        credits_available=values["credits_available"],
        eqf_level=values["eqf_level"],
        valid_for_months=values["valid_for_months"],
    )


def form_context(values: dict[str, Any], add: str | None = None) -> dict[str, Any]:
    return {
        "values": values,
        "languages": form_languages(values, add),
        "addable_languages": [
            language
            for language in achievements.EU_LANGUAGES
            if language not in form_languages(values, add)
        ],
        "achievement_types": sorted(ACHIEVEMENT_TYPES),
        "alignment_rows": len(values["alignments"]) + SPARE_ROWS,
        "level_rows": min(len(values["levels"]) + SPARE_ROWS, achievements.MAX_LEVELS),
    }


def award_request(achievement_id: uuid.UUID, data: dict[str, str]) -> services.AwardCreate:
    """Read the award form (``console/_award_form.html``) into an award request."""
    return services.AwardCreate(
        achievement_id=achievement_id,
        recipient_email=data.get("recipient_email", ""),
        recipient_name=data.get("recipient_name", ""),
        language=data.get("language", "en"),
        level=data.get("level") or None,
        evidence_url=data.get("evidence_url", ""),
        narrative=data.get("narrative", ""),
        send_email=data.get("send_email") == "on",
        # One submission of the form awards once, even when the browser resends it.
        idempotency_key=data.get("submission") or None,
    )


class AchievementConsoleController(Controller):
    path = "/console/tenants/{slug:str}/achievements"

    @get("/", opt={"access": "tenant:view"})
    async def index(self, request: Request[Any, Any, Any], slug: FromPath[str]) -> Template:
        tenant = await services.get_tenant(slug)
        rows = await TenantScope(tenant).achievements().order_by(Achievement.created_at)
        viewer = await _viewer(request)
        return await render(
            request,
            "console/achievements.html",
            tenant=tenant,
            achievements=rows,
            can_edit=viewer.can("achievement:edit", slug),
        )

    @get("/new", opt={"access": "achievement:edit"})
    async def new(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        add: FromQuery[str | None] = None,
    ) -> Template:
        tenant = await services.get_tenant(slug)
        return await render(
            request,
            "console/achievement_form.html",
            tenant=tenant,
            achievement=None,
            error=None,
            **form_context(values_of(None), add),
        )

    @post("/new", opt={"access": "achievement:edit"}, status_code=303)
    async def create(
        self, request: Request[Any, Any, Any], slug: FromPath[str], data: FormData
    ) -> Redirect | Template:
        tenant = await services.get_tenant(slug)
        viewer = await _viewer(request)
        values: dict[str, Any] = values_of(None)
        try:
            values = parse_form(data)
            if data.get("intent") == "add-language":
                return await render(
                    request,
                    "console/achievement_form.html",
                    status_code=200,
                    tenant=tenant,
                    achievement=None,
                    error=None,
                    **form_context(values, data.get("add_language")),
                )
            row = await achievements.create_achievement(
                TenantScope(tenant),
                achievements.AchievementCreate(
                    **content_of(values).__dict__, slug=values["slug"], status="draft"
                ),
                actor=viewer.actor,
            )
        except (InvalidInputError, ConflictError) as error:
            return await render(
                request,
                "console/achievement_form.html",
                status_code=400 if isinstance(error, InvalidInputError) else 409,
                tenant=tenant,
                achievement=None,
                error=error.message,
                **form_context(values, data.get("add_language")),
            )
        return Redirect(
            f"/console/tenants/{slug}/achievements/{row.id}?done=created", status_code=303
        )

    @get("/{achievement_id:uuid}", opt={"access": "tenant:view"})
    async def detail(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        achievement_id: FromPath[uuid.UUID],
        settings: NamedDependency[Settings],
        add: FromQuery[str | None] = None,
        done: FromQuery[str | None] = None,
    ) -> Template:
        tenant = await services.get_tenant(slug)
        row = await TenantScope(tenant).get_achievement(achievement_id)
        return await self._page(request, settings, tenant, row, values_of(row), add, done)

    async def _page(
        self,
        request: Request[Any, Any, Any],
        settings: Settings,
        tenant: Tenant,
        row: Achievement,
        values: dict[str, Any],
        add: str | None,
        done: str | None,
        error: str | None = None,
        status_code: int = 200,
    ) -> Template:
        viewer = await _viewer(request)
        scope = TenantScope(tenant)
        permissions = viewer.permissions_in(tenant.slug)
        rule = workflow.approval_rule(tenant)
        view = achievements.published_view(row)
        awards = await Award.count().where(Award.tenant == tenant.id, Award.achievement == row.id)
        return await render(
            request,
            "console/achievement.html",
            status_code=status_code,
            tenant=tenant,
            achievement=row,
            published=view,
            public_url=services.achievement_url(settings, tenant.slug, row.id),
            can_edit="achievement:edit" in permissions
            and row.status in achievements.EDITABLE_STATES,
            can_award="award:issue" in permissions and view is not None and not view.archived,
            transitions=workflow.available_transitions(row, rule, permissions),
            rule=rule,
            reviews=await workflow.reviews(scope, row.id),
            revisions=await achievements.revisions(scope, row.id),
            award_count=awards,
            submission=secrets.token_urlsafe(16),
            error=error,
            done=done,
            **form_context(values, add),
        )

    @post("/{achievement_id:uuid}", opt={"access": "achievement:edit"}, status_code=303)
    async def update(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        achievement_id: FromPath[uuid.UUID],
        settings: NamedDependency[Settings],
        data: FormData,
    ) -> Redirect | Template:
        tenant = await services.get_tenant(slug)
        scope = TenantScope(tenant)
        viewer = await _viewer(request)
        values: dict[str, Any] = {}
        try:
            values = parse_form(data)
            if data.get("intent") == "add-language":
                row = await scope.get_achievement(achievement_id)
                return await self._page(
                    request,
                    settings,
                    tenant,
                    row,
                    {**values, "slug": row.slug},
                    data.get("add_language"),
                    None,
                )
            expected = _optional_number(data, "expected_revision", "revision", int)
            await achievements.update_achievement(
                scope, achievement_id, content_of(values), viewer.actor, expected_revision=expected
            )
        except (InvalidInputError, ConflictError) as error:
            row = await scope.get_achievement(achievement_id)
            return await self._page(
                request,
                settings,
                tenant,
                row,
                {**values_of(row), **values, "slug": row.slug},
                data.get("add_language"),
                None,
                error=error.message,
                status_code=400 if isinstance(error, InvalidInputError) else 409,
            )
        return Redirect(
            f"/console/tenants/{slug}/achievements/{achievement_id}?done=saved", status_code=303
        )

    @post("/{achievement_id:uuid}/transition", opt={"access": "tenant:view"}, status_code=303)
    async def transition(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        achievement_id: FromPath[uuid.UUID],
        settings: NamedDependency[Settings],
        data: FormData,
    ) -> Redirect | Template:
        """Apply a workflow action; ``apply_transition`` checks the permission it needs."""
        tenant = await services.get_tenant(slug)
        viewer = await _viewer(request)
        action = data.get("action", "")
        try:
            await workflow.apply_transition(
                TenantScope(tenant),
                achievement_id,
                action,
                actor=viewer.actor,
                permissions=viewer.permissions_in(slug),
                comment=data.get("comment", ""),
            )
        except (InvalidInputError, ConflictError, PermissionDeniedError) as error:
            row = await TenantScope(tenant).get_achievement(achievement_id)
            return await self._page(
                request,
                settings,
                tenant,
                row,
                values_of(row),
                None,
                None,
                error=error.message,
                status_code=status_for(error),
            )
        return Redirect(
            f"/console/tenants/{slug}/achievements/{achievement_id}?done={action}", status_code=303
        )

    @post("/{achievement_id:uuid}/award", opt={"access": "award:issue"}, status_code=303)
    async def award(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        achievement_id: FromPath[uuid.UUID],
        settings: NamedDependency[Settings],
        data: FormData,
    ) -> Redirect | Template:
        """Award the published revision to one person, and open the new credential's page."""
        tenant = await services.get_tenant(slug)
        viewer = await _viewer(request)
        try:
            result = await services.award_achievement(
                settings,
                TenantScope(tenant),
                award_request(achievement_id, data),
                actor=viewer.actor,
            )
        except HubError as error:
            row = await TenantScope(tenant).get_achievement(achievement_id)
            return await self._page(
                request,
                settings,
                tenant,
                row,
                values_of(row),
                None,
                None,
                error=error.message,
                status_code=status_for(error),
            )
        return Redirect(f"/console/tenants/{slug}/awards/{result.award.id}", status_code=303)

    @get("/{achievement_id:uuid}/image.svg", opt={"access": "tenant:view"})
    async def working_image(
        self, slug: FromPath[str], achievement_id: FromPath[uuid.UUID]
    ) -> Response[str]:
        """Serve the working copy's image, which may differ from the published one."""
        tenant = await services.get_tenant(slug)
        row = await TenantScope(tenant).get_achievement(achievement_id)
        return Response(row.image_svg, media_type="image/svg+xml", headers=SVG_HEADERS)


class TenantSettingsConsoleController(Controller):
    path = "/console/tenants/{slug:str}/settings"

    @get("/", opt={"access": "members:manage"})
    async def show(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        done: FromQuery[str | None] = None,
    ) -> Template:
        tenant = await services.get_tenant(slug)
        return await render(
            request,
            "console/tenant_settings.html",
            tenant=tenant,
            rule=workflow.approval_rule(tenant),
            done=done == "saved",
        )

    @post("/", opt={"access": "members:manage"}, status_code=303)
    async def save(
        self, request: Request[Any, Any, Any], slug: FromPath[str], data: FormData
    ) -> Redirect:
        tenant = await services.get_tenant(slug)
        viewer = await _viewer(request)
        for name in ("approval_required", "distinct_approver"):
            # A checkbox sends "on" or nothing; anything else is a forged or broken form, and
            # reading it as "off" would switch the rule off silently.
            if data.get(name, "on") != "on":
                raise InvalidInputError(
                    f"{name} must be 'on' (checked) or absent (unchecked), not {data[name]!r}",
                    code="invalid-setting",
                )
        rule = workflow.ApprovalRule(
            approval_required=data.get("approval_required") == "on",
            distinct_approver=data.get("distinct_approver") == "on",
        )
        await workflow.set_approval_rule(tenant, rule, viewer.actor)
        return Redirect(f"/console/tenants/{slug}/settings?done=saved", status_code=303)


ROUTES = [AchievementConsoleController, TenantSettingsConsoleController]
