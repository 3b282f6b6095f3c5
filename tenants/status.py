"""Revocation and suspension of awards with W3C Bitstring Status List v1.0 entries.

Every award gets one entry in a revocation list and one in a suspension list of its tenant
(§2.1 BitstringStatusListEntry). Indexes are drawn at random, as §2.1 ``statusListIndex``
recommends, so an index reveals nothing about when or in which order a credential was issued. A
list has ``LIST_SIZE`` entries, and when the open list of a purpose is full a new one is opened.

Revocation is final, as §2.2 defines the purpose: ``reinstate`` clears a suspension only. The
reason of a change is stored for the tenant's staff and the audit log, and is never published.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog

from hub.audit import record_event
from hub.credentials import statuslist
from hub.credentials.statuslist import PURPOSES, REVOCATION, SUSPENSION
from hub.errors import ConflictError, NotFoundError
from hub.settings import Settings
from tenants import identity
from tenants.scope import TenantScope
from tenants.tables import AwardStatus, StatusList, Tenant
from tenants.validation import require_text

log = structlog.get_logger(__name__)

LIST_SIZE = statuslist.MIN_ENTRIES
MAX_REASON_LENGTH = 500
ACTIVE, REVOKED, SUSPENDED = "active", "revoked", "suspended"
# Random indexes tried in one query before a scan of the free entries. A list stays in use until
# it is full. When a share p of it is taken, all 32 draws miss with probability p**32, which is
# 3 % at nine tenths full.
CANDIDATES_PER_DRAW = 32
MAX_ALLOCATION_ATTEMPTS = 5
# The largest value of the PostgreSQL integer column ``status_list.number``.
MAX_LIST_NUMBER = 2**31 - 1


@dataclass(frozen=True)
class Entry:
    """An award's entry in one status list."""

    purpose: str
    list_number: int
    index: int


def list_url(settings: Settings, tenant_slug: str, purpose: str, number: int) -> str:
    return f"{identity.tenant_url(settings, tenant_slug)}/status/{purpose}/{number}"


def revocation_list_url(settings: Settings, tenant_slug: str) -> str:
    return f"{identity.tenant_url(settings, tenant_slug)}/revocation-list"


def entry_document(settings: Settings, tenant_slug: str, entry: Entry) -> dict[str, Any]:
    url = list_url(settings, tenant_slug, entry.purpose, entry.list_number)
    return statuslist.status_entry(url, entry.purpose, entry.index)


# Allocation ------------------------------------------------------------------------------------


async def allocate_entries(tenant: Tenant, award_id: uuid.UUID) -> list[Entry]:
    """Reserve a random free revocation and suspension index for an award not stored yet.

    Each call commits its own transaction, so the list rows stay locked only briefly.
    """
    # NOTE: called inside a caller's transaction (bulk issuance storing many awards at once),
    # the list rows stay locked until that transaction ends, which stalls other issuance of the
    # tenant meanwhile. Allocate before opening such a transaction.
    for _ in range(MAX_ALLOCATION_ATTEMPTS):
        async with StatusList._meta.db.transaction():
            lists = await _lock_open_lists(tenant)
            if len(lists) == len(PURPOSES):
                entries = [
                    await _insert_entry(tenant, award_id, purpose, lists[purpose])
                    for purpose in PURPOSES
                ]
                await StatusList.raw(
                    "UPDATE status_list SET allocated = allocated + 1 WHERE id = ANY({})",
                    [row["id"] for row in lists.values()],
                )
                return entries
        for purpose in PURPOSES:
            if purpose not in lists:
                await _open_list(tenant, purpose)
    raise ConflictError(
        f"the status lists of tenant {tenant.slug!r} had no free entry after "
        f"{MAX_ALLOCATION_ATTEMPTS} attempts; retry the request",
        code="status-list-busy",
    )


