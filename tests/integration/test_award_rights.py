"""Award rights of alliance badges: who may award them, their audit trail and their console."""

from __future__ import annotations

import dataclasses
import html
import importlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from federation import award_rights, memberships
from federation.tables import AwardRight, Membership
from hub.app import create_app
from hub.auth import login
from hub.auth.principal import SESSION_COOKIE
from hub.auth.tables import TenantRole, User
from hub.bulk import batches, issuing
from hub.bulk import cli as bulk_cli
from hub.bulk import reading as bulk_reading
from hub.bulk import service as bulk_service
from hub.bulk.service import awardable_achievements
from hub.bulk.signing import SigningPool
from hub.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from hub.settings import Settings
from hub.tables import AuditEvent
from tenants.scope import TenantScope
from tenants.tables import Achievement, Award, BulkAward, Tenant
from tests.factories import make_achievement, make_award, make_tenant, make_token
from tests.integration.test_bulk_awards import INTAKE, upload

pytestmark = pytest.mark.integration

SUPPORT = {"fr": "Je soutiens EUNICE", "en": "I Support Eunice"}


@dataclass(frozen=True)
class Alliance:
    alliance: Tenant
    uphf: Tenant
    btu: Tenant
    badge: Achievement


@pytest.fixture
async def alliance(db: str, settings: Settings) -> Alliance:
    """EUNICE with members UPHF and BTU, one published alliance badge and no award rights."""
    eunice = await make_tenant(settings, "eunice", kind="alliance", name="EUNICE", name_en="EUNICE")
    uphf = await make_tenant(settings, "uphf")
    btu = await make_tenant(settings, "btu", country="DE")
    await memberships.add_member(settings, eunice, "uphf", "test")
    await memberships.add_member(settings, eunice, "btu", "test")
    badge = await make_achievement(eunice, "i-support-eunice", name=SUPPORT)
    return Alliance(eunice, uphf, btu, badge)


async def session_headers(
    client: httpx.AsyncClient, settings: Settings, *, admin: bool, role: str | None = None
) -> dict[str, str]:
    """Open a console session for an alliance admin, or for a UPHF person holding ``role``."""
    user = User(
        subject=f"test:{role or 'admin'}",
        email=f"{role or 'admin'}@example.org",
        name="Test Person",
        is_alliance_admin=admin,
        created_at=datetime.now(UTC),
    )
    await user.save()
    if role is not None:
        uphf = await Tenant.objects().where(Tenant.slug == "uphf").first()
        await TenantRole(
            user=user.id, tenant=uphf.id, role=role, source="granted", created_at=user.created_at
        ).save()
    cookie = await login.open_session(settings, user, None)
    csrf = (await client.get("/tenants/uphf/did.json")).cookies["badgehub_csrf"]
    client.cookies.clear()
    return {"cookie": f"{SESSION_COOKIE}={cookie}; badgehub_csrf={csrf}", "x-csrf-token": csrf}


async def test_award_without_right_is_rejected(alliance: Alliance, settings: Settings) -> None:
    with pytest.raises(PermissionDeniedError) as raised:
        await make_award(settings, alliance.uphf, alliance.badge)

    assert raised.value.code == "award-right-missing"
    assert "'uphf' has no right" in raised.value.message
    assert "'i-support-eunice'" in raised.value.message
    assert "/console/federation/badges" in raised.value.message
    assert await Award.count() == 0


async def test_api_award_without_right_is_403(
    alliance: Alliance, client: httpx.AsyncClient
) -> None:
    token = await make_token(alliance.uphf)

    response = await client.post(
        "/api/v1/tenants/uphf/awards",
        json={
            "achievement_id": str(alliance.badge.id),
            "recipient_email": "ada@example.org",
            "recipient_name": "Ada Lovelace",
        },
        headers={"authorization": f"Bearer {token}"},
    )

    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "award-right-missing"
    assert "grants it at /console/federation/badges" in response.json()["detail"]


