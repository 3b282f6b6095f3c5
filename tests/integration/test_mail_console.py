"""The console's e-mail pages: the outbox, one message, and the template editor."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest
from markupsafe import escape

from hub.app import create_app
from hub.mail.delivery import deliver_due
from hub.settings import Settings
from hub.tables import AuditEvent
from tenants.tables import MailTemplate, OutboundEmail, Tenant
from tests.integration.mail_support import (
    make_user,
    queue_award,
    sign_in,
    smtp_server,
    smtp_settings,
    uphf,
)

pytestmark = pytest.mark.integration

ADA = "ada.lovelace@example.org"
EDITOR = "/console/tenants/uphf/emails/templates/award/en"
CUSTOM_BODY = "Dear {{ earner_name }},\n\nyour badge {{ badge_name | upper }}: {{ claim_url }}\n"


@pytest.fixture
def outbox_settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, mail_transport="outbox")


@pytest.fixture
async def tenant(db: str, outbox_settings: Settings) -> Tenant:
    return await uphf(outbox_settings)


@pytest.fixture
async def browser(
    db: str, outbox_settings: Settings, tenant: Tenant
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(outbox_settings, db))
    async with httpx.AsyncClient(
        transport=transport, base_url=outbox_settings.public_url, headers={"accept": "text/html"}
    ) as client:
        yield client


async def _as(browser: httpx.AsyncClient, settings: Settings, tenant: Tenant, role: str) -> str:
    return await sign_in(browser, settings, await make_user(tenant, role, role))


async def test_outbox_page_shows_sent_message(
    browser: httpx.AsyncClient, outbox_settings: Settings, tenant: Tenant
) -> None:
    await queue_award(outbox_settings, tenant, ADA, "fr")
    await deliver_due(outbox_settings)
    row = await OutboundEmail.objects().first()
    await _as(browser, outbox_settings, tenant, "issuer")

    listing = await browser.get("/console/tenants/uphf/emails")
    message = await browser.get(f"/console/tenants/uphf/emails/{row.id}")

    assert listing.status_code == 200
    assert "a***@example.org" in listing.text
    assert ADA not in listing.text
    assert "Sent" in listing.text
    assert escape(row.subject) in listing.text
    assert message.status_code == 200
    assert escape(row.subject) in message.text
    assert "Bonjour Ada Lovelace," in message.text
    assert 'sandbox=""' in message.text
    assert f'srcdoc="{escape(row.body_html)}"' in message.text
    assert ADA not in message.text


async def test_queued_message_shows_preview(
    browser: httpx.AsyncClient, outbox_settings: Settings, tenant: Tenant
) -> None:
    await queue_award(outbox_settings, tenant, ADA, "en")
    row = await OutboundEmail.objects().first()
    await _as(browser, outbox_settings, tenant, "issuer")

    listing = await browser.get("/console/tenants/uphf/emails?status=queued")
    message = await browser.get(f"/console/tenants/uphf/emails/{row.id}")

    assert "Queued" in listing.text
    assert "a***@example.org" in listing.text
    assert "Not sent yet" in message.text
    assert "Hello Ada Lovelace," in message.text


async def test_editor_previews_without_saving(
    browser: httpx.AsyncClient, outbox_settings: Settings, tenant: Tenant
) -> None:
    csrf = await _as(browser, outbox_settings, tenant, "tenant-admin")

    page = await browser.get(EDITOR)
    preview = await browser.post(
        EDITOR,
        data={
            "subject": "News for {{ earner_name }}",
            "body": CUSTOM_BODY,
            "action": "preview",
            "_csrf_token": csrf,
        },
    )

    assert page.status_code == 200
    assert "awarded you the badge" in page.text
    assert "earner_name" in page.text
    assert preview.status_code == 200
    assert "News for Ada Lovelace" in preview.text
    assert "your badge OPEN BADGES WORKSHOP" in preview.text
    assert await MailTemplate.count() == 0


async def test_saved_template_is_used_for_next_email(
    db: str, browser: httpx.AsyncClient, settings: Settings, tenant: Tenant
) -> None:
    csrf = await _as(browser, settings, tenant, "tenant-admin")

    saved = await browser.post(
        EDITOR,
        data={
            "subject": "News for {{ earner_name }}",
            "body": CUSTOM_BODY.replace("\n", "\r\n"),
            "action": "save",
            "_csrf_token": csrf,
        },
    )
    page = await browser.get(saved.headers["location"])
    with smtp_server() as (handler, port):
        mail_settings = smtp_settings(settings, port)
        await queue_award(mail_settings, tenant, ADA, "en")
        await deliver_due(mail_settings)

    stored = await MailTemplate.objects().first()
    assert saved.status_code == 303
    assert "Template saved." in page.text
    assert stored.body == CUSTOM_BODY
    assert stored.updated_by == "user:test:tenant-admin"
    assert handler.messages[0]["Subject"] == "News for Ada Lovelace"
    events = await AuditEvent.select(AuditEvent.action, AuditEvent.target)
    assert {"action": "mail-template:updated", "target": "award/en"} in events


async def test_french_template_is_separate(
    browser: httpx.AsyncClient, outbox_settings: Settings, tenant: Tenant
) -> None:
    csrf = await _as(browser, outbox_settings, tenant, "tenant-admin")
    await browser.post(
        EDITOR,
        data={"subject": "Hi", "body": CUSTOM_BODY, "action": "save", "_csrf_token": csrf},
    )

    french = await browser.get("/console/tenants/uphf/emails/templates/award/fr")

    assert "vous a décerné le badge" in french.text
    assert await MailTemplate.count().where(MailTemplate.language == "fr") == 0


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        (
            "Hello {{ earner_name }},\n{{ badge_name }",
            ("template syntax error on line 2",),
        ),
        (
            "Hello {{ earner_name }},\n\n{{ student_number }}",
            ("unknown variable 'student_number' (line 3)", "earner_name, badge_name"),
        ),
        ("{{ ''.__class__ }}", ("attribute access", "line 1")),
        ("{{ earner_name.__class__.__mro__ }}", ("attribute access",)),
        ("{{ 'x' * 100000000 }}", ("multiplication",)),
        ("{{ earner_name.center(1000000000) }}", ("function or method call",)),
        ("{% for c in earner_name %}{{ c }}{% endfor %}", ("{% for %} loop",)),
        ("{{ earner_name | attr('__class__') }}", ("filter 'attr'",)),
    ],
)
async def test_invalid_template_is_rejected(
    browser: httpx.AsyncClient,
    outbox_settings: Settings,
    tenant: Tenant,
    body: str,
    fragments: tuple[str, ...],
) -> None:
    csrf = await _as(browser, outbox_settings, tenant, "tenant-admin")

    response = await browser.post(
        EDITOR, data={"subject": "Hi", "body": body, "action": "save", "_csrf_token": csrf}
    )

    assert response.status_code == 400
    for fragment in fragments:
        assert escape(fragment) in response.text
    assert "The template was not saved" in response.text
    assert await MailTemplate.count() == 0


async def test_reset_restores_default(
    browser: httpx.AsyncClient, outbox_settings: Settings, tenant: Tenant
) -> None:
    csrf = await _as(browser, outbox_settings, tenant, "tenant-admin")
    await browser.post(
        EDITOR,
        data={"subject": "Hi", "body": CUSTOM_BODY, "action": "save", "_csrf_token": csrf},
    )

    reset = await browser.post(f"{EDITOR}/reset", data={"_csrf_token": csrf})
    page = await browser.get(reset.headers["location"])

    assert reset.status_code == 303
    assert await MailTemplate.count() == 0
    assert "The default template applies again." in page.text
    assert "awarded you the badge" in page.text
    actions = [row["action"] for row in await AuditEvent.select(AuditEvent.action)]
    assert "mail-template:reset" in actions


async def test_issuer_cannot_edit_templates(
    browser: httpx.AsyncClient, outbox_settings: Settings, tenant: Tenant
) -> None:
    csrf = await _as(browser, outbox_settings, tenant, "issuer")

    page = await browser.get(EDITOR)
    save = await browser.post(
        EDITOR, data={"subject": "Hi", "body": CUSTOM_BODY, "action": "save", "_csrf_token": csrf}
    )

    assert page.status_code == 403
    assert save.status_code == 403
    assert await MailTemplate.count() == 0


async def test_badge_editor_cannot_read_outbox(
    browser: httpx.AsyncClient, outbox_settings: Settings, tenant: Tenant
) -> None:
    await _as(browser, outbox_settings, tenant, "badge-editor")

    response = await browser.get("/console/tenants/uphf/emails")

    assert response.status_code == 403


async def test_unknown_template_is_not_found(
    browser: httpx.AsyncClient, outbox_settings: Settings, tenant: Tenant
) -> None:
    await _as(browser, outbox_settings, tenant, "tenant-admin")

    response = await browser.get("/console/tenants/uphf/emails/templates/award/de")

    assert response.status_code == 404
    assert "templates exist for award in fr, en" in response.text


async def test_tenant_page_links_email_pages(
    browser: httpx.AsyncClient, outbox_settings: Settings, tenant: Tenant
) -> None:
    await _as(browser, outbox_settings, tenant, "tenant-admin")

    response = await browser.get("/console/tenants/uphf")

    assert 'href="/console/tenants/uphf/emails"' in response.text
    assert 'href="/console/tenants/uphf/emails/templates/award/en"' in response.text