async def _lock_open_lists(tenant: Tenant) -> dict[str, dict[str, Any]]:
    """Lock the open list of each purpose, in a fixed order so two requests cannot deadlock.

    The row lock serialises allocations in one list, which keeps ``allocated`` exact. The unique
    (status_list, status_index) constraint alone already rules out duplicate indexes.
    """
    lists = {}
    for purpose in PURPOSES:
        rows = await StatusList.raw(
            "SELECT id, number, size FROM status_list WHERE tenant = {} AND purpose = {} "
            "AND allocated < size ORDER BY number LIMIT 1 FOR UPDATE",
            tenant.id,
            purpose,
        )
        if rows:
            lists[purpose] = rows[0]
    return lists


# Inserts the first free entry among random candidates, in the candidates' order.
_INSERT_CANDIDATE = (
    "INSERT INTO award_status (tenant, award, purpose, status_list, status_index, state, reason, "
    "changed_by) SELECT {}, {}, {}, {}, entry, 'active', '', '' "
    "FROM unnest({}::integer[]) AS entry WHERE NOT EXISTS ("
    "SELECT 1 FROM award_status WHERE status_list = {} AND status_index = entry) "
    "LIMIT 1 RETURNING status_index"
)
# Inserts an entry drawn uniformly among all free ones; it reads the whole list, so it runs only
# when every candidate was taken.
_INSERT_ANY_FREE = (
    "INSERT INTO award_status (tenant, award, purpose, status_list, status_index, state, reason, "
    "changed_by) SELECT {}, {}, {}, {}, entry, 'active', '', '' "
    "FROM generate_series(0, {} - 1) AS entry WHERE NOT EXISTS ("
    "SELECT 1 FROM award_status WHERE status_list = {} AND status_index = entry) "
    "ORDER BY random() LIMIT 1 RETURNING status_index"
)


async def _insert_entry(
    tenant: Tenant, award_id: uuid.UUID, purpose: str, status_list: dict[str, Any]
) -> Entry:
    list_id, size = status_list["id"], status_list["size"]
    candidates = [secrets.randbelow(size) for _ in range(CANDIDATES_PER_DRAW)]
    head = (tenant.id, award_id, purpose, list_id)
    rows = await AwardStatus.raw(_INSERT_CANDIDATE, *head, candidates, list_id)
    if not rows:
        rows = await AwardStatus.raw(_INSERT_ANY_FREE, *head, size, list_id)
    return Entry(purpose, status_list["number"], rows[0]["status_index"])


async def _open_list(tenant: Tenant, purpose: str) -> None:
    """Open the next list of a purpose unless another request already opened one with room."""
    await StatusList.raw(
        "INSERT INTO status_list (tenant, purpose, number, size, allocated, bitstring, version, "
        "updated_at, signed_version) "
        "SELECT {}, {}, COALESCE(MAX(number), 0) + 1, {}, 0, {}, 1, now(), 0 FROM status_list "
        "WHERE tenant = {} AND purpose = {} "
        "HAVING COUNT(*) FILTER (WHERE allocated < size) = 0 "
        "ON CONFLICT (tenant, purpose, number) DO NOTHING",
        tenant.id,
        purpose,
        LIST_SIZE,
        statuslist.new_bitstring(LIST_SIZE),
        tenant.id,
        purpose,
    )


# Rounds of random candidates a batch allocation tries before the remaining awards take entries
# drawn among all free ones, which reads the whole list. Each round draws enough distinct
# candidates that, at the list's fill ratio, some 25 % more are free than awards wait, so one
# round almost always places the whole batch.
BATCH_DRAWS = 4
BATCH_OVERSAMPLING = 1.25
_random = secrets.SystemRandom()