async def test_award_with_right_names_alliance_as_creator(
    alliance: Alliance, settings: Settings
) -> None:
    await award_rights.grant_right(alliance.alliance, alliance.badge.id, "uphf", "admin")

    result = await make_award(settings, alliance.uphf, alliance.badge)

    credential = json.loads(result.award.credential_text)
    achievement = credential["credentialSubject"]["achievement"]
    # did:web percent-encodes the port of the host (did:web method specification, section 3.2).
    assert credential["issuer"]["id"] == "did:web:127.0.0.1%3A8000:tenants:uphf"
    assert achievement["creator"]["id"] == "did:web:127.0.0.1%3A8000:tenants:eunice"
    assert achievement["creator"]["name"] == "EUNICE"
    assert result.award.tenant == alliance.uphf.id


async def test_alliance_awards_without_right(alliance: Alliance, settings: Settings) -> None:
    result = await make_award(settings, alliance.alliance, alliance.badge)

    assert result.created is True
    assert await AwardRight.count() == 0


async def test_suspended_member_is_rejected(alliance: Alliance, settings: Settings) -> None:
    await award_rights.grant_right(alliance.alliance, alliance.badge.id, "uphf", "admin")
    await memberships.suspend_member(settings, alliance.alliance, "uphf", "unpaid", "admin")

    with pytest.raises(PermissionDeniedError) as raised:
        await make_award(settings, alliance.uphf, alliance.badge)

    assert raised.value.code == "membership-not-active"
    assert "suspended member of 'eunice'" in raised.value.message


async def test_revoked_right_rejects_again(alliance: Alliance, settings: Settings) -> None:
    await award_rights.grant_right(alliance.alliance, alliance.badge.id, "uphf", "admin")
    await make_award(settings, alliance.uphf, alliance.badge)

    change = await award_rights.revoke_right(alliance.alliance, alliance.badge.id, "uphf", "a")

    assert change.changed is True
    with pytest.raises(PermissionDeniedError):
        await make_award(settings, alliance.uphf, alliance.badge, email="bob@example.org")
    assert await Award.count() == 1


async def test_non_member_cannot_see_badge(alliance: Alliance, settings: Settings) -> None:
    outsider = await make_tenant(settings, "kau", country="SE")

    with pytest.raises(NotFoundError) as raised:
        await make_award(settings, outsider, alliance.badge)

    assert raised.value.code == "achievement-not-found"


async def test_rights_are_idempotent_and_audited(alliance: Alliance) -> None:
    first = await award_rights.grant_right(alliance.alliance, alliance.badge.id, "btu", "elise")
    second = await award_rights.grant_right(alliance.alliance, alliance.badge.id, "btu", "elise")
    revoked = await award_rights.revoke_right(alliance.alliance, alliance.badge.id, "btu", "elise")
    again = await award_rights.revoke_right(alliance.alliance, alliance.badge.id, "btu", "elise")

    events = (
        await AuditEvent.objects()
        .output(load_json=True)
        .where(AuditEvent.action.like("award-right:%"))
        .order_by(AuditEvent.id)
    )
    assert [first.changed, second.changed, revoked.changed, again.changed] == [
        True,
        False,
        True,
        False,
    ]
    assert [event.action for event in events] == ["award-right:granted", "award-right:revoked"]
    assert {event.tenant_slug for event in events} == {"eunice"}
    assert {event.target for event in events} == {"btu"}
    assert {event.actor for event in events} == {"elise"}
    assert events[0].details == {
        "achievement": str(alliance.badge.id),
        "achievement_slug": "i-support-eunice",
    }


async def test_grant_needs_membership_and_alliance_badge(
    alliance: Alliance, settings: Settings
) -> None:
    await make_tenant(settings, "kau", country="SE")
    own_badge = await make_achievement(alliance.uphf, "cap-campus")

    with pytest.raises(NotFoundError, match="not a member of 'eunice'") as outsider:
        await award_rights.grant_right(alliance.alliance, alliance.badge.id, "kau", "admin")
    with pytest.raises(NotFoundError) as foreign:
        await award_rights.grant_right(alliance.alliance, own_badge.id, "uphf", "admin")

    assert outsider.value.code == "membership-not-found"
    assert foreign.value.code == "alliance-achievement-not-found"
    assert await AwardRight.count() == 0


