"""Verify a trust registry document with the hub's own verifier.

The verifier (:mod:`hub.credentials.verifier`) checks contexts, undefined terms, the Data
Integrity proof, the alliance's key and the validity period of any credential. Its type check
accepts only Open Badges credential types and status lists. For a registry, this module replaces
that one check with the registry's own type rule and keeps every other check as reported.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from federation.registry import REGISTRY_CONTEXT, REGISTRY_CREDENTIAL_TYPE
from hub import verification
from hub.credentials.report import Check, CheckId, CheckStatus, VerificationReport
from hub.errors import InvalidInputError
from hub.settings import Settings


async def verify_registry(settings: Settings, text: str | bytes) -> VerificationReport:
    """Verify a registry document given as JSON text; unreadable input raises InvalidInputError."""
    document = _parse(text)
    report = await verification.verify(settings, text)
    checks = tuple(
        registry_type_check(document) if check.check is CheckId.TYPE else check
        for check in report.checks
    )
    return dataclasses.replace(report, checks=checks)


def registry_type_check(document: Mapping[str, Any]) -> Check:
    types = document.get("type")
    names = types if isinstance(types, list) else [types]
    contexts = document.get("@context")
    required = ("VerifiableCredential", REGISTRY_CREDENTIAL_TYPE)
    missing = [name for name in required if name not in names]
    if missing:
        message = (
            f"type {names} is missing {', '.join(missing)}; a trust registry has the types "
            f"{' and '.join(required)}"
        )
        return Check(CheckId.TYPE, CheckStatus.FAILED, message)
    if not isinstance(contexts, list) or REGISTRY_CONTEXT not in contexts:
        message = f"the @context does not include {REGISTRY_CONTEXT}, which defines the registry"
        return Check(CheckId.TYPE, CheckStatus.FAILED, message)
    return Check(CheckId.TYPE, CheckStatus.PASSED, f"type {REGISTRY_CREDENTIAL_TYPE}")


def _parse(text: str | bytes) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidInputError(
            f"the trust registry is not JSON: {error}", code="unreadable-credential"
        ) from error
    if not isinstance(document, dict):
        raise InvalidInputError(
            "the trust registry is not a JSON object", code="unreadable-credential"
        )
    return document