async def allocate_entries_batch(
    tenant: Tenant, award_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Entry]]:
    """Reserve a random free revocation and suspension index for each award of a batch.

    The batch form of ``allocate_entries``, with the same guarantees: each index is drawn
    uniformly among the free entries of the open list, and the unique (status_list,
    status_index) constraint rules out duplicates. It takes a few round trips per batch where
    ``allocate_entries`` takes several per award. Each round commits its own transaction, so
    call it before opening the transaction that stores the awards.
    """
    entries: dict[uuid.UUID, list[Entry]] = {award_id: [] for award_id in award_ids}
    remaining = list(award_ids)
    attempts = 0
    while remaining:
        async with StatusList._meta.db.transaction():
            lists = await _lock_open_lists_with_room(tenant)
            if len(lists) == len(PURPOSES):
                room = min(row["size"] - row["allocated"] for row in lists.values())
                taken, remaining = remaining[:room], remaining[room:]
                for purpose in PURPOSES:
                    placed = await _insert_entries(tenant, taken, purpose, lists[purpose])
                    for award_id in taken:
                        entries[award_id].append(placed[award_id])
                continue
        attempts += 1
        if attempts > MAX_ALLOCATION_ATTEMPTS:
            raise ConflictError(
                f"the status lists of tenant {tenant.slug!r} had no free entry after "
                f"{MAX_ALLOCATION_ATTEMPTS} attempts; retry later",
                code="status-list-busy",
            )
        for purpose in PURPOSES:
            if purpose not in lists:
                await _open_list(tenant, purpose)
    return entries


async def _lock_open_lists_with_room(tenant: Tenant) -> dict[str, dict[str, Any]]:
    """Lock the open list of each purpose and read its free room.

    Like ``_lock_open_lists`` it locks the lists in ``PURPOSES`` order, so batch and single
    allocations cannot deadlock.
    """
    lists = {}
    for purpose in PURPOSES:
        rows = await StatusList.raw(
            "SELECT id, number, size, allocated FROM status_list WHERE tenant = {} "
            "AND purpose = {} AND allocated < size ORDER BY number LIMIT 1 FOR UPDATE",
            tenant.id,
            purpose,
        )
        if rows:
            lists[purpose] = rows[0]
    return lists


# Lists which candidate indexes are taken. A join lets PostgreSQL hash the candidates or probe
# the unique index per candidate. ``status_index = ANY(...)`` compared every entry of the list
# with every candidate instead, which took 150 ms per call once the list had 40,000 entries.
_TAKEN_CANDIDATES = (
    "SELECT entry.status_index FROM unnest({}::integer[]) AS candidate(status_index) "
    "JOIN award_status AS entry ON entry.status_list = {} "
    "AND entry.status_index = candidate.status_index"
)
# Inserts one entry per award at the free index paired with it. The list's row is locked, so no
# other allocation takes those indexes meanwhile; ON CONFLICT only guards that promise.
_INSERT_BATCH_ENTRIES = (
    "INSERT INTO award_status (tenant, award, purpose, status_list, status_index, state, reason, "
    "changed_by) SELECT {}, award, {}, {}, entry, 'active', '', '' "
    "FROM unnest({}::uuid[], {}::integer[]) AS pair(award, entry) "
    "ON CONFLICT (status_list, status_index) DO NOTHING RETURNING award, status_index"
)
# Pairs the awards with as many free entries, drawn uniformly among all free ones. It reads the
# whole list, so it runs only for the awards whose draws all missed.
_INSERT_BATCH_ANY_FREE = (
    "INSERT INTO award_status (tenant, award, purpose, status_list, status_index, state, reason, "
    "changed_by) SELECT {}, awards.award, {}, {}, free.entry, 'active', '', '' "
    "FROM (SELECT award, row_number() OVER () AS position "
    "      FROM unnest({}::uuid[]) AS award) AS awards "
    "JOIN (SELECT entry, row_number() OVER () AS position FROM ("
    "        SELECT entry FROM generate_series(0, {} - 1) AS entry WHERE NOT EXISTS ("
    "          SELECT 1 FROM award_status WHERE status_list = {} AND status_index = entry) "
    "        ORDER BY random() LIMIT {}) AS drawn) AS free USING (position) "
    "RETURNING award, status_index"
)


