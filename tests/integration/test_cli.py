"""The badgehub command line, run as a real subprocess against the test database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hub.settings import Settings
from tests.factories import make_achievement, make_award, make_tenant

pytestmark = pytest.mark.integration

BADGEHUB = [sys.executable, "-m", "hub.cli"]


def run_cli(*args: str, database_url: str | None = None, **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("HUB_")}
    environment.update(env)
    if database_url:
        environment["HUB_DATABASE_URL"] = database_url
    return subprocess.run(
        [*BADGEHUB, *args], capture_output=True, text=True, env=environment, timeout=60
    )


async def issued_file(settings: Settings, tmp_path: Path) -> Path:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant)
    award = (await make_award(settings, tenant, achievement)).award
    path = tmp_path / "credential.json"
    path.write_text(award.credential_text, encoding="utf-8")
    return path


async def test_verify_valid_credential_exits_zero(
    db: str, settings: Settings, tmp_path: Path
) -> None:
    path = await issued_file(settings, tmp_path)

    result = run_cli("verify", str(path), "--json", database_url=db)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["valid"] is True


async def test_verify_tampered_credential_exits_one(
    db: str, settings: Settings, tmp_path: Path
) -> None:
    path = await issued_file(settings, tmp_path)
    path.write_text(path.read_text().replace("Cap Campus", "Cap Kampus"))

    result = run_cli("verify", str(path), database_url=db)

    assert result.returncode == 1
    assert result.stdout.startswith("INVALID")
    assert "failed   proof" in result.stdout


async def test_verify_unreadable_file_exits_two(db: str, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")

    result = run_cli("verify", str(path), database_url=db)

    assert result.returncode == 2
    assert "error:" in result.stderr


def test_serve_refuses_without_kek(tmp_path: Path) -> None:
    result = run_cli("serve", HUB_DATA_DIR=str(tmp_path), HUB_DATABASE_URL="postgresql://x/y")

    assert result.returncode == 2
    assert "HUB_KEY_ENCRYPTION_KEY is not set" in result.stderr


def test_kek_generate_prints_usable_key() -> None:
    result = run_cli("kek", "generate")

    settings = Settings.from_env({"HUB_KEY_ENCRYPTION_KEY": result.stdout.strip()})
    assert settings.key_encryption_key is not None
    assert len(settings.key_encryption_key) == 32
