"""Open Badges 2.0 hosted view of an issued credential, for backpacks that only read OB 2.0.

The Assertion, its BadgeClass and its issuer Profile are built from the signed Open Badges 3.0
credential and served as linked JSON documents (Open Badges 2.0, "hosted" verification). The
recipient is the award's e-mail address, lower-cased and hashed with SHA-256 and a salt taken
from the award id, so the documents never show the address.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from hub.controllers import load_award
from hub.settings import Settings
from tenants.services import credential_url
from tenants.tables import AwardStatus, Tenant

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
JSON_HEADERS = {"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=300"}


def _json(document: dict[str, Any]) -> Response[str]:
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        media_type="application/ld+json",
        headers=JSON_HEADERS,
    )


def hashed_identity(email: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()


async def _is_revoked(award_id: uuid.UUID) -> tuple[bool, str]:
    # NOTE: Open Badges 2.0 has no suspension, so a suspended award still looks valid here.
    row = (
        await AwardStatus.select(AwardStatus.state, AwardStatus.reason)
        .where((AwardStatus.award == award_id) & (AwardStatus.purpose == "revocation"))
        .first()
    )
    return (row is not None and row["state"] == "revoked", (row or {}).get("reason", ""))


class Ob2HostedController(Controller):
    """The Assertion at ``/ob2``, its BadgeClass at ``/ob2/badge`` and issuer at ``/ob2/issuer``."""

    path = "/credentials/{award_id:uuid}/ob2"
    opt = {"access": "public"}
    tags = ["credentials"]

    @get("/")
    async def assertion(
        self, award_id: FromPath[uuid.UUID], settings: NamedDependency[Settings]
    ) -> Response[str]:
        """Return the Open Badges 2.0 hosted Assertion of the credential."""
        award, _, _ = await load_award(award_id)
        credential = json.loads(award.credential_text)
        base = f"{credential_url(settings, award_id)}/ob2"
        salt = award_id.hex
        document: dict[str, Any] = {
            "@context": OB2_CONTEXT,
            "type": "Assertion",
            "id": base,
            "recipient": {
                "type": "email",
                "hashed": True,
                "salt": salt,
                "identity": hashed_identity(award.recipient_email, salt),
            },
            "badge": f"{base}/badge",
            "issuedOn": credential.get("validFrom") or award.issued_at.isoformat(),
            "image": f"{credential_url(settings, award_id)}/badge.png",
            "verification": {"type": "HostedBadge"},
        }
        if credential.get("validUntil"):
            document["expires"] = credential["validUntil"]
        if award.evidence_url:
            document["evidence"] = award.evidence_url
        if award.narrative:
            document["narrative"] = award.narrative
        revoked, reason = await _is_revoked(award_id)
        if revoked:
            document["revoked"] = True
            document["revocationReason"] = reason
        return _json(document)

    @get("/badge")
    async def badge_class(
        self, award_id: FromPath[uuid.UUID], settings: NamedDependency[Settings]
    ) -> Response[str]:
        """Return the BadgeClass, as the signed credential describes the achievement."""
        award, _, _ = await load_award(award_id)
        achievement = json.loads(award.credential_text)["credentialSubject"]["achievement"]
        base = f"{credential_url(settings, award_id)}/ob2"
        image = achievement.get("image") or {}
        criteria = achievement.get("criteria") or {}
        document = {
            "@context": OB2_CONTEXT,
            "type": "BadgeClass",
            "id": f"{base}/badge",
            "name": achievement.get("name", ""),
            "description": achievement.get("description", ""),
            "image": image.get("id") if isinstance(image, dict) else image,
            "criteria": {
                key: value
                for key, value in (
                    ("id", criteria.get("id")),
                    ("narrative", criteria.get("narrative")),
                )
                if value
            },
            "issuer": f"{base}/issuer",
        }
        return _json(document)

    @get("/issuer")
    async def issuer(
        self, award_id: FromPath[uuid.UUID], settings: NamedDependency[Settings]
    ) -> Response[str]:
        """Return the issuer Profile: the issuing university."""
        award, tenant, _ = await load_award(award_id)
        issuer = json.loads(award.credential_text)["issuer"]
        return _json(_issuer_profile(settings, award_id, tenant, issuer))


def _issuer_profile(
    settings: Settings, award_id: uuid.UUID, tenant: Tenant, issuer: dict[str, Any]
) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Issuer",
        "id": f"{credential_url(settings, award_id)}/ob2/issuer",
        "name": issuer.get("name") or tenant.name_en,
        "url": issuer.get("url") or tenant.home_page,
        # Assertions of this hub are hosted under its public URL, whatever the university.
        "verification": {"startsWith": f"{settings.base_url}/credentials/"},
    }
    if issuer.get("email"):
        profile["email"] = issuer["email"]
    return profile


ROUTES = [Ob2HostedController]
