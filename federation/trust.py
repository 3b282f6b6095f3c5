"""The trust check of a verification: is the issuer a member in good standing of an alliance?

The check reads the latest signed trust registry of each alliance on this hub
(:mod:`federation.registry`) and the last good registry of every peer hub
(:mod:`federation.peer_cache`) from the database, in the web process, after the worker pool has
checked the signature. No registry is fetched here: peer syncs keep the copies current. The check
passes for an active member (and for the alliance itself),
fails for a suspended member, and warns when no registry lists the issuer. A warning keeps the
report valid: an unknown issuer's signature can be correct, and the person reading the report
still sees that no registry vouches for the issuer.
"""

from __future__ import annotations

from federation.peer_cache import peer_registries
from federation.registry import RegistrySource, TrustRegistry, latest_registries, registry_url
from hub.credentials.report import Check, CheckId, CheckStatus, VerificationReport
from hub.settings import Settings

NOT_IN_REGISTRY = "issuer not in any trusted registry"
# The signature checks that must pass before the issuer named in the credential is trusted.
_SIGNATURE_CHECKS = (CheckId.PROOF, CheckId.ISSUER_KEY)
_SIGNATURE_VERIFIED = (CheckStatus.PASSED, CheckStatus.WARNING)


async def add_trust_check(settings: Settings, report: VerificationReport) -> VerificationReport:
    """Insert the trust check before the status check, which stays the last of the report.

    A trust check already in the report is replaced, so the report has exactly one.
    """
    return report.with_checks_before_status([await check_trust(settings, report)])


async def check_trust(settings: Settings, report: VerificationReport) -> Check:
    issuer = report.summary.issuer_id
    if issuer is None:
        return _check(CheckStatus.SKIPPED, "not evaluated: the credential names no issuer")
    if not _is_signature_verified(report):
        reason = "not evaluated: the signature does not prove who issued the credential"
        return _check(CheckStatus.SKIPPED, reason)
    own_url = registry_url(settings)
    sources = [RegistrySource(registry, own_url) for registry in await latest_registries()]
    return trust_in_sources(issuer, sources + await peer_registries())


def trust_in_registries(issuer: str, registries: list[TrustRegistry], source_url: str) -> Check:
    """Judge an issuer DID against registries all published at ``source_url``."""
    return trust_in_sources(
        issuer, [RegistrySource(registry, source_url) for registry in registries]
    )


def trust_in_sources(issuer: str, sources: list[RegistrySource]) -> Check:
    """Judge an issuer DID against the newest registry of each alliance.

    An active membership in any alliance wins. Older versions of an alliance's registry are
    ignored, so a copy kept from before a suspension cannot keep trusting the member.
    """
    suspended: list[str] = []
    for source in _newest_of_each_alliance(sources):
        registry, source_url = source.registry, source.url
        according = f"according to {source_url} (version {registry.version})"
        if issuer == registry.alliance_did:
            message = (
                f"issued by {registry.alliance_name}, the alliance that publishes {source_url}"
            )
            return _check(CheckStatus.PASSED, f"{message} (version {registry.version})")
        member = registry.member(issuer)
        if member is None:
            continue
        if member.is_active:
            message = (
                f"issued by {member.name}, a verified member of {registry.alliance_name} "
                f"{according}"
            )
            return _check(CheckStatus.PASSED, message)
        suspended.append(
            f"issued by {member.name}, which is suspended from {registry.alliance_name} {according}"
        )
    if suspended:
        return _check(CheckStatus.FAILED, "; ".join(suspended))
    return _check(
        CheckStatus.WARNING,
        f"{NOT_IN_REGISTRY}: no registry of this hub or of its peer hubs lists {issuer}",
    )


def _newest_of_each_alliance(sources: list[RegistrySource]) -> list[RegistrySource]:
    newest: dict[str, int] = {}
    for source in sources:
        did, version = source.registry.alliance_did, source.registry.version
        newest[did] = max(version, newest.get(did, version))
    return [
        source
        for source in sources
        if source.registry.version == newest[source.registry.alliance_did]
    ]


def _is_signature_verified(report: VerificationReport) -> bool:
    for check_id in _SIGNATURE_CHECKS:
        check = report.check(check_id)
        if check is None or check.status not in _SIGNATURE_VERIFIED:
            return False
    return True


def _check(status: CheckStatus, message: str) -> Check:
    return Check(CheckId.TRUST, status, message)
