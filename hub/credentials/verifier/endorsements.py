"""Endorsements carried by a credential, and the check that sums up their verification.

Open Badges 3.0 lets a credential, its achievement and the profiles in it carry
EndorsementCredentials, embedded with a Data Integrity proof (``endorsement``) or as VC-JWTs
(``endorsementJwt``). Each one is a credential of its own, and the verification service
verifies it with the same engine. This module finds them and turns their reports into one check.
Endorsements inside endorsements are not followed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hub.credentials.report import Check, CheckId, CheckStatus, VerificationReport

# Endorsements verified per credential. Each one costs a full verification, so a credential
# cannot make the verifier do unbounded work; the rest are reported as not checked.
MAX_ENDORSEMENTS = 8


@dataclass(frozen=True)
class Endorsement:
    """One endorsement found in a credential, with where it was found."""

    location: str
    document: Mapping[str, Any] | str


def find_endorsements(credential: Mapping[str, Any]) -> list[Endorsement]:
    """Return the endorsements of the credential, its issuer, its achievement and the creator."""
    found: list[Endorsement] = []
    _collect(found, "the credential", credential)
    _collect(found, "the issuer", credential.get("issuer"))
    subject = credential.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    for item in subjects:
        if isinstance(item, Mapping):
            achievement = item.get("achievement")
            _collect(found, "the achievement", achievement)
            if isinstance(achievement, Mapping):
                _collect(found, "the achievement's creator", achievement.get("creator"))
    return found


def summarize_endorsements(
    endorsements: Sequence[Endorsement], reports: Sequence[VerificationReport | str]
) -> Check:
    """Sum up the verification of each endorsement in one check.

    ``reports`` has one entry per verified endorsement: its report, or the reason it could not
    be read. A proof shown to be wrong fails the check, because a forged endorsement misleads the
    reader. An endorsement that is unreadable or not valid for another reason (key not found,
    expired) is a warning.
    """
    if not endorsements:
        return _check(CheckStatus.SKIPPED, "not checked: the credential carries no endorsements")
    verified: list[str] = []
    forged: list[str] = []
    unchecked: list[str] = []
    for endorsement, report in zip(endorsements, reports, strict=False):
        if isinstance(report, str):
            unchecked.append(f"an endorsement of {endorsement.location} is unreadable: {report}")
            continue
        endorser = report.summary.issuer_name or report.summary.issuer_id or "an unnamed issuer"
        label = f"endorsement of {endorsement.location} by {endorser}"
        if report.valid:
            verified.append(label)
            continue
        reason = _first_failure(report)
        if _is_forged(report):
            forged.append(f"{label} has an invalid signature: {reason}")
        else:
            unchecked.append(f"{label} is not valid: {reason}")
    skipped = len(endorsements) - len(reports)
    if skipped > 0:
        unchecked.append(
            f"{skipped} more endorsements were not checked; this hub verifies at most "
            f"{MAX_ENDORSEMENTS} per credential"
        )
    parts = [*forged, *unchecked]
    if verified:
        parts.append(f"verified: {'; '.join(verified)}")
    message = "; ".join(parts)
    if forged:
        return _check(CheckStatus.FAILED, message)
    if unchecked:
        return _check(CheckStatus.WARNING, message)
    return _check(CheckStatus.PASSED, message)


def _collect(found: list[Endorsement], location: str, holder: object) -> None:
    if not isinstance(holder, Mapping):
        return
    for document in _as_list(holder.get("endorsement")):
        if isinstance(document, Mapping):
            found.append(Endorsement(location, document))
    for token in _as_list(holder.get("endorsementJwt")):
        if isinstance(token, str):
            found.append(Endorsement(location, token))


def _is_forged(report: VerificationReport) -> bool:
    proof = report.check(CheckId.PROOF)
    key = report.check(CheckId.ISSUER_KEY)
    return (
        proof is not None
        and proof.status is CheckStatus.FAILED
        and key is not None
        and key.status is CheckStatus.PASSED
    )


def _first_failure(report: VerificationReport) -> str:
    failed = next(check for check in report.checks if check.status is CheckStatus.FAILED)
    return f"{failed.check}: {failed.message}"


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _check(status: CheckStatus, message: str) -> Check:
    return Check(CheckId.ENDORSEMENT, status, message)
