"""The console page where tenant administrators design their PDF certificates."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from httpx import AsyncClient, Response
from PIL import Image

from hub.auth import login
from hub.auth.principal import SESSION_COOKIE
from hub.auth.tables import TenantRole, User
from hub.certificates.services import pdf_cache
from hub.settings import Settings
from hub.tables import AuditEvent
from tenants.tables import Award, Tenant
from tests.factories import make_achievement, make_award, make_tenant
from tests.pdf_reading import first_page_image, pdf_text, qr_codes

pytestmark = pytest.mark.integration

PAGE = "/console/tenants/uphf/certificate"
VALID_FORM = {
    "primary_color": "#AA0000",
    "accent_color": "#00aa00",
    "signatory_name": "Grace Hopper",
    "signatory_title_fr": "Présidente de l'université",
    "signatory_title_en": "President of the university",
    "wording_fr": "Délivré dans le cadre du programme Cap Campus.",
    "wording_en": "Awarded within the Cap Campus programme.",
    "layout": "classic",
}
NO_FILE = {"logo": ("", b"", "application/octet-stream")}
LOGO_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 40">'
    b'<rect width="100" height="40" fill="#123456"/></svg>'
)


def png_image(width: int = 4, height: int = 2) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


async def session_of(settings: Settings, tenant: Tenant, role: str) -> str:
    user = User(
        subject=f"certificate:{role}",
        email=f"{role}@uphf.example",
        name=f"Camille {role}",
        is_alliance_admin=False,
        created_at=tenant.created_at,
    )
    await user.save()
    await TenantRole(
        user=user.id, tenant=tenant.id, role=role, source="granted", created_at=tenant.created_at
    ).save()
    return await login.open_session(settings, user, None)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    pdf_cache.clear()


@pytest.fixture
async def tenant(db: str, settings: Settings) -> Tenant:
    return await make_tenant(settings)


@pytest.fixture
async def admin(client: AsyncClient, settings: Settings, tenant: Tenant) -> str:
    """Sign the client in as a tenant admin and return the CSRF token for its forms."""
    csrf = (await client.get("/tenants/uphf/did.json")).cookies["badgehub_csrf"]
    client.cookies.clear()
    client.cookies.update(
        {
            SESSION_COOKIE: await session_of(settings, tenant, "tenant-admin"),
            "badgehub_csrf": csrf,
        }
    )
    return csrf


async def post_design(
    client: AsyncClient, csrf: str, files: dict[str, Any] | None = None, **fields: str
) -> Response:
    data = {**VALID_FORM, **fields, "_csrf_token": csrf}
    return await client.post(
        PAGE, data=data, files=files or NO_FILE, headers={"accept": "text/html"}
    )


async def stored_tenant() -> Tenant:
    row = await Tenant.objects().output(load_json=True).where(Tenant.slug == "uphf").first()
    assert row is not None
    return row


async def audit_actions() -> list[str]:
    return [row["action"] for row in await AuditEvent.select(AuditEvent.action)]


async def test_form_shows_defaults(client: AsyncClient, admin: str) -> None:
    page = await client.get(PAGE, headers={"accept": "text/html"})

    assert page.status_code == 200
    assert 'name="primary_color" value="#1d3557"' in page.text
    assert 'enctype="multipart/form-data"' in page.text
    assert f'value="{admin}"' in page.text
    assert "/console/tenants/uphf/certificate/preview.pdf?lang=fr" in page.text


async def test_save_stores_design_and_audit(client: AsyncClient, admin: str) -> None:
    response = await post_design(client, admin)
    page = await client.get(response.headers["location"], headers={"accept": "text/html"})
    stored = (await stored_tenant()).settings["certificate"]

    assert response.status_code == 303
    assert response.headers["location"] == f"{PAGE}?done=saved"
    assert "The certificate design is saved." in page.text
    assert stored["primary_color"] == "#aa0000"
    assert stored["signatory_name"] == "Grace Hopper"
    assert stored["signatory_title"] == {
        "fr": "Présidente de l'université",
        "en": "President of the university",
    }
    assert stored["wording"]["en"] == "Awarded within the Cap Campus programme."
    assert "certificate:updated" in await audit_actions()


async def test_save_keeps_other_settings(client: AsyncClient, admin: str) -> None:
    await Tenant.update({Tenant.settings: {"approval": {"required": True}}}).where(
        Tenant.slug == "uphf"
    )

    await post_design(client, admin)
    settings = (await stored_tenant()).settings

    assert settings["approval"] == {"required": True}
    assert settings["certificate"]["layout"] == "classic"


async def test_saved_design_reaches_certificate(
    client: AsyncClient, admin: str, settings: Settings, tenant: Tenant
) -> None:
    achievement = await make_achievement(tenant)
    award = (await make_award(settings, tenant, achievement)).award
    await post_design(client, admin)

    response = await client.get(f"/credentials/{award.id}/certificate.pdf?lang=fr")
    text = pdf_text(response.content)
    # The outer frame of the classic layout is 2.2 mm of the primary colour, 9 mm inside the
    # edge of the page: at 72 dots per inch, x = 28 falls inside it.
    frame_pixel = first_page_image(response.content, scale=1).getpixel((28, 200))

    assert "Grace Hopper" in text
    assert "Présidente de l'université" in text
    assert "Délivré dans le cadre du programme Cap Campus." in text
    assert frame_pixel[:3] == (0xAA, 0x00, 0x00)


async def test_invalid_color_is_rejected(client: AsyncClient, admin: str) -> None:
    response = await post_design(client, admin, primary_color="red")

    assert response.status_code == 400
    assert "primary_color &#39;red&#39; is invalid; give #rrggbb" in response.text
    assert "Grace Hopper" in response.text
    assert "certificate" not in (await stored_tenant()).settings
    assert "certificate:updated" not in await audit_actions()


async def test_oversized_wording_is_rejected(client: AsyncClient, admin: str) -> None:
    response = await post_design(client, admin, wording_fr="a" * 501)

    assert response.status_code == 400
    assert "wording_fr has 501 characters; the maximum is 500" in response.text
    assert "certificate" not in (await stored_tenant()).settings


async def test_too_many_wording_lines_are_rejected(client: AsyncClient, admin: str) -> None:
    response = await post_design(client, admin, wording_en="line\n" * 9 + "end")

    assert response.status_code == 400
    assert "wording_en has 10 lines; the maximum is 8" in response.text


async def test_unknown_layout_is_rejected(client: AsyncClient, admin: str) -> None:
    response = await post_design(client, admin, layout="poster")

    assert response.status_code == 400
    assert "layout &#39;poster&#39; is invalid; choose one of classic, modern" in response.text


async def test_svg_logo_is_stored(client: AsyncClient, admin: str) -> None:
    response = await post_design(
        client, admin, files={"logo": ("logo.svg", LOGO_SVG, "image/svg+xml")}
    )
    logo = (await stored_tenant()).logo_svg

    assert response.status_code == 303
    assert logo.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert 'fill="#123456"' in logo


async def test_png_logo_is_wrapped_in_svg(client: AsyncClient, admin: str) -> None:
    png = png_image()

    response = await post_design(client, admin, files={"logo": ("logo.png", png, "image/png")})
    logo = (await stored_tenant()).logo_svg

    assert response.status_code == 303
    assert 'viewBox="0 0 4 2"' in logo
    assert base64.b64encode(png).decode() in logo


async def test_logo_with_script_is_rejected(client: AsyncClient, admin: str) -> None:
    hostile = LOGO_SVG.replace(b"</svg>", b"<script>alert(document.cookie)</script></svg>")

    response = await post_design(
        client, admin, files={"logo": ("logo.svg", hostile, "image/svg+xml")}
    )

    assert response.status_code == 400
    assert "the logo contains a &lt;script&gt; element" in response.text
    assert (await stored_tenant()).logo_svg == ""
    assert "certificate" not in (await stored_tenant()).settings


async def test_logo_with_event_handler_is_rejected(client: AsyncClient, admin: str) -> None:
    hostile = LOGO_SVG.replace(b"<rect ", b'<rect onclick="alert(1)" ')

    response = await post_design(
        client, admin, files={"logo": ("logo.svg", hostile, "image/svg+xml")}
    )

    assert response.status_code == 400
    assert "event handler attribute onclick" in response.text
    assert (await stored_tenant()).logo_svg == ""


async def test_corrupt_png_logo_is_rejected(client: AsyncClient, admin: str) -> None:
    png = bytearray(png_image())
    png[-10] ^= 0xFF

    response = await post_design(
        client, admin, files={"logo": ("logo.png", bytes(png), "image/png")}
    )

    assert response.status_code == 400
    assert "PNG" in response.text
    assert (await stored_tenant()).logo_svg == ""


async def test_binary_logo_is_rejected(client: AsyncClient, admin: str) -> None:
    response = await post_design(
        client, admin, files={"logo": ("logo.gif", b"GIF89a\xff\xfe", "image/gif")}
    )

    assert response.status_code == 400
    assert "neither a PNG image nor an SVG document" in response.text


async def test_remove_logo(client: AsyncClient, admin: str) -> None:
    await Tenant.update({Tenant.logo_svg: LOGO_SVG.decode()}).where(Tenant.slug == "uphf")

    response = await post_design(client, admin, remove_logo="on")

    assert response.status_code == 303
    assert (await stored_tenant()).logo_svg == ""


async def test_logo_appears_in_certificate(
    client: AsyncClient, admin: str, settings: Settings, tenant: Tenant
) -> None:
    achievement = await make_achievement(tenant)
    award = (await make_award(settings, tenant, achievement)).award
    await post_design(client, admin, files={"logo": ("logo.svg", LOGO_SVG, "image/svg+xml")})

    response = await client.get(f"/credentials/{award.id}/certificate.pdf")
    image = first_page_image(response.content, scale=1)
    colours = {colour for _, colour in image.getcolors(maxcolors=1 << 20)}

    assert (0x12, 0x34, 0x56) in {colour[:3] for colour in colours}


async def test_post_without_csrf_is_rejected(client: AsyncClient, admin: str) -> None:
    response = await client.post(PAGE, data=VALID_FORM, files=NO_FILE)

    assert response.status_code == 403
    assert "certificate" not in (await stored_tenant()).settings


async def test_preview_renders_sample(client: AsyncClient, admin: str, settings: Settings) -> None:
    response = await client.get(f"{PAGE}/preview.pdf", params={"lang": "fr"})
    text = pdf_text(response.content)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    assert "Camille Exemple" in text
    assert "Badge d'exemple" in text
    assert "Aperçu · sans valeur" in text
    assert qr_codes(response.content) == [
        f"{settings.base_url}/credentials/00000000-0000-0000-0000-000000000000"
    ]
    assert await Award.count() == 0


async def test_preview_uses_first_achievement(
    client: AsyncClient, admin: str, tenant: Tenant
) -> None:
    await make_achievement(tenant, name={"fr": "Accueil du campus", "en": "Campus welcome"})

    response = await client.get(f"{PAGE}/preview.pdf", params={"lang": "en"})
    text = pdf_text(response.content)

    assert "Alex Sample" in text
    assert "Campus welcome" in text
    assert await Award.count() == 0


async def test_issuer_cannot_open_design(
    client: AsyncClient, settings: Settings, tenant: Tenant
) -> None:
    client.cookies.update({SESSION_COOKIE: await session_of(settings, tenant, "issuer")})

    page = await client.get(PAGE, headers={"accept": "text/html"})
    preview = await client.get(f"{PAGE}/preview.pdf")

    assert page.status_code == 403
    assert preview.status_code == 403


async def test_anonymous_is_sent_to_sign_in(client: AsyncClient, tenant: Tenant) -> None:
    response = await client.get(PAGE, headers={"accept": "text/html"})

    assert response.status_code in (302, 303, 307)
    assert response.headers["location"].startswith("/auth/login?next=")


async def test_tenant_page_links_design(client: AsyncClient, admin: str) -> None:
    page = await client.get("/console/tenants/uphf", headers={"accept": "text/html"})

    assert 'href="/console/tenants/uphf/certificate"' in page.text