async def _insert_entries(
    tenant: Tenant, award_ids: Sequence[uuid.UUID], purpose: str, status_list: dict[str, Any]
) -> dict[uuid.UUID, Entry]:
    list_id, size, number = status_list["id"], status_list["size"], status_list["number"]
    placed: dict[uuid.UUID, Entry] = {}
    pending = list(award_ids)
    free_share = max(1 - status_list["allocated"] / size, 1 / size)
    for _ in range(BATCH_DRAWS):
        if not pending:
            break
        # Distinct indexes drawn uniformly: those still free are a uniform sample of the free
        # entries, in random order, as ``allocate_entries`` draws them one at a time.
        draw_count = int(len(pending) * BATCH_OVERSAMPLING / free_share) + 8
        candidates = _random.sample(range(size), min(size, draw_count))
        taken_indexes = {
            row["status_index"]
            for row in await AwardStatus.raw(_TAKEN_CANDIDATES, candidates, list_id)
        }
        free = [index for index in candidates if index not in taken_indexes][: len(pending)]
        awards = pending[: len(free)]
        rows = await AwardStatus.raw(
            _INSERT_BATCH_ENTRIES, tenant.id, purpose, list_id, awards, free
        )
        placed.update({row["award"]: Entry(purpose, number, row["status_index"]) for row in rows})
        pending = [award_id for award_id in pending if award_id not in placed]
    if pending:
        arguments = (tenant.id, purpose, list_id, pending, size, list_id, len(pending))
        rows = await AwardStatus.raw(_INSERT_BATCH_ANY_FREE, *arguments)
        placed.update({row["award"]: Entry(purpose, number, row["status_index"]) for row in rows})
    if len(placed) != len(award_ids):
        # The list row is locked and ``allocated`` counted its free room, so this means the
        # counter and the entries disagree; the caller's transaction rolls back.
        raise ConflictError(
            f"status list {number} ({purpose}) of tenant {tenant.slug!r} has fewer free entries "
            "than its allocation counter says; retry, and report it if it happens again",
            code="status-list-inconsistent",
        )
    await StatusList.raw(
        "UPDATE status_list SET allocated = allocated + {} WHERE id = {}", len(award_ids), list_id
    )
    return placed


# State changes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusView:
    """The state of an award (active, suspended or revoked) and its last change."""

    state: str
    changed_at: datetime | None
    changed_by: str
    reason: str
    has_entries: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "changed_at": self.changed_at.isoformat() if self.changed_at else None,
            "changed_by": self.changed_by,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class StatusChange:
    view: StatusView
    changed: bool


async def status_of(scope: TenantScope, award_id: uuid.UUID) -> StatusView:
    """Return the current state of an award of this tenant; revoked wins over suspended."""
    rows = await _entries(scope, award_id)
    revoked = rows.get(REVOCATION)
    suspended = rows.get(SUSPENSION)
    for row, state in ((revoked, REVOKED), (suspended, SUSPENDED)):
        if row is not None and row.state == state:
            return StatusView(state, row.changed_at, row.changed_by, row.reason, True)
    latest = max(
        (row for row in rows.values() if row.changed_at is not None),
        key=lambda row: row.changed_at,
        default=None,
    )
    if latest is None:
        return StatusView(ACTIVE, None, "", "", bool(rows))
    return StatusView(ACTIVE, latest.changed_at, latest.changed_by, latest.reason, True)


async def revoke(scope: TenantScope, award_id: uuid.UUID, reason: str, actor: str) -> StatusChange:
    """Set the revocation bit for good; revoking a revoked award changes nothing."""
    return await _change(scope, award_id, REVOCATION, REVOKED, reason, actor)


async def suspend(scope: TenantScope, award_id: uuid.UUID, reason: str, actor: str) -> StatusChange:
    """Set the suspension bit; a revoked award cannot be suspended any more."""
    if (await status_of(scope, award_id)).state == REVOKED:
        raise _revocation_is_final(award_id, "suspended")
    return await _change(scope, award_id, SUSPENSION, SUSPENDED, reason, actor)


async def reinstate(
    scope: TenantScope, award_id: uuid.UUID, reason: str, actor: str
) -> StatusChange:
    """Clear the suspension bit; a revoked award stays revoked."""
    if (await status_of(scope, award_id)).state == REVOKED:
        raise _revocation_is_final(award_id, "reinstated")
    return await _change(scope, award_id, SUSPENSION, ACTIVE, reason, actor)


