"""Sharing an issued badge: who may see a hidden one, and the LinkedIn "add to profile" link."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from hub.auth.principal import Principal
from hub.auth.tables import User
from tenants.tables import Award, Tenant

LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"
# The tenant permission of staff who may list and open the awards of their university.
AWARD_VIEW = "award:view"


async def may_see_hidden(viewer: Principal | None, award: Award, tenant: Tenant) -> bool:
    """Return whether ``viewer`` may open the page of a badge its earner hid.

    The earner and the issuing university's staff who may view its awards still see it.
    """
    if viewer is None:
        return False
    if viewer.can(AWARD_VIEW, tenant.slug):
        return True
    if viewer.user_id is None:
        return False
    user = await User.objects().where(User.id == viewer.user_id).first()  # type: ignore[attr-defined]
    if user is None:
        return False
    return user.subject == award.claimed_by or (
        (user.email or "").lower() == award.recipient_email.lower()
    )


async def may_send_to_wallet(viewer: Principal | None, award: Award) -> bool:
    """Return whether ``viewer`` earned the award: claimed it, or has its address unclaimed."""
    if viewer is None or viewer.user_id is None:
        return False
    user = await User.objects().where(User.id == viewer.user_id).first()
    if user is None:
        return False
    if award.claimed_by is not None:
        return user.subject == award.claimed_by
    return (user.email or "").lower() == award.recipient_email.lower()


def linkedin_add_url(credential: Mapping[str, Any], credential_url: str, award_id: str) -> str:
    """Return the LinkedIn "add to profile" URL that adds the badge as a certification."""
    achievement = credential["credentialSubject"]["achievement"]
    issued = str(credential.get("validFrom", ""))
    parameters = {
        "startTask": "CERTIFICATION_NAME",
        "name": achievement.get("name", ""),
        "organizationName": credential["issuer"].get("name", ""),
        "issueYear": issued[:4],
        "issueMonth": str(int(issued[5:7])) if issued[5:7].isdigit() else "",
        "certUrl": credential_url,
        "certId": award_id,
    }
    expires = str(credential.get("validUntil") or "")
    if expires[5:7].isdigit():
        parameters["expirationYear"] = expires[:4]
        parameters["expirationMonth"] = str(int(expires[5:7]))
    return f"{LINKEDIN_ADD_TO_PROFILE}?{urlencode(parameters)}"
