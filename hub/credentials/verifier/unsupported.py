"""Reports for credentials in a format this Open Badges 3.0 engine does not verify.

An Open Badges 2.0 assertion, or a VC-JWT whose payload is not a credential, gets a failed format
check, and every other check of Open Badges 3.0 §9.1 "Verification" is skipped for that reason.
The verification service (:mod:`hub.verification`) sends Open Badges 2.0 assertions to
:mod:`hub.credentials.ob2` instead, so only direct callers of the engine see this report.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.credentials.report import (
    SERVICE_CHECKS,
    Check,
    CheckId,
    CheckStatus,
    CredentialFormat,
    VerificationReport,
)
from hub.credentials.verifier.content import _as_list, summarize

OB2_CONTEXTS = frozenset(
    {
        "https://w3id.org/openbadges/v1",
        "https://w3id.org/openbadges/v2",
        "https://openbadgespec.org/v2/context.json",
    }
)


def _unsupported_format(
    credential_format: CredentialFormat, suites: tuple[str, ...], credential: Mapping[str, Any]
) -> VerificationReport:
    reason = (
        "this is an Open Badges 2.0 assertion, which the offline verifier does not check; "
        "verify it through the hub's verification page or API"
    )
    return _rest_skipped(credential_format, suites, reason, credential)


def _rest_skipped(
    credential_format: CredentialFormat,
    suites: tuple[str, ...],
    reason: str,
    credential: Mapping[str, Any],
) -> VerificationReport:
    """Report a failed format check, with every other check skipped for that reason."""
    checks = [Check(CheckId.FORMAT, CheckStatus.FAILED, reason)]
    for check_id in CheckId:
        is_jwt_only = check_id is CheckId.JWT_CLAIMS
        is_embedded = credential_format is CredentialFormat.LDP_VC
        is_not_applicable = is_jwt_only and is_embedded
        is_added_later = check_id in SERVICE_CHECKS and check_id is not CheckId.TRUST
        if check_id is not CheckId.FORMAT and not (is_not_applicable or is_added_later):
            checks.append(Check(check_id, CheckStatus.SKIPPED, "not checked: unsupported format"))
    return VerificationReport(credential_format, suites, tuple(checks), summarize(credential))


def _is_open_badges_2(credential: Mapping[str, Any]) -> bool:
    contexts = _as_list(credential.get("@context"))
    return any(isinstance(url, str) and url in OB2_CONTEXTS for url in contexts)
