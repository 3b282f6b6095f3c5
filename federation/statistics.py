"""Alliance-wide award statistics: credentials issued and revoked per member, badge and month.

One SQL aggregate groups the awards of the alliance and its members (present and suspended) by
issuer, achievement and calendar month (UTC). The totals and the last twelve months are summed
from its rows. "Issued" counts every credential ever issued, revoked ones included; "revoked"
counts those whose revocation status entry is set now.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tenants.tables import Award, Tenant

MONTHS_SHOWN = 12

# The month is formatted in Python: to_char on every row made the query about 30% slower
# (100,000 awards, benchmarks/alliance_statistics.py).
_AGGREGATE = """
SELECT award.tenant, award.achievement,
       date_trunc('month', award.issued_at AT TIME ZONE 'UTC') AS month,
       count(*) AS issued, count(revoked.award) AS revoked
  FROM award
  LEFT JOIN award_status AS revoked
    ON revoked.award = award.id AND revoked.purpose = 'revocation' AND revoked.state = 'revoked'
 WHERE award.tenant IN (SELECT member FROM membership WHERE alliance = {} UNION SELECT {})
 GROUP BY award.tenant, award.achievement, month
"""

_ISSUERS = """
SELECT tenant.id, tenant.slug, tenant.name, tenant.kind FROM tenant
 WHERE tenant.id IN (SELECT member FROM membership WHERE alliance = {} UNION SELECT {})
 ORDER BY tenant.kind = 'alliance', tenant.slug
"""

_ACHIEVEMENTS = """
SELECT achievement.id, achievement.slug, achievement.name, achievement.tenant
  FROM achievement WHERE achievement.id = ANY({})
"""


@dataclass
class Counts:
    """Credentials issued and, among them, revoked now."""

    issued: int = 0
    revoked: int = 0

    def add(self, issued: int, revoked: int) -> None:
        self.issued += issued
        self.revoked += revoked

    def to_json(self) -> dict[str, int]:
        return {"issued": self.issued, "revoked": self.revoked}


@dataclass
class Series:
    """The counts of one issuer or one achievement: all-time and per shown month."""

    key: str
    names: Mapping[str, str]
    owner: str
    total: Counts = field(default_factory=Counts)
    months: dict[str, Counts] = field(default_factory=dict)

    def label(self, language: str) -> str:
        return self.names.get(language) or self.names.get("en") or self.key

    def month(self, month: str) -> Counts:
        return self.months.get(month, Counts())

    def to_json(self, months: list[str]) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": dict(self.names),
            "owner": self.owner,
            **self.total.to_json(),
            "months": {month: self.month(month).to_json() for month in months},
        }


@dataclass(frozen=True)
class AllianceStatistics:
    months: list[str]
    members: list[Series]
    badges: list[Series]
    total: Counts
    monthly: dict[str, Counts]

    def to_json(self) -> dict[str, Any]:
        return {
            "months": self.months,
            "total": self.total.to_json(),
            "per_month": {month: self.monthly[month].to_json() for month in self.months},
            "per_member": [series.to_json(self.months) for series in self.members],
            "per_badge": [series.to_json(self.months) for series in self.badges],
        }


def last_months(now: datetime, count: int = MONTHS_SHOWN) -> list[str]:
    """Return the ``count`` calendar months ending with the month of ``now``, oldest first."""
    year, month = now.year, now.month
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


async def alliance_statistics(alliance: Tenant, now: datetime | None = None) -> AllianceStatistics:
    """Count the awards of the alliance and its members, all-time and per month."""
    months = last_months(now or datetime.now(UTC))
    # NOTE: The aggregate scans every award of the members: about 0.2 s for 100,000 awards and
    # 0.8 s for 300,000 (benchmarks/alliance_statistics.py). Larger hubs need a monthly rollup.
    rows = await Award.raw(_AGGREGATE, alliance.id, alliance.id)
    issuers = await Tenant.raw(_ISSUERS, alliance.id, alliance.id)
    achievement_ids = list({row["achievement"] for row in rows})
    achievements = await Tenant.raw(_ACHIEVEMENTS, achievement_ids) if achievement_ids else []
    slugs = {issuer["id"]: issuer["slug"] for issuer in issuers}
    members = {
        issuer["id"]: Series(issuer["slug"], {"en": issuer["name"]}, issuer["slug"])
        for issuer in issuers
    }
    badges = {
        row["id"]: Series(row["slug"], _names(row["name"]), slugs.get(row["tenant"], ""))
        for row in achievements
    }
    return _summed(rows, months, members, badges)


def _summed(
    rows: list[dict[str, Any]],
    months: list[str],
    members: dict[int, Series],
    badges: dict[uuid.UUID, Series],
) -> AllianceStatistics:
    shown = set(months)
    total = Counts()
    monthly: dict[str, Counts] = defaultdict(Counts)
    for row in rows:
        month = row["month"].strftime("%Y-%m")
        issued, revoked = int(row["issued"]), int(row["revoked"])
        total.add(issued, revoked)
        member = members.setdefault(row["tenant"], Series(str(row["tenant"]), {}, ""))
        for series in (member, badges[row["achievement"]]):
            series.total.add(issued, revoked)
            if month in shown:
                series.months.setdefault(month, Counts()).add(issued, revoked)
        if month in shown:
            monthly[month].add(issued, revoked)
    ranked_badges = sorted(badges.values(), key=lambda series: (-series.total.issued, series.key))
    return AllianceStatistics(
        months=months,
        members=list(members.values()),
        badges=ranked_badges,
        total=total,
        monthly={month: monthly[month] for month in months},
    )


def _names(value: Mapping[str, str] | str) -> dict[str, str]:
    # Raw queries return jsonb columns as text.
    names = json.loads(value) if isinstance(value, str) else value
    return {str(language): str(text) for language, text in names.items()}
