"""The verification service: runs the credentials engine with this hub's resolvers.

Keys and status lists of this hub's tenants come from the database; remote did:web documents
and remote status lists are not fetched. The JSON-LD and signature work runs in worker processes
(see :class:`~hub.credentials.verifier.pool.VerificationPool`), so that it does not block the event
loop. Parsing, key resolution, the status check and the trust check stay in the web process.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any

from federation.trust import add_trust_check
from hub.credentials import ob2
from hub.credentials.keys import ChainResolver, DidKeyResolver
from hub.credentials.report import UnreadableCredentialError, VerificationReport
from hub.credentials.verifier import verify_credential
from hub.credentials.verifier.pool import PoolBusyError, VerificationPool
from hub.errors import InvalidInputError, ServiceUnavailableError
from hub.outbound import fetcher_for
from hub.settings import Settings
from hub.verification_input import InputKind, VerificationInput, read_verification_input
from tenants.resolver import TenantKeyResolver
from tenants.status_publishing import HubStatusListResolver


@cache
def key_resolver(settings: Settings) -> ChainResolver:
    """This hub's tenants and did:key, one per settings so the key cache lasts across requests.

    Remote did:web documents are not fetched.
    """
    return ChainResolver([TenantKeyResolver(settings), DidKeyResolver()])


@cache
def status_list_resolver(settings: Settings) -> HubStatusListResolver:
    return HubStatusListResolver(settings)


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
    data: str | bytes | Mapping[str, Any],
    now: datetime | None = None,
    *,
    recipient: str | None = None,
    in_process: bool = False,
    fetcher: ob2.DocumentFetcher | None = None,
) -> VerificationReport:
    """Verify one credential given in any accepted form; unreadable input raises InvalidInputError.

    ``data`` may be JSON, a compact JWS, a baked PNG or SVG image, or an HTTPS URL of any of
    these (see :mod:`hub.verification_input`); Open Badges 2.0 assertions are verified too. The
    OB 3.0 JSON-LD and signature work runs in a worker process and raises VerificationBusyError
    when none is free in time. With ``in_process`` (for the command line) it runs here instead
    and blocks the event loop meanwhile. ``fetcher`` replaces the outbound fetcher in tests.
    """
    # TODO: compare ``recipient`` (an e-mail address) with the credential's salted hash and
    # report it as a check; until that check exists the value is accepted and not used.
    del recipient
    moment = now or datetime.now(UTC)
    documents = fetcher or fetcher_for(settings)
    found = await read_verification_input(data, documents)
    report = await _verify_found(settings, found, moment, documents, in_process=in_process)
    report = dataclasses.replace(report, input_description=found.description)
    # The trust registries are in the database, so the trust check runs here, not in a worker.
    return await add_trust_check(settings, report)


async def _verify_found(
    settings: Settings,
    found: VerificationInput,
    now: datetime,
    fetcher: ob2.DocumentFetcher,
    *,
    in_process: bool,
) -> VerificationReport:
    if found.kind is InputKind.OB2_HOSTED:
        assertion = found.credential if isinstance(found.credential, dict) else None
        return await ob2.verify_hosted(assertion, found.hosted_url, fetcher, now)
    if found.kind is InputKind.OB2_SIGNED:
        assert isinstance(found.credential, str)  # the reader gives a signed assertion as text
        return await ob2.verify_signed(found.credential, fetcher, now)
    assert found.credential is not None  # only hosted OB 2.0 input may lack the credential
    verify_function = verify_credential if in_process else _pool.verify_credential
    try:
        return await verify_function(
            found.credential,
            key_resolver(settings),
            now=now,
            status_resolver=status_list_resolver(settings),
        )
    except UnreadableCredentialError as error:
        raise InvalidInputError(str(error), code="unreadable-credential") from error
    except PoolBusyError as error:
        raise VerificationBusyError(str(error), error.retry_after_seconds) from error


def shutdown_verification_workers() -> None:
    """Stop the idle verification workers and wait for them; a later verification restarts them."""
    _pool.shutdown()