async def test_grant_to_all_members(alliance: Alliance) -> None:
    await award_rights.grant_right(alliance.alliance, alliance.badge.id, "btu", "admin")

    changes = await award_rights.grant_to_all_members(alliance.alliance, alliance.badge.id, "a")

    badge = await award_rights.get_alliance_badge(alliance.alliance, alliance.badge.id)
    assert {change.member.slug: change.changed for change in changes} == {
        "btu": False,
        "uphf": True,
    }
    assert badge.holders == {"btu", "uphf"}


async def test_bulk_list_shows_only_granted_badges(alliance: Alliance) -> None:
    own = await make_achievement(alliance.uphf, "cap-campus")
    other = await make_achievement(alliance.alliance, "general-assembly")
    await award_rights.grant_right(alliance.alliance, other.id, "uphf", "admin")

    listed = await awardable_achievements(TenantScope(alliance.uphf))

    assert [row.slug for row in listed] == ["cap-campus", "general-assembly"]
    assert own.id in {row.id for row in listed}


async def test_migration_grants_active_members(alliance: Alliance, settings: Settings) -> None:
    await memberships.suspend_member(settings, alliance.alliance, "btu", "unpaid", "admin")
    migration = importlib.import_module(
        "migrations.federation.federation_2026_12_04t21_01_00_000000"
    )
    backfill = next(statement for statement in migration._STATEMENTS if "INSERT" in statement)

    await AwardRight.raw(backfill)
    await AwardRight.raw(backfill)

    rows = await AwardRight.select(AwardRight.member.slug, AwardRight.achievement)
    assert rows == [{"member.slug": "uphf", "achievement": alliance.badge.id}]


async def test_console_matrix_grants_and_revokes(
    alliance: Alliance, client: httpx.AsyncClient, settings: Settings
) -> None:
    headers = await session_headers(client, settings, admin=True)
    path = f"/console/federation/badges/{alliance.badge.id}/rights"

    before = await client.get("/console/federation/badges?lang=en", headers=headers)
    granted = await client.post(path, data={"member": "uphf", "action": "grant"}, headers=headers)
    after = await client.get("/console/federation/badges?lang=en", headers=headers)
    revoked = await client.post(path, data={"member": "uphf", "action": "revoke"}, headers=headers)
    everyone = await client.post(f"{path}/all", headers=headers)

    assert before.status_code == 200
    assert "I Support Eunice" in before.text
    assert "0 of 2 members may award it" in before.text
    assert f'href="/console/tenants/eunice/achievements/{alliance.badge.id}"' in before.text
    assert 'href="/console/federation/peers"' in before.text
    assert granted.status_code == 303
    assert granted.headers["location"] == "/console/federation/badges?done=granted"
    assert "1 of 2 members may award it" in after.text
    assert revoked.headers["location"] == "/console/federation/badges?done=revoked"
    assert everyone.headers["location"] == "/console/federation/badges?done=granted_all"
    badge = await award_rights.get_alliance_badge(alliance.alliance, alliance.badge.id)
    assert badge.holders == {"uphf", "btu"}


async def test_console_rejects_tenant_admin(
    alliance: Alliance, client: httpx.AsyncClient, settings: Settings
) -> None:
    headers = await session_headers(client, settings, admin=False, role="tenant-admin")
    path = f"/console/federation/badges/{alliance.badge.id}/rights"

    page = await client.get("/console/federation/badges", headers=headers)
    grant = await client.post(path, data={"member": "uphf", "action": "grant"}, headers=headers)

    assert page.status_code == 403
    assert grant.status_code == 403
    assert await AwardRight.count() == 0


