"""The approval workflow of achievements.

draft → submitted → approved or changes_requested (with a comment) → published → archived.
Only a published revision can be awarded. Each transition is a row in ``achievement_review``
and an audit event, written in one transaction with the state change.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hub.audit import record_event
from hub.errors import ConflictError, InvalidInputError, PermissionDeniedError
from tenants.achievements import content_snapshot, utcnow
from tenants.scope import TenantScope
from tenants.tables import Achievement, AchievementReview, Tenant, tenant_settings
from tenants.validation import CONTROL_CHARACTERS

MAX_COMMENT = 4000


@dataclass(frozen=True)
class ApprovalRule:
    """A tenant's rule: whether publishing needs an approval, and by someone else."""

    approval_required: bool = True
    distinct_approver: bool = True


def approval_rule(tenant: Tenant) -> ApprovalRule:
    stored: Mapping[str, Any] = tenant_settings(tenant).get("approval", {})
    return ApprovalRule(
        approval_required=bool(stored.get("approval_required", True)),
        distinct_approver=bool(stored.get("distinct_approver", True)),
    )


async def set_approval_rule(tenant: Tenant, rule: ApprovalRule, actor: str) -> None:
    settings = tenant_settings(tenant)
    settings["approval"] = {
        "approval_required": rule.approval_required,
        "distinct_approver": rule.distinct_approver,
    }
    async with Tenant._meta.db.transaction():
        await Tenant.update({Tenant.settings: settings}).where(Tenant.id == tenant.id)
        await record_event(
            "tenant:settings-updated",
            actor=actor,
            tenant=tenant.slug,
            target="approval",
            details=settings["approval"],
        )
    tenant.settings = settings


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    permission: str
    audit_action: str


TRANSITIONS: dict[str, Transition] = {
    transition.name: transition
    for transition in (
        Transition(
            "submit",
            frozenset({"draft", "changes_requested"}),
            "submitted",
            "achievement:edit",
            "achievement:submitted",
        ),
        Transition(
            "withdraw",
            frozenset({"submitted"}),
            "draft",
            "achievement:edit",
            "achievement:withdrawn",
        ),
        Transition(
            "approve",
            frozenset({"submitted"}),
            "approved",
            "achievement:approve",
            "achievement:approved",
        ),
        Transition(
            "request_changes",
            frozenset({"submitted", "approved"}),
            "changes_requested",
            "achievement:approve",
            "achievement:changes-requested",
        ),
        Transition(
            "publish",
            frozenset({"approved"}),
            "published",
            "achievement:edit",
            "achievement:published",
        ),
        Transition(
            "archive",
            frozenset({"draft", "changes_requested", "submitted", "approved", "published"}),
            "archived",
            "achievement:approve",
            "achievement:archived",
        ),
        Transition(
            "reopen",
            frozenset({"archived"}),
            "draft",
            "achievement:approve",
            "achievement:reopened",
        ),
    )
}


def available_transitions(
    achievement: Achievement, rule: ApprovalRule, permissions: frozenset[str]
) -> list[str]:
    """Return the transitions a person with ``permissions`` may apply now, for the console."""
    names = []
    for transition in TRANSITIONS.values():
        sources = _sources(transition, rule)
        if achievement.status in sources and transition.permission in permissions:
            if transition.name == "archive" and not achievement.published:
                continue
            names.append(transition.name)
    return names


def _sources(transition: Transition, rule: ApprovalRule) -> frozenset[str]:
    if transition.name == "publish" and not rule.approval_required:
        # Without the approval rule an editor publishes a draft directly.
        return transition.sources | {"draft", "changes_requested"}
    return transition.sources


async def apply_transition(
    scope: TenantScope,
    achievement_id: uuid.UUID,
    name: str,
    *,
    actor: str,
    permissions: frozenset[str],
    comment: str = "",
) -> Achievement:
    """Move an achievement through the workflow, checking state, permission and the rule."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise InvalidInputError(
            f"unknown workflow action {name!r}; use one of {', '.join(TRANSITIONS)}",
            code="invalid-transition",
        )
    if transition.permission not in permissions:
        raise PermissionDeniedError(
            f"{name} needs the {transition.permission} permission in {scope.tenant.slug!r}",
            code="permission-denied",
        )
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise InvalidInputError(
            f"comment has {len(comment)} characters; the maximum is {MAX_COMMENT}",
            code="field-too-long",
        )
    if CONTROL_CHARACTERS.search(comment):
        raise InvalidInputError(
            "comment contains a control character (such as NUL or ESC); remove it",
            code="invalid-text",
        )
    if name == "request_changes" and not comment:
        raise InvalidInputError(
            "requesting changes needs a comment that tells the author what to change",
            code="missing-comment",
        )
    rule = approval_rule(scope.tenant)
    achievement = await scope.get_achievement(achievement_id)
    now = utcnow()
    async with Achievement._meta.db.transaction():
        # Lock the row so two reviewers cannot both move it from the same state.
        locked = await Achievement.raw(
            "SELECT status FROM achievement WHERE id = {} FOR UPDATE", achievement.id
        )
        achievement.status = locked[0]["status"]
        source = achievement.status
        if source not in _sources(transition, rule):
            raise ConflictError(
                f"achievement {achievement.slug!r} is {source}; {name} applies to "
                f"{' or '.join(sorted(_sources(transition, rule)))} achievements",
                code="invalid-transition",
            )
        if name == "archive" and not achievement.published:
            raise ConflictError(
                f"achievement {achievement.slug!r} was never published; delete the draft "
                "instead of archiving it",
                code="invalid-transition",
            )
        if name == "approve" and rule.distinct_approver:
            authors = {achievement.submitted_by, achievement.updated_by}
            if actor in authors:
                raise PermissionDeniedError(
                    f"you wrote or submitted revision {achievement.revision} of "
                    f"{achievement.slug!r}; {scope.tenant.slug!r} requires another person "
                    "to approve it",
                    code="approver-is-author",
                )
        columns: list[Any] = [Achievement.status, Achievement.updated_at]
        achievement.status = transition.target
        achievement.updated_at = now
        if name == "submit":
            achievement.submitted_by = actor
            columns.append(Achievement.submitted_by)
        if name == "publish":
            achievement.version += 1
            achievement.published = content_snapshot(achievement)
            columns += [Achievement.version, Achievement.published]
        await achievement.save(columns)
        await AchievementReview(
            tenant=scope.tenant.id,
            achievement=achievement.id,
            revision=achievement.revision,
            from_status=source,
            to_status=transition.target,
            actor=actor,
            comment=comment,
            created_at=now,
        ).save()
        await record_event(
            transition.audit_action,
            actor=actor,
            tenant=scope.tenant.slug,
            target=str(achievement.id),
            details={
                "from": source,
                "to": transition.target,
                "revision": achievement.revision,
                "version": achievement.version,
                **({"comment": comment} if comment else {}),
            },
        )
    return achievement


async def reviews(scope: TenantScope, achievement_id: uuid.UUID) -> list[AchievementReview]:
    """Return the workflow history of an achievement, newest first."""
    achievement = await scope.get_achievement(achievement_id)
    return (
        await AchievementReview.objects()
        .where(
            AchievementReview.tenant == scope.tenant.id,
            AchievementReview.achievement == achievement.id,
        )
        .order_by(AchievementReview.id, ascending=False)
    )
