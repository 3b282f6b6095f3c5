"""Verify a trust registry document with the hub's own verifier.

The verification service (:mod:`hub.verification`) checks contexts, undefined terms, the Data
Integrity proof, the alliance's key and the validity period, and applies the registry's own type
rule (:func:`federation.registry.registry_type_check`) in place of the Open Badges one. This
module adds clear errors for input that is not a JSON object.
"""

from __future__ import annotations

import json
from typing import Any

from hub import verification
from hub.credentials.report import VerificationReport
from hub.errors import InvalidInputError
from hub.settings import Settings


async def verify_registry(settings: Settings, text: str | bytes) -> VerificationReport:
    """Verify a registry document given as JSON text; unreadable input raises InvalidInputError."""
    _parse(text)
    return await verification.verify(settings, text)


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
