"""Batch allocation of status list entries: distinct, counted, random, spilling into new lists."""

from __future__ import annotations

import uuid

import pytest

from hub.settings import Settings
from tenants import status
from tenants.tables import AwardStatus, StatusList, Tenant
from tests.factories import make_tenant

pytestmark = pytest.mark.integration


async def small_list(tenant: Tenant, purpose: str, size: int) -> None:
    """Open list 1 of a purpose with ``size`` entries, so tests can fill it."""
    await StatusList.raw(
        "INSERT INTO status_list (tenant, purpose, number, size, allocated, bitstring, version, "
        "updated_at, signed_version) VALUES ({}, {}, 1, {}, 0, {}, 1, now(), 0)",
        tenant.id,
        purpose,
        size,
        bytes(size // 8),
    )


async def test_batch_gets_distinct_entries_per_purpose(db: str, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    awards = [uuid.uuid4() for _ in range(700)]

    entries = await status.allocate_entries_batch(tenant, awards)

    lists = {row.purpose: row for row in await StatusList.objects()}
    for purpose in status.PURPOSES:
        indexes = [
            entry.index for award in awards for entry in entries[award] if entry.purpose == purpose
        ]
        assert len(set(indexes)) == 700
        assert lists[purpose].allocated == 700
    assert [[entry.purpose for entry in entries[award]] for award in awards[:2]] == [
        list(status.PURPOSES),
        list(status.PURPOSES),
    ]
    assert await AwardStatus.count() == 1400


async def test_batch_indexes_are_spread_over_the_list(db: str, settings: Settings) -> None:
    tenant = await make_tenant(settings)

    entries = await status.allocate_entries_batch(tenant, [uuid.uuid4() for _ in range(500)])

    indexes = sorted(entry.index for found in entries.values() for entry in found[:1])
    # Sequential allocation would give 0-499; random indexes land in every eighth of the list.
    eighths = {index * 8 // status.LIST_SIZE for index in indexes}
    assert eighths == set(range(8))


async def test_full_list_spills_into_next_one(db: str, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    for purpose in status.PURPOSES:
        await small_list(tenant, purpose, 16)
    awards = [uuid.uuid4() for _ in range(20)]

    entries = await status.allocate_entries_batch(tenant, awards)

    numbers = [entries[award][0].list_number for award in awards]
    first_list = sorted(
        entries[award][0].index for award in awards if entries[award][0].list_number == 1
    )
    lists = {(row.purpose, row.number): row.allocated for row in await StatusList.objects()}
    assert numbers.count(1) == 16
    assert numbers.count(2) == 4
    assert first_list == list(range(16))
    assert lists[("revocation", 1)] == 16
    assert lists[("revocation", 2)] == 4
    assert lists[("suspension", 2)] == 4


async def test_nearly_full_list_places_the_rest(db: str, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    for purpose in status.PURPOSES:
        await small_list(tenant, purpose, 64)
    await status.allocate_entries_batch(tenant, [uuid.uuid4() for _ in range(60)])

    entries = await status.allocate_entries_batch(tenant, [uuid.uuid4() for _ in range(4)])

    all_indexes = await AwardStatus.select(AwardStatus.status_index).where(
        AwardStatus.purpose == "revocation"
    )
    assert {found[0].list_number for found in entries.values()} == {1}
    assert sorted(row["status_index"] for row in all_indexes) == list(range(64))


async def test_batch_and_single_allocations_share_a_list(db: str, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    single = await status.allocate_entries(tenant, uuid.uuid4())

    batch = await status.allocate_entries_batch(tenant, [uuid.uuid4() for _ in range(100)])

    revocation = await StatusList.objects().where(StatusList.purpose == "revocation").first()
    assert revocation is not None
    assert revocation.allocated == 101
    assert single[0].index not in {found[0].index for found in batch.values()}
