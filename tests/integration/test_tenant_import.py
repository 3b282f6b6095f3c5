"""Tenant import: an exported tenant comes back whole, and its old badges still verify."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.errors import ConflictError, InvalidInputError
from hub.settings import Settings
from tenants import services
from tenants.export import export_tenant
from tenants.key_rotation import rotate_keys
from tenants.scope import TenantScope
from tenants.services import get_tenant
from tenants.status import revoke
from tenants.tables import Achievement, Award, AwardStatus, IssuerKey, StatusList, Tenant
from tenants.tenant_import import import_tenant
from tests.factories import make_achievement, make_award, make_tenant
from tests.integration.cli_support import run_badgehub

pytestmark = pytest.mark.integration


async def exported_tenant(settings: Settings) -> tuple[list[str], list[Award]]:
    """Issue three badges, revoke the first, rotate the keys, then export the tenant."""
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant)
    awards = [
        (
            await make_award(
                settings, tenant, achievement, email=f"earner{i}@example.org", send_email=False
            )
        ).award
        for i in range(3)
    ]
    await revoke(TenantScope(tenant), awards[0].id, "issued by mistake", actor="test")
    await rotate_keys(settings, tenant, actor="test")
    lines: list[str] = []
    await export_tenant(settings, "uphf", lines.append)
    return lines, awards


async def wipe_database() -> None:
    """Empty every table, as a fresh hub's database would be."""
    rows = await Tenant.raw(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migration'"
    )
    names = ", ".join(f'"{row["tablename"]}"' for row in rows)
    await Tenant.raw(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    services._keyrings.clear()


async def verify(client: httpx.AsyncClient, text: str) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/verify", content=text.encode(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


async def test_imported_badges_verify(client: httpx.AsyncClient, settings: Settings) -> None:
    lines, awards = await exported_tenant(settings)
    await wipe_database()

    state = await import_tenant(settings, lines, actor="test")
    reports = [await verify(client, award.credential_text) for award in awards]
    tenant = await get_tenant("uphf")
    achievement = await Achievement.objects().where(Achievement.tenant == tenant.id).first()
    assert achievement is not None
    fresh = (await make_award(settings, tenant, achievement, send_email=False)).award
    fresh_report = await verify(client, fresh.credential_text)
    document = (await client.get("/tenants/uphf/did.json")).json()

    assert state.counts["award"] == 3
    assert state.counts["public_key"] == 4
    assert reports[0]["valid"] is False
    revocation = [check for check in reports[0]["checks"] if check["check"] == "status"]
    assert [check["status"] for check in revocation] == ["failed"]
    assert reports[1]["valid"] is True
    assert reports[2]["valid"] is True
    assert fresh_report["valid"] is True
    exported_methods = {award.credential["proof"][0]["verificationMethod"] for award in awards}
    assert fresh.credential["proof"][0]["verificationMethod"] not in exported_methods
    method_ids = [method["id"] for method in document["verificationMethod"]]
    assert len(method_ids) == 6
    assert exported_methods <= set(method_ids)
    stored = await Award.objects().where(Award.id == awards[1].id).first()
    assert stored is not None
    assert stored.credential_text == awards[1].credential_text
    assert await AwardStatus.count().where(AwardStatus.state == "revoked") == 1
    imported_keys = await IssuerKey.objects().where(IssuerKey.kek_id == "")
    assert len(imported_keys) == 4
    assert all(key.retired_at is not None for key in imported_keys)


async def test_import_refuses_existing_tenant(db: str, settings: Settings) -> None:
    lines, _ = await exported_tenant(settings)
    awards_before = await Award.count()

    with pytest.raises(ConflictError, match="already exists"):
        await import_tenant(settings, lines, actor="test")

    assert await Award.count() == awards_before
    assert await Tenant.count() == 1


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("other-host", "would not verify here"),
        ("truncated", "not JSON"),
        ("orphan-status", "does not contain"),
        ("not-an-export", "not a tenant export"),
    ],
)
async def test_bad_export_leaves_nothing(
    db: str, settings: Settings, damage: str, message: str
) -> None:
    lines, _ = await exported_tenant(settings)
    await wipe_database()
    header = json.loads(lines[0])
    if damage == "other-host":
        lines[0] = json.dumps({**header, "source_public_url": "https://badges.other.example"})
    elif damage == "truncated":
        lines[-1] = lines[-1][: len(lines[-1]) // 2]
    elif damage == "orphan-status":
        lines = [line for line in lines if '"type":"status_list"' not in line]
    else:
        lines = lines[1:]

    with pytest.raises(InvalidInputError, match=message):
        await import_tenant(settings, lines, actor="test")

    assert await Tenant.count() == 0
    assert await StatusList.count() == 0


async def test_cli_export_then_import(db: str, settings: Settings, tmp_path: Path) -> None:
    await exported_tenant(settings)
    kek = settings.key_encryption_key
    output = tmp_path / "uphf.jsonl"
    exported = run_badgehub(db, "tenant", "export", "uphf", "--output", str(output))
    await wipe_database()

    imported = run_badgehub(db, "tenant", "import", str(output), key_encryption_key=kek)
    again = run_badgehub(db, "tenant", "import", str(output), key_encryption_key=kek)

    assert exported.returncode == 0, exported.stderr
    assert imported.returncode == 0, imported.stderr
    assert "imported tenant uphf: " in imported.stdout
    assert "3 award" in imported.stdout
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert await Award.count() == 3
