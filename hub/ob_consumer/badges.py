"""The badges an earner may send: awards they hold and Open Badges 3.0 badges they imported."""

from __future__ import annotations

import uuid
from typing import Any

from hub.auth.tables import User
from hub.backpack.controllers import own_imported_badge
from hub.backpack.holdings import held_award_ids
from hub.controllers import load_award
from hub.credentials.report import CredentialFormat
from hub.errors import NotFoundError
from hub.ob_consumer.errors import SendError
from hub.ob_consumer.upsert import COMPACT_JWS, JSON, SendableCredential
from hub.settings import Settings
from tenants.services import credential_jwt

AWARD = "award"
IMPORTED = "imported"
# The formats an issued award can be sent in: its Data Integrity JSON, or its VC-JWT.
AWARD_FORMATS = ("json", "jwt")
OB2_FORMATS = (CredentialFormat.OB2_HOSTED.value, CredentialFormat.OB2_SIGNED.value)


async def sendable_badge(
    settings: Settings, user: User, kind: str, badge_id: str, credential_format: str = "json"
) -> SendableCredential:
    """Return the credential to send; raise NotFoundError unless the badge is ``user``'s."""
    if kind == AWARD:
        return await _award_credential(settings, user, badge_id, credential_format)
    if kind == IMPORTED and badge_id.isdigit():
        return await _imported_credential(user, int(badge_id))
    raise NotFoundError(f"no badge {badge_id} is in your backpack", code="badge-not-held")


async def _award_credential(
    settings: Settings, user: User, badge_id: str, credential_format: str
) -> SendableCredential:
    try:
        award_id = uuid.UUID(badge_id)
    except ValueError:
        award_id = None
    if award_id is None or award_id not in await held_award_ids(user):
        raise NotFoundError(
            f"no badge {badge_id} is in your backpack; open the backpack to see your badges",
            code="badge-not-held",
        )
    award, tenant, _ = await load_award(award_id)
    credential: dict[str, Any] = award.credential  # type: ignore[assignment]
    name = str(credential["credentialSubject"]["achievement"].get("name", ""))
    if credential_format == "jwt":
        return SendableCredential(await credential_jwt(settings, tenant, award), COMPACT_JWS, name)
    return SendableCredential(award.credential_text, JSON, name)


async def _imported_credential(user: User, badge_id: int) -> SendableCredential:
    badge = await own_imported_badge(user, badge_id)
    if badge.credential_format in OB2_FORMATS:
        raise SendError(
            "badge-not-sendable",
            f"imported badge {badge_id} is an Open Badges 2.0 assertion; the Open Badges 3.0 "
            "API takes Open Badges 3.0 credentials only",
        )
    is_json = badge.credential_text.lstrip().startswith("{")
    return SendableCredential(badge.credential_text, JSON if is_json else COMPACT_JWS, badge.name)
