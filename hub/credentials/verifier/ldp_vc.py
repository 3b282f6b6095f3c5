"""Verification of a credential with embedded proofs (ldp_vc).

Implements the steps of Open Badges 3.0 §9.1 "Verification" for embedded Data Integrity proofs
(VC Data Integrity 1.0 with eddsa-rdfc-2022, see :mod:`hub.credentials.dataintegrity`). Each proof
gets its own signature and issuer key outcome, and the outcomes of all proofs merge into one check
each.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hub.credentials import dataintegrity
from hub.credentials.keys import KeyResolver, to_cryptography_key
from hub.credentials.report import Check, CheckId, CheckStatus, CredentialFormat, VerificationReport
from hub.credentials.verifier import budget
from hub.credentials.verifier.content import (
    _content_checks,
    _issuer_id,
    check_validity_window,
    summarize,
)
from hub.credentials.verifier.issuer_key import _Outcome, resolve_issuer_key
from hub.credentials.verifier.unsupported import _is_open_badges_2, _unsupported_format


async def _verify_embedded(
    credential: dict[str, Any], resolver: KeyResolver, now: datetime
) -> VerificationReport:
    """Run every check but the status check, which needs the status list resolver."""
    proofs = dataintegrity.proofs_of(credential)
    inspections = [dataintegrity.inspect_proof(proof) for proof in proofs]
    suites = tuple(inspection.suite for inspection in inspections)
    if _is_open_badges_2(credential):
        return _unsupported_format(CredentialFormat.LDP_VC, suites, credential)

    proof_outcomes: list[_Outcome] = []
    key_outcomes: list[_Outcome] = []
    for proof, inspection in zip(proofs, inspections, strict=True):
        proof_outcome, key_outcome = await _check_embedded_proof(
            credential, proof, inspection, resolver, now
        )
        proof_outcomes.append(proof_outcome)
        key_outcomes.append(key_outcome)

    checks = [
        Check(CheckId.FORMAT, CheckStatus.PASSED, _describe_embedded(suites)),
        *_content_checks(credential),
        _combine_proofs(suites, proof_outcomes),
        _combine_keys(suites, key_outcomes),
        check_validity_window(credential, now),
    ]
    return VerificationReport(CredentialFormat.LDP_VC, suites, tuple(checks), summarize(credential))


async def _check_embedded_proof(
    credential: dict[str, Any],
    proof: Any,
    inspection: dataintegrity.ProofInspection,
    resolver: KeyResolver,
    now: datetime,
) -> tuple[_Outcome, _Outcome]:
    """Resolve one proof's key and verify the proof; return (proof outcome, key outcome)."""
    if not inspection.is_supported:
        unsupported = "; ".join([*inspection.problems, *inspection.warnings])
        return (
            _Outcome(CheckStatus.SKIPPED, unsupported, is_unsupported=True),
            _Outcome(CheckStatus.SKIPPED, "not resolved: the proof type is not supported"),
        )

    key, key_outcome = await resolve_issuer_key(
        inspection.verification_method, resolver, _issuer_id(credential)
    )
    if inspection.problems:
        return _Outcome(CheckStatus.FAILED, "; ".join(inspection.problems)), key_outcome
    if key is None:
        reason = "the signature was not checked because the key could not be resolved"
        return _Outcome(CheckStatus.SKIPPED, reason), key_outcome

    public_key = to_cryptography_key(key.public_key)
    if not isinstance(public_key, Ed25519PublicKey):
        wrong = f"{inspection.suite} needs an Ed25519 key; {key.verification_method} is not one"
        return _Outcome(CheckStatus.FAILED, wrong), key_outcome
    skipped = budget.spent_budget_message()
    if skipped:
        return _Outcome(CheckStatus.SKIPPED, skipped), key_outcome
    try:
        result = dataintegrity.verify_proof(credential, proof, public_key, now)
    except budget.TimeBudgetExceededError as error:
        return _Outcome(CheckStatus.FAILED, str(error)), key_outcome
    if not result.is_verified:
        return _Outcome(CheckStatus.FAILED, "; ".join(result.problems)), key_outcome
    status = CheckStatus.WARNING if inspection.warnings else CheckStatus.PASSED
    message = "; ".join(["the signature is valid", *inspection.warnings])
    return _Outcome(status, message), key_outcome


def _describe_embedded(suites: Sequence[str]) -> str:
    if not suites:
        return "JSON credential (ldp_vc) without an embedded proof"
    return f"JSON credential (ldp_vc) with embedded proof(s): {', '.join(suites)}"


def _combine_proofs(suites: Sequence[str], outcomes: Sequence[_Outcome]) -> Check:
    """Merge per-proof outcomes: any failure fails, and an unchecked extra proof warns.

    A credential whose proofs are all of unsupported suites fails, because nothing proves it.
    """
    if not outcomes:
        return Check(CheckId.PROOF, CheckStatus.FAILED, "the credential has no proof")
    statuses = {outcome.status for outcome in outcomes}
    if CheckStatus.FAILED in statuses or all(outcome.is_unsupported for outcome in outcomes):
        status = CheckStatus.FAILED
    elif statuses == {CheckStatus.PASSED}:
        status = CheckStatus.PASSED
    elif CheckStatus.PASSED in statuses or CheckStatus.WARNING in statuses:
        status = CheckStatus.WARNING
    else:
        # No signature was examined because no key resolved; the issuer-key check fails.
        status = CheckStatus.SKIPPED
    return Check(CheckId.PROOF, status, _merge_messages(suites, outcomes))


def _combine_keys(suites: Sequence[str], outcomes: Sequence[_Outcome]) -> Check:
    """Merge per-proof key outcomes: any failure fails, and proofs not checked are ignored."""
    if not outcomes:
        return Check(CheckId.ISSUER_KEY, CheckStatus.SKIPPED, "no proof names a key")
    statuses = {outcome.status for outcome in outcomes}
    if CheckStatus.FAILED in statuses:
        status = CheckStatus.FAILED
    elif CheckStatus.PASSED in statuses:
        status = CheckStatus.PASSED
    else:
        status = CheckStatus.SKIPPED
    return Check(CheckId.ISSUER_KEY, status, _merge_messages(suites, outcomes))


def _merge_messages(suites: Sequence[str], outcomes: Sequence[_Outcome]) -> str:
    if len(outcomes) == 1:
        return outcomes[0].message
    return " | ".join(
        f"proof {number} ({suite}): {outcome.message}"
        for number, (suite, outcome) in enumerate(zip(suites, outcomes, strict=True), 1)
    )
