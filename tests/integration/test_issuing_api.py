"""The issuing API end to end against a real PostgreSQL: achievements, awards, idempotency."""

from __future__ import annotations

import json
import uuid

import pytest
from httpx import AsyncClient

from hub.credentials import schema
from hub.settings import Settings
from hub.tables import AuditEvent
from tenants.tables import Award
from tenants.workflow import ApprovalRule, set_approval_rule
from tests.factories import make_achievement, make_tenant, make_token

pytestmark = pytest.mark.integration

AWARD = {
    "recipient_email": "Ada.Lovelace@Example.org",
    "recipient_name": "Ada Lovelace",
    "language": "fr",
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_award_returns_signed_credential(client: AsyncClient, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant)
    token = await make_token(tenant)

    response = await client.post(
        "/api/v1/tenants/uphf/awards",
        json={"achievement_id": str(achievement.id), **AWARD},
        headers=bearer(token),
    )

    assert response.status_code == 201, response.text
    credential = response.json()["credential"]
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["issuer"]["id"] == "did:web:127.0.0.1%3A8000:tenants:uphf"
    assert credential["credentialSubject"]["achievement"]["name"] == "Cap Campus"
    assert isinstance(credential["proof"], list)
    assert credential["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    identifier = credential["credentialSubject"]["identifier"][0]
    assert identifier["type"] == "IdentityObject"
    assert identifier["identityHash"].startswith("sha256$")
    assert "ada.lovelace@example.org" not in json.dumps(credential).lower()
    assert schema.validate_credential(credential) == []


async def test_award_stores_exact_signed_text(client: AsyncClient, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant)
    token = await make_token(tenant)
    created = await client.post(
        "/api/v1/tenants/uphf/awards",
        json={"achievement_id": str(achievement.id), **AWARD},
        headers=bearer(token),
    )
    award_id = created.json()["id"]

    download = await client.get(f"/credentials/{award_id}/credential.json")

    row = await Award.objects().where(Award.id == uuid.UUID(award_id)).first()
    assert download.status_code == 200
    assert download.text == row.credential_text
    assert json.loads(download.text) == created.json()["credential"]


async def test_award_verifies_through_api(client: AsyncClient, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant)
    token = await make_token(tenant)
    created = await client.post(
        "/api/v1/tenants/uphf/awards",
        json={"achievement_id": str(achievement.id), **AWARD},
        headers=bearer(token),
    )
    text = (await client.get(f"/credentials/{created.json()['id']}/credential.json")).text

    report = (await client.post("/api/v1/verify", content=text.encode())).json()

    assert report["valid"] is True, report
    assert report["format"] == "ldp_vc"
    statuses = {check["check"]: check["status"] for check in report["checks"]}
    assert statuses["proof"] == "passed"
    assert statuses["issuer-key"] == "passed"
    assert statuses["schema"] == "passed"


async def test_tampered_credential_fails_proof(client: AsyncClient, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant)
    token = await make_token(tenant)
    created = await client.post(
        "/api/v1/tenants/uphf/awards",
        json={"achievement_id": str(achievement.id), **AWARD},
        headers=bearer(token),
    )
    credential = created.json()["credential"]
    credential["credentialSubject"]["achievement"]["name"] = "Cap Campos"

    report = (await client.post("/api/v1/verify", json=credential)).json()

    assert report["valid"] is False
    failed = [check["check"] for check in report["checks"] if check["status"] == "failed"]
    assert failed == ["proof"]


async def test_jwt_form_verifies(client: AsyncClient, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant)
    token = await make_token(tenant)
    created = await client.post(
        "/api/v1/tenants/uphf/awards",
        json={"achievement_id": str(achievement.id), **AWARD},
        headers=bearer(token),
    )
    award_id = created.json()["id"]

    jwt = (await client.get(f"/credentials/{award_id}/credential.jwt")).text
    again = (await client.get(f"/credentials/{award_id}/credential.jwt")).text
    report = (
        await client.post(
            "/api/v1/verify", content=jwt.encode(), headers={"Content-Type": "application/jwt"}
        )
    ).json()

    assert jwt == again
    assert jwt.count(".") == 2
    assert report["format"] == "jwt_vc"
    assert report["valid"] is True, report


async def test_same_idempotency_key_returns_first_award(
    client: AsyncClient, settings: Settings
) -> None:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant)
    token = await make_token(tenant)
    body = {"achievement_id": str(achievement.id), **AWARD}
    headers = {**bearer(token), "Idempotency-Key": "intake-2026-row-1"}

    first = await client.post("/api/v1/tenants/uphf/awards", json=body, headers=headers)
    second = await client.post("/api/v1/tenants/uphf/awards", json=body, headers=headers)

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["credential"] == first.json()["credential"]
    assert await Award.count() == 1


async def test_reused_idempotency_key_conflicts(client: AsyncClient, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant)
    token = await make_token(tenant)
    headers = {**bearer(token), "Idempotency-Key": "k-1"}
    await client.post(
        "/api/v1/tenants/uphf/awards",
        json={"achievement_id": str(achievement.id), **AWARD},
        headers=headers,
    )

    response = await client.post(
        "/api/v1/tenants/uphf/awards",
        json={"achievement_id": str(achievement.id), **AWARD, "recipient_name": "Someone Else"},
        headers=headers,
    )

    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "idempotency-key-reused"
    assert await Award.count() == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"recipient_email": "not-an-address"}, "invalid-email"),
        ({"recipient_name": "   "}, "missing-field"),
        ({"language": "xx"}, "unsupported-language"),
        ({"achievement_id": str(uuid.uuid4())}, "achievement-not-found"),
    ],
)
async def test_invalid_award_writes_nothing(
    client: AsyncClient, settings: Settings, change: dict[str, str], code: str
) -> None:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant)
    token = await make_token(tenant)
    events_before = await AuditEvent.count()

    response = await client.post(
        "/api/v1/tenants/uphf/awards",
        json={"achievement_id": str(achievement.id), **AWARD, **change},
        headers=bearer(token),
    )

    assert response.status_code in (400, 404)
    assert response.json()["code"] == code
    assert await Award.count() == 0
    assert await AuditEvent.count() == events_before


