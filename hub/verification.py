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

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any

from federation.peer_cache import PeerDocumentResolver
from federation.registry import is_registry_document, registry_type_check
from federation.trust import add_trust_check
from hub import metrics
from hub.credentials import ob2, vcjwt
from hub.credentials.didweb import DidWebResolver
from hub.credentials.keys import ChainResolver, DidKeyResolver
from hub.credentials.remote_status import ChainStatusListResolver, RemoteStatusListResolver
from hub.credentials.report import (
    Check,
    CheckId,
    UnreadableCredentialError,
    VerificationReport,
)
from hub.credentials.verifier import read_input, verify_credential
from hub.credentials.verifier.endorsements import (
    MAX_ENDORSEMENTS,
    find_endorsements,
    summarize_endorsements,
)
from hub.credentials.verifier.pool import PoolBusyError, VerificationPool
from hub.credentials.verifier.recipient import check_recipient, email_identities
from hub.errors import InvalidInputError, ServiceUnavailableError
from hub.local_documents import LocalFirstFetcher
from hub.outbound import fetcher_for
from hub.settings import Settings
from hub.verification_input import InputKind, VerificationInput, read_verification_input
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
    data: str | bytes | Mapping[str, Any],
    now: datetime | None = None,
    *,
    in_process: bool = False,
    recipient: str | None = None,
    fetcher: ob2.DocumentFetcher | None = None,
) -> VerificationReport:
    """Verify one credential given in any accepted form; unreadable input raises InvalidInputError.

    ``data`` may be JSON, a compact JWS, a baked PNG or SVG image, or an HTTPS URL of any of
    these (see :mod:`hub.verification_input`); Open Badges 2.0 assertions are verified too.
    Besides the engine's checks, the report has the endorsement check (Open Badges 3.0 only), the
    recipient check (against ``recipient``, an e-mail address the verifier typed) and the trust
    check. The OB 3.0 JSON-LD and signature work runs in a worker process and raises
    VerificationBusyError when none is free in time. With ``in_process`` (for the command line)
    it runs here instead and blocks the event loop meanwhile. ``fetcher`` replaces the outbound
    fetcher in tests.
    """
    moment = now or datetime.now(UTC)
    documents = fetcher or LocalFirstFetcher(settings, fetcher_for(settings))
    try:
        found = await read_verification_input(data, documents)
        if found.kind is InputKind.OB3:
            report = await _verify_ob3(settings, found, moment, recipient, in_process=in_process)
        else:
            report = await _verify_ob2(found, moment, documents, recipient)
    except InvalidInputError:
        metrics.count_verification("unreadable")
        raise
    report = dataclasses.replace(report, input_description=found.description)
    # The trust registries are in the database, so the trust check runs here, not in a worker.
    report = await add_trust_check(settings, report)
    metrics.count_verification("valid" if report.valid else "invalid")
    return report


async def _verify_ob3(
    settings: Settings,
    found: VerificationInput,
    now: datetime,
    recipient: str | None,
    *,
    in_process: bool,
) -> VerificationReport:
    assert found.credential is not None  # only hosted OB 2.0 input may lack the credential
    report = await _verify_one(settings, found.credential, now, in_process=in_process)
    # A second parse of the input, which the engine has just read without error, is cheap.
    document = _credential_of(read_input(found.credential))
    endorsement = await _check_endorsements(settings, document, now, in_process=in_process)
    recipient_check = check_recipient(recipient, email_identities(document))
    report = report.with_checks_before_status([endorsement, recipient_check])
    if is_registry_document(document):
        report = _with_registry_type_check(report, document)
    return report


async def _verify_ob2(
    found: VerificationInput,
    now: datetime,
    fetcher: ob2.DocumentFetcher,
    recipient: str | None,
) -> VerificationReport:
    # NOTE: endorsements of Open Badges 2.0 assertions and BadgeClasses are not checked.
    if found.kind is InputKind.OB2_SIGNED:
        assert isinstance(found.credential, str)  # the reader gives a signed assertion as text
        report, assertion = await ob2.verify_signed(found.credential, fetcher, now)
    else:
        submitted = found.credential if isinstance(found.credential, dict) else None
        report, assertion = await ob2.verify_hosted(submitted, found.hosted_url, fetcher, now)
    recipient_check = check_recipient(recipient, email_identities(assertion))
    return report.with_checks_before_status([recipient_check])


async def _verify_one(
    settings: Settings,
    data: str | bytes | Mapping[str, Any],
    now: datetime,
    *,
    in_process: bool,
) -> VerificationReport:
    verify_function = verify_credential if in_process else _pool.verify_credential
    try:
        return await verify_function(
            data,
            key_resolver(settings),
            now=now,
            status_resolver=status_list_resolver(settings),
        )
    except UnreadableCredentialError as error:
        raise InvalidInputError(str(error), code="unreadable-credential") from error
    except PoolBusyError as error:
        raise VerificationBusyError(str(error), error.retry_after_seconds) from error


async def _check_endorsements(
    settings: Settings, document: Mapping[str, Any], now: datetime, *, in_process: bool
) -> Check:
    endorsements = find_endorsements(document)
    reports: list[VerificationReport | str] = []
    for endorsement in endorsements[:MAX_ENDORSEMENTS]:
        try:
            reports.append(
                await _verify_one(settings, endorsement.document, now, in_process=in_process)
            )
        except InvalidInputError as error:
            reports.append(str(error))
    return summarize_endorsements(endorsements, reports)


def _credential_of(parsed: dict[str, Any] | vcjwt.VcJwt) -> Mapping[str, Any]:
    if isinstance(parsed, vcjwt.VcJwt):
        return parsed.credential or {}
    return parsed


def _with_registry_type_check(
    report: VerificationReport, document: Mapping[str, Any]
) -> VerificationReport:
    """Judge a trust registry's type by the registry's rule, which the engine does not know."""
    checks = tuple(
        registry_type_check(document) if check.check is CheckId.TYPE else check
        for check in report.checks
    )
    return dataclasses.replace(report, checks=checks)


def shutdown_verification_workers() -> None:
    """Stop the idle verification workers and wait for them; a later verification restarts them."""
    _pool.shutdown()
