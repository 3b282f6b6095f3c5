"""Verification of a VC-JWT (jwt_vc): signature, issuer key and JWT claims.

Implements the steps of Open Badges 3.0 §9.1 "Verification" for VC-JWT (OB 3.0 §8.2, see
:mod:`hub.credentials.vcjwt`). The key comes from the header's kid through the resolver, or else
from its embedded jwk, which proves only that the token was not changed.
"""

from __future__ import annotations

from datetime import datetime

from hub.credentials import vcjwt
from hub.credentials.keys import KeyResolver, ResolvedKey
from hub.credentials.report import Check, CheckId, CheckStatus, CredentialFormat, VerificationReport
from hub.credentials.verifier.content import (
    _content_checks,
    _issuer_id,
    _list_problems,
    check_validity_window,
    summarize,
)
from hub.credentials.verifier.issuer_key import resolve_issuer_key
from hub.credentials.verifier.unsupported import (
    _is_open_badges_2,
    _rest_skipped,
    _unsupported_format,
)


async def _verify_jwt(
    token: vcjwt.VcJwt, resolver: KeyResolver, now: datetime
) -> VerificationReport:
    """Run every check but the status check, which needs the status list resolver."""
    alg = str(token.header.get("alg"))
    credential = token.credential
    if credential is None:
        reason = "the JWS payload has no vc claim and is not a credential"
        return _rest_skipped(CredentialFormat.JWT_VC, (alg,), reason, {})
    if _is_open_badges_2(credential):
        return _unsupported_format(CredentialFormat.JWT_VC, (alg,), credential)

    key, key_check = await _resolve_jwt_key(token, resolver, _issuer_id(credential))
    checks = [
        Check(CheckId.FORMAT, CheckStatus.PASSED, _describe_jwt(token, alg)),
        *_content_checks(credential),
        _check_jwt_signature(token, key),
        key_check,
        _check_jwt_claims(token),
        check_validity_window(credential, now),
    ]
    return VerificationReport(CredentialFormat.JWT_VC, (alg,), tuple(checks), summarize(credential))


def _describe_jwt(token: vcjwt.VcJwt, alg: str) -> str:
    shape = "credential in the vc claim" if token.has_vc_claim else "credential as the payload"
    return f"VC-JWT (jwt_vc), compact JWS with alg {alg}, {shape}"


async def _resolve_jwt_key(
    token: vcjwt.VcJwt, resolver: KeyResolver, issuer: str | None
) -> tuple[ResolvedKey | None, Check]:
    kid = token.header.get("kid")
    kid_problem = ""
    if isinstance(kid, str):
        key, outcome = await resolve_issuer_key(kid, resolver, issuer)
        if key is not None or "jwk" not in token.header:
            return key, Check(CheckId.ISSUER_KEY, outcome.status, outcome.message)
        kid_problem = f"kid: {outcome.message}. "
    try:
        embedded = vcjwt.embedded_key(token)
    except vcjwt.VcJwtError as error:
        return None, Check(CheckId.ISSUER_KEY, CheckStatus.FAILED, str(error))
    if embedded is None:
        reason = "the JWS header has neither kid nor jwk, so the signing key cannot be found"
        return None, Check(CheckId.ISSUER_KEY, CheckStatus.FAILED, reason)
    message = kid_problem + (
        "the key is embedded in the token's jwk header, not resolved from the issuer; the "
        f"signature proves only that the token was not changed, not that {issuer} signed it"
    )
    return embedded, Check(CheckId.ISSUER_KEY, CheckStatus.WARNING, message)


def _check_jwt_signature(token: vcjwt.VcJwt, key: ResolvedKey | None) -> Check:
    if key is None:
        reason = "the signature was not checked because the key could not be resolved"
        return Check(CheckId.PROOF, CheckStatus.SKIPPED, reason)
    problem = vcjwt.verify_signature(token, key.public_key)
    if problem:
        return Check(CheckId.PROOF, CheckStatus.FAILED, problem)
    return Check(CheckId.PROOF, CheckStatus.PASSED, f"the {token.header['alg']} signature is valid")


def _check_jwt_claims(token: vcjwt.VcJwt) -> Check:
    problems = vcjwt.check_claims(token)
    if problems:
        return Check(CheckId.JWT_CLAIMS, CheckStatus.FAILED, _list_problems(problems))
    return Check(CheckId.JWT_CLAIMS, CheckStatus.PASSED, "the JWT claims agree with the credential")
