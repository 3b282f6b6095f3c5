"""The verification report: one result per check, returned as data for every readable input.

Check ids and statuses are stable strings that API clients switch on; the messages are for people
and may change wording. Only unreadable input raises (:class:`UnreadableCredentialError`); every
other problem is a failed, skipped or warning check in the report.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class UnreadableCredentialError(ValueError):
    """The input is neither a JSON object nor a compact JWS, so there is nothing to verify."""


class CheckId(StrEnum):
    FORMAT = "format"
    CONTEXT = "context"
    TYPE = "type"
    SCHEMA = "schema"
    UNDEFINED_TERMS = "undefined-terms"
    PROOF = "proof"
    ISSUER_KEY = "issuer-key"
    JWT_CLAIMS = "jwt-claims"
    VALIDITY_WINDOW = "validity-window"
    STATUS = "status"
    ENDORSEMENT = "endorsement"
    RECIPIENT = "recipient"
    TRUST = "trust"


# Checks that the verification service (hub.verification) adds after the engine has run, because
# they need the database, more verifications or input beyond the credential.
SERVICE_CHECKS = frozenset({CheckId.ENDORSEMENT, CheckId.RECIPIENT, CheckId.TRUST})


class CheckStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    WARNING = "warning"


class CredentialFormat(StrEnum):
    """The credential's encoding, named after the OpenID4VCI credential format identifiers."""

    LDP_VC = "ldp_vc"
    JWT_VC = "jwt_vc"
    # Open Badges 2.0 assertions, which have no OpenID4VCI identifier.
    OB2_HOSTED = "ob2_hosted"
    OB2_SIGNED = "ob2_signed"


@dataclass(frozen=True)
class Check:
    """The outcome of one check, with a sentence that gives the reason."""

    check: CheckId
    status: CheckStatus
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"check": str(self.check), "status": str(self.status), "message": self.message}


@dataclass(frozen=True)
class CredentialSummary:
    """Facts taken from the credential for display; none of them is verified by itself."""

    credential_id: str | None = None
    issuer_id: str | None = None
    issuer_name: str | None = None
    achievement_name: str | None = None
    subject_id: str | None = None
    achievement_image: str | None = None
    # The Achievement's creator, when it names one (it may differ from the issuer).
    creator_name: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {
            "credential_id": self.credential_id,
            "issuer_id": self.issuer_id,
            "issuer_name": self.issuer_name,
            "achievement_name": self.achievement_name,
            "subject_id": self.subject_id,
            "achievement_image": self.achievement_image,
            "creator_name": self.creator_name,
            "valid_from": self.valid_from,
            "valid_until": self.valid_until,
        }


@dataclass(frozen=True)
class VerificationReport:
    """Every check run on one credential; the credential is valid when no check failed."""

    format: CredentialFormat
    proof_suites: tuple[str, ...]
    checks: tuple[Check, ...]
    summary: CredentialSummary = field(default_factory=CredentialSummary)
    # How the credential reached the verifier, for example "baked PNG (Open Badges 3.0), JSON".
    input_description: str | None = None

    @property
    def valid(self) -> bool:
        return all(check.status is not CheckStatus.FAILED for check in self.checks)

    def check(self, check_id: CheckId) -> Check | None:
        """Return the check with this id, or None when it was not run for this format."""
        return next((check for check in self.checks if check.check is check_id), None)

    def with_checks_before_status(self, added: list[Check]) -> VerificationReport:
        """Return a copy with ``added`` just before the status check, replacing same-id checks."""
        added_ids = {check.check for check in added}
        checks = [check for check in self.checks if check.check not in added_ids]
        position = next(
            (index for index, check in enumerate(checks) if check.check is CheckId.STATUS),
            len(checks),
        )
        checks[position:position] = added
        return dataclasses.replace(self, checks=tuple(checks))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": str(self.format),
            "input": self.input_description,
            "proof_suites": list(self.proof_suites),
            "valid": self.valid,
            "checks": [check.to_dict() for check in self.checks],
            **self.summary.to_dict(),
        }
