"""The recipient check: does an e-mail address typed by the verifier belong to the recipient?

Open Badges 3.0 names the recipient by IdentityObjects in ``credentialSubject.identifier``; Open
Badges 2.0 by the assertion's ``recipient``. Both store an identity either in clear or as an
IdentityHash: ``sha256$`` or ``md5$`` followed by the hexadecimal digest (either case) of the
UTF-8 identity with the salt appended (Open Badges 3.0 §B.1.5 "IdentityHash", Open Badges 2.0
"IdentityObject"). The specifications do not normalise addresses before hashing, so the typed
address is compared as typed (trimmed) and in lower case: this hub lower-cases before hashing,
other issuers may not.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hub.credentials.report import Check, CheckId, CheckStatus

_HASHES = {"sha256": hashlib.sha256, "md5": hashlib.md5}
_EMAIL_TYPES = ("emailAddress", "email")


@dataclass(frozen=True)
class RecipientIdentity:
    """One e-mail identity of a recipient, in clear or as an IdentityHash."""

    value: str
    hashed: bool
    salt: str


def ob3_email_identities(credential: Mapping[str, Any]) -> list[RecipientIdentity]:
    """Return the e-mail IdentityObjects of an Open Badges 3.0 credential's subject."""
    subject = credential.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else None
    if not isinstance(subject, Mapping):
        return []
    identities = [
        identity
        for identity in _as_list(subject.get("identifier"))
        if isinstance(identity, Mapping) and identity.get("identityType") in _EMAIL_TYPES
    ]
    found = [
        _identity(item.get("identityHash"), item.get("hashed"), item.get("salt"))
        for item in identities
    ]
    subject_id = subject.get("id")
    if isinstance(subject_id, str) and subject_id.lower().startswith("mailto:"):
        found.append(RecipientIdentity(subject_id[len("mailto:") :], hashed=False, salt=""))
    return [identity for identity in found if identity is not None]


def ob2_email_identities(assertion: Mapping[str, Any]) -> list[RecipientIdentity]:
    """Return the e-mail identity of an Open Badges 2.0 assertion's ``recipient``."""
    recipient = assertion.get("recipient")
    if not isinstance(recipient, Mapping) or recipient.get("type") not in _EMAIL_TYPES:
        return []
    identity = _identity(recipient.get("identity"), recipient.get("hashed"), recipient.get("salt"))
    return [] if identity is None else [identity]


def email_identities(document: Mapping[str, Any]) -> list[RecipientIdentity]:
    """Return the e-mail identities of an Open Badges 2.0 assertion or 3.0 credential."""
    if "recipient" in document and "credentialSubject" not in document:
        return ob2_email_identities(document)
    return ob3_email_identities(document)


def check_recipient(email: str | None, identities: Iterable[RecipientIdentity]) -> Check:
    """Compare a typed e-mail address with the recipient's identities.

    The check is skipped when no address was typed, and fails when no identity matches. It is a
    warning when the credential names no e-mail identity, because then nothing can be compared.
    """
    if email is None or not email.strip():
        return _check(CheckStatus.SKIPPED, "not checked: no e-mail address was given to compare")
    identities = list(identities)
    if not identities:
        message = (
            "the credential does not identify its recipient by e-mail address, so the address "
            "given could not be compared"
        )
        return _check(CheckStatus.WARNING, message)
    if any(_matches(email, identity) for identity in identities):
        return _check(CheckStatus.PASSED, "the e-mail address given is the recipient's")
    message = (
        "the e-mail address given does not match the recipient of this credential; check its "
        "spelling, or ask the earner which address the badge was issued to"
    )
    return _check(CheckStatus.FAILED, message)


def _matches(email: str, identity: RecipientIdentity) -> bool:
    typed = email.strip()
    candidates = dict.fromkeys((typed, typed.lower()))
    if not identity.hashed:
        return identity.value.strip().lower() == typed.lower()
    algorithm, dollar, expected = identity.value.partition("$")
    hash_function = _HASHES.get(algorithm.lower())
    if not dollar or hash_function is None:
        return False
    for candidate in candidates:
        digest = hash_function((candidate + identity.salt).encode("utf-8")).hexdigest()
        # Bytes, because compare_digest rejects text that is not ASCII.
        if hmac.compare_digest(digest.encode(), expected.strip().lower().encode("utf-8")):
            return True
    return False


def _identity(value: object, hashed: object, salt: object) -> RecipientIdentity | None:
    if not isinstance(value, str) or not value:
        return None
    return RecipientIdentity(value, hashed is True, salt if isinstance(salt, str) else "")


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _check(status: CheckStatus, message: str) -> Check:
    return Check(CheckId.RECIPIENT, status, message)
