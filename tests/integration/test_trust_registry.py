"""The alliance's signed trust registry, membership changes, and the trust check of verification."""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx
import pytest

from federation import award_rights, memberships
from federation.registry import WELL_KNOWN_PATH, latest_version
from federation.registry_verification import verify_registry
from federation.tables import Membership, RegistryVersion
from hub import verification
from hub.auth import login
from hub.auth.principal import SESSION_COOKIE
from hub.auth.tables import User
from hub.credentials.report import CheckId, CheckStatus
from hub.errors import ConflictError, InvalidInputError, NotFoundError
from hub.settings import Settings
from hub.tables import AuditEvent
from tenants.seed import seed_alliance
from tenants.tables import Tenant
from tests.factories import make_achievement, make_award, make_tenant, make_token

pytestmark = pytest.mark.integration

ALLIANCE_DID = "did:web:127.0.0.1%3A8000:tenants:eunice"
UPHF_DID = "did:web:127.0.0.1%3A8000:tenants:uphf"
REGISTRY_URL = "http://127.0.0.1:8000/.well-known/eunice-registry.json"


@dataclass
class Federation:
    alliance: Tenant
    uphf: Tenant
    btu: Tenant


@pytest.fixture
async def federation(db: str, settings: Settings) -> Federation:
    """An alliance with two members added through the service: registry versions 1 and 2."""
    alliance = await make_tenant(
        settings, "eunice", kind="alliance", name="EUNICE", name_en="EUNICE"
    )
    uphf = await make_tenant(settings, "uphf", name_en="Polytechnic University of Hauts-de-France")
    btu = await make_tenant(settings, "btu", country="DE", name_en="BTU Cottbus-Senftenberg")
    await memberships.add_member(settings, alliance, "uphf", "test")
    await memberships.add_member(settings, alliance, "btu", "test")
    return Federation(alliance, uphf, btu)


async def registry_json(client: httpx.AsyncClient, path: str = WELL_KNOWN_PATH) -> dict:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    return json.loads(response.text)


def member(document: dict, did: str) -> dict:
    return next(entry for entry in document["credentialSubject"]["member"] if entry["id"] == did)


