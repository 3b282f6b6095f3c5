"""The badge designer in a real browser: live preview, saving, and the stored image."""

from __future__ import annotations

import base64
import dataclasses
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import pytest

from hub.settings import Settings
from tenants.tables import Achievement
from tests.browser.conftest import hub_server
from tests.factories import make_achievement, make_tenant

pytestmark = [pytest.mark.integration, pytest.mark.browser]

ADMIN = "camille.lefebvre@example.org"
SVG_TEXT = "{http://www.w3.org/2000/svg}text"
# No inline script or style, and images from the hub or data: URIs only.
STRICT_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'"
)
VIOLATION_RECORDER = """
window.policyViolations = [];
document.addEventListener("securitypolicyviolation", event => {
  window.policyViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""
RED_DISC_STOP = 'stop-color="#cb3843"'


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def demo_settings(settings: Settings) -> Settings:
    """Demo mode with the development sign-in, on a port no other server uses."""
    url = f"http://127.0.0.1:{free_port()}"
    return dataclasses.replace(settings, demo=True, dev_login=True, public_url=url)


@pytest.fixture
async def achievement(db: str, demo_settings: Settings) -> Achievement:
    tenant = await make_tenant(demo_settings, "uphf", name="Université Polytechnique")
    return await make_achievement(tenant)


@pytest.fixture
async def hub(
    db: str, demo_settings: Settings, achievement: Achievement, tmp_path: Path
) -> AsyncIterator[str]:
    server = hub_server(demo_settings, db, tmp_path / "hub.log")
    yield next(server)
    server.close()


def decode(data_uri: str | None) -> str:
    """Decode an SVG data URI, such as the one FileReader builds from the preview response."""
    assert data_uri is not None
    media_type, _, payload = data_uri.partition(";base64,")
    assert media_type.startswith("data:image/svg+xml")
    return base64.b64decode(payload).decode()


def texts(svg: str) -> list[str]:
    return [element.text or "" for element in ET.fromstring(svg).iter(SVG_TEXT)]


async def preview_after(page: Any, previous: str) -> str:
    """Wait until the preview shows another data URI than ``previous``, and return the new one."""
    await page.wait_for_function(
        "previous => document.getElementById('designer-preview').src !== previous", arg=previous
    )
    return await page.get_attribute("#designer-preview", "src") or ""


async def add_strict_policy(route: Any) -> None:
    """Serve a designer page with ``STRICT_POLICY``, as a deployment may add it."""
    response = await route.fetch(max_redirects=0)
    headers = {**response.headers, "content-security-policy": STRICT_POLICY}
    await route.fulfill(response=response, headers=headers)


async def test_design_previewed_and_saved(
    chromium: Any, hub: str, achievement: Achievement
) -> None:
    context = await chromium.new_context(viewport={"width": 1200, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    failed: list[str] = []
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
    await page.add_init_script(VIOLATION_RECORDER)
    design_path = f"/console/tenants/uphf/achievements/{achievement.id}/design"

    await page.goto(f"{hub}{design_path}")
    await page.click(f"form:has(input[value='{ADMIN}']) button[type=submit]")
    await page.wait_for_url(f"{hub}{design_path}")
    # Playwright routes no request that follows a redirect, so each page is loaded once more.
    await page.route(lambda url: urlsplit(url).path == design_path, add_strict_policy)
    designer = await page.goto(f"{hub}{design_path}")
    initial = await page.get_attribute("#designer-preview", "src") or ""

    await page.check("input[name=shape][value=hexagon]")
    after_shape = await preview_after(page, initial)
    await page.fill("input[name=primary]", "#c1121f")
    after_colour = await preview_after(page, after_shape)
    await page.fill("input[name=line1]", "Secourisme & <santé>")
    after_text = await preview_after(page, after_colour)
    await page.click("#designer-save")
    await page.wait_for_url("**/design?*saved=design*")
    saved_page = await page.goto(page.url)
    notice = await page.text_content("#designer-saved")
    violations = await page.evaluate("window.policyViolations")
    current = decode(await page.get_attribute("#designer-current", "src"))
    console_image = await page.request.get(
        f"{hub}/console/tenants/uphf/achievements/{achievement.id}/image.svg"
    )
    console_svg = await console_image.text()
    stored = await Achievement.objects().where(Achievement.id == achievement.id).first()
    await context.close()

    assert designer.headers["content-security-policy"] == STRICT_POLICY
    assert saved_page.headers["content-security-policy"] == STRICT_POLICY
    assert "badge-shape-rosette" in decode(initial)
    assert "badge-shape-hexagon" in decode(after_shape)
    assert "badge-shape-rosette" not in decode(after_shape)
    # The disc's gradient starts at the main colour mixed 16% towards white: #c1121f gives
    # (193 + 62 * 0.16, 18 + 237 * 0.16, 31 + 224 * 0.16), rounded: #cb3843.
    assert RED_DISC_STOP not in decode(after_shape)
    assert RED_DISC_STOP in decode(after_colour)
    assert texts(decode(after_colour))[0] == "Cap Campus"
    assert texts(decode(after_text))[0] == "Secourisme & <santé>"
    assert notice is not None
    assert "The design is saved as the badge image." in notice
    assert stored is not None
    assert stored.image_svg == current
    assert console_image.status == 200
    assert console_svg == stored.image_svg
    assert "badge-shape-hexagon" in stored.image_svg
    assert texts(stored.image_svg)[0] == "Secourisme & <santé>"
    assert RED_DISC_STOP in stored.image_svg
    assert errors == []
    assert [url for url in failed if not url.endswith("/favicon.ico")] == []
    assert violations == []
