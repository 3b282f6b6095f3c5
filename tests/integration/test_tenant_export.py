"""Tenant export: every record of one tenant, in pages, and nothing of the others."""

from __future__ import annotations

import base64
import json
import stat
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from hub.settings import Settings
from tenants import export
from tenants.export import export_tenant
from tenants.key_rotation import rotate_keys
from tenants.scope import TenantScope
from tenants.services import get_tenant
from tenants.status import revoke
from tenants.tables import Award, IssuerKey
from tests.factories import make_achievement, make_award, make_tenant
from tests.integration.cli_support import run_badgehub

pytestmark = pytest.mark.integration


async def issue(settings: Settings, slug: str, count: int) -> list[Award]:
    tenant = await make_tenant(settings, slug, country="FR" if slug == "uphf" else "DE")
    achievement = await make_achievement(tenant)
    return [
        (
            await make_award(
                settings, tenant, achievement, email=f"{slug}{i}@example.org", send_email=False
            )
        ).award
        for i in range(count)
    ]


async def exported(settings: Settings, slug: str) -> tuple[list[str], Counter[str]]:
    lines: list[str] = []
    counts = await export_tenant(settings, slug, lines.append)
    return lines, counts


async def test_export_holds_every_record_of_tenant(
    db: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pages of 2 rows, so that awards, keys, status entries and audit events span several pages.
    monkeypatch.setattr(export, "PAGE_ROWS", 2)
    awards = await issue(settings, "uphf", 5)
    await issue(settings, "btu", 1)
    scope = TenantScope(await get_tenant("uphf"))
    await revoke(scope, awards[0].id, "issued by mistake", actor="test")
    await rotate_keys(settings, scope.tenant, actor="test")

    lines, counts = await exported(settings, "uphf")
    records = [json.loads(line) for line in lines]
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records[1:]:
        by_type[record["type"]].append(record)

    header = records[0]
    assert header["format"] == "eunice-badge-hub/tenant-export"
    assert header["format_version"] == 1
    assert header["tenant_did"] == "did:web:127.0.0.1%3A8000:tenants:uphf"
    assert counts == Counter({kind: len(items) for kind, items in by_type.items()})
    assert [item["slug"] for item in by_type["tenant"]] == ["uphf"]
    texts = {item["id"]: item["credential_text"] for item in by_type["award"]}
    assert texts == {str(award.id): award.credential_text for award in awards}
    assert len(by_type["achievement"]) == 1
    assert by_type["achievement"][0]["name"] == {"fr": "Cap Campus", "en": "Cap Campus"}
    keys = by_type["public_key"]
    assert len(keys) == 4
    assert sum(key["retired_at"] is not None for key in keys) == 2
    assert {key["public_jwk"]["kty"] for key in keys} == {"OKP", "RSA"}
    entries = by_type["award_status"]
    assert len(entries) == 10
    revoked = [entry for entry in entries if entry["state"] == "revoked"]
    assert [(entry["award"], entry["reason"]) for entry in revoked] == [
        (str(awards[0].id), "issued by mistake")
    ]
    assert {entry["purpose"] for entry in by_type["status_list"]} == {"revocation", "suspension"}
    actions = Counter(event["action"] for event in by_type["audit_event"])
    assert actions["credential:issued"] == 5
    assert actions["credential:revoked"] == 1
    assert actions["tenant:key:rotated"] == 1


async def test_export_leaves_out_secrets_and_others(db: str, settings: Settings) -> None:
    await issue(settings, "uphf", 1)
    await issue(settings, "btu", 2)

    lines, _ = await exported(settings, "uphf")
    text = "".join(lines)

    assert "btu0@example.org" not in text
    assert "tenants:btu" not in text
    assert "private" not in text
    for key in await IssuerKey.objects():
        ciphertext = base64.b64encode(bytes(key.private_key_encrypted)).decode()
        assert ciphertext not in text


async def test_cli_export_writes_private_file(db: str, settings: Settings, tmp_path: Path) -> None:
    await issue(settings, "uphf", 2)
    output = tmp_path / "uphf.jsonl"

    first = run_badgehub(db, "tenant", "export", "uphf", "--output", str(output))
    second = run_badgehub(db, "tenant", "export", "uphf", "--output", str(output))

    assert first.returncode == 0, first.stderr
    assert "2 award" in first.stdout
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert len(output.read_text().splitlines()) > 5
    assert not (tmp_path / "uphf.jsonl.partial").exists()
    assert second.returncode == 2
    assert "exists" in second.stderr
