"""The claim link of a received award e-mail, followed against the app."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator
from urllib.parse import quote

import httpx
import pytest

from hub.app import create_app
from hub.mail.delivery import deliver_due
from hub.settings import Settings
from hub.tables import AuditEvent
from tenants.tables import Award
from tests.integration.mail_support import (
    make_user,
    queue_award,
    sign_in,
    smtp_server,
    smtp_settings,
    text_part,
    uphf,
)

pytestmark = pytest.mark.integration

ADA = "ines.marchand@example.org"
CLAIM_LINK = re.compile(
    r"http://127\.0\.0\.1:8000(/claim/[0-9a-f-]+\?token=[A-Za-z0-9_-]+)&lang=fr(?:\s|$)"
)


@pytest.fixture
async def mailed(db: str, settings: Settings) -> tuple[Settings, Award, str]:
    """Return the settings, an award whose e-mail went through SMTP, and its claim link path."""
    with smtp_server() as (handler, port):
        mail_settings = smtp_settings(settings, port)
        tenant = await uphf(mail_settings)
        award = await queue_award(mail_settings, tenant, ADA, "fr")
        await deliver_due(mail_settings)
    match = CLAIM_LINK.search(text_part(handler.messages[0]))
    assert match is not None
    return mail_settings, award, match.group(1)


@pytest.fixture
async def browser(mailed: tuple[Settings, Award, str], db: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = mailed[0]
    transport = httpx.ASGITransport(app=create_app(settings, db))
    async with httpx.AsyncClient(
        transport=transport, base_url=settings.public_url, headers={"accept": "text/html"}
    ) as client:
        yield client


async def test_claim_link_shows_badge(
    mailed: tuple[Settings, Award, str], browser: httpx.AsyncClient
) -> None:
    _, award, link = mailed

    response = await browser.get(link)

    assert response.status_code == 200
    assert "Cap Campus" in response.text
    assert "Ada Lovelace" in response.text
    assert f"/auth/login?next={quote(link, safe='')}" in response.text
    assert f'href="/credentials/{award.id}"' in response.text


async def test_claim_link_opens_in_email_language(
    mailed: tuple[Settings, Award, str], browser: httpx.AsyncClient
) -> None:
    _, _, link = mailed

    response = await browser.get(f"{link}&lang=fr")

    assert response.status_code == 200
    assert "Ajouter ce badge à votre compte" in response.text
    assert 'lang="fr"' in response.text


async def test_signed_in_earner_claims_badge(
    mailed: tuple[Settings, Award, str], browser: httpx.AsyncClient
) -> None:
    settings, award, link = mailed
    tenant = await uphf(settings)
    earner = await make_user(tenant, "ines.marchand", role=None)
    csrf = await sign_in(browser, settings, earner)

    page = await browser.get(link)
    response = await browser.post(link, data={"_csrf_token": csrf})
    done = await browser.get(response.headers["location"])
    stored = await Award.objects().where(Award.id == award.id).first()

    assert page.status_code == 200
    assert f'action="{link}"' in page.text
    assert response.status_code == 303
    assert response.headers["location"] == f"{link}&done=claimed"
    assert "Done: the badge is now in your account." in done.text
    assert stored.claimed_by == earner.subject
    assert stored.claimed_at is not None
    events = await AuditEvent.select(AuditEvent.action, AuditEvent.target)
    assert {"action": "credential:claimed", "target": str(award.id)} in events


async def test_claim_twice_is_noop(
    mailed: tuple[Settings, Award, str], browser: httpx.AsyncClient
) -> None:
    settings, award, link = mailed
    earner = await make_user(await uphf(settings), "ines.marchand", role=None)
    csrf = await sign_in(browser, settings, earner)
    await browser.post(link, data={"_csrf_token": csrf})
    first = await Award.objects().where(Award.id == award.id).first()

    again = await browser.post(link, data={"_csrf_token": csrf})
    second = await Award.objects().where(Award.id == award.id).first()

    assert again.status_code == 303
    assert again.headers["location"].endswith("&done=already-yours")
    assert second.claimed_at == first.claimed_at
    claims = await AuditEvent.count().where(AuditEvent.action == "credential:claimed")
    assert claims == 1


async def test_claim_by_another_address_is_refused(
    mailed: tuple[Settings, Award, str], browser: httpx.AsyncClient
) -> None:
    settings, award, link = mailed
    tenant = await uphf(settings)
    earner = await make_user(tenant, "ines.marchand", role=None)
    other = await make_user(tenant, "mallory", role=None)
    await browser.post(link, data={"_csrf_token": await sign_in(browser, settings, earner)})

    response = await browser.post(
        link, data={"_csrf_token": await sign_in(browser, settings, other)}
    )
    page = await browser.get(link)
    stored = await Award.objects().where(Award.id == award.id).first()

    assert response.status_code == 403
    assert "awarded to another e-mail address" in response.text
    assert stored.claimed_by == earner.subject
    assert "This badge is already attached to another account." in page.text


async def test_unclaimed_badge_refuses_other_address(
    mailed: tuple[Settings, Award, str], browser: httpx.AsyncClient
) -> None:
    settings, award, link = mailed
    other = await make_user(await uphf(settings), "mallory", role=None)

    response = await browser.post(
        link, data={"_csrf_token": await sign_in(browser, settings, other)}
    )
    stored = await Award.objects().where(Award.id == award.id).first()

    assert response.status_code == 403
    assert "awarded to another e-mail address" in response.text
    assert stored.claimed_by is None


async def test_forged_token_is_not_found(
    mailed: tuple[Settings, Award, str], browser: httpx.AsyncClient
) -> None:
    _, award, link = mailed
    forged = link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB")

    forged_page = await browser.get(forged)
    missing = await browser.get(f"/claim/{award.id}")
    other_award = await browser.get(
        link.replace(str(award.id), "00000000-0000-4000-8000-000000000001")
    )

    assert forged_page.status_code == 404
    assert "this claim link is not valid" in forged_page.text
    assert missing.status_code == 400
    assert "has no token" in missing.text
    assert other_award.status_code == 404


async def test_anonymous_claim_goes_to_sign_in(
    mailed: tuple[Settings, Award, str], browser: httpx.AsyncClient
) -> None:
    _, award, link = mailed
    await browser.get("/")

    response = await browser.post(link, data={"_csrf_token": browser.cookies["badgehub_csrf"]})
    stored = await Award.objects().where(Award.id == award.id).first()

    assert response.status_code == 303
    assert response.headers["location"] == f"/auth/login?next={quote(link, safe='')}"
    assert stored.claimed_by is None


async def test_credential_valid_before_and_after_claim(
    mailed: tuple[Settings, Award, str], browser: httpx.AsyncClient
) -> None:
    settings, award, link = mailed
    earner = await make_user(await uphf(settings), "ines.marchand", role=None)
    before = await browser.post(
        "/api/v1/verify", content=award.credential_text, headers={"accept": "application/json"}
    )

    await browser.post(link, data={"_csrf_token": await sign_in(browser, settings, earner)})
    served = await browser.get(f"/credentials/{award.id}", headers={"accept": "application/json"})
    after = await browser.post(
        "/api/v1/verify", content=served.text, headers={"accept": "application/json"}
    )

    assert before.json()["valid"] is True
    assert served.text == award.credential_text
    assert after.json()["valid"] is True


async def test_sign_in_link_returns_to_claim(mailed: tuple[Settings, Award, str], db: str) -> None:
    settings, award, link = mailed
    demo = dataclasses.replace(settings, demo=True, dev_login=True)
    transport = httpx.ASGITransport(app=create_app(demo, db))
    async with httpx.AsyncClient(
        transport=transport, base_url=demo.public_url, headers={"accept": "text/html"}
    ) as client:
        page = await client.get(link)
        login = await client.get(f"/auth/login?next={quote(link, safe='')}")
        picker = await client.get(login.headers["location"])
        signed_in = await client.post(
            "/auth/dev-login",
            data={
                "email": "ines.marchand@example.org",
                "next": link,
                "_csrf_token": client.cookies["badgehub_csrf"],
            },
        )
        back = await client.get(signed_in.headers["location"])
        claimed = await client.post(link, data={"_csrf_token": client.cookies["badgehub_csrf"]})
    stored = await Award.objects().where(Award.id == award.id).first()

    assert "Sign in to add it to your account" in page.text
    assert picker.status_code == 200
    assert f'value="{link}"' in picker.text
    assert signed_in.headers["location"] == link
    assert back.status_code == 200
    assert "Add to my account" in back.text
    assert claimed.status_code == 303
    assert stored.claimed_by == "dev:ines.marchand@example.org"
