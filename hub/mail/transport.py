"""Mail transports: SMTP through aiosmtplib, or the outbox that keeps messages for the console.

``HUB_MAIL_TRANSPORT`` chooses one (``transport_for``). Both raise ``DeliveryError``, which
states whether a retry can help. Its message never contains an e-mail address.
"""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import aiosmtplib
import structlog

from hub.mail.message import OutgoingEmail, wire_bytes
from hub.settings import Settings

log = structlog.get_logger(__name__)

# Sender of outbox messages when HUB_MAIL_FROM is unset: the reserved .invalid domain
# (RFC 2606) can never receive mail, which suits messages that are never sent.
OUTBOX_SENDER = "badges@outbox.invalid"
MAX_ERROR_CHARS = 500

_ADDRESS = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")


def scrub_addresses(text: str) -> str:
    """Replace anything shaped like an e-mail address, and cap the length for storage."""
    return _ADDRESS.sub("[address]", text)[:MAX_ERROR_CHARS]


class DeliveryError(Exception):
    """Sending failed. ``permanent``: retrying cannot help (an SMTP 5xx reply about this
    message). ``server_unusable``: no message can be sent now (the server is unreachable or
    rejects the hub's session), so the rest of the batch waits for a later run.
    """

    def __init__(self, message: str, *, permanent: bool, server_unusable: bool = False):
        super().__init__(scrub_addresses(message))
        self.permanent = permanent
        self.server_unusable = server_unusable


class MailTransport(Protocol):
    async def send(self, email: OutgoingEmail) -> None: ...

    async def close(self) -> None: ...


def transport_for(settings: Settings) -> MailTransport:
    """Return the configured transport; raises ``SettingsError`` when SMTP lacks a sender."""
    if settings.effective_mail_transport == "outbox":
        return OutboxTransport(settings.data_dir / "outbox")
    settings.require_mail_from()
    return SmtpTransport(settings)


def sender_address(settings: Settings) -> str:
    if settings.effective_mail_transport == "outbox":
        return settings.mail_from or OUTBOX_SENDER
    return settings.require_mail_from()


class OutboxTransport:
    """Sends nothing: writes each message as ``<id>.eml`` (mode 0600) to a local folder.

    The database row, marked sent, is what the console shows; the file lets a person open
    the exact message in a mail program.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def send(self, email: OutgoingEmail) -> None:
        try:
            await asyncio.to_thread(self._write, email)
        except OSError as error:
            raise DeliveryError(
                f"cannot write to the outbox folder {self.folder}: {error.strerror}",
                permanent=False,
                server_unusable=True,
            ) from error

    def _write(self, email: OutgoingEmail) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{email.email_id}.eml"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(wire_bytes(email.message))

    async def close(self) -> None:
        return None


class SmtpTransport:
    """One SMTP connection reused for the messages of a batch, opened at the first message.

    After any error the connection is closed, and the next message opens a new one.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: aiosmtplib.SMTP | None = None

    def _new_client(self) -> aiosmtplib.SMTP:
        settings = self.settings
        return aiosmtplib.SMTP(
            hostname=settings.smtp_host,
            port=settings.effective_smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            use_tls=settings.smtp_tls == "tls",
            start_tls=settings.smtp_tls == "starttls",
            timeout=settings.smtp_timeout_seconds,
            local_hostname=urlsplit(settings.public_url).hostname,
        )

    async def send(self, email: OutgoingEmail) -> None:
        try:
            if self._client is None:
                client = self._new_client()
                await client.connect()
                self._client = client
            await self._client.sendmail(email.sender, [email.recipient], wire_bytes(email.message))
        except aiosmtplib.SMTPRecipientsRefused as error:
            await self.close()
            raise _refused(error) from error
        except (
            aiosmtplib.SMTPAuthenticationError,
            aiosmtplib.SMTPSenderRefused,
            aiosmtplib.SMTPHeloError,
            aiosmtplib.SMTPConnectResponseError,
        ) as error:
            # Replies that reject the hub's own configuration (its login, sender or host
            # name). Every message would fail alike, so none is marked failed and the batch stops.
            await self.close()
            raise DeliveryError(
                f"the SMTP server rejected the hub's session: {error.code} {error.message}",
                permanent=False,
                server_unusable=True,
            ) from error
        except aiosmtplib.SMTPResponseException as error:
            await self.close()
            raise DeliveryError(
                f"the SMTP server replied {error.code} {error.message}",
                permanent=error.code >= 500,
            ) from error
        except ValueError as error:
            # aiosmtplib's check of an address the server cannot take (e.g. no SMTPUTF8).
            await self.close()
            raise DeliveryError(
                "the recipient address cannot be sent through this SMTP server", permanent=True
            ) from error
        except (aiosmtplib.SMTPException, OSError) as error:
            await self.close()
            host = f"{self.settings.smtp_host}:{self.settings.effective_smtp_port}"
            raise DeliveryError(
                f"the SMTP server {host} is unavailable: {type(error).__name__}: {error}",
                permanent=False,
                server_unusable=True,
            ) from error

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is None or not client.is_connected:
            return
        try:
            await client.quit()
        except (aiosmtplib.SMTPException, OSError):
            client.close()


def _refused(error: aiosmtplib.SMTPRecipientsRefused) -> DeliveryError:
    codes = [refused.code for refused in error.recipients]
    details = "; ".join(f"{refused.code} {refused.message}" for refused in error.recipients)
    return DeliveryError(
        f"the SMTP server rejected the recipient: {details}",
        permanent=all(code >= 500 for code in codes),
    )
