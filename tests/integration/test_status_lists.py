"""Published status lists and index allocation against a real PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from httpx import AsyncClient

from hub.credentials.statuslist import MIN_ENTRIES, decode_bitstring, read_bit
from hub.settings import Settings
from tenants import status
from tenants.tables import AwardStatus, StatusList, Tenant
from tests.factories import make_achievement, make_award, make_tenant, make_token

pytestmark = pytest.mark.integration


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def set_indexes(document: dict[str, Any]) -> set[int]:
    bitstring = decode_bitstring(document["credentialSubject"]["encodedList"])
    return {index for index in range(len(bitstring) * 8) if read_bit(bitstring, index)}


async def issue(settings: Settings) -> tuple[Tenant, dict[str, Any], str]:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant)
    award = (await make_award(settings, tenant, achievement)).award
    return tenant, json.loads(award.credential_text), await make_token(tenant)


def entry_of(credential: dict[str, Any], purpose: str) -> dict[str, Any]:
    entries: list[dict[str, Any]] = credential["credentialStatus"]
    return next(entry for entry in entries if entry["statusPurpose"] == purpose)


async def fetch_list(client: AsyncClient, settings: Settings, url: str) -> dict[str, Any]:
    response = await client.get(url.removeprefix(settings.base_url))
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


async def change(client: AsyncClient, credential: dict[str, Any], token: str, action: str) -> None:
    award_id = credential["id"].rsplit("/", 1)[1]
    response = await client.post(
        f"/api/v1/tenants/uphf/awards/{award_id}/{action}",
        json={"reason": "Checked by the registrar"},
        headers=bearer(token),
    )
    assert response.status_code == 200, response.text


# Publishing ------------------------------------------------------------------------------------


async def test_revoke_sets_one_bit(client: AsyncClient, db: str, settings: Settings) -> None:
    _, credential, token = await issue(settings)
    revocation = entry_of(credential, "revocation")
    suspension = entry_of(credential, "suspension")
    url = revocation["statusListCredential"]
    before = set_indexes(await fetch_list(client, settings, url))

    await change(client, credential, token, "revoke")
    after = set_indexes(await fetch_list(client, settings, url))
    other = set_indexes(await fetch_list(client, settings, suspension["statusListCredential"]))

    assert before == set()
    assert after == {int(revocation["statusListIndex"])}
    assert other == set()


async def test_suspension_bit_round_trip(client: AsyncClient, db: str, settings: Settings) -> None:
    _, credential, token = await issue(settings)
    suspension = entry_of(credential, "suspension")
    url = suspension["statusListCredential"]

    await change(client, credential, token, "suspend")
    suspended = set_indexes(await fetch_list(client, settings, url))
    await change(client, credential, token, "reinstate")
    reinstated = set_indexes(await fetch_list(client, settings, url))

    assert suspended == {int(suspension["statusListIndex"])}
    assert reinstated == set()


async def test_published_list_verifies(client: AsyncClient, db: str, settings: Settings) -> None:
    _, credential, token = await issue(settings)
    await change(client, credential, token, "revoke")
    url = entry_of(credential, "revocation")["statusListCredential"]
    text = (await client.get(url.removeprefix(settings.base_url))).text

    report = (await client.post("/api/v1/verify", content=text)).json()
    checks = {check["check"]: check["status"] for check in report["checks"]}

    assert report["valid"] is True, report
    assert checks["proof"] == "passed"
    assert checks["issuer-key"] == "passed"
    assert report["issuer_id"] == "did:web:127.0.0.1%3A8000:tenants:uphf"


async def test_published_list_shape(client: AsyncClient, db: str, settings: Settings) -> None:
    _, credential, _ = await issue(settings)
    url = entry_of(credential, "suspension")["statusListCredential"]

    response = await client.get(url.removeprefix(settings.base_url))
    document = response.json()

    assert response.headers["content-type"] == "application/vc"
    assert document["id"] == url
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["credentialSubject"]["statusPurpose"] == "suspension"
    assert document["credentialSubject"]["ttl"] == 300_000
    assert document["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert len(decode_bitstring(document["credentialSubject"]["encodedList"])) * 8 == MIN_ENTRIES
    # Measured at about 870 bytes: GZIP shrinks an almost empty 16 KiB list to a few dozen.
    assert len(response.content) < 2_000


async def test_list_caching_headers(client: AsyncClient, db: str, settings: Settings) -> None:
    _, credential, _ = await issue(settings)
    path = entry_of(credential, "revocation")["statusListCredential"].removeprefix(
        settings.base_url
    )

    first = await client.get(path)
    by_etag = await client.get(path, headers={"If-None-Match": first.headers["etag"]})
    by_date = await client.get(path, headers={"If-Modified-Since": first.headers["last-modified"]})
    other_etag = await client.get(path, headers={"If-None-Match": '"something-else"'})

    assert first.headers["cache-control"] == "public, max-age=300"
    assert first.headers["access-control-allow-origin"] == "*"
    assert first.headers["etag"].startswith('"')
    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_etag.headers["etag"] == first.headers["etag"]
    assert by_date.status_code == 304
    assert other_etag.status_code == 200


async def test_earlier_date_gets_full_list(
    client: AsyncClient, db: str, settings: Settings
) -> None:
    _, credential, _ = await issue(settings)
    path = entry_of(credential, "revocation")["statusListCredential"].removeprefix(
        settings.base_url
    )
    yesterday = format_datetime(datetime.now(UTC) - timedelta(days=1), usegmt=True)

    response = await client.get(path, headers={"If-Modified-Since": yesterday})

    assert response.status_code == 200


async def test_change_gives_new_etag(client: AsyncClient, db: str, settings: Settings) -> None:
    _, credential, token = await issue(settings)
    path = entry_of(credential, "revocation")["statusListCredential"].removeprefix(
        settings.base_url
    )
    first = await client.get(path)

    await change(client, credential, token, "revoke")
    again = await client.get(path, headers={"If-None-Match": first.headers["etag"]})

    assert again.status_code == 200
    assert again.headers["etag"] != first.headers["etag"]


async def test_unchanged_list_is_not_signed_again(
    client: AsyncClient, db: str, settings: Settings
) -> None:
    _, credential, token = await issue(settings)
    path = entry_of(credential, "revocation")["statusListCredential"].removeprefix(
        settings.base_url
    )

    first = (await client.get(path)).text
    second = (await client.get(path)).text
    await change(client, credential, token, "revoke")
    third = (await client.get(path)).text
    row = await StatusList.objects().where(StatusList.purpose == "revocation").first()

    assert second == first
    assert third != first
    assert row.version == 2
    assert row.signed_version == 2
    assert row.signed_text == third


@pytest.mark.parametrize(
    "path",
    [
        "/tenants/uphf/status/revocation/2",
        "/tenants/uphf/status/revocation/0",
        "/tenants/uphf/status/refresh/1",
        "/tenants/uphf/status/revocation/99999999999",
        "/tenants/nobody/status/revocation/1",
    ],
)
async def test_unknown_list_is_not_found(
    client: AsyncClient, db: str, settings: Settings, path: str
) -> None:
    await issue(settings)

    response = await client.get(path)

    assert response.status_code == 404
    assert response.json()["code"] in ("status-list-not-found", "tenant-not-found")


async def test_revocation_list_names_revoked_only(
    client: AsyncClient, db: str, settings: Settings
) -> None:
    tenant, revoked, token = await issue(settings)
    achievement = await make_achievement(tenant, slug="second")
    second = (await make_award(settings, tenant, achievement, email="b@example.org")).award
    suspended = json.loads(second.credential_text)
    await change(client, revoked, token, "revoke")
    await change(client, suspended, token, "suspend")

    response = await client.get("/tenants/uphf/revocation-list")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.json() == {
        "id": f"{settings.base_url}/tenants/uphf/revocation-list",
        "issuer": "did:web:127.0.0.1%3A8000:tenants:uphf",
        "revokedCredentials": [{"id": revoked["id"]}],
    }


# Allocation ------------------------------------------------------------------------------------


@pytest.mark.slow
async def test_two_thousand_awards_get_distinct_indexes(db: str, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    award_ids = [uuid.uuid4() for _ in range(2_000)]

    for award_id in award_ids:
        await status.allocate_entries(tenant, award_id)
    rows = await AwardStatus.select(AwardStatus.purpose, AwardStatus.status_index)
    lists = await StatusList.objects().order_by(StatusList.purpose)

    for purpose in ("revocation", "suspension"):
        indexes = [row["status_index"] for row in rows if row["purpose"] == purpose]
        assert len(indexes) == 2_000
        assert len(set(indexes)) == 2_000
    assert [(row.purpose, row.number, row.allocated) for row in lists] == [
        ("revocation", 1, 2_000),
        ("suspension", 1, 2_000),
    ]


async def test_parallel_awards_get_distinct_indexes(db: str, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant)

    results = await asyncio.gather(
        *(
            make_award(settings, tenant, achievement, email=f"student{number}@example.org")
            for number in range(20)
        )
    )
    credentials = [json.loads(result.award.credential_text) for result in results]

    for purpose in ("revocation", "suspension"):
        indexes = {entry_of(credential, purpose)["statusListIndex"] for credential in credentials}
        assert len(indexes) == 20
    assert await AwardStatus.count() == 40
    assert await StatusList.count() == 2


async def test_full_list_opens_next_one(db: str, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    await status.allocate_entries(tenant, uuid.uuid4())
    await StatusList.update({StatusList.allocated: StatusList.size}).where(
        StatusList.purpose == "revocation"
    )

    entries = await status.allocate_entries(tenant, uuid.uuid4())
    numbers = await StatusList.select(StatusList.purpose, StatusList.number).order_by(StatusList.id)

    assert [(entry.purpose, entry.list_number) for entry in entries] == [
        ("revocation", 2),
        ("suspension", 1),
    ]
    assert [(row["purpose"], row["number"]) for row in numbers] == [
        ("revocation", 1),
        ("suspension", 1),
        ("revocation", 2),
    ]


async def test_nearly_full_list_uses_a_free_entry(db: str, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    await status.allocate_entries(tenant, uuid.uuid4())
    revocation = await StatusList.objects().where(StatusList.purpose == "revocation").first()
    taken = await AwardStatus.select(AwardStatus.status_index).where(
        AwardStatus.purpose == "revocation"
    )
    free = {17, 65_000, MIN_ENTRIES - 1} - {taken[0]["status_index"]}
    await AwardStatus.raw(
        "INSERT INTO award_status (tenant, award, purpose, status_list, status_index, state, "
        "reason, changed_by) SELECT {}, gen_random_uuid(), 'revocation', {}, entry, 'active', "
        "'', '' FROM generate_series(0, {} - 1) AS entry "
        "WHERE entry <> ALL({}::integer[]) ON CONFLICT DO NOTHING",
        tenant.id,
        revocation.id,
        MIN_ENTRIES,
        [*free],
    )
    await StatusList.update({StatusList.allocated: MIN_ENTRIES - len(free)}).where(
        StatusList.id == revocation.id
    )

    chosen = {(await status.allocate_entries(tenant, uuid.uuid4()))[0].index for _ in free}
    full = await StatusList.objects().where(StatusList.id == revocation.id).first()

    assert chosen == free
    assert full.allocated == full.size
