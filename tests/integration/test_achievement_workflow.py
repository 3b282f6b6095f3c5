"""Achievement editing and the approval workflow: states, permissions, revisions, audit."""

from __future__ import annotations

import uuid

import pytest

from hub.auth.permissions import PERMISSIONS_BY_ROLE
from hub.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from hub.settings import Settings
from hub.tables import AuditEvent
from tenants import achievements, workflow
from tenants.achievements import AchievementContent
from tenants.scope import TenantScope
from tenants.tables import Achievement, AchievementReview, AchievementRevision, Award
from tests.factories import make_achievement, make_award, make_tenant

pytestmark = pytest.mark.integration

EDITOR = PERMISSIONS_BY_ROLE["badge-editor"]
APPROVER = PERMISSIONS_BY_ROLE["badge-approver"]
ADMIN = PERMISSIONS_BY_ROLE["tenant-admin"]

CONTENT = AchievementContent(
    name={"fr": "Cap Campus", "en": "Cap Campus"},
    description={"fr": "Accueil des nouveaux étudiants.", "en": "Welcome for new students."},
    criteria={"fr": "Suivre les ateliers.", "en": "Attend the workshops."},
)


async def draft(settings: Settings) -> tuple[TenantScope, Achievement]:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant, status="draft")
    return TenantScope(tenant), achievement


async def move(
    scope: TenantScope,
    achievement: Achievement,
    action: str,
    actor: str,
    permissions: frozenset[str],
    comment: str = "",
) -> Achievement:
    return await workflow.apply_transition(
        scope, achievement.id, action, actor=actor, permissions=permissions, comment=comment
    )


async def test_full_path_to_published(db: str, settings: Settings) -> None:
    scope, achievement = await draft(settings)

    await move(scope, achievement, "submit", "user:author", EDITOR)
    await move(scope, achievement, "approve", "user:reviewer", APPROVER)
    published = await move(scope, achievement, "publish", "user:author", EDITOR)

    assert published.status == "published"
    assert published.version == 1
    assert published.published is not None
    assert published.published["name"] == {"en": "Cap Campus", "fr": "Cap Campus"}
    assert await AchievementReview.count() == 3


async def test_author_cannot_approve_own_revision(db: str, settings: Settings) -> None:
    scope, achievement = await draft(settings)
    await move(scope, achievement, "submit", "user:author", ADMIN)

    with pytest.raises(PermissionDeniedError) as raised:
        await move(scope, achievement, "approve", "user:author", ADMIN)

    assert raised.value.code == "approver-is-author"
    stored = await scope.get_achievement(achievement.id)
    assert stored.status == "submitted"


async def test_last_editor_cannot_approve(db: str, settings: Settings) -> None:
    scope, achievement = await draft(settings)
    await achievements.update_achievement(scope, achievement.id, CONTENT, "user:editor")
    await move(scope, achievement, "submit", "user:author", EDITOR)

    with pytest.raises(PermissionDeniedError):
        await move(scope, achievement, "approve", "user:editor", ADMIN)


async def test_author_may_approve_when_rule_allows(db: str, settings: Settings) -> None:
    scope, achievement = await draft(settings)
    await workflow.set_approval_rule(
        scope.tenant, workflow.ApprovalRule(distinct_approver=False), "user:admin"
    )
    await move(scope, achievement, "submit", "user:author", ADMIN)

    approved = await move(scope, achievement, "approve", "user:author", ADMIN)

    assert approved.status == "approved"


async def test_editor_cannot_approve(db: str, settings: Settings) -> None:
    scope, achievement = await draft(settings)
    await move(scope, achievement, "submit", "user:author", EDITOR)

    with pytest.raises(PermissionDeniedError):
        await move(scope, achievement, "approve", "user:other-editor", EDITOR)


async def test_approver_cannot_submit(db: str, settings: Settings) -> None:
    scope, achievement = await draft(settings)

    with pytest.raises(PermissionDeniedError):
        await move(scope, achievement, "submit", "user:reviewer", APPROVER)


async def test_draft_cannot_be_published_directly(db: str, settings: Settings) -> None:
    scope, achievement = await draft(settings)

    with pytest.raises(ConflictError) as raised:
        await move(scope, achievement, "publish", "user:author", ADMIN)

    assert raised.value.code == "invalid-transition"


async def test_draft_published_directly_without_rule(db: str, settings: Settings) -> None:
    scope, achievement = await draft(settings)
    await workflow.set_approval_rule(
        scope.tenant, workflow.ApprovalRule(approval_required=False), "user:admin"
    )

    published = await move(scope, achievement, "publish", "user:author", EDITOR)

    assert published.status == "published"


async def test_request_changes_needs_comment(db: str, settings: Settings) -> None:
    scope, achievement = await draft(settings)
    await move(scope, achievement, "submit", "user:author", EDITOR)

    with pytest.raises(InvalidInputError) as raised:
        await move(scope, achievement, "request_changes", "user:reviewer", APPROVER)

    assert raised.value.code == "missing-comment"


async def test_changes_requested_then_resubmitted(db: str, settings: Settings) -> None:
    scope, achievement = await draft(settings)
    await move(scope, achievement, "submit", "user:author", EDITOR)
    await move(
        scope, achievement, "request_changes", "user:reviewer", APPROVER, "Add English criteria"
    )

    edited = await achievements.update_achievement(scope, achievement.id, CONTENT, "user:author")
    resubmitted = await move(scope, achievement, "submit", "user:author", EDITOR)

    comments = [review.comment for review in await workflow.reviews(scope, achievement.id)]
    assert edited.status == "draft"
    assert edited.revision == 2
    assert resubmitted.status == "submitted"
    assert "Add English criteria" in comments


