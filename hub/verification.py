"""The verification service: runs the credentials engine with this hub's key resolvers."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from hub.credentials.keys import ChainResolver, DidKeyResolver
from hub.credentials.report import UnreadableCredentialError, VerificationReport
from hub.credentials.verifier import verify_credential
from hub.errors import InvalidInputError
from hub.settings import Settings
from tenants.resolver import TenantKeyResolver


@cache
def key_resolver(settings: Settings) -> ChainResolver:
    """This hub's tenants and did:key, one per settings so the key cache lasts across requests.

    Remote did:web documents are not fetched.
    """
    return ChainResolver([TenantKeyResolver(settings), DidKeyResolver()])


async def verify(
    settings: Settings, data: str | bytes | dict[str, object], now: datetime | None = None
) -> VerificationReport:
    """Verify one credential; unreadable input raises ``InvalidInputError``."""
    try:
        return await verify_credential(data, key_resolver(settings), now=now)
    except UnreadableCredentialError as error:
        raise InvalidInputError(str(error), code="unreadable-credential") from error
