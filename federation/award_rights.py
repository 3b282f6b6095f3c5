"""Award rights: which member universities may award which alliance achievement.

The alliance is the creator of its achievements; a member that has the right awards one as
its own issuer. ``tenants.scope.TenantScope.get_awardable_achievement`` enforces the rights for
single, bulk and API awards. Changes of one alliance's rights run under a lock of the alliance
row, each records an audit event, and repeating a change does nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog

from federation.registry import ACTIVE, memberships_of
from federation.tables import AwardRight, Membership
from hub.audit import record_event
from hub.errors import NotFoundError
from tenants.services import get_tenant
from tenants.tables import Achievement, Tenant

log = structlog.get_logger(__name__)

CONSOLE_PATH = "/console/federation/badges"


@dataclass(frozen=True)
class AllianceBadge:
    """An alliance achievement with the slugs of the members holding the right to award it."""

    achievement: Achievement
    holders: frozenset[str]


@dataclass(frozen=True)
class RightChange:
    """The outcome of a grant or revocation; ``changed`` is False when it was already so."""

    achievement: Achievement
    member: Tenant
    held: bool
    changed: bool


async def alliance_badges(alliance: Tenant) -> list[AllianceBadge]:
    """List the alliance's achievements, oldest first, each with the members holding a right."""
    achievements = (
        await Achievement.objects()
        .output(load_json=True)
        .where(Achievement.tenant == alliance.id)
        .order_by(Achievement.created_at)
    )
    rows = await AwardRight.select(AwardRight.achievement, AwardRight.member.slug).where(
        AwardRight.achievement.tenant == alliance.id
    )
    holders: dict[uuid.UUID, set[str]] = {}
    for row in rows:
        holders.setdefault(row["achievement"], set()).add(row["member.slug"])
    return [
        AllianceBadge(achievement, frozenset(holders.get(achievement.id, ())))
        for achievement in achievements
    ]


async def get_alliance_badge(alliance: Tenant, achievement_id: uuid.UUID) -> AllianceBadge:
    badge = next(
        (b for b in await alliance_badges(alliance) if b.achievement.id == achievement_id), None
    )
    if badge is None:
        raise NotFoundError(
            f"the alliance {alliance.slug!r} has no achievement {achievement_id}; list its "
            "badges at /api/v1/federation/badges",
            code="alliance-achievement-not-found",
        )
    return badge


async def grant_right(
    alliance: Tenant, achievement_id: uuid.UUID, member_slug: str, actor: str
) -> RightChange:
    """Let a member award an alliance achievement; granting a held right changes nothing."""
    member = await get_tenant(member_slug)
    async with AwardRight._meta.db.transaction():
        achievement = await _lock_and_check(alliance, achievement_id, member)
        changed = await _insert_right(achievement, member, actor)
        if changed:
            await _record(alliance, achievement, member, "award-right:granted", actor)
    if changed:
        log.info("award_right_granted", tenant=alliance.slug, member=member.slug)
    return RightChange(achievement, member, held=True, changed=changed)


async def revoke_right(
    alliance: Tenant, achievement_id: uuid.UUID, member_slug: str, actor: str
) -> RightChange:
    """Withdraw a member's right; credentials it issued earlier stay valid.

    Revoking a right the member does not hold changes nothing.
    """
    member = await get_tenant(member_slug)
    async with AwardRight._meta.db.transaction():
        achievement = await _lock_and_check(alliance, achievement_id, member)
        deleted = await AwardRight.raw(
            "DELETE FROM award_right WHERE achievement = {} AND member = {} RETURNING id",
            achievement.id,
            member.id,
        )
        if deleted:
            await _record(alliance, achievement, member, "award-right:revoked", actor)
    if deleted:
        log.info("award_right_revoked", tenant=alliance.slug, member=member.slug)
    return RightChange(achievement, member, held=False, changed=bool(deleted))


async def grant_to_all_members(
    alliance: Tenant, achievement_id: uuid.UUID, actor: str
) -> list[RightChange]:
    """Grant the right to every member (suspended ones too, who award again once reinstated).

    All grants commit together or not at all.
    """
    async with AwardRight._meta.db.transaction():
        return [
            await grant_right(alliance, achievement_id, membership.member.slug, actor)
            for membership in await memberships_of(alliance)
        ]


async def _lock_and_check(
    alliance: Tenant, achievement_id: uuid.UUID, member: Tenant
) -> Achievement:
    # One change of an alliance's rights at a time, like its membership changes, so a grant
    # never races with the removal of the membership it relies on.
    await Tenant.raw("SELECT id FROM tenant WHERE id = {} FOR UPDATE", alliance.id)
    achievement = (await get_alliance_badge(alliance, achievement_id)).achievement
    is_member = await Membership.exists().where(
        Membership.alliance == alliance.id, Membership.member == member.id
    )
    if not is_member:
        raise NotFoundError(
            f"tenant {member.slug!r} is not a member of {alliance.slug!r}; add it at "
            "/console/federation/members before granting it award rights",
            code="membership-not-found",
        )
    return achievement


async def _insert_right(achievement: Achievement, member: Tenant, actor: str) -> bool:
    inserted = await AwardRight.raw(
        "INSERT INTO award_right (achievement, member, granted_by, granted_at) "
        "VALUES ({}, {}, {}, {}) ON CONFLICT (achievement, member) DO NOTHING RETURNING id",
        achievement.id,
        member.id,
        actor,
        datetime.now(UTC),
    )
    return bool(inserted)


async def _record(
    alliance: Tenant, achievement: Achievement, member: Tenant, action: str, actor: str
) -> None:
    await record_event(
        action,
        actor=actor,
        tenant=alliance.slug,
        target=member.slug,
        details={"achievement": str(achievement.id), "achievement_slug": achievement.slug},
    )


async def seed_rights(alliance: Tenant, achievement_ids: list[uuid.UUID], actor: str) -> None:
    """Grant every active member the right to the given alliance achievements (demo seed)."""
    active = [row.member.slug for row in await memberships_of(alliance) if row.status == ACTIVE]
    for achievement_id in achievement_ids:
        for slug in active:
            await grant_right(alliance, achievement_id, slug, actor)
