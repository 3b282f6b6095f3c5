"""Membership administration: add a tenant to the alliance, suspend and reinstate a member.

Every change signs the next trust registry version in the same transaction, so a suspension
takes effect in the registry, and in the trust check of verifications, as soon as it commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import structlog

from federation.registry import ACTIVE, SUSPENDED, publish_registry_version
from federation.tables import Membership, RegistryVersion
from hub.audit import record_event
from hub.errors import ConflictError, InvalidInputError, NotFoundError
from hub.settings import Settings
from tenants.services import get_tenant
from tenants.tables import Tenant
from tenants.validation import require_text

log = structlog.get_logger(__name__)

MAX_REASON_LENGTH = 1000


@dataclass(frozen=True)
class MembershipChange:
    """The membership after a change, and the registry version signed for it.

    ``registry`` is None when nothing changed (the member already had the requested status).
    """

    member: Tenant
    status: str
    member_since: date
    registry: RegistryVersion | None

    @property
    def changed(self) -> bool:
        return self.registry is not None


# A membership date before 1987, when the Erasmus programme began, is a typing error.
EARLIEST_MEMBER_SINCE = date(1987, 1, 1)


async def add_member(
    settings: Settings,
    alliance: Tenant,
    member_slug: str,
    actor: str,
    member_since: date | None = None,
) -> MembershipChange:
    """Add an existing university tenant to the alliance as an active member."""
    member = await get_tenant(member_slug)
    if member.kind == "alliance":
        raise InvalidInputError(
            f"tenant {member.slug!r} is an alliance; only universities can be members",
            code="invalid-member",
        )
    today = datetime.now(UTC).date()
    since = member_since or today
    if not EARLIEST_MEMBER_SINCE <= since <= today:
        raise InvalidInputError(
            f"member_since {since.isoformat()} is not between "
            f"{EARLIEST_MEMBER_SINCE.isoformat()} and today; give the date the university joined",
            code="invalid-date",
        )
    async with Membership._meta.db.transaction():
        await _lock(alliance)
        existing = await _find(alliance, member)
        if existing is not None:
            hint = "reinstate it" if existing.status == SUSPENDED else "nothing to do"
            raise ConflictError(
                f"tenant {member.slug!r} is already a member of {alliance.slug!r} "
                f"({existing.status}); {hint}",
                code="already-a-member",
            )
        await Membership(
            alliance=alliance.id,
            member=member.id,
            status=ACTIVE,
            member_since=since,
            created_at=datetime.now(UTC),
        ).save()
        await record_event(
            "membership:created", actor=actor, tenant=alliance.slug, target=member.slug
        )
        registry = await publish_registry_version(settings, alliance, actor)
    log.info("membership_created", tenant=alliance.slug, member=member.slug)
    return MembershipChange(member, ACTIVE, since, registry)


async def suspend_member(
    settings: Settings, alliance: Tenant, member_slug: str, reason: str, actor: str
) -> MembershipChange:
    """Suspend a member: its credentials stop being trusted; suspending twice changes nothing."""
    return await _set_status(settings, alliance, member_slug, SUSPENDED, reason, actor)


async def reinstate_member(
    settings: Settings, alliance: Tenant, member_slug: str, reason: str, actor: str
) -> MembershipChange:
    """Lift a suspension; reinstating an active member changes nothing."""
    return await _set_status(settings, alliance, member_slug, ACTIVE, reason, actor)


async def _set_status(
    settings: Settings, alliance: Tenant, member_slug: str, status: str, reason: str, actor: str
) -> MembershipChange:
    reason = require_text(reason, "reason", MAX_REASON_LENGTH)
    member = await get_tenant(member_slug)
    async with Membership._meta.db.transaction():
        await _lock(alliance)
        membership = await _require(alliance, member)
        if membership.status == status:
            return MembershipChange(member, status, membership.member_since, None)
        await Membership.update({Membership.status: status}).where(Membership.id == membership.id)
        action = "membership:suspended" if status == SUSPENDED else "membership:reinstated"
        await record_event(
            action,
            actor=actor,
            tenant=alliance.slug,
            target=member.slug,
            details={"reason": reason},
        )
        registry = await publish_registry_version(settings, alliance, actor)
    log.info(action.replace(":", "_"), tenant=alliance.slug, member=member.slug)
    return MembershipChange(member, status, membership.member_since, registry)


async def _lock(alliance: Tenant) -> None:
    # Changes of one alliance's memberships run one at a time, so each reads the status it
    # changes and signs a registry version that includes every earlier change.
    await Tenant.raw("SELECT id FROM tenant WHERE id = {} FOR UPDATE", alliance.id)


async def _find(alliance: Tenant, member: Tenant) -> Membership | None:
    return (
        await Membership.objects()
        .where(Membership.alliance == alliance.id, Membership.member == member.id)
        .first()
    )


async def _require(alliance: Tenant, member: Tenant) -> Membership:
    membership = await _find(alliance, member)
    if membership is None:
        raise NotFoundError(
            f"tenant {member.slug!r} is not a member of {alliance.slug!r}; add it first",
            code="membership-not-found",
        )
    return membership


async def suspending_alliances(member: Tenant) -> list[str]:
    """Return the names of the alliances that suspended this member, for console notices."""
    rows = await Membership.select(Membership.alliance.name).where(
        Membership.member == member.id, Membership.status == "suspended"
    )
    return [row["alliance.name"] for row in rows]
