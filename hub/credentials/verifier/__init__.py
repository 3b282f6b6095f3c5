"""Verify an Open Badges 3.0 credential and report every check as data.

Implements the verification steps of Open Badges 3.0 §9.1 "Verification" for the two proof
formats the hub supports: embedded Data Integrity proofs (VC Data Integrity 1.0 with
eddsa-rdfc-2022, see :mod:`hub.credentials.dataintegrity`) and VC-JWT (OB 3.0 §8.2, see
:mod:`hub.credentials.vcjwt`), on VC Data Model 2.0 credentials and, for compatibility, on VC
Data Model 1.1 ones. Keys come only from the :class:`~hub.credentials.keys.KeyResolver` given,
and nothing is fetched from the network. A key, status list or schema that would need a fetch
ends as a failed or skipped check whose message names the missing fetch.

Modules: ``inputs`` (JSON or compact JWS), ``ldp_vc`` and ``jwt_vc`` (one per proof format),
``issuer_key`` (key resolution), ``content`` (checks shared by both formats) and ``unsupported``
(Open Badges 2.0 and other formats not verified yet).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from hub.credentials import vcjwt
from hub.credentials.keys import KeyResolver
from hub.credentials.report import VerificationReport
from hub.credentials.verifier.content import (
    KNOWN_SCHEMA_URLS,
    MAX_LISTED_PROBLEMS,
    OB_CONTEXT,
    OB_CREDENTIAL_TYPES,
    OLDER_OB_CONTEXTS,
    URI_SCHEME,
    VC_V1_CONTEXT,
    VC_V2_CONTEXT,
    check_context,
    check_schema,
    check_status,
    check_type,
    check_undefined_terms,
    check_validity_window,
    summarize,
)
from hub.credentials.verifier.inputs import read_input
from hub.credentials.verifier.issuer_key import resolve_issuer_key
from hub.credentials.verifier.jwt_vc import _verify_jwt
from hub.credentials.verifier.ldp_vc import _verify_embedded
from hub.credentials.verifier.unsupported import OB2_CONTEXTS

__all__ = [
    "KNOWN_SCHEMA_URLS",
    "MAX_LISTED_PROBLEMS",
    "OB2_CONTEXTS",
    "OB_CONTEXT",
    "OB_CREDENTIAL_TYPES",
    "OLDER_OB_CONTEXTS",
    "URI_SCHEME",
    "VC_V1_CONTEXT",
    "VC_V2_CONTEXT",
    "check_context",
    "check_schema",
    "check_status",
    "check_type",
    "check_undefined_terms",
    "check_validity_window",
    "read_input",
    "resolve_issuer_key",
    "summarize",
    "verify_credential",
]


async def verify_credential(
    data: str | bytes | Mapping[str, Any], resolver: KeyResolver, now: datetime | None = None
) -> VerificationReport:
    """Verify one credential given as JSON text, JSON bytes, a parsed object or a compact JWS.

    Raises :class:`UnreadableCredentialError` only when the input is neither a JSON object nor
    a compact JWS. Exceptions other than ``KeyResolutionError`` raised by the resolver propagate.
    """
    # NOTE: canonicalisation runs pyld on the calling thread and blocks the event loop while it
    # works. pyld is not thread-safe, so servers should verify in a worker process.
    moment = now or datetime.now(UTC)
    parsed = read_input(data)
    if isinstance(parsed, vcjwt.VcJwt):
        return await _verify_jwt(parsed, resolver, moment)
    return await _verify_embedded(parsed, resolver, moment)
