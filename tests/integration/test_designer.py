"""The badge designer in the console: page, live preview, saving designs and uploaded files."""

from __future__ import annotations

import base64
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree as ET

import httpx
import pytest

from hub.auth import login
from hub.auth.principal import SESSION_COOKIE
from hub.auth.tables import TenantRole, User
from hub.images import sanitize_svg
from hub.settings import Settings
from hub.tables import AuditEvent
from tenants.tables import Achievement, Tenant
from tests.factories import make_achievement, make_tenant
from tests.unit.test_images import make_png

pytestmark = pytest.mark.integration

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
DESIGN = {
    "shape": "shield",
    "primary": "#c1121f",
    "secondary": "#2a9d8f",
    "text_color": "#fefae0",
    "line1": "Premiers <secours> & co",
    "size1": "30",
    "line2": "UPHF",
    "size2": "18",
    "glyph": "first-aid",
}
LOGO = (
    f'<svg xmlns="{SVG_NS}" viewBox="0 0 120 40"><rect width="120" height="40" fill="#003a70"/>'
    "</svg>"
)
CIRCLE = '<circle cx="50" cy="50" r="40" fill="#1d3557"/>'
HOSTILE_SVGS = {
    "script": f'<svg xmlns="{SVG_NS}" viewBox="0 0 100 100"><script>alert(1)</script>{CIRCLE}'
    "</svg>",
    "onload": f'<svg xmlns="{SVG_NS}" viewBox="0 0 100 100" onload="alert(1)">{CIRCLE}</svg>',
    "foreignObject": f'<svg xmlns="{SVG_NS}" viewBox="0 0 100 100"><foreignObject width="9" '
    f'height="9"><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>{CIRCLE}</svg>',
    "href": f'<svg xmlns="{SVG_NS}" xmlns:xlink="{XLINK_NS}" viewBox="0 0 100 100">'
    '<image width="9" height="9" xlink:href="https://tracker.example/p.png"/>'
    f'<use xlink:href="https://evil.example/s.svg#x"/>{CIRCLE}</svg>',
}


class Console:
    """A signed-in browser-like client on the designer of one achievement."""

    def __init__(self, client: httpx.AsyncClient, tenant: Tenant, achievement: Achievement):
        self.client = client
        self.tenant = tenant
        self.achievement = achievement
        self.base = f"/console/tenants/{tenant.slug}/achievements/{achievement.id}"

    async def csrf(self) -> str:
        if "badgehub_csrf" not in self.client.cookies:
            await self.page()
        return self.client.cookies["badgehub_csrf"]

    async def page(self, query: str = "") -> httpx.Response:
        return await self.client.get(f"{self.base}/design{query}")

    async def preview(self, design: dict[str, Any], token: str | None = None) -> httpx.Response:
        headers = {
            "x-csrf-token": token if token is not None else await self.csrf(),
            "accept": "image/svg+xml, application/problem+json",  # as designer.js sends it
        }
        return await self.client.post(f"{self.base}/design/preview", json=design, headers=headers)

    async def save_design(self, design: dict[str, Any]) -> httpx.Response:
        data = {**design, "source": "design", "_csrf_token": await self.csrf()}
        return await self.client.post(f"{self.base}/image", data=data, files={"none": b""})

    async def upload(self, filename: str, content: bytes) -> httpx.Response:
        data = {"source": "upload", "_csrf_token": await self.csrf()}
        files = {"file": (filename, content, "application/octet-stream")}
        return await self.client.post(f"{self.base}/image", data=data, files=files)

    async def stored(self) -> tuple[str, int]:
        """Return the stored image and the audit event count, to prove what a request wrote."""
        row = await Achievement.objects().where(Achievement.id == self.achievement.id).first()
        assert row is not None
        return row.image_svg, await AuditEvent.count()


async def signed_in_client(
    settings: Settings, client: httpx.AsyncClient, tenant: Tenant, role: str
) -> None:
    user = User(
        subject=f"test:{role}",
        email=f"{role}@uphf.example",
        name=f"Test {role}",
        is_alliance_admin=False,
        created_at=tenant.created_at,
    )
    await user.save()
    await TenantRole(
        user=user.id, tenant=tenant.id, role=role, source="granted", created_at=tenant.created_at
    ).save()
    client.cookies.set(SESSION_COOKIE, await login.open_session(settings, user, None))


@pytest.fixture
async def console(db: str, settings: Settings, client: httpx.AsyncClient) -> Console:
    tenant = await make_tenant(settings, "uphf")
    achievement = await make_achievement(tenant)
    await signed_in_client(settings, client, tenant, "badge-editor")
    client.headers["accept"] = "text/html"
    return Console(client, tenant, achievement)


