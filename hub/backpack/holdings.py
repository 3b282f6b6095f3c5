"""The badges an earner holds: awards issued to their verified e-mail address or claimed by them.

A person's e-mail address comes from Keycloak, which marks it verified, so an award whose
recipient address matches it case-insensitively belongs to them. An award claimed through its
claim link belongs to the account that claimed it, whatever its recipient address.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from hub.auth.tables import User
from hub.errors import InvalidInputError, NotFoundError
from tenants.tables import Achievement, Award, Tenant

ALLIANCE_KIND = "alliance"


@dataclass(frozen=True)
class HeldBadge:
    """One issued award as the backpack lists it."""

    award_id: uuid.UUID
    name: str
    image_url: str
    issuer_name: str
    tenant_slug: str
    tenant_name: str
    tenant_name_en: str
    issued_at: datetime
    is_alliance_badge: bool
    hidden: bool


@dataclass(frozen=True)
class BackpackFilter:
    """The backpack's filters: issuing university, alliance badges only, and an issue date range."""

    university: str | None = None
    alliance_only: bool = False
    issued_from: date | None = None
    issued_to: date | None = None

    def accepts(self, badge: HeldBadge) -> bool:
        issued = badge.issued_at.date()
        return (
            (self.university is None or badge.tenant_slug == self.university)
            and (not self.alliance_only or badge.is_alliance_badge)
            and (self.issued_from is None or issued >= self.issued_from)
            and (self.issued_to is None or issued <= self.issued_to)
        )

    def accepts_imported(self, issued_at: datetime | None) -> bool:
        """Return whether an imported badge passes: it has no university and no alliance flag."""
        if self.university is not None or self.alliance_only:
            return False
        if issued_at is None:
            return self.issued_from is None and self.issued_to is None
        issued = issued_at.date()
        return (self.issued_from is None or issued >= self.issued_from) and (
            self.issued_to is None or issued <= self.issued_to
        )


def parse_filter(query: Mapping[str, str]) -> BackpackFilter:
    """Read the filters from a query string; empty fields mean no filter."""
    return BackpackFilter(
        university=query.get("university") or None,
        alliance_only=query.get("alliance") == "1",
        issued_from=_parse_date(query.get("from"), "from"),
        issued_to=_parse_date(query.get("to"), "to"),
    )


def _parse_date(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise InvalidInputError(
            f"the {field!r} date {value!r} is invalid; write it as YYYY-MM-DD",
            code="invalid-date",
        ) from error


async def held_award_ids(user: User) -> list[uuid.UUID]:
    """Return the ids of the awards that ``user`` holds, newest first."""
    rows = await Award.raw(
        "SELECT id FROM award WHERE lower(recipient_email) = {} OR claimed_by = {} "
        "ORDER BY issued_at DESC",
        (user.email or "").lower(),
        user.subject,
    )
    return [row["id"] for row in rows]


async def held_badges(user: User) -> list[HeldBadge]:
    """Return every award ``user`` holds, whichever tenant issued it, newest first."""
    ids = await held_award_ids(user)
    if not ids:
        return []
    awards = await Award.objects().output(load_json=True).where(Award.id.is_in(ids))
    tenants = await _by_id(Tenant, {award.tenant for award in awards})
    achievements = await _by_id(Achievement, {award.achievement for award in awards})
    owners = await _by_id(Tenant, {row.tenant for row in achievements.values()})
    badges = [
        _held_badge(award, tenants[award.tenant], owners[achievements[award.achievement].tenant])
        for award in awards
    ]
    return sorted(badges, key=lambda badge: badge.issued_at, reverse=True)


async def _by_id(table: Any, ids: set[Any]) -> dict[Any, Any]:
    rows: Sequence[Any] = (
        await table.objects().output(load_json=True).where(table.id.is_in(list(ids)))
    )
    return {row.id: row for row in rows}


def _held_badge(award: Award, tenant: Tenant, owner: Tenant) -> HeldBadge:
    credential: dict[str, Any] = json.loads(award.credential_text)
    achievement = credential["credentialSubject"]["achievement"]
    image = achievement.get("image") or {}
    return HeldBadge(
        award_id=award.id,
        name=achievement.get("name", ""),
        image_url=image.get("id", "") if isinstance(image, dict) else str(image),
        issuer_name=credential["issuer"].get("name", tenant.name_en),
        tenant_slug=tenant.slug,
        tenant_name=tenant.name,
        tenant_name_en=tenant.name_en,
        issued_at=award.issued_at,
        is_alliance_badge=owner.kind == ALLIANCE_KIND,
        hidden=award.hidden,
    )


async def set_hidden(user: User, award_id: uuid.UUID, hidden: bool) -> None:
    """Hide the award from public view, or show it again; only its holder may."""
    if award_id not in await held_award_ids(user):
        raise NotFoundError(
            f"no badge {award_id} is in your backpack; open the backpack to see your badges",
            code="badge-not-held",
        )
    await Award.update({Award.hidden: hidden}).where(Award.id == award_id)
