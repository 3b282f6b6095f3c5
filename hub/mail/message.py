"""Building the MIME message of an e-mail: multipart/alternative with text and HTML parts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from hub.mail.templates import RenderedEmail

# NOTE: the header folder of Python 3.11 drops the space between two encoded words when it
# wraps a long non-ASCII header, so "“Cap Campus”" arrives as "“CapCampus”". Headers are
# therefore written without wrapping: lines stay under the 998 characters of RFC 5322 because
# names are at most 255 characters, but an encoded word may exceed the 75 characters of
# RFC 2047, which common mail readers accept. Wrap at 78 again once the folder is fixed.
WIRE_POLICY = SMTP.clone(max_line_length=998)


class InvalidRecipientError(ValueError):
    """The recipient address cannot be written into an e-mail header."""


@dataclass(frozen=True)
class OutgoingEmail:
    """One message ready for a transport, with its envelope sender and recipient."""

    email_id: uuid.UUID
    sender: str
    recipient: str
    message: EmailMessage


def build_message(
    *,
    email_id: uuid.UUID,
    sender: str,
    sender_name: str,
    recipient: str,
    recipient_name: str,
    reply_to: str | None,
    language: str,
    rendered: RenderedEmail,
) -> OutgoingEmail:
    """Build the message. Raises ``InvalidRecipientError`` for an address headers cannot hold.

    ``Auto-Submitted: auto-generated`` (RFC 3834) stops automatic replies such as vacation
    notices, and ``Content-Language`` (RFC 3282) names the language of the text.
    """
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = Address(display_name=sender_name, addr_spec=sender)
    try:
        message["To"] = Address(display_name=recipient_name, addr_spec=recipient)
    except (ValueError, HeaderParseError, IndexError) as error:
        # The message names no address: it ends in stored errors and logs.
        raise InvalidRecipientError(
            "the recipient address cannot be used in an e-mail header"
        ) from error
    if reply_to:
        message["Reply-To"] = reply_to
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(idstring=email_id.hex, domain=sender.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"
    # Quoted-printable keeps the message 7-bit clean for relays without 8BITMIME.
    message.set_content(rendered.text, cte="quoted-printable")
    message.add_alternative(rendered.html, subtype="html", cte="quoted-printable")
    # After add_alternative, which moves every Content-* header into the first part.
    message["Content-Language"] = language
    return OutgoingEmail(email_id=email_id, sender=sender, recipient=recipient, message=message)


def wire_bytes(message: EmailMessage) -> bytes:
    """Serialise a message for SMTP: CRLF line ends, headers unwrapped (see ``WIRE_POLICY``)."""
    return message.as_bytes(policy=WIRE_POLICY)