_EVENTS = {
    REVOKED: "credential:revoked",
    SUSPENDED: "credential:suspended",
    ACTIVE: "credential:reinstated",
}


async def _change(
    scope: TenantScope, award_id: uuid.UUID, purpose: str, state: str, reason: str, actor: str
) -> StatusChange:
    reason = require_text(reason, "reason", MAX_REASON_LENGTH)
    await scope.get_award(award_id)

    async with AwardStatus._meta.db.transaction():
        entry = await _lock_entry(scope, award_id, purpose)
        if entry["state"] == state:
            changed = False
        else:
            await _write_change(entry, state, reason, actor)
            await record_event(
                _EVENTS[state],
                actor=actor,
                tenant=scope.tenant.slug,
                target=str(award_id),
                details={"reason": reason, "purpose": purpose},
            )
            changed = True
    if changed:
        log.info(
            "credential_status_changed", tenant=scope.tenant.slug, award=str(award_id), state=state
        )
    return StatusChange(await status_of(scope, award_id), changed)


async def _lock_entry(scope: TenantScope, award_id: uuid.UUID, purpose: str) -> dict[str, Any]:
    rows = await AwardStatus.raw(
        "SELECT id, state, status_list, status_index FROM award_status "
        "WHERE tenant = {} AND award = {} AND purpose = {} FOR UPDATE",
        scope.tenant.id,
        award_id,
        purpose,
    )
    if not rows:
        raise ConflictError(
            f"award {award_id} was issued without a {purpose} status entry, so verifiers "
            "cannot learn of a change; issue a new credential instead",
            code="no-status-entry",
        )
    entry: dict[str, Any] = rows[0]
    return entry


async def _write_change(entry: dict[str, Any], state: str, reason: str, actor: str) -> None:
    await AwardStatus.update(
        {
            AwardStatus.state: state,
            AwardStatus.reason: reason,
            AwardStatus.changed_at: datetime.now(UTC),
            AwardStatus.changed_by: actor,
        }
    ).where(AwardStatus.id == entry["id"])
    # PostgreSQL numbers the bits of a byte from the least significant one, while the
    # specification puts entry 0 in the most significant bit.
    index = entry["status_index"]
    await StatusList.raw(
        "UPDATE status_list SET bitstring = set_bit(bitstring, {}, {}), version = version + 1, "
        "updated_at = now() WHERE id = {}",
        (index // 8) * 8 + 7 - index % 8,
        0 if state == ACTIVE else 1,
        entry["status_list"],
    )


async def _entries(scope: TenantScope, award_id: uuid.UUID) -> dict[str, AwardStatus]:
    rows = await AwardStatus.objects().where(
        AwardStatus.tenant == scope.tenant.id, AwardStatus.award == award_id
    )
    return {row.purpose: row for row in rows}


def _revocation_is_final(award_id: uuid.UUID, verb: str) -> ConflictError:
    return ConflictError(
        f"award {award_id} is revoked and cannot be {verb}: revocation is final, as W3C "
        "Bitstring Status List defines it; issue a new credential if the award was revoked by "
        "mistake",
        code="revocation-is-final",
    )


async def revoked_award_ids(scope: TenantScope) -> list[uuid.UUID]:
    rows = (
        await AwardStatus.select(AwardStatus.award)
        .where(
            AwardStatus.tenant == scope.tenant.id,
            AwardStatus.purpose == REVOCATION,
            AwardStatus.state == REVOKED,
        )
        .order_by(AwardStatus.changed_at)
    )
    return [row["award"] for row in rows]


async def get_list(tenant: Tenant, purpose: str, number: int) -> StatusList:
    row = None
    if 1 <= number <= MAX_LIST_NUMBER:
        row = (
            await StatusList.objects()
            .where(
                StatusList.tenant == tenant.id,
                StatusList.purpose == purpose,
                StatusList.number == number,
            )
            .first()
        )
    if row is None:
        raise NotFoundError(
            f"tenant {tenant.slug!r} publishes no {purpose} status list {number}",
            code="status-list-not-found",
        )
    return row