async def test_member_console_awards_granted_badge(
    alliance: Alliance, client: httpx.AsyncClient, settings: Settings
) -> None:
    headers = await session_headers(client, settings, admin=False, role="issuer")
    base = "/console/tenants/uphf/alliance-badges"
    empty = await client.get(f"{base}?lang=en", headers=headers)
    refused = await client.get(f"{base}/{alliance.badge.id}?lang=en", headers=headers)
    await award_rights.grant_right(alliance.alliance, alliance.badge.id, "uphf", "admin")

    listed = await client.get(f"{base}?lang=en", headers=headers)
    form = await client.get(f"{base}/{alliance.badge.id}?lang=en", headers=headers)
    awarded = await client.post(
        f"{base}/{alliance.badge.id}/award",
        data={
            "recipient_name": "Ada Lovelace",
            "recipient_email": "ada@example.org",
            "language": "en",
            "submission": "form-1",
        },
        headers=headers,
    )

    award = await Award.objects().first()
    assert "has no right to award an alliance badge" in empty.text
    assert refused.status_code == 403
    assert "I Support Eunice" in listed.text
    assert "Created by EUNICE, awarded by Université UPHF." in form.text
    assert awarded.status_code == 303
    assert award is not None
    assert awarded.headers["location"] == f"/console/tenants/uphf/awards/{award.id}"
    assert award.tenant == alliance.uphf.id
    assert award.achievement == alliance.badge.id


@pytest.mark.keycloak
async def test_api_grants_lists_and_revokes(
    alliance: Alliance, db: str, settings: Settings, keycloak: Any
) -> None:
    sso = dataclasses.replace(
        keycloak.hub_settings(settings), api_allowed_clients=("badgehub-web", "badgehub-tests")
    )
    admin = {"authorization": f"Bearer {keycloak.password_token('alliance.admin')['access_token']}"}
    member = {"authorization": f"Bearer {await make_token(alliance.uphf)}"}
    path = f"/api/v1/federation/badges/{alliance.badge.id}/rights"
    transport = httpx.ASGITransport(app=create_app(sso, db))
    async with httpx.AsyncClient(transport=transport, base_url=sso.public_url) as api:
        granted = await api.put(f"{path}/uphf", headers=admin)
        repeated = await api.put(f"{path}/uphf", headers=admin)
        listed = await api.get("/api/v1/federation/badges", headers=admin)
        by_member = await api.put(f"{path}/btu", headers=member)
        outsider = await api.put(f"{path}/nowhere", headers=admin)
        revoked = await api.delete(f"{path}/uphf", headers=admin)
        numbers = await api.get("/api/v1/federation/statistics", headers=admin)

    assert granted.status_code == 200, granted.text
    assert granted.json() == {
        "achievement_id": str(alliance.badge.id),
        "member": "uphf",
        "held": True,
        "changed": True,
    }
    assert repeated.json()["changed"] is False
    assert listed.status_code == 200
    assert [badge["slug"] for badge in listed.json()] == ["i-support-eunice"]
    assert listed.json()[0]["award_rights"] == ["uphf"]
    assert listed.json()[0]["creator"].endswith(":tenants:eunice")
    assert by_member.status_code == 403
    assert outsider.status_code == 404
    assert revoked.status_code == 200
    assert revoked.json()["held"] is False
    assert revoked.json()["changed"] is True
    assert numbers.status_code == 200
    assert numbers.json()["total"] == {"issued": 0, "revoked": 0}
    assert await AwardRight.count() == 0


async def test_bulk_start_needs_right(alliance: Alliance) -> None:
    scope = TenantScope(alliance.uphf)
    await award_rights.grant_right(alliance.alliance, alliance.badge.id, "uphf", "admin")
    summary = await upload(scope, alliance.badge, INTAKE)
    await award_rights.revoke_right(alliance.alliance, alliance.badge.id, "uphf", "admin")

    with pytest.raises(PermissionDeniedError) as raised:
        await bulk_service.start(scope, summary.bulk.id, "user:test", queue=None)
    without_right = await bulk_reading.get_summary(scope, summary.bulk.id)

    assert raised.value.code == "award-right-missing"
    assert without_right.bulk.status == "validated"
    assert without_right.achievement.id == alliance.badge.id
    with pytest.raises(PermissionDeniedError):
        await upload(scope, alliance.badge, INTAKE, filename="again.csv")


