"""Encryption of the secrets a send keeps: client secrets, refresh tokens and the send cookie.

Each uses AES-256-GCM under its own key derived from the KEK (HKDF, ``hub.auth.login``). The
associated data binds a sealed value to its place (the host, or the earner and host), so a
value copied into another row does not decrypt.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import asdict, dataclass

from cryptography.exceptions import InvalidTag

from hub.auth.login import derive_key, open_bytes, seal_bytes
from hub.ob_consumer.errors import SendError
from hub.settings import Settings

SEND_COOKIE = "badgehub_ob_send"
SEND_COOKIE_PATH = "/backpack/send"
SEND_COOKIE_SECONDS = 600


def seal_secret(settings: Settings, value: str, context: str) -> bytes:
    """Encrypt ``value`` for storage; ``context`` must be given again to decrypt it."""
    key = derive_key(settings, b"ob-consumer-secret")
    return seal_bytes(key, value.encode("utf-8"), context.encode("utf-8"))


def open_secret(settings: Settings, sealed: bytes, context: str) -> str:
    """Decrypt a stored secret; raise ValueError when the KEK or ``context`` differs."""
    key = derive_key(settings, b"ob-consumer-secret")
    try:
        plain = open_bytes(key, sealed, context.encode("utf-8"))
    except InvalidTag:
        raise ValueError(f"a stored secret of {context} does not decrypt with this KEK") from None
    return plain.decode("utf-8")


@dataclass(frozen=True)
class SendAttempt:
    """The state of one send from the host's consent to the callback: the badge and PKCE data.

    It travels in a short-lived cookie encrypted under a key derived from the KEK, so no row
    exists before the host responds. ``badge_kind`` is ``award`` or ``imported``.
    """

    state: str
    code_verifier: str
    user_id: int
    registration_id: int
    badge_kind: str
    badge_id: str
    credential_format: str
    expires: float

    @classmethod
    def start(
        cls,
        user_id: int,
        registration_id: int,
        badge_kind: str,
        badge_id: str,
        credential_format: str,
    ) -> SendAttempt:
        return cls(
            state=secrets.token_urlsafe(24),
            # RFC 7636 §4.1: 43 to 128 characters; 48 random bytes give 64.
            code_verifier=secrets.token_urlsafe(48),
            user_id=user_id,
            registration_id=registration_id,
            badge_kind=badge_kind,
            badge_id=badge_id,
            credential_format=credential_format,
            expires=time.time() + SEND_COOKIE_SECONDS,
        )

    def seal(self, settings: Settings) -> str:
        payload = json.dumps(asdict(self)).encode("utf-8")
        sealed = seal_bytes(_cookie_key(settings), payload, SEND_COOKIE.encode())
        return base64.urlsafe_b64encode(sealed).decode("ascii")

    @classmethod
    def unseal(cls, settings: Settings, value: str | None) -> SendAttempt:
        expired = SendError(
            "send-expired",
            "the send expired or was started in another browser; send the badge again",
        )
        if not value:
            raise expired
        try:
            sealed = base64.urlsafe_b64decode(value.encode("ascii"))
            payload = open_bytes(_cookie_key(settings), sealed, SEND_COOKIE.encode())
            attempt = cls(**json.loads(payload))
        except (ValueError, InvalidTag, TypeError):
            raise expired from None
        if attempt.expires < time.time():
            raise expired
        return attempt


def _cookie_key(settings: Settings) -> bytes:
    return derive_key(settings, b"ob-consumer-cookie")