async def test_registry_lists_members(federation: Federation, client: httpx.AsyncClient) -> None:
    document = await registry_json(client)

    uphf = member(document, UPHF_DID)
    assert document["issuer"]["id"] == ALLIANCE_DID
    assert document["type"] == ["VerifiableCredential", "TrustRegistryCredential"]
    assert document["credentialSubject"]["registryVersion"] == 2
    assert len(document["credentialSubject"]["member"]) == 2
    assert uphf["name"] == "Polytechnic University of Hauts-de-France"
    assert uphf["type"] == ["Profile"]
    assert uphf["url"] == "https://www.uphf.example"
    assert uphf["address"]["addressCountryCode"] == "FR"
    assert uphf["membershipStatus"] == "active"
    assert len(uphf["memberSince"]) == 10
    assert document["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert document["proof"][0]["verificationMethod"].startswith(ALLIANCE_DID + "#")


async def test_registry_verifies_with_hub_verifier(
    federation: Federation, client: httpx.AsyncClient, settings: Settings
) -> None:
    text = (await client.get(WELL_KNOWN_PATH)).text

    report = await verify_registry(settings, text)

    statuses = {str(check.check): str(check.status) for check in report.checks}
    assert report.valid is True, report.to_dict()
    assert statuses["type"] == "passed"
    assert statuses["context"] == "passed"
    assert statuses["undefined-terms"] == "passed"
    assert statuses["proof"] == "passed"
    assert statuses["issuer-key"] == "passed"
    assert statuses["trust"] == "passed"


async def test_registry_verifies_through_api(
    federation: Federation, client: httpx.AsyncClient
) -> None:
    text = (await client.get(WELL_KNOWN_PATH)).text

    response = await client.post("/api/v1/verify", content=text)

    assert response.status_code == 200, response.text
    statuses = {check["check"]: check["status"] for check in response.json()["checks"]}
    assert statuses["type"] == "passed"
    assert statuses["proof"] == "passed"
    assert response.json()["valid"] is True


async def test_tampered_registry_fails_proof(
    federation: Federation, client: httpx.AsyncClient, settings: Settings
) -> None:
    document = await registry_json(client)
    member(document, UPHF_DID)["membershipStatus"] = "suspended"

    report = await verify_registry(settings, json.dumps(document))

    proof = report.check(CheckId.PROOF)
    assert report.valid is False
    assert proof is not None
    assert proof.status is CheckStatus.FAILED
    assert "signature does not match" in proof.message


async def test_suspend_and_reinstate_sign_new_versions(
    federation: Federation, client: httpx.AsyncClient, settings: Settings
) -> None:
    suspended = await memberships.suspend_member(
        settings, federation.alliance, "uphf", "unpaid fees", "test"
    )
    reinstated = await memberships.reinstate_member(
        settings, federation.alliance, "uphf", "fees paid", "test"
    )

    version_3 = await registry_json(client, "/federation/registry/versions/3.json")
    version_4 = await registry_json(client, "/federation/registry/versions/4.json")
    latest = await registry_json(client)
    assert suspended.registry is not None
    assert suspended.registry.version == 3
    assert reinstated.registry is not None
    assert reinstated.registry.version == 4
    assert member(version_3, UPHF_DID)["membershipStatus"] == "suspended"
    assert member(version_4, UPHF_DID)["membershipStatus"] == "active"
    assert latest["credentialSubject"]["registryVersion"] == 4
    assert (await verify_registry(settings, json.dumps(version_3))).valid is True


async def test_repeated_suspension_changes_nothing(
    federation: Federation, settings: Settings
) -> None:
    await memberships.suspend_member(settings, federation.alliance, "btu", "audit", "test")

    again = await memberships.suspend_member(settings, federation.alliance, "btu", "audit", "test")

    assert again.changed is False
    assert await RegistryVersion.count() == 3
    assert await AuditEvent.count().where(AuditEvent.action == "membership:suspended") == 1


async def test_suspension_is_audited_with_reason(
    federation: Federation, settings: Settings
) -> None:
    await memberships.suspend_member(settings, federation.alliance, "btu", "left the alliance", "x")

    event = (
        await AuditEvent.objects()
        .output(load_json=True)
        .where(AuditEvent.action == "membership:suspended")
        .first()
    )
    assert event is not None
    assert event.target == "btu"
    assert event.actor == "x"
    assert event.details == {"reason": "left the alliance"}
    assert await AuditEvent.count().where(AuditEvent.action == "trust-registry:published") == 3


async def test_membership_errors(federation: Federation, settings: Settings) -> None:
    await make_tenant(settings, "kau", country="SE")

    with pytest.raises(ConflictError, match="already a member"):
        await memberships.add_member(settings, federation.alliance, "uphf", "test")
    with pytest.raises(InvalidInputError, match="is an alliance"):
        await memberships.add_member(settings, federation.alliance, "eunice", "test")
    with pytest.raises(NotFoundError, match="no tenant with slug 'nowhere'"):
        await memberships.add_member(settings, federation.alliance, "nowhere", "test")
    with pytest.raises(NotFoundError, match="not a member"):
        await memberships.suspend_member(settings, federation.alliance, "kau", "why", "test")
    with pytest.raises(InvalidInputError, match="reason is missing"):
        await memberships.suspend_member(settings, federation.alliance, "uphf", " ", "test")
    assert await RegistryVersion.count() == 2
    assert await Membership.count() == 2


async def test_latest_registry_caching_headers(
    federation: Federation, client: httpx.AsyncClient
) -> None:
    response = await client.get(WELL_KNOWN_PATH)
    again = await client.get(WELL_KNOWN_PATH, headers={"if-none-match": '"v2"'})
    stale = await client.get(WELL_KNOWN_PATH, headers={"if-none-match": '"v1"'})
    old = await client.get("/federation/registry/versions/1.json")
    alias = await client.get("/federation/registry.json")

    assert response.headers["etag"] == '"v2"'
    assert "max-age=60" in response.headers["cache-control"]
    assert response.headers["content-type"].startswith("application/vc")
    assert response.headers["access-control-allow-origin"] == "*"
    assert again.status_code == 304
    assert stale.status_code == 200
    assert old.headers["etag"] == '"v1"'
    assert "immutable" in old.headers["cache-control"]
    assert alias.text == response.text


async def test_missing_versions_are_404(federation: Federation, client: httpx.AsyncClient) -> None:
    unknown = await client.get("/federation/registry/versions/9.json")
    malformed = await client.get("/federation/registry/versions/latest.json")

    assert unknown.status_code == 404
    assert unknown.json()["code"] == "registry-version-not-found"
    assert malformed.status_code == 404


async def test_registry_without_alliance_is_404(db: str, client: httpx.AsyncClient) -> None:
    response = await client.get(WELL_KNOWN_PATH)

    assert response.status_code == 404
    assert response.json()["code"] == "alliance-not-found"


async def test_registry_context_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/federation/contexts/trust-registry-v1.jsonld")

    assert response.status_code == 200
    assert "membershipStatus" in response.json()["@context"]


@pytest.mark.parametrize(
    ("language", "heading", "status"),
    [
        ("en", "Trust registry of EUNICE", "suspended"),
        ("fr", "Registre de confiance de EUNICE", "suspendu"),
    ],
)
async def test_registry_page_languages(
    federation: Federation,
    client: httpx.AsyncClient,
    settings: Settings,
    language: str,
    heading: str,
    status: str,
) -> None:
    await memberships.suspend_member(settings, federation.alliance, "btu", "audit", "test")

    response = await client.get(
        f"/federation/registry?lang={language}", headers={"accept": "text/html"}
    )

    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.text
    assert heading in response.text
    assert "BTU Cottbus-Senftenberg" in response.text
    assert f"<strong>{status}</strong>" in response.text
    assert "Version 3" in response.text
    assert f'href="{WELL_KNOWN_PATH}"' in response.text
    assert "/federation/registry/versions/1.json" in response.text


async def member_award_text(settings: Settings, tenant: Tenant) -> str:
    achievement = await make_achievement(tenant)
    return (await make_award(settings, tenant, achievement)).award.credential_text


async def trust_of(settings: Settings, text: str) -> tuple[bool, CheckStatus, str]:
    report = await verification.verify(settings, text)
    trust = report.check(CheckId.TRUST)
    assert trust is not None
    return report.valid, trust.status, trust.message


async def test_trust_follows_membership(federation: Federation, settings: Settings) -> None:
    text = await member_award_text(settings, federation.uphf)

    active = await trust_of(settings, text)
    await memberships.suspend_member(settings, federation.alliance, "uphf", "audit", "test")
    suspended = await trust_of(settings, text)
    await memberships.reinstate_member(settings, federation.alliance, "uphf", "done", "test")
    reinstated = await trust_of(settings, text)

    name = "Polytechnic University of Hauts-de-France"
    assert active == (
        True,
        CheckStatus.PASSED,
        f"issued by {name}, a verified member of EUNICE according to {REGISTRY_URL} (version 2)",
    )
    assert suspended == (
        False,
        CheckStatus.FAILED,
        f"issued by {name}, which is suspended from EUNICE according to {REGISTRY_URL} (version 3)",
    )
    assert reinstated[:2] == (True, CheckStatus.PASSED)
    assert reinstated[2].endswith("(version 4)")


async def test_unknown_issuer_warns_without_invalidating(db: str, settings: Settings) -> None:
    loner = await make_tenant(settings, "loner")
    text = await member_award_text(settings, loner)

    valid, status, message = await trust_of(settings, text)

    assert valid is True
    assert status is CheckStatus.WARNING
    assert message.startswith("issuer not in any trusted registry")


async def test_trust_skipped_for_bad_signature(federation: Federation, settings: Settings) -> None:
    credential = json.loads(await member_award_text(settings, federation.uphf))
    credential["credentialSubject"]["achievement"]["name"] = "Changed"

    valid, status, message = await trust_of(settings, json.dumps(credential))

    assert valid is False
    assert status is CheckStatus.SKIPPED
    assert message.startswith("not evaluated")


async def test_trust_check_precedes_status(federation: Federation, settings: Settings) -> None:
    report = await verification.verify(settings, await member_award_text(settings, federation.uphf))

    names = [str(check.check) for check in report.checks]
    assert names[-2:] == ["trust", "status"]


async def test_credential_page_shows_trust_and_creator(
    federation: Federation, client: httpx.AsyncClient, settings: Settings
) -> None:
    alliance_badge = await make_achievement(federation.alliance, "open-badge-workshop")
    await award_rights.grant_right(federation.alliance, alliance_badge.id, "uphf", "test")
    award = (await make_award(settings, federation.uphf, alliance_badge)).award

    page = await client.get(f"/credentials/{award.id}", headers={"accept": "text/html"})

    assert page.status_code == 200
    assert "a verified member of EUNICE" in page.text
    assert 'class="notice trust trust-passed"' in page.text
    assert "created by EUNICE" in page.text


async def test_own_badge_page_has_no_creator_line(
    federation: Federation, client: httpx.AsyncClient, settings: Settings
) -> None:
    award = await make_award(settings, federation.uphf, await make_achievement(federation.uphf))

    page = await client.get(f"/credentials/{award.award.id}", headers={"accept": "text/html"})

    assert page.status_code == 200
    assert "created by" not in page.text


async def admin_cookie(settings: Settings) -> str:
    user = User(
        subject="test:alliance-admin",
        email="alliance.admin@example.org",
        name="Alliance Admin",
        is_alliance_admin=True,
    )
    await user.save()
    return await login.open_session(settings, user, None)


async def test_api_refuses_non_admins(
    federation: Federation, client: httpx.AsyncClient, settings: Settings
) -> None:
    cookie = await admin_cookie(settings)
    token = await make_token(federation.uphf)
    path = "/api/v1/federation/members/uphf/suspend"

    anonymous = await client.post(path, json={"reason": "x"})
    tenant_token = await client.post(
        path, json={"reason": "x"}, headers={"authorization": f"Bearer {token}"}
    )
    # The API takes bearer tokens only, so an alliance admin's console session is not enough.
    session = await client.post(
        path, json={"reason": "x"}, headers={"cookie": f"{SESSION_COOKIE}={cookie}"}
    )

    assert anonymous.status_code == 401
    assert tenant_token.status_code == 403
    assert session.status_code == 401
    assert await RegistryVersion.count() == 2


async def test_console_suspends_member(
    federation: Federation, client: httpx.AsyncClient, settings: Settings
) -> None:
    cookie = await admin_cookie(settings)
    csrf = (await client.get("/tenants/uphf/did.json")).cookies["badgehub_csrf"]
    headers = {"cookie": f"{SESSION_COOKIE}={cookie}; badgehub_csrf={csrf}"}
    client.cookies.clear()

    page = await client.get("/console/federation/members", headers=headers)
    response = await client.post(
        "/console/federation/members/uphf/suspend",
        data={"reason": "audit", "_csrf_token": csrf},
        headers=headers,
    )
    without_csrf = await client.post(
        "/console/federation/members/btu/suspend", data={"reason": "audit"}, headers=headers
    )

    row = await Membership.objects().where(Membership.member == federation.uphf.id).first()
    other = await Membership.objects().where(Membership.member == federation.btu.id).first()
    latest = await latest_version(federation.alliance)
    assert page.status_code == 200
    assert "/console/federation/members/uphf/suspend" in page.text
    assert response.status_code == 303
    assert response.headers["location"] == "/console/federation/members?done=suspended"
    assert row is not None
    assert row.status == "suspended"
    assert without_csrf.status_code == 403
    assert other is not None
    assert other.status == "active"
    assert latest is not None
    assert latest.version == 3


async def test_seed_signs_first_version_once(db: str, settings: Settings) -> None:
    await seed_alliance(settings)
    await seed_alliance(settings)

    rows = await RegistryVersion.objects()
    document = json.loads(rows[0].document_text)
    statuses = {entry["membershipStatus"] for entry in document["credentialSubject"]["member"]}
    assert len(rows) == 1
    assert rows[0].created_by == "seed"
    assert len(document["credentialSubject"]["member"]) == 9
    assert statuses == {"active"}
    assert (await verify_registry(settings, rows[0].document_text)).valid is True
