"""The history of the trust registry: each signed version and how it differs from the one before."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from federation.registry import ACTIVE, SUSPENDED, TrustRegistry
from federation.tables import RegistryVersion
from tenants.tables import Tenant


@dataclass(frozen=True)
class VersionSummary:
    """One signed version with the member names added, suspended, reinstated or removed in it."""

    version: int
    created_at: datetime
    created_by: str
    member_count: int
    active_count: int
    added: tuple[str, ...]
    suspended: tuple[str, ...]
    reinstated: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.suspended or self.reinstated or self.removed)


async def version_history(alliance: Tenant) -> list[VersionSummary]:
    """Summarise every signed version of the alliance's registry, newest first."""
    # NOTE: This reads every version's signed text, a few kilobytes each. For an alliance with
    # thousands of versions, store each summary when its version is signed instead.
    rows = (
        await RegistryVersion.objects()
        .where(RegistryVersion.alliance == alliance.id)
        .order_by(RegistryVersion.version)
    )
    summaries = []
    previous: TrustRegistry | None = None
    for row in rows:
        current = TrustRegistry.from_document(json.loads(row.document_text))
        summaries.append(_summary(row, current, previous))
        previous = current
    return summaries[::-1]


def _summary(
    row: RegistryVersion, current: TrustRegistry, previous: TrustRegistry | None
) -> VersionSummary:
    before = {member.did: member for member in previous.members} if previous else {}
    after = {member.did: member for member in current.members}

    def changed(old: str, new: str) -> tuple[str, ...]:
        return tuple(
            member.name
            for did, member in after.items()
            if did in before and before[did].status == old and member.status == new
        )

    return VersionSummary(
        version=row.version,
        created_at=row.created_at,
        created_by=row.created_by,
        member_count=len(after),
        active_count=sum(member.is_active for member in after.values()),
        added=tuple(member.name for did, member in after.items() if did not in before),
        suspended=changed(ACTIVE, SUSPENDED),
        reinstated=changed(SUSPENDED, ACTIVE),
        removed=tuple(member.name for did, member in before.items() if did not in after),
    )
