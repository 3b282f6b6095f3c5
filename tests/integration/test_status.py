"""Revoking, suspending and reinstating awards through the API and the console, and what
verification then reports."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from httpx import AsyncClient, Response

from hub.auth import login
from hub.auth.principal import SESSION_COOKIE
from hub.auth.tables import TenantRole, User
from hub.settings import Settings
from hub.tables import AuditEvent
from tenants.tables import Award, AwardStatus, Tenant
from tests.factories import make_achievement, make_award, make_tenant, make_token

pytestmark = pytest.mark.integration

REASON = "Plagiarism found in the final project"


@dataclass(frozen=True)
class Issued:
    tenant: Tenant
    award: Award
    credential: dict[str, Any]
    token: str

    def path(self, action: str) -> str:
        return f"/api/v1/tenants/{self.tenant.slug}/awards/{self.award.id}/{action}"


@pytest.fixture
async def issued(db: str, settings: Settings) -> Issued:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant)
    award = (await make_award(settings, tenant, achievement)).award
    return Issued(tenant, award, json.loads(award.credential_text), await make_token(tenant))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def change(
    client: AsyncClient, issued: Issued, action: str, reason: str = REASON
) -> Response:
    return await client.post(
        issued.path(action), json={"reason": reason}, headers=bearer(issued.token)
    )


async def status_check(client: AsyncClient, issued: Issued) -> dict[str, Any]:
    response = await client.post("/api/v1/verify", content=issued.award.credential_text)
    report: dict[str, Any] = response.json()
    check: dict[str, Any] = next(c for c in report["checks"] if c["check"] == "status")
    return {**check, "valid": report["valid"], "report_text": response.text}


async def audit_actions(award: Award) -> list[str]:
    rows = await AuditEvent.select(AuditEvent.action).where(AuditEvent.target == str(award.id))
    return [row["action"] for row in rows]


# Issuing ---------------------------------------------------------------------------------------


async def test_credential_carries_both_entries(issued: Issued, settings: Settings) -> None:
    entries = issued.credential["credentialStatus"]
    rows = await AwardStatus.objects().where(AwardStatus.award == issued.award.id)

    assert [entry["statusPurpose"] for entry in entries] == ["revocation", "suspension"]
    for entry in entries:
        purpose = entry["statusPurpose"]
        list_url = f"{settings.base_url}/tenants/uphf/status/{purpose}/1"
        assert entry["type"] == "BitstringStatusListEntry"
        assert entry["statusListCredential"] == list_url
        assert entry["id"] == f"{list_url}#{entry['statusListIndex']}"
        assert 0 <= int(entry["statusListIndex"]) < 131_072
    stored = {row.purpose: str(row.status_index) for row in rows}
    assert stored == {entry["statusPurpose"]: entry["statusListIndex"] for entry in entries}


async def test_new_credential_status_passes(client: AsyncClient, issued: Issued) -> None:
    check = await status_check(client, issued)

    assert check["status"] == "passed"
    assert check["message"].startswith("not revoked as of ")
    assert "not suspended as of " in check["message"]
    assert check["valid"] is True


# Revocation ------------------------------------------------------------------------------------


async def test_revoke_fails_status_check(client: AsyncClient, issued: Issued) -> None:
    response = await change(client, issued, "revoke")

    check = await status_check(client, issued)

    assert response.status_code == 200
    assert response.json()["state"] == "revoked"
    assert response.json()["changed"] is True
    assert check["status"] == "failed"
    assert check["message"].startswith("revoked as of ")
    assert check["valid"] is False
    assert REASON not in check["report_text"]


async def test_revoke_stores_state_and_audit(client: AsyncClient, issued: Issued) -> None:
    await change(client, issued, "revoke")

    row = (
        await AwardStatus.objects()
        .where(AwardStatus.award == issued.award.id, AwardStatus.purpose == "revocation")
        .first()
    )
    event = (
        await AuditEvent.objects()
        .output(load_json=True)
        .where(AuditEvent.action == "credential:revoked")
        .first()
    )

    assert row.state == "revoked"
    assert row.reason == REASON
    assert row.changed_by == "api-token:uphf:test"
    assert row.changed_at is not None
    assert event.target == str(issued.award.id)
    assert event.details == {"reason": REASON, "purpose": "revocation"}


async def test_revoke_twice_is_noop(client: AsyncClient, issued: Issued) -> None:
    first = await change(client, issued, "revoke")

    second = await change(client, issued, "revoke", reason="Another reason")

    assert first.json()["changed"] is True
    assert second.status_code == 200
    assert second.json()["changed"] is False
    assert second.json()["reason"] == REASON
    assert (await audit_actions(issued.award)).count("credential:revoked") == 1


async def test_reinstate_revoked_is_conflict(client: AsyncClient, issued: Issued) -> None:
    await change(client, issued, "revoke")

    response = await change(client, issued, "reinstate", reason="Revoked by mistake")
    check = await status_check(client, issued)

    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "revocation-is-final"
    assert "revocation is final" in response.json()["detail"]
    assert check["message"].startswith("revoked")


async def test_suspend_revoked_is_conflict(client: AsyncClient, issued: Issued) -> None:
    await change(client, issued, "revoke")

    response = await change(client, issued, "suspend")

    assert response.status_code == 409
    assert response.json()["code"] == "revocation-is-final"


# Suspension ------------------------------------------------------------------------------------


async def test_suspend_fails_status_check(client: AsyncClient, issued: Issued) -> None:
    response = await change(client, issued, "suspend")

    check = await status_check(client, issued)

    assert response.json()["state"] == "suspended"
    assert check["status"] == "failed"
    assert check["message"].startswith("suspended as of ")
    assert "not revoked" in check["message"]
    assert check["valid"] is False


async def test_reinstate_after_suspension_passes(client: AsyncClient, issued: Issued) -> None:
    await change(client, issued, "suspend")

    response = await change(client, issued, "reinstate", reason="Inquiry closed")
    check = await status_check(client, issued)

    assert response.status_code == 200
    assert response.json()["state"] == "active"
    assert response.json()["changed"] is True
    assert check["status"] == "passed"
    assert check["valid"] is True
    assert await audit_actions(issued.award) == [
        "credential:issued",
        "credential:suspended",
        "credential:reinstated",
    ]


async def test_reinstate_active_is_noop(client: AsyncClient, issued: Issued) -> None:
    response = await change(client, issued, "reinstate")

    assert response.status_code == 200
    assert response.json()["changed"] is False
    assert await audit_actions(issued.award) == ["credential:issued"]


async def test_revoke_suspended_credential(client: AsyncClient, issued: Issued) -> None:
    await change(client, issued, "suspend")

    response = await change(client, issued, "revoke")
    check = await status_check(client, issued)

    assert response.json()["state"] == "revoked"
    assert check["message"].startswith("revoked as of ")
    assert "suspended as of " in check["message"]


# Input and access ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "code"),
    [("", "missing-field"), ("   ", "missing-field"), ("x" * 501, "field-too-long")],
)
async def test_invalid_reason_is_rejected(
    client: AsyncClient, issued: Issued, reason: str, code: str
) -> None:
    response = await change(client, issued, "revoke", reason=reason)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert (await status_check(client, issued))["status"] == "passed"


async def test_longest_reason_is_accepted(client: AsyncClient, issued: Issued) -> None:
    response = await change(client, issued, "suspend", reason="x" * 500)

    assert response.status_code == 200


async def test_missing_reason_is_rejected(client: AsyncClient, issued: Issued) -> None:
    response = await client.post(issued.path("revoke"), json={}, headers=bearer(issued.token))

    assert response.status_code == 400


async def test_other_tenants_token_is_forbidden(
    client: AsyncClient, issued: Issued, settings: Settings
) -> None:
    other = await make_token(await make_tenant(settings, "btu", country="DE"))

    response = await client.post(
        issued.path("revoke"), json={"reason": REASON}, headers=bearer(other)
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission-denied"
    assert (await status_check(client, issued))["status"] == "passed"


async def test_award_of_other_tenant_is_not_found(
    client: AsyncClient, issued: Issued, settings: Settings
) -> None:
    other = await make_token(await make_tenant(settings, "btu", country="DE"))

    response = await client.post(
        f"/api/v1/tenants/btu/awards/{issued.award.id}/revoke",
        json={"reason": REASON},
        headers=bearer(other),
    )

    assert response.status_code == 404
    assert response.json()["code"] == "award-not-found"
    assert (await status_check(client, issued))["status"] == "passed"


async def test_status_endpoint_shows_reason(client: AsyncClient, issued: Issued) -> None:
    await change(client, issued, "suspend")

    response = await client.get(issued.path("status"), headers=bearer(issued.token))

    assert response.status_code == 200
    assert response.json()["state"] == "suspended"
    assert response.json()["reason"] == REASON


# Pages -----------------------------------------------------------------------------------------


async def credential_page(client: AsyncClient, issued: Issued, language: str = "en") -> str:
    response = await client.get(
        f"/credentials/{issued.award.id}?lang={language}", headers={"accept": "text/html"}
    )
    assert response.status_code == 200
    return response.text


async def test_credential_page_says_revoked(client: AsyncClient, issued: Issued) -> None:
    await change(client, issued, "revoke")

    page = await credential_page(client, issued)
    french = await credential_page(client, issued, "fr")

    assert "Revoked: the issuer has revoked this credential." in page
    assert "Verification failed" in page
    assert REASON not in page
    assert "Révoquée : l&#39;émetteur a révoqué cette attestation." in french


async def test_credential_page_says_suspended(client: AsyncClient, issued: Issued) -> None:
    await change(client, issued, "suspend")

    page = await credential_page(client, issued)

    assert "Suspended: the issuer has suspended this credential." in page
    assert "Revoked:" not in page


async def test_active_credential_page_has_no_warning(client: AsyncClient, issued: Issued) -> None:
    page = await credential_page(client, issued)

    assert 'role="alert"' not in page
    assert "Verified" in page


@pytest.fixture
async def admin_cookies(issued: Issued, settings: Settings, client: AsyncClient) -> dict[str, str]:
    """A console session of a tenant admin of the issuing tenant, with a CSRF cookie."""
    user = User(
        subject="status:admin",
        email="admin@uphf.example",
        name="Camille Admin",
        is_alliance_admin=False,
        created_at=issued.tenant.created_at,
    )
    await user.save()
    await TenantRole(
        user=user.id,
        tenant=issued.tenant.id,
        role="tenant-admin",
        source="granted",
        created_at=issued.tenant.created_at,
    ).save()
    csrf = (await client.get(f"/tenants/{issued.tenant.slug}/did.json")).cookies["badgehub_csrf"]
    client.cookies.clear()
    return {
        SESSION_COOKIE: await login.open_session(settings, user, None),
        "badgehub_csrf": csrf,
    }


def console_path(issued: Issued) -> str:
    return f"/console/tenants/{issued.tenant.slug}/awards/{issued.award.id}"


async def test_console_page_offers_suspend_and_revoke(
    client: AsyncClient, issued: Issued, admin_cookies: dict[str, str]
) -> None:
    client.cookies.update(admin_cookies)

    page = await client.get(console_path(issued), headers={"accept": "text/html"})

    assert page.status_code == 200
    assert "Ada Lovelace" in page.text
    assert f'action="{console_path(issued)}/suspend"' in page.text
    assert f'action="{console_path(issued)}/revoke"' in page.text
    assert "/reinstate" not in page.text
    assert "Revocation is final" in page.text


async def test_console_form_revokes(
    client: AsyncClient, issued: Issued, admin_cookies: dict[str, str]
) -> None:
    client.cookies.update(admin_cookies)
    form = {"reason": REASON, "_csrf_token": admin_cookies["badgehub_csrf"]}

    response = await client.post(f"{console_path(issued)}/revoke", data=form)
    page = await client.get(response.headers["location"], headers={"accept": "text/html"})

    assert response.status_code == 303
    assert response.headers["location"] == f"{console_path(issued)}?done=revoked"
    assert "The credential is revoked." in page.text
    assert REASON in page.text
    assert "Revocation is final, so it can no longer be suspended or reinstated." in page.text
    assert f"{console_path(issued)}/" not in page.text
    assert (await status_check(client, issued))["message"].startswith("revoked")


async def test_console_suspend_then_reinstate(
    client: AsyncClient, issued: Issued, admin_cookies: dict[str, str]
) -> None:
    client.cookies.update(admin_cookies)
    form = {"reason": REASON, "_csrf_token": admin_cookies["badgehub_csrf"]}

    await client.post(f"{console_path(issued)}/suspend", data=form)
    suspended = await client.get(console_path(issued), headers={"accept": "text/html"})
    reinstated = await client.post(f"{console_path(issued)}/reinstate", data=form)

    assert f'action="{console_path(issued)}/reinstate"' in suspended.text
    assert reinstated.headers["location"] == f"{console_path(issued)}?done=reinstated"
    assert (await status_check(client, issued))["status"] == "passed"


async def test_console_form_needs_csrf_token(
    client: AsyncClient, issued: Issued, admin_cookies: dict[str, str]
) -> None:
    client.cookies.update(admin_cookies)

    response = await client.post(f"{console_path(issued)}/revoke", data={"reason": REASON})

    assert response.status_code == 403
    assert (await status_check(client, issued))["status"] == "passed"
