"""Importing badges into the backpack: verified first, kept once, rejected when not the earner's."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from hub.backpack.tables import ImportedBadge
from hub.credentials.baking import unbake
from hub.settings import Settings
from tests.factories import make_achievement, make_award, make_tenant
from tests.integration.mail_support import make_user, sign_in

pytestmark = pytest.mark.integration

VECTORS = Path(__file__).resolve().parents[1] / "fixtures" / "vectors"
# A third-party OB 3.0 PNG baked with a VC-JWT whose header carries the issuer's key; its
# subject is a DID, so it names no e-mail address to compare with the earner's.
THIRD_PARTY_PNG = VECTORS / "1EdTech__digital-credentials-public-validator/ob30/simple-jwt.png"


async def signed_in(browser: httpx.AsyncClient, settings: Settings, name: str = "ada") -> str:
    tenant = await make_tenant(settings)
    return await sign_in(browser, settings, await make_user(tenant, name, role=None))


async def upload(browser: httpx.AsyncClient, csrf: str, name: str, data: bytes) -> httpx.Response:
    return await browser.post(
        "/backpack/import", data={"_csrf_token": csrf}, files={"file": (name, data)}
    )


async def test_third_party_baked_png_is_imported(
    browser: httpx.AsyncClient, settings: Settings
) -> None:
    csrf = await signed_in(browser, settings)
    png = THIRD_PARTY_PNG.read_bytes()

    response = await upload(browser, csrf, "simple-jwt.png", png)
    page = await browser.get("/backpack")
    stored = await ImportedBadge.objects().output(load_json=True).first()

    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/backpack?imported=1"
    assert stored is not None
    assert stored.credential_text == unbake(png).text
    assert stored.credential_format == "jwt_vc"
    assert stored.source == "simple-jwt.png"
    assert stored.report["valid"] is True
    assert f'id="imported-{stored.id}"' in page.text
    download = await browser.get(f"/backpack/imported/{stored.id}/credential")
    assert download.text == unbake(png).text


async def test_same_badge_is_not_imported_twice(
    browser: httpx.AsyncClient, settings: Settings
) -> None:
    csrf = await signed_in(browser, settings)
    png = THIRD_PARTY_PNG.read_bytes()

    await upload(browser, csrf, "simple-jwt.png", png)
    again = await upload(browser, csrf, "copy.png", png)

    assert again.status_code == 409
    assert "already in your backpack" in again.text
    assert await ImportedBadge.count() == 1


async def test_badge_of_other_address_is_rejected(
    browser: httpx.AsyncClient, settings: Settings
) -> None:
    csrf = await signed_in(browser, settings, "grace")
    tenant = await make_tenant(settings, "btu", country="DE")
    award = (await make_award(settings, tenant, await make_achievement(tenant))).award
    baked = await browser.get(f"/credentials/{award.id}/badge.png")

    response = await upload(browser, csrf, "badge.png", baked.content)

    assert response.status_code == 422
    assert "issued to another e-mail address" in response.text
    assert await ImportedBadge.count() == 0


async def test_own_hub_badge_svg_is_imported(
    browser: httpx.AsyncClient, settings: Settings
) -> None:
    csrf = await signed_in(browser, settings)
    tenant = await make_tenant(settings, "btu", country="DE")
    award = (await make_award(settings, tenant, await make_achievement(tenant))).award
    baked = await browser.get(f"/credentials/{award.id}/badge.svg")

    response = await upload(browser, csrf, "badge.svg", baked.content)
    stored = await ImportedBadge.objects().output(load_json=True).first()

    assert response.status_code == 303, response.text
    assert stored is not None
    assert stored.credential_text == award.credential_text
    assert stored.credential_format == "ldp_vc"


async def test_unreadable_file_is_rejected(browser: httpx.AsyncClient, settings: Settings) -> None:
    csrf = await signed_in(browser, settings)

    response = await upload(browser, csrf, "notes.txt", b"not a badge")

    assert response.status_code == 400
    assert await ImportedBadge.count() == 0


async def test_other_person_cannot_read_imported_badge(
    browser: httpx.AsyncClient, settings: Settings
) -> None:
    csrf = await signed_in(browser, settings)
    await upload(browser, csrf, "simple-jwt.png", THIRD_PARTY_PNG.read_bytes())
    stored = await ImportedBadge.objects().output(load_json=True).first()
    assert stored is not None
    tenant = await make_tenant(settings, "btu", country="DE")
    await sign_in(browser, settings, await make_user(tenant, "grace", role=None))

    response = await browser.get(f"/backpack/imported/{stored.id}/credential")

    assert response.status_code == 404
