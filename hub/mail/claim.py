"""Claim links: the link in the award e-mail that attaches a badge to the earner's account.

The token is an HMAC-SHA256 of the award id, keyed with a key derived from the KEK and cut to
128 bits, so the hub stores no token and a link cannot be forged for another award. Claiming
only records whose account has the badge: the credential is valid and verifiable before and after.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urlencode

import structlog

from hub.audit import record_event
from hub.auth.login import derive_key
from hub.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from hub.settings import Settings
from tenants.tables import Award, Tenant

log = structlog.get_logger(__name__)

CLAIM_TOKEN_BYTES = 16

ClaimOutcome = Literal["claimed", "already-yours"]


def claim_token(settings: Settings, award_id: uuid.UUID) -> str:
    key = derive_key(settings, b"claim-link")
    digest = hmac.new(key, award_id.bytes, hashlib.sha256).digest()[:CLAIM_TOKEN_BYTES]
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def claim_path(settings: Settings, award_id: uuid.UUID) -> str:
    """Return the site-relative claim link, also usable as the ``next`` of a sign-in."""
    return f"/claim/{award_id}?{urlencode({'token': claim_token(settings, award_id)})}"


def claim_url(settings: Settings, award_id: uuid.UUID, language: str) -> str:
    """Return the absolute claim link; ``lang`` opens the page in the e-mail's language."""
    return f"{settings.base_url}{claim_path(settings, award_id)}&{urlencode({'lang': language})}"


def check_claim_token(settings: Settings, award_id: uuid.UUID, token: str | None) -> None:
    """Raise unless ``token`` is the claim token of ``award_id``, comparing in constant time."""
    if not token:
        raise InvalidInputError(
            "this claim link has no token; open the complete link from your e-mail, or ask the "
            "issuer to send the e-mail again",
            code="claim-token-missing",
        )
    expected = claim_token(settings, award_id)
    if not hmac.compare_digest(expected.encode("ascii"), token.encode("utf-8", "replace")):
        # The same response as for an unknown award, so a forged link reveals nothing.
        raise NotFoundError(
            "this claim link is not valid: it may be incomplete or altered; open the complete "
            "link from your e-mail, or ask the issuer to send the e-mail again",
            code="claim-link-invalid",
        )


@dataclass(frozen=True)
class Claimant:
    """The signed-in person claiming: ``subject`` is their stable Keycloak user id."""

    subject: str
    actor: str
    # The account's e-mail address (verified by Keycloak); it must be the award's recipient.
    email: str = ""


async def claim_award(award_id: uuid.UUID, claimant: Claimant) -> ClaimOutcome:
    """Attach the award to the claimant's account; claiming one's own award again does nothing.

    Raises ``PermissionDeniedError`` when the account's address is not the one the badge was
    awarded to: the link alone is not enough, because staff can read it in the outbox.
    Raises ``ConflictError`` when another account has claimed the award already.
    """
    email = claimant.email.strip().lower()
    async with Award._meta.db.transaction():
        claimed = (
            await Award.update(
                {Award.claimed_by: claimant.subject, Award.claimed_at: datetime.now(UTC)}
            )
            .where(
                Award.id == award_id,
                Award.claimed_by.is_null(),
                Award.recipient_email == email,
            )
            .returning(Award.tenant)
        )
        if claimed:
            tenant = await Tenant.select(Tenant.slug).where(Tenant.id == claimed[0]["tenant"])
            await record_event(
                "credential:claimed",
                actor=claimant.actor,
                tenant=tenant[0]["slug"],
                target=str(award_id),
            )
    if claimed:
        log.info("credential_claimed", award=str(award_id))
        return "claimed"
    holder = (
        await Award.select(Award.claimed_by, Award.recipient_email)
        .where(Award.id == award_id)
        .first()
    )
    if holder is None:
        raise NotFoundError(
            f"no credential {award_id} was issued here", code="credential-not-found"
        )
    if holder["claimed_by"] == claimant.subject:
        return "already-yours"
    if holder["recipient_email"] != email:
        log.warning("credential_claim_address_mismatch", award=str(award_id))
        raise PermissionDeniedError(
            "this badge was awarded to another e-mail address than the one of your account; "
            "sign in with the account that uses the address the e-mail was sent to",
            code="claim-address-mismatch",
        )
    raise ConflictError(
        "this badge is already attached to another account. If you did not add it yourself, "
        "contact the university that issued it",
        code="credential-already-claimed",
    )
