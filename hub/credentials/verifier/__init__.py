"""Verify an Open Badges 3.0 credential and report every check as data.

Implements the verification steps of Open Badges 3.0 §9.1 "Verification" for the two proof
formats the hub supports: embedded Data Integrity proofs (VC Data Integrity 1.0 with
eddsa-rdfc-2022, see :mod:`hub.credentials.dataintegrity`) and VC-JWT (OB 3.0 §8.2, see
:mod:`hub.credentials.vcjwt`), on VC Data Model 2.0 credentials and, for compatibility, on VC
Data Model 1.1 ones. Keys come only from the :class:`~hub.credentials.keys.KeyResolver` given,
status lists only from the :class:`~hub.credentials.statuslist.StatusListResolver` given, and
nothing is fetched from the network. A key, status list or schema that would need a fetch ends as
a failed or skipped check whose message names the missing fetch.

Verification runs in two phases: :func:`verify_without_status` does the JSON-LD and signature
work, which needs only the keys, and :func:`add_status_check` then checks the status lists.
:class:`~hub.credentials.verifier.pool.VerificationPool` runs the first phase in a worker process.

Modules: ``inputs`` (JSON or compact JWS), ``ldp_vc`` and ``jwt_vc`` (one per proof format),
``issuer_key`` (key resolution), ``content`` (checks shared by both formats), ``unsupported``
(Open Badges 2.0 and other formats not verified yet), ``budget`` (the time budget in a worker),
``phases`` (the two phases), ``prepared_keys`` (keys resolved before the worker runs) and
``pool`` (the worker processes).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from hub.credentials.keys import KeyResolver
from hub.credentials.report import VerificationReport
from hub.credentials.statuslist import StatusListResolver
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
from hub.credentials.verifier.phases import add_status_check, verify_without_status
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
    "add_status_check",
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
    "verify_without_status",
]


async def verify_credential(
    data: str | bytes | Mapping[str, Any],
    resolver: KeyResolver,
    now: datetime | None = None,
    *,
    status_resolver: StatusListResolver | None = None,
) -> VerificationReport:
    """Verify one credential given as JSON text, JSON bytes, a parsed object or a compact JWS.

    Raises :class:`UnreadableCredentialError` only when the input is neither a JSON object nor
    a compact JWS. Exceptions other than ``KeyResolutionError`` raised by the resolver propagate.
    Without a ``status_resolver``, credentialStatus entries are reported as not checked.
    """
    # Canonicalisation runs pyld on the calling thread and blocks an event loop while it works.
    # pyld is not thread-safe, so the web app verifies through VerificationPool instead.
    moment = now or datetime.now(UTC)
    parsed = read_input(data)
    report = await verify_without_status(parsed, resolver, moment)
    return await add_status_check(report, parsed, resolver, status_resolver, moment)
