"""Bulk awarding in the console, in a real browser, on a demo hub with its in-process worker."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.settings import Settings
from tenants.tables import Award
from tests.browser.conftest import _wait_until_up
from tests.factories import make_achievement, make_tenant

pytestmark = [pytest.mark.integration, pytest.mark.browser]

ADMIN = "camille.lefebvre@example.org"
INTAKE = (
    "courriel;prénom;nom;commentaire\n"
    "zoe@example.org;Zoé;Lefèvre;Atelier suivi\n"
    "grace@example.org;Grace;Hopper;\n"
    "alan;Alan;Turing;\n"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def demo_server(settings: Settings, database_url: str, log_path: Path) -> Iterator[str]:
    """Run ``badgehub serve`` in demo mode with the development sign-in, until closed."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environment = {key: value for key, value in os.environ.items() if not key.startswith("HUB_")}
    assert settings.key_encryption_key is not None
    environment.update(
        {
            "HUB_DEMO": "true",
            "HUB_DEV_LOGIN": "true",
            "HUB_DATA_DIR": str(settings.data_dir),
            "HUB_DATABASE_URL": database_url,
            "HUB_PUBLIC_URL": url,
            "HUB_PORT": str(port),
            "HUB_KEY_ENCRYPTION_KEY": base64.b64encode(settings.key_encryption_key).decode(),
            "HUB_LOG_FORMAT": "json",
        }
    )
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "hub.cli", "serve"], env=environment, stdout=log, stderr=log
        )
    try:
        _wait_until_up(url, process, log_path)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
async def hub(db: str, settings: Settings, tmp_path: Path) -> Iterator[str]:
    tenant = await make_tenant(settings)
    await make_achievement(tenant)
    server = demo_server(settings, db, tmp_path / "hub.log")
    yield next(server)
    server.close()


@pytest.fixture
def intake(tmp_path: Path) -> Path:
    path = tmp_path / "intake.csv"
    path.write_text(INTAKE, encoding="cp1252")
    return path


async def test_upload_dry_run_start_and_progress(
    chromium: Any, hub: str, intake: Path, tmp_path: Path
) -> None:
    context = await chromium.new_context(viewport={"width": 1200, "height": 900}, locale="fr-FR")
    page = await context.new_page()
    page.set_default_timeout(60_000)
    await page.goto(f"{hub}/auth/dev-login?next=/console/tenants/uphf/bulk-awards")
    await page.click(f"form:has(input[value='{ADMIN}']) button[type=submit]")
    await page.wait_for_url(f"{hub}/console/tenants/uphf/bulk-awards")

    await page.set_input_files("#bulk-upload input[name=file]", str(intake))
    await page.click("#bulk-upload button[type=submit]")
    await page.wait_for_selector("#bulk-start")
    dry_run = await page.inner_text("main")
    errors = await page.inner_text("#bulk-errors")
    preview = await page.inner_text("#bulk-preview")

    await page.click("#bulk-start button[type=submit]")
    await page.wait_for_function(
        "document.getElementById('bulk-progress').dataset.status === 'done'"
    )
    final = await page.inner_text("main")
    bar = await page.get_attribute("#bulk-progress progress", "value")
    await page.screenshot(path=str(tmp_path / "bulk-done.png"))
    await context.close()

    assert "Attribuer le badge à 2 personnes" in dry_run
    assert "Windows-1252, séparateur point-virgule" in dry_run
    assert "« alan » n'est pas une adresse e-mail valide" in errors
    assert "Zoé Lefèvre" in preview
    assert "2 lignes sur 2 (100 %)" in final
    assert "terminé" in final
    assert bar == "2"
    assert await Award.count() == 2