async def test_bulk_job_stops_when_right_withdrawn(
    alliance: Alliance, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await award_rights.grant_right(alliance.alliance, alliance.badge.id, "uphf", "admin")
    scope = TenantScope(alliance.uphf)
    summary = await upload(scope, alliance.badge, bulk_intake(1_234), send_email=False)
    await bulk_service.start(scope, summary.bulk.id, "user:test", queue=None)
    store = batches.store

    async def store_then_withdraw(*args: Any) -> int | None:
        stored = await store(*args)
        await award_rights.revoke_right(alliance.alliance, alliance.badge.id, "uphf", "admin")
        return stored

    monkeypatch.setattr(batches, "store", store_then_withdraw)

    result = await issuing.run_bulk_award(settings, summary.bulk.id, SigningPool(0))

    bulk = await BulkAward.objects().where(BulkAward.id == summary.bulk.id).first()
    assert result is None
    assert bulk is not None
    assert bulk.status == "failed"
    assert bulk.awarded == issuing.BATCH_SIZE
    assert "'uphf' has no right" in bulk.error
    assert await Award.count() == issuing.BATCH_SIZE


async def test_bulk_job_stops_for_suspended_member(alliance: Alliance, settings: Settings) -> None:
    await award_rights.grant_right(alliance.alliance, alliance.badge.id, "uphf", "admin")
    scope = TenantScope(alliance.uphf)
    summary = await upload(scope, alliance.badge, bulk_intake(3), send_email=False)
    await bulk_service.start(scope, summary.bulk.id, "user:test", queue=None)
    await memberships.suspend_member(settings, alliance.alliance, "uphf", "test", "audit")

    await issuing.run_bulk_award(settings, summary.bulk.id, SigningPool(0))

    bulk = await BulkAward.objects().where(BulkAward.id == summary.bulk.id).first()
    assert bulk is not None
    assert bulk.status == "failed"
    assert bulk.awarded == 0
    assert "suspended" in bulk.error


def bulk_intake(rows: int) -> str:
    lines = [f"etudiant{number}@example.org,Étudiant {number}\n" for number in range(rows)]
    return "email,name\n" + "".join(lines)


async def test_suspended_member_sees_notice(
    alliance: Alliance, client: httpx.AsyncClient, settings: Settings
) -> None:
    headers = await session_headers(client, settings, admin=False, role="tenant-admin")
    before = await client.get("/console/tenants/uphf?lang=en", headers=headers)
    await memberships.suspend_member(settings, alliance.alliance, "uphf", "audit", "test")

    dashboard = await client.get("/console/tenants/uphf?lang=en", headers=headers)
    badges = await client.get("/console/tenants/uphf/alliance-badges?lang=fr", headers=headers)

    assert "suspended this university's membership" not in html.unescape(before.text)
    assert "EUNICE has suspended this university's membership" in html.unescape(dashboard.text)
    assert "EUNICE a suspendu l'adhésion de cette université" in html.unescape(badges.text)


async def test_cli_lookup_names_missing_right(alliance: Alliance) -> None:
    scope = TenantScope(alliance.uphf)

    with pytest.raises(PermissionDeniedError) as raised:
        await bulk_cli.find_achievement(scope, alliance.badge.slug)

    assert raised.value.code == "award-right-missing"


@pytest.mark.parametrize("since", [date(1900, 1, 1), date(2999, 1, 1)])
async def test_member_since_out_of_range(settings: Settings, db: str, since: date) -> None:
    eunice = await make_tenant(settings, "eunice", kind="alliance", name="EUNICE")
    await make_tenant(settings, "umons")

    with pytest.raises(InvalidInputError) as raised:
        await memberships.add_member(settings, eunice, "umons", "test", since)

    assert raised.value.code == "invalid-date"
    assert await Membership.count() == 0


async def test_unknown_right_action_is_400(
    alliance: Alliance, client: httpx.AsyncClient, settings: Settings
) -> None:
    headers = await session_headers(client, settings, admin=True)

    response = await client.post(
        f"/console/federation/badges/{alliance.badge.id}/rights",
        data={"member": "uphf", "action": "delete-everything"},
        headers=headers,
    )

    assert response.status_code == 400
