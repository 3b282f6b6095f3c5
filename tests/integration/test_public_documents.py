"""Public documents: DID documents, JWKS, Profiles, credential pages, health, verification."""

from __future__ import annotations

import json

import pytest
from httpx import AsyncClient

from federation.tables import Membership
from hub.settings import Settings
from tenants.seed import seed_alliance
from tenants.tables import Achievement, Award, IssuerKey, Tenant
from tests.factories import make_achievement, make_award, make_tenant

pytestmark = pytest.mark.integration

DID = "did:web:127.0.0.1%3A8000:tenants:uphf"


async def test_did_document_lists_both_keys(client: AsyncClient, settings: Settings) -> None:
    await make_tenant(settings)

    response = await client.get("/tenants/uphf/did.json")

    document = response.json()
    assert response.headers["content-type"].startswith("application/did+json")
    assert document["id"] == DID
    types = sorted(method["type"] for method in document["verificationMethod"])
    assert types == ["JsonWebKey", "Multikey"]
    for method in document["verificationMethod"]:
        assert method["controller"] == DID
        assert method["id"].startswith(DID + "#")
        assert method["id"] in document["assertionMethod"]
        assert "d" not in method.get("publicKeyJwk", {})


async def test_did_document_keeps_retired_drops_revoked(
    client: AsyncClient, settings: Settings
) -> None:
    from datetime import UTC, datetime

    await make_tenant(settings)
    keys = await IssuerKey.objects()
    await IssuerKey.update({IssuerKey.retired_at: datetime.now(UTC)}).where(
        IssuerKey.id == keys[0].id
    )
    await IssuerKey.update({IssuerKey.revoked_at: datetime.now(UTC)}).where(
        IssuerKey.id == keys[1].id
    )

    document = (await client.get("/tenants/uphf/did.json")).json()

    listed = [method["id"] for method in document["verificationMethod"]]
    assert listed == [f"{DID}#{keys[0].fragment}"]


async def test_jwks_kids_resolve_in_did_document(client: AsyncClient, settings: Settings) -> None:
    await make_tenant(settings)

    jwks = (await client.get("/tenants/uphf/jwks.json")).json()
    document = (await client.get("/tenants/uphf/did.json")).json()

    method_ids = {method["id"] for method in document["verificationMethod"]}
    assert {key["kid"] for key in jwks["keys"]} == method_ids
    assert sorted(key["alg"] for key in jwks["keys"]) == ["EdDSA", "RS256"]


async def test_profile_served_as_json_ld_and_html(client: AsyncClient, settings: Settings) -> None:
    await make_tenant(settings)

    as_json = await client.get("/tenants/uphf", headers={"Accept": "application/ld+json"})
    as_html = await client.get("/tenants/uphf", headers={"Accept": "text/html"})

    assert as_json.json()["id"] == DID
    assert as_json.json()["type"] == ["Profile"]
    assert as_html.headers["content-type"].startswith("text/html")
    assert "Université UPHF" in as_html.text


async def test_unknown_tenant_is_404_problem(client: AsyncClient, db: str) -> None:
    response = await client.get("/tenants/nowhere/did.json")

    assert response.status_code == 404
    assert response.json()["code"] == "tenant-not-found"


async def test_unknown_page_is_html_404(client: AsyncClient, db: str) -> None:
    response = await client.get("/no/such/page", headers={"Accept": "text/html"})

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "not-found" in response.text


async def test_credential_page_shows_live_result(client: AsyncClient, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant)
    award = (await make_award(settings, tenant, achievement, name="Grace Hopper")).award

    page = await client.get(f"/credentials/{award.id}", headers={"Accept": "text/html"})

    assert page.status_code == 200
    assert "Grace Hopper" in page.text
    assert "Cap Campus" in page.text
    assert "Verified" in page.text
    assert "University UPHF" in page.text


async def test_credential_page_reports_tampered_row(
    client: AsyncClient, settings: Settings
) -> None:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant)
    award = (await make_award(settings, tenant, achievement)).award
    tampered = award.credential_text.replace("Cap Campus", "Cap Kampus")
    await Award.update({Award.credential_text: tampered}).where(Award.id == award.id)

    page = await client.get(f"/credentials/{award.id}", headers={"Accept": "text/html"})

    assert "Verification failed" in page.text


async def test_credential_url_negotiates_json(client: AsyncClient, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant)
    award = (await make_award(settings, tenant, achievement)).award

    response = await client.get(f"/credentials/{award.id}", headers={"Accept": "application/json"})

    assert response.text == award.credential_text


async def test_verify_rejects_unreadable_input(client: AsyncClient, db: str) -> None:
    response = await client.post("/api/v1/verify", content=b"this is not a credential")

    assert response.status_code == 400
    assert response.json()["code"] == "unreadable-credential"


async def test_verify_reports_unknown_context(client: AsyncClient, db: str) -> None:
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://evil.example/context.json"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"type": ["AchievementSubject"]},
    }

    response = await client.post("/api/v1/verify", json=credential)

    report = response.json()
    assert response.status_code == 200
    assert report["valid"] is False
    assert "https://evil.example/context.json" in json.dumps(report)


async def test_ready_checks_database(client: AsyncClient, db: str) -> None:
    response = await client.get("/health/ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "x-request-id" in response.headers


async def test_seed_is_idempotent(db: str, settings: Settings) -> None:
    await seed_alliance(settings)
    counts = (await Tenant.count(), await Achievement.count(), await Award.count())

    await seed_alliance(settings)

    assert counts == (10, 12, 10)
    assert (await Tenant.count(), await Achievement.count(), await Award.count()) == counts
    assert await Membership.count() == 9


async def test_alliance_badge_names_alliance_as_creator(
    client: AsyncClient, settings: Settings
) -> None:
    await seed_alliance(settings)
    award = (
        await Award.objects()
        .output(load_json=True)
        .where(Award.achievement.slug == "i-support-eunice")
        .where(Award.tenant.slug == "uphf")
        .first()
    )

    credential = json.loads(award.credential_text)
    report = (await client.post("/api/v1/verify", content=award.credential_text)).json()

    assert credential["issuer"]["id"] == DID
    creator = credential["credentialSubject"]["achievement"]["creator"]
    assert creator["id"] == "did:web:127.0.0.1%3A8000:tenants:eunice"
    assert report["valid"] is True
