"""Browser fixtures: Debian's Chromium driven by Playwright, and the hub as a real server."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.settings import Settings

CHROMIUM = "/usr/bin/chromium"
# Without these Chromium keeps calling Google's services, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require_chromium() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    reason = f"Chromium not found at {CHROMIUM}; install Debian's chromium package"
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " (CI must run the browser tests)")
    pytest.skip(reason)


@pytest.fixture
async def chromium() -> AsyncIterator[Any]:
    """A headless Chromium; tests open one context per person so cookies stay apart."""
    from playwright.async_api import async_playwright

    executable = _require_chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


def hub_server(
    settings: Settings,
    database_url: str,
    log_path: Path,
    extra_environment: dict[str, str] | None = None,
) -> Iterator[str]:
    """Run ``badgehub serve`` for ``settings`` in a subprocess until the generator closes."""
    port = int(settings.public_url.rsplit(":", 1)[1])
    environment = {key: value for key, value in os.environ.items() if not key.startswith("HUB_")}
    assert settings.key_encryption_key is not None
    environment.update(
        {
            "HUB_DATABASE_URL": database_url,
            "HUB_PUBLIC_URL": settings.public_url,
            "HUB_PORT": str(port),
            "HUB_KEY_ENCRYPTION_KEY": base64.b64encode(settings.key_encryption_key).decode(),
            "HUB_LOG_FORMAT": "json",
        }
    )
    optional = {
        "HUB_DEMO": "true" if settings.demo else None,
        "HUB_DEV_LOGIN": "true" if settings.dev_login else None,
        "HUB_KEYCLOAK_URL": settings.keycloak_url,
        "HUB_OIDC_CLIENT_SECRET": settings.oidc_client_secret,
        "HUB_PROVISIONING_CLIENT_SECRET": settings.provisioning_client_secret,
    }
    environment.update({key: value for key, value in optional.items() if value})
    environment.update(extra_environment or {})
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "hub.cli", "serve"], env=environment, stdout=log, stderr=log
        )
    try:
        _wait_until_up(settings.public_url, process, log_path)
        yield settings.public_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_until_up(
    url: str, process: subprocess.Popen[bytes], log_path: Path, seconds: float = 30
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the hub exited: {log_path.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/health/live", trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(
        f"the hub did not answer within {seconds:g} s: {log_path.read_text()[-2000:]}"
    )


def demo_hub_server(settings: Settings, database_url: str, log_path: Path) -> Iterator[str]:
    """Run ``badgehub serve`` in demo mode with the development sign-in (no Keycloak)."""
    return hub_server(
        settings,
        database_url,
        log_path,
        {"HUB_DEMO": "true", "HUB_DEV_LOGIN": "true", "HUB_HOST": "127.0.0.1"},
    )


async def dev_sign_in(chromium: Any, hub: str, email: str) -> Any:
    """Open a browser context signed in as a seeded demo person through the development sign-in."""
    context = await chromium.new_context(viewport={"width": 1280, "height": 1000})
    page = await context.new_page()
    page.set_default_timeout(20_000)
    await page.goto(f"{hub}/auth/dev-login?next=/console")
    await page.click(f"form:has(input[value='{email}']) button[type=submit]")
    await page.wait_for_url(f"{hub}/console")
    return page
