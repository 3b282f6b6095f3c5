"""The one place that scopes queries of tenant-owned tables to a tenant."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from federation.tables import Membership
from hub.errors import NotFoundError
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
        """Return an achievement this tenant may award: its own, or one of its alliance's."""
        memberships = await Membership.select(Membership.alliance).where(
            Membership.member == self.tenant.id, Membership.status == "active"
        )
        owners = [self.tenant.id, *(row["alliance"] for row in memberships)]
        achievement = (
            await Achievement.objects()
            .output(load_json=True)
            .where(Achievement.id == achievement_id, Achievement.tenant.is_in(owners))
            .first()
        )
        if achievement is None:
            raise NotFoundError(
                f"tenant {self.tenant.slug!r} has no achievement {achievement_id} it may award; "
                f"list its achievements at /api/v1/tenants/{self.tenant.slug}/achievements",
                code="achievement-not-found",
            )
        return achievement

    async def get_award(self, award_id: uuid.UUID) -> Award:
        award = await self.awards().where(Award.id == award_id).first()
        if award is None:
            raise NotFoundError(
                f"tenant {self.tenant.slug!r} has no award {award_id}", code="award-not-found"
            )
        return award
