"""The verification service: runs the credentials engine with this hub's resolvers.

Keys and status lists of this hub's tenants come from the database and are never fetched. Keys
of peer hubs' members come from the DID documents cached by peer syncs
(:mod:`federation.peer_cache`); any other did:web document and any other status list is fetched
through the outbound fetcher (:mod:`hub.outbound`), whose rules and cache apply. The JSON-LD
and signature work runs in worker processes (see
:class:`~hub.credentials.verifier.pool.VerificationPool`), so that it does not block the event
loop. Parsing, key resolution, the status check and the trust check stay in the web process.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from federation.peer_cache import PeerDocumentResolver
from federation.trust import add_trust_check
from hub.credentials.didweb import DidWebResolver
from hub.credentials.keys import ChainResolver, DidKeyResolver
from hub.credentials.remote_status import ChainStatusListResolver, RemoteStatusListResolver
from hub.credentials.report import UnreadableCredentialError, VerificationReport
from hub.credentials.verifier import verify_credential
from hub.credentials.verifier.pool import PoolBusyError, VerificationPool
from hub.errors import InvalidInputError, ServiceUnavailableError
from hub.outbound import fetcher_for
from hub.settings import Settings
from tenants.resolver import TenantKeyResolver
from tenants.status_publishing import HubStatusListResolver


@cache
def key_resolver(settings: Settings) -> ChainResolver:
    """One resolver per settings, so that its caches last across requests.

    The order keeps the common cases free of network requests: this hub's tenants, did:key,
    then the DID documents cached by peer syncs, and only then a live did:web fetch.
    """
    return ChainResolver(
        [
            TenantKeyResolver(settings),
            DidKeyResolver(),
            PeerDocumentResolver(),
            DidWebResolver(fetcher_for(settings), settings.did_web_host),
        ]
    )


@cache
def status_list_resolver(settings: Settings) -> ChainStatusListResolver:
    """This hub's own lists from the database, any other list through the outbound fetcher."""
    return ChainStatusListResolver(
        [
            HubStatusListResolver(settings),
            RemoteStatusListResolver(fetcher_for(settings), settings.base_url),
        ]
    )


# The worker processes of this web process, shared by every app it runs and started on first use.
_pool = VerificationPool()


class VerificationBusyError(ServiceUnavailableError):
    """Every verification worker is busy and the waiting line is full; retry later."""

    code = "verification-busy"

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message, retry_after=retry_after_seconds)
        self.retry_after_seconds = retry_after_seconds


async def verify(
    settings: Settings,
    data: str | bytes | dict[str, object],
    now: datetime | None = None,
    *,
    in_process: bool = False,
) -> VerificationReport:
    """Verify one credential; unreadable input raises ``InvalidInputError``.

    The JSON-LD and signature work runs in a worker process and raises VerificationBusyError when
    none is free in time. With ``in_process`` (for the command line) it runs here instead and
    blocks the event loop meanwhile.
    """
    verify_function = verify_credential if in_process else _pool.verify_credential
    try:
        report = await verify_function(
            data,
            key_resolver(settings),
            now=now,
            status_resolver=status_list_resolver(settings),
        )
    except UnreadableCredentialError as error:
        raise InvalidInputError(str(error), code="unreadable-credential") from error
    except PoolBusyError as error:
        raise VerificationBusyError(str(error), error.retry_after_seconds) from error
    # The trust registries are in the database, so the trust check runs here, not in a worker.
    return await add_trust_check(settings, report)


def shutdown_verification_workers() -> None:
    """Stop the idle verification workers and wait for them; a later verification restarts them."""
    _pool.shutdown()
