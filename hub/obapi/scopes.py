"""The four scopes of the Open Badges 3.0 API (§6.2.1), and ``offline_access``."""

from __future__ import annotations

SCOPE_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
CREDENTIAL_READ = SCOPE_PREFIX + "credential.readonly"
CREDENTIAL_UPSERT = SCOPE_PREFIX + "credential.upsert"
PROFILE_READ = SCOPE_PREFIX + "profile.readonly"
PROFILE_UPDATE = SCOPE_PREFIX + "profile.update"
# The specification's own examples ask for it; refresh tokens are issued either way.
OFFLINE_ACCESS = "offline_access"

OB_SCOPES: dict[str, str] = {
    CREDENTIAL_READ: "Permission to read AchievementCredentials for the authenticated entity.",
    CREDENTIAL_UPSERT: (
        "Permission to create or update AchievementCredentials for the authenticated entity."
    ),
    PROFILE_READ: "Permission to read the profile for the authenticated entity.",
    PROFILE_UPDATE: "Permission to update the profile for the authenticated entity.",
}
SUPPORTED_SCOPES = (*OB_SCOPES, OFFLINE_ACCESS)

# Message keys of the consent page, one per scope.
SCOPE_MESSAGE_KEYS = {
    CREDENTIAL_READ: "obapi.scope.credential_read",
    CREDENTIAL_UPSERT: "obapi.scope.credential_upsert",
    PROFILE_READ: "obapi.scope.profile_read",
    PROFILE_UPDATE: "obapi.scope.profile_update",
    OFFLINE_ACCESS: "obapi.scope.offline_access",
}
