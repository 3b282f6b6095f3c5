"""Helpers of the mail tests: a real SMTP server on loopback (aiosmtpd), awards, sessions."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from hub.auth import login
from hub.auth.principal import SESSION_COOKIE
from hub.auth.tables import TenantRole, User
from hub.mail.outbox import AwardEmail, enqueue_award_emails
from hub.settings import Settings
from tenants.tables import Award, Tenant
from tests.factories import make_achievement, make_award, make_tenant


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class RecordingHandler:
    """An aiosmtpd handler that keeps accepted messages and can reply with scripted errors.

    ``rcpt_replies`` and ``data_replies`` are consumed one per command; when empty the server
    accepts.
    """

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Envelope] = []
        self.rcpt_replies: list[str] = []
        self.data_replies: list[str] = []
        self.data_commands = 0

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.rcpt_replies:
            return self.rcpt_replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.data_commands += 1
        if self.data_replies:
            return self.data_replies.pop(0)
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes)
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server() -> Iterator[tuple[RecordingHandler, int]]:
    """Run an SMTP server on 127.0.0.1 on a free port, in its own thread, for the block."""
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def smtp_settings(settings: Settings, port: int) -> Settings:
    return dataclasses.replace(
        settings,
        mail_transport="smtp",
        mail_from="badges@uphf.example",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_tls="none",
        smtp_timeout_seconds=5.0,
    )


async def queue_award(
    settings: Settings,
    tenant: Tenant,
    address: str,
    language: str,
    earner_name: str = "Ada Lovelace",
    **achievement: Any,
) -> Award:
    """Award a badge to ``address`` in ``language`` and queue its e-mail."""
    slug = achievement.pop("slug", "cap-campus")
    found = await _achievement(tenant, slug, **achievement)
    result = await make_award(
        settings, tenant, found, email=address, name=earner_name, language=language
    )
    await enqueue_award_emails([AwardEmail(tenant.id, result.award.id, address, language)])
    return result.award


async def _achievement(tenant: Tenant, slug: str, **overrides: Any) -> Any:
    from tenants.scope import TenantScope
    from tenants.tables import Achievement

    existing = await TenantScope(tenant).achievements().where(Achievement.slug == slug).first()
    if existing is not None:
        return existing
    return await make_achievement(tenant, slug, **overrides)


async def uphf(settings: Settings) -> Tenant:
    return await make_tenant(
        settings,
        "uphf",
        name="Université Polytechnique Hauts-de-France",
        name_en="Polytechnic University of Hauts-de-France",
    )


async def make_user(tenant: Tenant, name: str, role: str | None) -> User:
    user = User(
        subject=f"test:{name}",
        email=f"{name}@example.org",
        name=name.title(),
        created_at=tenant.created_at,
    )
    await user.save()
    if role is not None:
        await TenantRole(
            user=user.id,
            tenant=tenant.id,
            role=role,
            source="granted",
            created_at=tenant.created_at,
        ).save()
    return user


async def sign_in(client: httpx.AsyncClient, settings: Settings, user: User) -> str:
    """Open a console session for ``user`` in ``client``; return a CSRF token for forms."""
    client.cookies.set(SESSION_COOKIE, await login.open_session(settings, user, None))
    await client.get("/")
    return client.cookies.get("badgehub_csrf") or ""


def text_part(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    content: str = body.get_content()  # type: ignore[attr-defined]
    return content


def html_part(message: EmailMessage) -> str:
    body = message.get_body(("html",))
    assert body is not None
    content: str = body.get_content()  # type: ignore[attr-defined]
    return content