async def test_malformed_body_is_problem(client: AsyncClient, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    token = await make_token(tenant)

    response = await client.post(
        "/api/v1/tenants/uphf/awards",
        json={"achievement_id": "not-a-uuid", "recipient_email": "a@b.eu"},
        headers=bearer(token),
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid-request"
    assert (
        "achievement_id" in response.json()["detail"]
        or "recipient_name" in response.json()["detail"]
    )


async def test_award_needs_token(client: AsyncClient, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant)

    response = await client.post(
        "/api/v1/tenants/uphf/awards", json={"achievement_id": str(achievement.id), **AWARD}
    )

    assert response.status_code == 401
    assert response.json()["code"] == "missing-token"
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_token_of_other_tenant_is_forbidden(client: AsyncClient, settings: Settings) -> None:
    uphf = await make_tenant(settings, "uphf")
    btu = await make_tenant(settings, "btu", country="DE")
    achievement = await make_achievement(uphf)
    btu_token = await make_token(btu)

    response = await client.post(
        "/api/v1/tenants/uphf/awards",
        json={"achievement_id": str(achievement.id), **AWARD},
        headers=bearer(btu_token),
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission-denied"


async def test_other_tenants_achievement_not_awardable(
    client: AsyncClient, settings: Settings
) -> None:
    uphf = await make_tenant(settings, "uphf")
    btu = await make_tenant(settings, "btu", country="DE")
    btu_achievement = await make_achievement(btu, "btu-only")
    token = await make_token(uphf)

    response = await client.post(
        "/api/v1/tenants/uphf/awards",
        json={"achievement_id": str(btu_achievement.id), **AWARD},
        headers=bearer(token),
    )

    assert response.status_code == 404
    assert response.json()["code"] == "achievement-not-found"


async def test_create_achievement_through_api(client: AsyncClient, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    await set_approval_rule(tenant, ApprovalRule(approval_required=False), actor="test")
    token = await make_token(tenant)
    body = {
        "status": "published",
        "slug": "managing-a-project",
        "name": {"fr": "Gérer un projet", "en": "Managing a project"},
        "description": {"fr": "Conduite de projet.", "en": "Project management."},
        "criteria": {"fr": "Mener un projet.", "en": "Lead a project."},
        "achievement_type": "Competency",
        "tags": ["project"],
    }

    created = await client.post(
        "/api/v1/tenants/uphf/achievements", json=body, headers=bearer(token)
    )
    duplicate = await client.post(
        "/api/v1/tenants/uphf/achievements", json=body, headers=bearer(token)
    )
    listed = await client.get("/api/v1/tenants/uphf/achievements")

    assert created.status_code == 201, created.text
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "achievement-slug-taken"
    assert [item["slug"] for item in listed.json()] == ["managing-a-project"]
    image = await client.get(created.json()["image_url"].removeprefix("http://127.0.0.1:8000"))
    assert image.headers["content-type"].startswith("image/svg+xml")


async def test_achievement_texts_share_languages(client: AsyncClient, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    token = await make_token(tenant)

    response = await client.post(
        "/api/v1/tenants/uphf/achievements",
        json={
            "slug": "x",
            "name": {"fr": "Nom"},
            "description": {"fr": "d", "en": "d"},
            "criteria": {"fr": "c", "en": "c"},
        },
        headers=bearer(token),
    )

    assert response.status_code == 400
    assert response.json()["code"] == "missing-translation"
    assert "en" in response.json()["detail"]
