"""The one place that scopes queries of tenant-owned tables to a tenant."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from federation.tables import AwardRight, Membership
from hub.errors import NotFoundError, PermissionDeniedError
from tenants.tables import Achievement, Award, Tenant


@dataclass(frozen=True)
class TenantScope:
    """Queries of one tenant's rows. Services receive a scope, never a bare table."""

    tenant: Tenant

    def achievements(self) -> Any:
        return (
            Achievement.objects().output(load_json=True).where(Achievement.tenant == self.tenant.id)
        )

    def awards(self) -> Any:
        return Award.objects().output(load_json=True).where(Award.tenant == self.tenant.id)

    async def get_achievement(self, achievement_id: uuid.UUID) -> Achievement:
        achievement = await self.achievements().where(Achievement.id == achievement_id).first()
        if achievement is None:
            raise NotFoundError(
                f"tenant {self.tenant.slug!r} has no achievement {achievement_id}; list them at "
                f"/api/v1/tenants/{self.tenant.slug}/achievements",
                code="achievement-not-found",
            )
        return achievement

    async def get_published_achievement(self, achievement_id: uuid.UUID) -> Achievement:
        """Return an achievement with a published revision (archived ones included, because
        credentials issued earlier still link to them); drafts raise ``NotFoundError``."""
        achievement = await self.get_achievement(achievement_id)
        if not achievement.published:
            raise NotFoundError(
                f"tenant {self.tenant.slug!r} has no published achievement {achievement_id}",
                code="achievement-not-found",
            )
        return achievement

    async def get_awardable_achievement(self, achievement_id: uuid.UUID) -> Achievement:
        """Return an achievement this tenant may award: its own, or an alliance achievement
        for which it has the award right while an active member of that alliance."""
        achievement = (
            await Achievement.objects()
            .output(load_json=True)
            .where(Achievement.id == achievement_id)
            .first()
        )
        if achievement is None:
            raise self._not_awardable(achievement_id)
        if achievement.tenant == self.tenant.id:
            return achievement
        membership = (
            await Membership.objects(Membership.alliance)
            .where(
                Membership.alliance == achievement.tenant,
                Membership.member == self.tenant.id,
            )
            .first()
        )
        if membership is None:
            raise self._not_awardable(achievement_id)
        await self._require_award_right(achievement, membership)
        return achievement

    def _not_awardable(self, achievement_id: uuid.UUID) -> NotFoundError:
        return NotFoundError(
            f"tenant {self.tenant.slug!r} has no achievement {achievement_id} it may award; "
            f"list its achievements at /api/v1/tenants/{self.tenant.slug}/achievements",
            code="achievement-not-found",
        )

    async def _require_award_right(self, achievement: Achievement, membership: Membership) -> None:
        alliance = membership.alliance.slug
        if membership.status != "active":
            raise PermissionDeniedError(
                f"tenant {self.tenant.slug!r} is a {membership.status} member of {alliance!r}, "
                "so it cannot award the alliance's achievements; an alliance administrator "
                "reinstates members at /console/federation/members",
                code="membership-not-active",
            )
        has_right = await AwardRight.exists().where(
            AwardRight.achievement == achievement.id, AwardRight.member == self.tenant.id
        )
        if not has_right:
            raise PermissionDeniedError(
                f"tenant {self.tenant.slug!r} has no right to award the {alliance!r} "
                f"achievement {achievement.slug!r}; an alliance administrator of {alliance!r} "
                "grants it at /console/federation/badges",
                code="award-right-missing",
            )

    async def awardable_alliance_achievement_ids(self) -> set[uuid.UUID]:
        """Return the alliance achievements this tenant has the right to award now."""
        rows = await AwardRight.raw(
            "SELECT award_right.achievement FROM award_right "
            "JOIN achievement ON achievement.id = award_right.achievement "
            "JOIN membership ON membership.alliance = achievement.tenant "
            "AND membership.member = award_right.member "
            "WHERE award_right.member = {} AND membership.status = 'active'",
            self.tenant.id,
        )
        return {row["achievement"] for row in rows}

    async def get_award(self, award_id: uuid.UUID) -> Award:
        award = await self.awards().where(Award.id == award_id).first()
        if award is None:
            raise NotFoundError(
                f"tenant {self.tenant.slug!r} has no award {award_id}", code="award-not-found"
            )
        return award
