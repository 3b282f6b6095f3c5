"""Achievement images through the API: SVG sanitising, PNG upload, size limits, no partial rows."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from httpx import AsyncClient

from hub.app import MAX_REQUEST_BODY_BYTES
from hub.images.limits import MAX_PNG_BYTES
from hub.settings import Settings
from hub.tables import AuditEvent
from tenants.tables import Achievement
from tenants.workflow import ApprovalRule, set_approval_rule
from tests.factories import make_tenant, make_token
from tests.unit.test_images import make_png

pytestmark = pytest.mark.integration

SVG_NS = "http://www.w3.org/2000/svg"
HOSTILE_SVG = (
    f'<svg xmlns="{SVG_NS}" viewBox="0 0 100 100" onload="alert(1)">'
    "<script>alert(2)</script>"
    '<circle cx="50" cy="50" r="40" fill="#1d3557"/></svg>'
)
BODY: dict[str, Any] = {
    "slug": "image-test",
    "name": {"fr": "Essai d'image", "en": "Image test"},
    "description": {"fr": "Un badge d'essai.", "en": "A test badge."},
    "criteria": {"fr": "Aucun.", "en": "None."},
    "status": "published",
}
URL = "/api/v1/tenants/uphf/achievements"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def stored_counts() -> tuple[int, int]:
    """Count achievements and audit events, to prove that a rejected request wrote nothing."""
    return await Achievement.count(), await AuditEvent.count()


@pytest.fixture
async def token(client: AsyncClient, settings: Settings) -> str:
    tenant = await make_tenant(settings)
    # Publishing at creation needs a tenant without the approval rule.
    await set_approval_rule(tenant, ApprovalRule(approval_required=False), actor="test")
    return await make_token(tenant)


async def test_svg_script_removed_before_storing(client: AsyncClient, token: str) -> None:
    created = await client.post(URL, json={**BODY, "image_svg": HOSTILE_SVG}, headers=bearer(token))
    image_path = created.json()["image_url"].removeprefix("http://127.0.0.1:8000")
    served = await client.get(image_path)

    row = await Achievement.objects().where(Achievement.id == uuid.UUID(created.json()["id"]))
    assert created.status_code == 201, created.text
    assert served.status_code == 200
    assert served.text == row[0].image_svg
    assert served.text == (
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 100 100">'
        '<circle cx="50" cy="50" r="40" fill="#1d3557"/></svg>\n'
    )
    assert served.headers["content-type"].startswith("image/svg+xml")
    assert served.headers["content-security-policy"].startswith("default-src 'none'")


async def test_png_stored_in_svg_wrapper(client: AsyncClient, token: str) -> None:
    png = make_png(64, 48)

    created = await client.post(
        URL,
        json={**BODY, "image_png_base64": base64.b64encode(png).decode()},
        headers=bearer(token),
    )
    image_path = created.json()["image_url"].removeprefix("http://127.0.0.1:8000")
    served = await client.get(image_path)

    assert created.status_code == 201, created.text
    assert served.headers["content-type"].startswith("image/svg+xml")
    assert 'viewBox="0 0 64 48"' in served.text
    assert f'href="data:image/png;base64,{base64.b64encode(png).decode()}"' in served.text


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("image_svg", '<!DOCTYPE svg [<!ENTITY x "y">]><svg/>', "DOCTYPE"),
        ("image_svg", "<html><body>Hello</body></html>", "root element is <html>"),
        ("image_png_base64", make_png(20_000, 20_000, 0, 1, raw=b""), "20,000 x 20,000"),
        ("image_png_base64", make_png(4, 4) + b"\x00" * MAX_PNG_BYTES, "over the limit"),
        ("image_png_base64", make_png(40, 40)[:-30], "truncated"),
        ("image_png_base64", b"GIF89a", "not a PNG image"),
    ],
    ids=["doctype", "html", "png-dimensions", "png-bytes", "png-truncated", "gif"],
)
async def test_invalid_image_rejected(
    client: AsyncClient, token: str, field: str, value: str | bytes, expected: str
) -> None:
    if isinstance(value, bytes):
        value = base64.b64encode(value).decode()
    before = await stored_counts()

    response = await client.post(URL, json={**BODY, field: value}, headers=bearer(token))

    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "invalid-image"
    assert expected in response.json()["detail"]
    assert await stored_counts() == before


async def test_both_images_rejected(client: AsyncClient, token: str) -> None:
    before = await stored_counts()
    body = {
        **BODY,
        "image_svg": HOSTILE_SVG,
        "image_png_base64": base64.b64encode(make_png()).decode(),
    }

    response = await client.post(URL, json=body, headers=bearer(token))

    assert response.status_code == 400
    assert response.json()["code"] == "invalid-image"
    assert await stored_counts() == before


async def test_png_invalid_base64_rejected(client: AsyncClient, token: str) -> None:
    before = await stored_counts()

    response = await client.post(
        URL, json={**BODY, "image_png_base64": "not base64!"}, headers=bearer(token)
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid-request"
    assert response.json()["errors"][0]["key"] == "image_png_base64"
    assert await stored_counts() == before


def fifty_megabyte_body() -> bytes:
    prefix = json.dumps({**BODY, "image_png_base64": ""})[:-2].encode()
    return prefix + b'"' + b"A" * (50 * 1024 * 1024) + b'"}'


async def test_fifty_megabyte_upload_rejected(client: AsyncClient, token: str) -> None:
    before = await stored_counts()
    headers = {**bearer(token), "Content-Type": "application/json"}

    response = await client.post(URL, content=fifty_megabyte_body(), headers=headers)

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "request-too-large"
    assert await stored_counts() == before


async def test_streamed_upload_rejected(client: AsyncClient, token: str) -> None:
    # Without a Content-Length the limit applies to the bytes as they arrive.
    body = fifty_megabyte_body()

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 1024 * 1024):
            yield body[start : start + 1024 * 1024]

    before = await stored_counts()
    headers = {**bearer(token), "Content-Type": "application/json"}

    response = await client.post(URL, content=chunks(), headers=headers)

    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json()["code"] == "request-too-large"
    assert await stored_counts() == before


async def test_too_large_upload_names_limit(client: AsyncClient, token: str) -> None:
    headers = {**bearer(token), "Content-Type": "application/json"}

    response = await client.post(URL, content=fifty_megabyte_body(), headers=headers)

    assert f"{MAX_REQUEST_BODY_BYTES:,}" in response.json()["detail"]