async def test_submitted_achievement_cannot_be_edited(db: str, settings: Settings) -> None:
    scope, achievement = await draft(settings)
    await move(scope, achievement, "submit", "user:author", EDITOR)

    with pytest.raises(ConflictError) as raised:
        await achievements.update_achievement(scope, achievement.id, CONTENT, "user:author")

    assert raised.value.code == "achievement-not-editable"


async def test_every_transition_is_audited(db: str, settings: Settings) -> None:
    scope, achievement = await draft(settings)
    await move(scope, achievement, "submit", "user:author", EDITOR)
    await move(scope, achievement, "withdraw", "user:author", EDITOR)
    await move(scope, achievement, "submit", "user:author", EDITOR)
    await move(scope, achievement, "approve", "user:reviewer", APPROVER)
    await move(scope, achievement, "publish", "user:author", EDITOR)
    await move(scope, achievement, "archive", "user:reviewer", APPROVER)
    await move(scope, achievement, "reopen", "user:reviewer", APPROVER)

    events = await AuditEvent.select(AuditEvent.action, AuditEvent.actor).where(
        AuditEvent.target == str(achievement.id), AuditEvent.action != "achievement:created"
    )
    assert [event["action"] for event in events] == [
        "achievement:submitted",
        "achievement:withdrawn",
        "achievement:submitted",
        "achievement:approved",
        "achievement:published",
        "achievement:archived",
        "achievement:reopened",
    ]
    assert events[3]["actor"] == "user:reviewer"


async def test_only_published_achievement_is_awarded(db: str, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant, status="draft")

    with pytest.raises(ConflictError) as raised:
        await make_award(settings, tenant, achievement)

    assert raised.value.code == "achievement-not-published"
    assert await Award.count() == 0


async def test_archived_achievement_is_not_awarded(db: str, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant)
    scope = TenantScope(tenant)
    await move(scope, achievement, "archive", "user:reviewer", APPROVER)

    with pytest.raises(ConflictError):
        await make_award(settings, tenant, achievement)


async def test_revision_keeps_published_awardable(db: str, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant)
    scope = TenantScope(tenant)
    renamed = AchievementContent(
        name={"fr": "Cap Campus 2027", "en": "Cap Campus 2027"},
        description=CONTENT.description,
        criteria=CONTENT.criteria,
    )

    revised = await achievements.update_achievement(scope, achievement.id, renamed, "user:a")
    award = (await make_award(settings, tenant, revised)).award

    assert revised.status == "draft"
    assert award.credential["credentialSubject"]["achievement"]["name"] == "Cap Campus"
    assert award.achievement_version == 1


async def test_new_version_awarded_after_publishing(db: str, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant)
    scope = TenantScope(tenant)
    renamed = AchievementContent(
        name={"fr": "Cap Campus 2027", "en": "Cap Campus 2027"},
        description=CONTENT.description,
        criteria=CONTENT.criteria,
    )
    await achievements.update_achievement(scope, achievement.id, renamed, "user:author")
    await move(scope, achievement, "submit", "user:author", EDITOR)
    await move(scope, achievement, "approve", "user:reviewer", APPROVER)
    published = await move(scope, achievement, "publish", "user:author", EDITOR)

    award = (await make_award(settings, tenant, published)).award

    assert award.credential["credentialSubject"]["achievement"]["name"] == "Cap Campus 2027"
    assert award.achievement_version == 2
    assert award.credential["credentialSubject"]["achievement"]["version"] == "2"


async def test_revisions_form_history(db: str, settings: Settings) -> None:
    scope, achievement = await draft(settings)
    await achievements.update_achievement(scope, achievement.id, CONTENT, "user:a")

    history = await achievements.revisions(scope, achievement.id)

    assert [row.revision for row in history] == [2, 1]
    assert history[0].actor == "user:a"
    assert await AchievementRevision.count() == 2


async def test_stale_revision_is_conflict(db: str, settings: Settings) -> None:
    scope, achievement = await draft(settings)
    await achievements.update_achievement(scope, achievement.id, CONTENT, "user:a")

    with pytest.raises(ConflictError) as raised:
        await achievements.update_achievement(
            scope, achievement.id, CONTENT, "user:b", expected_revision=1
        )

    assert raised.value.code == "achievement-changed"


async def test_unknown_transition_is_rejected(db: str, settings: Settings) -> None:
    scope, achievement = await draft(settings)

    with pytest.raises(InvalidInputError) as raised:
        await move(scope, achievement, "delete", "user:a", ADMIN)

    assert raised.value.code == "invalid-transition"


async def test_other_tenants_achievement_is_not_found(db: str, settings: Settings) -> None:
    scope, achievement = await draft(settings)
    other = TenantScope(await make_tenant(settings, slug="btu"))

    with pytest.raises(NotFoundError):
        await workflow.apply_transition(
            other, achievement.id, "submit", actor="user:a", permissions=ADMIN
        )
    with pytest.raises(NotFoundError):
        await workflow.apply_transition(
            scope, uuid.uuid4(), "submit", actor="user:a", permissions=ADMIN
        )


async def test_comment_with_control_character_rejected(db: str, settings: Settings) -> None:
    scope, achievement = await draft(settings)

    with pytest.raises(InvalidInputError) as raised:
        await move(scope, achievement, "submit", "user:author", EDITOR, "see \x1b[31m")

    stored = await scope.get_achievement(achievement.id)
    assert raised.value.code == "invalid-text"
    assert stored.status == "draft"
