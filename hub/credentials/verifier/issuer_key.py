"""Resolution of a proof's verification method, and the check that the issuer controls the key.

Keys come only from the :class:`~hub.credentials.keys.KeyResolver` given, and nothing is fetched
from the network. A key that would need a fetch ends as a failed check whose message names the
missing fetch.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.credentials.keys import KeyResolutionError, KeyResolver, ResolvedKey
from hub.credentials.report import CheckStatus
from hub.credentials.verifier.content import _is_uri


@dataclass(frozen=True)
class _Outcome:
    status: CheckStatus
    message: str
    is_unsupported: bool = False


async def resolve_issuer_key(
    verification_method: str | None, resolver: KeyResolver, issuer: str | None
) -> tuple[ResolvedKey | None, _Outcome]:
    """Resolve a verification method and check that the issuer controls the key."""
    if verification_method is None:
        return None, _Outcome(CheckStatus.FAILED, "the proof names no verificationMethod")
    if not _is_uri(verification_method):
        reason = f"verificationMethod {verification_method!r} is not a URI"
        return None, _Outcome(CheckStatus.FAILED, reason)
    try:
        key = await resolver.resolve(verification_method)
    except KeyResolutionError as error:
        return None, _Outcome(CheckStatus.FAILED, f"issuer key not resolvable: {error}")
    if key is None:
        return None, _Outcome(CheckStatus.FAILED, _unresolvable(verification_method))
    if issuer is not None and key.controller != issuer:
        mismatch = (
            f"key {verification_method} is controlled by {key.controller}, not by the issuer "
            f"{issuer}, so nothing ties this signature to the issuer"
        )
        return key, _Outcome(CheckStatus.FAILED, mismatch)
    found = f"key {key.verification_method} ({key.key_type}) resolved from {key.source}"
    return key, _Outcome(CheckStatus.PASSED, f"{found}, controlled by the issuer")


def _unresolvable(verification_method: str) -> str:
    scheme = verification_method.split(":", 1)[0].lower()
    prefix = f"issuer key not resolvable: {verification_method}"
    if verification_method.startswith("did:web:"):
        return (
            f"{prefix} is not a key of this hub's tenants, and remote did:web documents are "
            "not fetched"
        )
    if scheme == "did":
        method = verification_method.split(":")[1] if verification_method.count(":") else ""
        return f"{prefix} uses DID method {method!r}; supported are did:key and this hub's did:web"
    if scheme in ("http", "https"):
        return f"{prefix} would need fetching the issuer's document, which is not supported yet"
    return f"{prefix} has URI scheme {scheme!r}, which no resolver supports"
