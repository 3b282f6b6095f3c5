"""PDF certificates of issued awards: their texts, embedded credential, QR code and metadata,
and the URLs they reject."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from httpx import AsyncClient

from hub.certificates import render_certificate
from hub.certificates.fetcher import InlineOnlyFetcher
from hub.certificates.services import pdf_cache, update_design
from hub.settings import Settings
from tenants import status
from tenants.scope import TenantScope
from tenants.services import credential_url
from tenants.tables import Achievement, Award, Tenant
from tests.factories import make_achievement, make_award, make_tenant
from tests.pdf_reading import (
    attachments,
    catalog,
    counting_http_server,
    metadata,
    page_count,
    pdf_text,
    qr_codes,
)

pytestmark = pytest.mark.integration

# Written here independently of hub.certificates, so a wrong month table there fails a test.
MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"],
}  # fmt: skip
LEVELS = [
    {"id": "basic", "name": {"fr": "Fondamental", "en": "Foundation"}},
    {"id": "advanced", "name": {"fr": "Avancé", "en": "Advanced"}},
]


@dataclass(frozen=True)
class Issued:
    tenant: Tenant
    achievement: Achievement
    award: Award

    @property
    def pdf_path(self) -> str:
        return f"/credentials/{self.award.id}/certificate.pdf"


def written_date(moment: datetime, language: str) -> str:
    day = "1er" if language == "fr" and moment.day == 1 else str(moment.day)
    return f"{day} {MONTHS[language][moment.month - 1]} {moment.year}"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    pdf_cache.clear()


@pytest.fixture
async def issued(db: str, settings: Settings) -> Issued:
    """A French award at the level "advanced" of a badge valid for 24 months."""
    tenant = await make_tenant(settings)
    achievement = await make_achievement(
        tenant,
        name={"fr": "Accueil du campus", "en": "Campus welcome"},
        valid_for_months=24,
        levels=LEVELS,
    )
    award = (
        await make_award(
            settings, tenant, achievement, name="Ada Lovelace", level="advanced", language="fr"
        )
    ).award
    stored = await Award.objects().output(load_json=True).where(Award.id == award.id).first()
    return Issued(tenant, achievement, stored)


async def test_certificate_in_french(client: AsyncClient, issued: Issued) -> None:
    issued_at = issued.award.issued_at

    response = await client.get(issued.pdf_path)
    text = pdf_text(response.content)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "Certificat de réussite" in text
    assert "Ada Lovelace" in text
    assert "Accueil du campus" in text
    assert "Programme d'accueil des nouveaux étudiants." in text
    assert "Université UPHF" in text
    assert f"Délivré le {written_date(issued_at, 'fr')}" in text
    assert f"Valable jusqu'au {written_date(issued_at.replace(year=issued_at.year + 2), 'fr')}" in (
        text
    )
    assert "Niveau atteint Avancé" in text


async def test_certificate_in_english(client: AsyncClient, issued: Issued) -> None:
    issued_at = issued.award.issued_at

    response = await client.get(issued.pdf_path, params={"lang": "en"})
    text = pdf_text(response.content)

    assert response.status_code == 200
    assert response.headers["content-language"] == "en"
    assert "Certificate of achievement" in text
    assert "Ada Lovelace" in text
    assert "Campus welcome" in text
    assert "Welcome programme for new students." in text
    assert "University UPHF" in text
    assert f"Issued on {written_date(issued_at, 'en')}" in text
    assert f"Valid until {written_date(issued_at.replace(year=issued_at.year + 2), 'en')}" in text
    assert "Level achieved Advanced" in text


async def test_revised_badge_keeps_signed_texts(client: AsyncClient, issued: Issued) -> None:
    row = (
        await Achievement.objects()
        .output(load_json=True)
        .get(Achievement.id == issued.achievement.id)
    )
    revised = {**row.published, "name": {"fr": "Nouveau nom", "en": "New name"}}
    await Achievement.update({Achievement.published: revised}).where(Achievement.id == row.id)

    english = pdf_text((await client.get(issued.pdf_path, params={"lang": "en"})).content)
    french = pdf_text((await client.get(issued.pdf_path, params={"lang": "fr"})).content)

    # The credential was issued in French, so its signed French texts win over the revision.
    assert "Accueil du campus" in french
    assert "Nouveau nom" not in french
    assert "New name" in english


async def test_certificate_is_one_page(client: AsyncClient, issued: Issued) -> None:
    response = await client.get(issued.pdf_path)

    assert page_count(response.content) == 1


async def test_embedded_credential_is_exact(client: AsyncClient, issued: Issued) -> None:
    response = await client.get(issued.pdf_path)
    embedded = attachments(response.content)

    assert list(embedded) == ["credential.json"]
    assert len(embedded["credential.json"]) == 1
    assert embedded["credential.json"][0] == issued.award.credential_text.encode("utf-8")


async def test_embedded_credential_relationship(client: AsyncClient, issued: Issued) -> None:
    response = await client.get(issued.pdf_path)
    associated = [entry.get_object() for entry in catalog(response.content)["/AF"]]

    assert [entry["/UF"] for entry in associated] == ["credential.json"]
    assert [entry["/AFRelationship"] for entry in associated] == ["/Data"]


async def test_qr_code_opens_credential_page(
    client: AsyncClient, issued: Issued, settings: Settings
) -> None:
    response = await client.get(issued.pdf_path)

    assert qr_codes(response.content) == [credential_url(settings, issued.award.id)]


async def test_pdf_metadata(client: AsyncClient, issued: Issued) -> None:
    response = await client.get(issued.pdf_path, params={"lang": "en"})
    info = metadata(response.content)

    assert info.title == "Campus welcome \u2013 Ada Lovelace"
    assert info.author == "University UPHF"
    assert catalog(response.content)["/Lang"] == "en"


async def test_response_headers(client: AsyncClient, issued: Issued) -> None:
    response = await client.get(issued.pdf_path)

    assert response.headers["content-disposition"] == (
        'inline; filename="cap-campus-certificate.pdf"'
    )
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.headers["content-language"] == "fr"
    assert response.headers["etag"].startswith('"')


async def test_matching_etag_is_not_modified(client: AsyncClient, issued: Issued) -> None:
    first = await client.get(issued.pdf_path)

    again = await client.get(issued.pdf_path, headers={"if-none-match": first.headers["etag"]})

    assert again.status_code == 304
    assert again.content == b""


async def test_design_change_changes_etag(client: AsyncClient, issued: Issued) -> None:
    before = await client.get(issued.pdf_path)
    await update_design(
        issued.tenant, {**_DESIGN, "signatory_name": "Prof. Grace Hopper"}, None, False, "test"
    )

    after = await client.get(issued.pdf_path)

    assert after.headers["etag"] != before.headers["etag"]
    assert "Prof. Grace Hopper" in pdf_text(after.content)
    assert "Prof. Grace Hopper" not in pdf_text(before.content)


async def test_unknown_award_is_not_found(client: AsyncClient, db: str) -> None:
    response = await client.get("/credentials/00000000-0000-0000-0000-000000000001/certificate.pdf")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "credential-not-found"


async def test_unsupported_language_is_rejected(client: AsyncClient, issued: Issued) -> None:
    response = await client.get(issued.pdf_path, params={"lang": "de"})

    assert response.status_code == 400
    assert response.json()["code"] == "unsupported-language"
    assert "lang 'de' is not supported; use one of fr, en" in response.json()["detail"]


async def test_revoked_award_has_no_certificate(client: AsyncClient, issued: Issued) -> None:
    await status.revoke(TenantScope(issued.tenant), issued.award.id, "Plagiarism", "test")

    response = await client.get(issued.pdf_path)

    assert response.status_code == 409
    assert response.json()["code"] == "credential-revoked"


async def test_suspended_award_has_no_certificate(client: AsyncClient, issued: Issued) -> None:
    await status.suspend(TenantScope(issued.tenant), issued.award.id, "Under review", "test")

    response = await client.get(issued.pdf_path)

    assert response.status_code == 409
    assert response.json()["code"] == "credential-suspended"


async def test_credential_page_links_certificate(client: AsyncClient, issued: Issued) -> None:
    page = await client.get(f"/credentials/{issued.award.id}", headers={"accept": "text/html"})

    assert f'href="/credentials/{issued.award.id}/certificate.pdf?lang=' in page.text
    assert "Download PDF certificate" in page.text


# Tenant texts are inert ---------------------------------------------------------------------

_DESIGN = {
    "primary_color": "#1d3557",
    "accent_color": "#b8860b",
    "signatory_name": "",
    "signatory_title_fr": "",
    "signatory_title_en": "",
    "wording_fr": "",
    "wording_en": "",
    "layout": "classic",
}


async def test_wording_markup_stays_text(issued: Issued, settings: Settings) -> None:
    with counting_http_server() as (server_url, requests):
        wording = (
            f"<script>alert(1)</script> <img src={server_url}/tracker.png> "
            f"<link rel=stylesheet href={server_url}/style.css>"
        )
        await update_design(issued.tenant, {**_DESIGN, "wording_en": wording}, None, False, "test")
        tenant = await Tenant.objects().output(load_json=True).where(Tenant.id == issued.tenant.id)
        fetcher = InlineOnlyFetcher()

        pdf = render_certificate(
            settings, tenant[0], issued.achievement, issued.award, "en", fetcher=fetcher
        )

    text = pdf_text(pdf)
    assert "<script>alert(1)</script>" in text
    assert f"<img src={server_url}/tracker.png>" in text
    assert fetcher.rejected == []
    assert requests == []


async def test_fetcher_rejects_remote_urls(issued: Issued, settings: Settings) -> None:
    from weasyprint import HTML

    fetcher = InlineOnlyFetcher()
    with counting_http_server() as (server_url, requests):
        html = (
            f'<link rel="stylesheet" href="{server_url}/style.css">'
            f'<img src="{server_url}/tracker.png"><p>text</p>'
        )

        HTML(string=html, url_fetcher=fetcher).write_pdf()

    assert fetcher.rejected == [f"{server_url}/style.css", f"{server_url}/tracker.png"]
    assert requests == []


async def test_fetcher_rejects_local_files(issued: Issued) -> None:
    from weasyprint import HTML

    fetcher = InlineOnlyFetcher()

    pdf = HTML(string='<img src="file:///etc/passwd"><p>text</p>', url_fetcher=fetcher).write_pdf()

    assert fetcher.rejected == ["file:///etc/passwd"]
    assert "root:" not in pdf_text(pdf)