def svg_root(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(svg: str) -> list[str]:
    return [element.text or "" for element in svg_root(svg).iter(f"{{{SVG_NS}}}text")]


def data_uri_image(html: str, element_id: str) -> str:
    """Decode the SVG of the <img> with ``element_id`` from its data URI."""
    marker = f'id="{element_id}" src="data:image/svg+xml;base64,'
    start = html.index(marker) + len(marker)
    return base64.b64decode(html[start : html.index('"', start)]).decode()


async def test_page_shows_controls_and_preview(console: Console) -> None:
    response = await console.page()

    assert response.status_code == 200
    assert 'name="shape" value="hexagon"' in response.text
    assert 'type="color" name="primary" value="#1d3557"' in response.text
    assert 'name="glyph"' in response.text
    assert 'enctype="multipart/form-data"' in response.text
    assert 'name="_csrf_token"' in response.text
    assert '<script src="/static/designer.js" defer></script>' in response.text
    assert "<script>" not in response.text
    assert texts(data_uri_image(response.text, "designer-preview")) == ["Cap Campus", "UPHF"]
    assert data_uri_image(response.text, "designer-current") == console.achievement.image_svg


async def test_page_in_french(console: Console) -> None:
    response = await console.page("?lang=fr")

    assert response.status_code == 200
    assert "Conception du badge" in response.text
    assert "Importer une image" in response.text


async def test_page_shows_design_from_query(console: Console) -> None:
    response = await console.page("?shape=hexagon&line1=Hello&primary=%23aabbcc")

    preview = data_uri_image(response.text, "designer-preview")
    assert 'value="hexagon" checked' in response.text
    assert "badge-shape-hexagon" in preview
    assert texts(preview)[0] == "Hello"


async def test_page_reports_invalid_query(console: Console) -> None:
    response = await console.page("?primary=red")

    assert response.status_code == 400
    assert "primary colour &#39;red&#39; is invalid" in response.text


async def test_preview_returns_generated_svg(console: Console) -> None:
    response = await console.preview(DESIGN)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert response.headers["cache-control"] == "no-store"
    assert "badge-shape-shield" in response.text
    assert texts(response.text) == ["Premiers <secours> & co", "UPHF"]
    assert sanitize_svg(response.text) == response.text


async def test_preview_rejects_invalid_design(console: Console) -> None:
    response = await console.preview({**DESIGN, "text_color": "javascript:alert(1)"})

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "invalid-design"
    assert "#rrggbb" in response.json()["detail"]


async def test_preview_requires_csrf_token(console: Console) -> None:
    await console.csrf()

    response = await console.preview(DESIGN, token="forged")

    assert response.status_code == 403


async def test_design_saved(console: Console) -> None:
    _, events_before = await console.stored()

    response = await console.save_design(DESIGN)

    stored, events_after = await console.stored()
    location = urlsplit(response.headers["location"])
    query = parse_qs(location.query)
    assert response.status_code == 303, response.text
    assert location.path == f"{console.base}/design"
    assert query["saved"] == ["design"]
    assert query["shape"] == ["shield"]
    assert "badge-shape-shield" in stored
    assert texts(stored) == ["Premiers <secours> & co", "UPHF"]
    assert 'fill="#fefae0"' in stored
    assert "<secours>" not in stored
    assert sanitize_svg(stored) == stored
    assert events_after > events_before


async def test_saved_design_shown_again(console: Console) -> None:
    saved = await console.save_design(DESIGN)

    page = await console.client.get(saved.headers["location"])

    assert page.status_code == 200
    assert "The design is saved as the badge image." in page.text
    assert 'value="shield" checked' in page.text
    assert 'name="primary" value="#c1121f"' in page.text
    assert data_uri_image(page.text, "designer-current") == (await console.stored())[0]


async def test_invalid_design_stores_nothing(console: Console) -> None:
    before = await console.stored()

    response = await console.save_design({**DESIGN, "size1": "500"})

    assert response.status_code == 400
    assert "size1 font size &#39;500&#39; is invalid" in response.text
    assert 'id="designer-error"' in response.text
    assert 'name="size1" value="500"' in response.text
    assert 'value="shield" checked' in response.text
    assert await console.stored() == before


async def test_design_with_tenant_logo(console: Console) -> None:
    await Tenant.update({Tenant.logo_svg: LOGO}).where(Tenant.id == console.tenant.id)

    response = await console.save_design({**DESIGN, "logo": "on"})

    stored, _ = await console.stored()
    nested = svg_root(stored).find(f"{{{SVG_NS}}}svg[@class='badge-logo']")
    assert response.status_code == 303
    assert nested is not None
    assert nested.get("viewBox") == "0 0 120 40"


async def test_design_logo_missing_rejected(console: Console) -> None:
    before = await console.stored()

    response = await console.save_design({**DESIGN, "logo": "on"})

    assert response.status_code == 400
    assert "has no logo" in response.text
    assert await console.stored() == before


@pytest.mark.parametrize("status", ["submitted", "approved", "archived"])
async def test_locked_achievement_stores_nothing(console: Console, status: str) -> None:
    await Achievement.update({Achievement.status: status}).where(
        Achievement.id == console.achievement.id
    )
    before = await console.stored()

    page = await console.page()
    response = await console.save_design(DESIGN)

    assert 'id="designer-locked"' in page.text
    assert 'id="designer-save" disabled' in page.text
    assert response.status_code == 409
    assert f"is {status} and cannot be edited" in response.text
    assert 'name="line1" value="Premiers &lt;secours&gt; &amp; co"' in response.text
    assert await console.stored() == before


@pytest.mark.parametrize("threat", sorted(HOSTILE_SVGS))
async def test_uploaded_svg_sanitised(console: Console, threat: str) -> None:
    response = await console.upload("badge.svg", HOSTILE_SVGS[threat].encode())

    stored, _ = await console.stored()
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert response.status_code == 303, response.text
    assert query["saved"] == ["svg"]
    assert stored == f'<svg xmlns="{SVG_NS}" viewBox="0 0 100 100">{CIRCLE}</svg>\n'
    assert query["removed"] != [""]


async def test_sanitised_upload_names_removals(console: Console) -> None:
    saved = await console.upload("badge.svg", HOSTILE_SVGS["onload"].encode())

    page = await console.client.get(saved.headers["location"])

    assert "The SVG image is saved as the badge image." in page.text
    assert "Sanitising removed: onload." in page.text


async def test_png_upload_stored(console: Console) -> None:
    png = make_png(64, 48)

    response = await console.upload("badge.png", png)

    stored, _ = await console.stored()
    assert response.status_code == 303, response.text
    assert parse_qs(urlsplit(response.headers["location"]).query)["saved"] == ["png"]
    assert 'viewBox="0 0 64 48"' in stored
    assert f"data:image/png;base64,{base64.b64encode(png).decode()}" in stored


async def test_huge_png_rejected(console: Console) -> None:
    before = await console.stored()

    response = await console.upload("huge.png", make_png(20_000, 20_000, 0, 1, raw=b""))

    assert response.status_code == 400
    assert "20,000 x 20,000 pixels" in response.text
    assert 'id="designer-error"' in response.text
    assert await console.stored() == before


async def test_fifty_megabyte_upload_rejected(console: Console) -> None:
    before = await console.stored()

    response = await console.upload("big.png", make_png(4, 4) + b"\x00" * (50 * 1024 * 1024))

    assert response.status_code == 413
    assert "2,097,152 bytes" in response.text
    assert await console.stored() == before


@pytest.mark.parametrize(
    ("filename", "content", "expected"),
    [
        ("notes.txt", b"just some text", "neither a PNG image nor an SVG document"),
        ("photo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "neither a PNG image nor"),
        ("page.svg", b"<html><body>Hi</body></html>", "root element is &lt;html&gt;"),
        ("broken.png", make_png(40, 40)[:-30], "truncated"),
    ],
    ids=["text", "gif", "html", "truncated-png"],
)
async def test_non_image_rejected(
    console: Console, filename: str, content: bytes, expected: str
) -> None:
    before = await console.stored()

    response = await console.upload(filename, content)

    assert response.status_code == 400
    assert expected in response.text
    assert await console.stored() == before


async def test_empty_upload_rejected(console: Console) -> None:
    before = await console.stored()

    response = await console.upload("empty.svg", b"")

    assert response.status_code == 400
    assert "the file is empty" in response.text
    assert await console.stored() == before


async def test_unknown_source_rejected(console: Console) -> None:
    before = await console.stored()
    data = {"source": "url", "_csrf_token": await console.csrf()}

    response = await console.client.post(f"{console.base}/image", data=data, files={"x": b""})

    assert response.status_code == 400
    assert "source &#39;url&#39; is invalid" in response.text
    assert await console.stored() == before


async def test_other_tenants_achievement_not_found(console: Console, settings: Settings) -> None:
    other = await make_tenant(settings, "btu", country="DE")
    foreign = await make_achievement(other, "btu-badge")
    path = f"/console/tenants/uphf/achievements/{foreign.id}"

    page = await console.client.get(f"{path}/design")
    preview = await console.client.post(
        f"{path}/design/preview", json=DESIGN, headers={"x-csrf-token": await console.csrf()}
    )

    assert page.status_code == 404
    assert preview.status_code == 404


async def test_unknown_achievement_not_found(console: Console) -> None:
    response = await console.client.get(f"/console/tenants/uphf/achievements/{uuid.uuid4()}/design")

    assert response.status_code == 404
