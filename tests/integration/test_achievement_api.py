"""The achievements API: content checks, working copies, workflow actions, approval settings."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from httpx import AsyncClient

from hub.settings import Settings
from hub.tables import AuditEvent
from tenants.tables import Achievement, AchievementRevision
from tests.factories import make_achievement, make_tenant, make_token

pytestmark = pytest.mark.integration

BODY: dict[str, Any] = {
    "slug": "eco-design",
    "name": {"fr": "Écoconception", "en": "Eco-design", "de": "Ökodesign"},
    "description": {"fr": "Empreinte.", "en": "Footprint.", "de": "Fußabdruck."},
    "criteria": {"fr": "Projet.", "en": "Project.", "de": "Projekt."},
    "evidence": {"fr": "Rapport.", "en": "Report."},
    "tags": ["environment"],
    "alignments": [
        {
            "target_name": "apply eco-design principles",
            "target_url": "http://data.europa.eu/esco/skill/0b1a9b36-cf45-4bd8-8d2e-0b7bd0d8f5b5",
            "target_framework": "ESCO",
            "target_type": "ceasn:Competency",
        }
    ],
    "levels": [
        {"id": "aware", "name": {"fr": "Sensibilisé", "en": "Aware", "de": "Bewusst"}},
        {"id": "expert", "name": {"fr": "Expert", "en": "Expert", "de": "Experte"}},
    ],
    "credits_available": 3,
    "eqf_level": 6,
    "valid_for_months": 24,
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def token(client: AsyncClient, settings: Settings) -> str:
    return await make_token(await make_tenant(settings))


async def test_create_stores_draft_with_all_fields(client: AsyncClient, token: str) -> None:
    response = await client.post(
        "/api/v1/tenants/uphf/achievements", json=BODY, headers=bearer(token)
    )

    body = response.json()
    assert response.status_code == 201, response.text
    assert body["status"] == "draft"
    assert body["awardable"] is False
    assert body["name"]["de"] == "Ökodesign"
    assert body["alignments"][0]["targetName"] == "apply eco-design principles"
    assert [level["id"] for level in body["levels"]] == ["aware", "expert"]
    assert body["credits_available"] == 3.0
    assert body["eqf_level"] == 6
    assert await AchievementRevision.count() == 1


async def test_draft_is_not_in_public_catalogue(client: AsyncClient, token: str) -> None:
    await client.post("/api/v1/tenants/uphf/achievements", json=BODY, headers=bearer(token))

    listed = await client.get("/api/v1/tenants/uphf/achievements")

    assert listed.json() == []


async def test_publish_at_creation_needs_no_rule(client: AsyncClient, token: str) -> None:
    response = await client.post(
        "/api/v1/tenants/uphf/achievements",
        json={**BODY, "status": "published"},
        headers=bearer(token),
    )

    assert response.status_code == 409
    assert response.json()["code"] == "approval-required"
    assert await Achievement.count() == 0


def changed(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    body = copy.deepcopy(BODY)
    parent: Any = body
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return body


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (changed(("name",), {"xx": "Nom"}), "invalid-language"),
        (changed(("name",), {"de": "Name"}), "missing-translation"),
        (changed(("description",), {"fr": "d", "en": "d"}), "missing-translation"),
        (changed(("evidence",), {"it": "Prova"}), "invalid-language"),
        (changed(("alignments", 0, "target_url"), "javascript:alert(1)"), "invalid-url"),
        (changed(("alignments", 0, "target_type"), "Skill"), "invalid-alignment"),
        (changed(("alignments", 0, "target_url"), 'https://e.org/x>"{}'), "invalid-url"),
        (changed(("alignments",), [{"target_url": "https://x.example"}]), "invalid-request"),
        (changed(("levels", 1, "id"), "aware"), "invalid-level"),
        (changed(("levels", 0, "id"), "Not A Slug"), "invalid-slug"),
        (changed(("levels", 0, "name"), {"fr": "Sensibilisé"}), "missing-translation"),
        (changed(("credits_available",), -1), "invalid-credits"),
        (changed(("eqf_level",), 9), "invalid-eqf-level"),
        (changed(("valid_for_months",), 0), "invalid-validity"),
        (changed(("achievement_type",), "Trophy"), "invalid-achievement-type"),
        (
            changed(("levels",), [{"id": f"l{n}", "name": {"fr": "n"}} for n in range(11)]),
            "too-many-items",
        ),
    ],
)
async def test_invalid_content_writes_nothing(
    client: AsyncClient, token: str, body: dict[str, Any], code: str
) -> None:
    response = await client.post(
        "/api/v1/tenants/uphf/achievements", json=body, headers=bearer(token)
    )

    assert response.status_code == 400, response.text
    assert response.json()["code"] == code
    assert await Achievement.count() == 0
    assert await AuditEvent.count().where(AuditEvent.action == "achievement:created") == 0


async def test_update_makes_new_revision(client: AsyncClient, token: str) -> None:
    created = await client.post(
        "/api/v1/tenants/uphf/achievements", json=BODY, headers=bearer(token)
    )
    url = f"/api/v1/tenants/uphf/achievements/{created.json()['id']}"
    update = {key: value for key, value in BODY.items() if key != "slug"}
    update["name"] = {**BODY["name"], "en": "Eco-design basics"}

    updated = await client.put(url, json={**update, "expected_revision": 1}, headers=bearer(token))
    stale = await client.put(url, json={**update, "expected_revision": 1}, headers=bearer(token))
    revisions = await client.get(f"{url}/revisions", headers=bearer(token))

    assert updated.status_code == 200, updated.text
    assert updated.json()["revision"] == 2
    assert stale.status_code == 409
    assert stale.json()["code"] == "achievement-changed"
    assert [item["revision"] for item in revisions.json()] == [2, 1]
    assert revisions.json()[0]["content"]["name"]["en"] == "Eco-design basics"


async def test_api_token_cannot_approve(client: AsyncClient, token: str) -> None:
    created = await client.post(
        "/api/v1/tenants/uphf/achievements", json=BODY, headers=bearer(token)
    )
    url = f"/api/v1/tenants/uphf/achievements/{created.json()['id']}/transitions"

    submitted = await client.post(url, json={"action": "submit"}, headers=bearer(token))
    approved = await client.post(url, json={"action": "approve"}, headers=bearer(token))
    reviews = await client.get(url.replace("/transitions", "/reviews"), headers=bearer(token))

    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted"
    assert approved.status_code == 403
    assert [review["to"] for review in reviews.json()] == ["submitted"]


async def test_award_with_unknown_level_is_rejected(
    client: AsyncClient, settings: Settings
) -> None:
    tenant = await make_tenant(settings)
    token = await make_token(tenant)
    achievement = await make_achievement(
        tenant,
        levels=BODY["levels"],
        name=BODY["name"],
        description=BODY["description"],
        criteria=BODY["criteria"],
    )
    url = f"/api/v1/tenants/uphf/awards"
    award = {
        "achievement_id": str(achievement.id),
        "recipient_email": "ada@example.org",
        "recipient_name": "Ada Lovelace",
    }

    missing = await client.post(url, json=award, headers=bearer(token))
    unknown = await client.post(url, json={**award, "level": "master"}, headers=bearer(token))
    known = await client.post(url, json={**award, "level": "expert"}, headers=bearer(token))

    assert missing.status_code == 400
    assert missing.json()["code"] == "missing-level"
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "invalid-level"
    assert known.status_code == 201, known.text
    subject = known.json()["credential"]["credentialSubject"]
    assert subject["result"][0]["achievedLevel"].endswith("#level-expert")


async def test_approval_rule_settings(client: AsyncClient, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    token = await make_token(tenant)

    read = await client.get("/api/v1/tenants/uphf/settings/approval", headers=bearer(token))

    assert read.status_code == 200
    assert read.json() == {"approval_required": True, "distinct_approver": True}
