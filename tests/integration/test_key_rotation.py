"""Issuer key rotation: the new key signs, and every badge signed before still verifies."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from hub.errors import InvalidInputError
from hub.settings import Settings
from hub.tables import AuditEvent
from tenants import services
from tenants.key_rotation import rotate_keys
from tenants.services import credential_jwt
from tenants.tables import Award, IssuerKey, Tenant
from tests.factories import make_achievement, make_award, make_tenant
from tests.integration.cli_support import run_badgehub

pytestmark = pytest.mark.integration


async def issue(settings: Settings, tenant: Tenant, email: str) -> Award:
    achievement = await make_achievement(tenant, slug=email.split("@")[0])
    return (await make_award(settings, tenant, achievement, email=email, send_email=False)).award


def signing_method(award: Award) -> str:
    method: str = award.credential["proof"][0]["verificationMethod"]
    return method


async def verify(client: httpx.AsyncClient, body: str, content_type: str) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/verify", content=body.encode(), headers={"content-type": content_type}
    )
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


async def test_old_badges_verify_after_rotation(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    tenant = await make_tenant(settings)
    before = await issue(settings, tenant, "ada@example.org")
    before_jwt = await credential_jwt(settings, tenant, before)

    rotated = await rotate_keys(settings, tenant, actor="test")
    after = await issue(settings, tenant, "grace@example.org")
    after_jwt = await credential_jwt(settings, tenant, after)

    did = "did:web:127.0.0.1%3A8000:tenants:uphf"
    new_ed25519 = next(key for key in rotated if key.algorithm == "Ed25519")
    assert signing_method(before) == f"{did}#{new_ed25519.retired_fragments[0]}"
    assert signing_method(after) == f"{did}#{new_ed25519.new_fragment}"
    for body, content_type in (
        (before.credential_text, "application/json"),
        (after.credential_text, "application/json"),
        (before_jwt, "application/jwt"),
        (after_jwt, "application/jwt"),
    ):
        report = await verify(client, body, content_type)
        assert report["valid"] is True, report
    assert before_jwt != after_jwt


async def test_did_document_lists_retired_keys(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    tenant = await make_tenant(settings)
    first = await issue(settings, tenant, "ada@example.org")
    await rotate_keys(settings, tenant, actor="test")
    second = await issue(settings, tenant, "grace@example.org")
    await rotate_keys(settings, tenant, actor="test", algorithms=("Ed25519",))

    document = (await client.get("/tenants/uphf/did.json")).json()
    key_set = (await client.get("/tenants/uphf/jwks.json")).json()

    method_ids = [method["id"] for method in document["verificationMethod"]]
    assert len(method_ids) == 5
    for award in (first, second):
        assert signing_method(award) in method_ids
        assert signing_method(award) in document["assertionMethod"]
    assert len(key_set["keys"]) == 5
    rows = await IssuerKey.objects().where(IssuerKey.tenant == tenant.id)
    active = [row.algorithm for row in rows if row.retired_at is None]
    assert sorted(active) == ["Ed25519", "RS256"]
    assert all(row.revoked_at is None for row in rows)
    events = await AuditEvent.objects().where(AuditEvent.action == "tenant:key:rotated")
    assert len(events) == 2


async def test_rotation_rejects_unknown_algorithm(db: str, settings: Settings) -> None:
    tenant = await make_tenant(settings)

    with pytest.raises(InvalidInputError, match="ES256"):
        await rotate_keys(settings, tenant, actor="test", algorithms=("ES256",))  # type: ignore[arg-type]

    assert await IssuerKey.count().where(IssuerKey.retired_at.is_not_null()) == 0


async def test_cli_rotation_reaches_running_process(
    db: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await make_tenant(settings)
    before = await issue(settings, tenant, "ada@example.org")
    kek = settings.key_encryption_key

    rotated = run_badgehub(db, "keys", "rotate", "uphf", key_encryption_key=kek)
    listed = run_badgehub(db, "keys", "list", "uphf")
    # This process cached the keyring when it signed; the cache age limit makes it reload.
    monkeypatch.setattr(services, "KEYRING_MAX_AGE_SECONDS", 0.0)
    after = await issue(settings, tenant, "grace@example.org")

    assert rotated.returncode == 0, rotated.stderr
    assert rotated.stdout.count("new key #") == 2
    assert listed.stdout.count("retired ") == 2
    assert listed.stdout.count("active, signs") == 2
    old_fragment = signing_method(before).split("#")[1]
    assert f"retired: {old_fragment}" in rotated.stdout
    assert signing_method(after) != signing_method(before)
    assert signing_method(after).split("#")[1] in rotated.stdout
