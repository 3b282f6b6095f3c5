"""Verify an Open Badges 3.0 credential and report every check as data.

Implements the verification steps of Open Badges 3.0 §9.1 "Verification" for the two proof
formats the hub supports: embedded Data Integrity proofs (VC Data Integrity 1.0 with
eddsa-rdfc-2022, see :mod:`hub.credentials.dataintegrity`) and VC-JWT (OB 3.0 §8.2, see
:mod:`hub.credentials.vcjwt`), on VC Data Model 2.0 credentials and, for compatibility, on VC
Data Model 1.1 ones. Keys come only from the :class:`~hub.credentials.keys.KeyResolver` given,
and nothing is fetched from the network. A key, status list or schema that would need a fetch
ends as a failed or skipped check whose message names the missing fetch.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hub.credentials import dataintegrity, jsonld, schema, vcjwt
from hub.credentials.keys import (
    KeyResolutionError,
    KeyResolver,
    ResolvedKey,
    to_cryptography_key,
)
from hub.credentials.report import (
    Check,
    CheckId,
    CheckStatus,
    CredentialFormat,
    CredentialSummary,
    UnreadableCredentialError,
    VerificationReport,
)

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OLDER_OB_CONTEXTS = frozenset(
    {
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
    }
)
OB2_CONTEXTS = frozenset(
    {
        "https://w3id.org/openbadges/v1",
        "https://w3id.org/openbadges/v2",
        "https://openbadgespec.org/v2/context.json",
    }
)
OB_CREDENTIAL_TYPES = ("OpenBadgeCredential", "AchievementCredential", "EndorsementCredential")
# credentialSchema URLs that name the bundled schemas, so no fetch is needed to honour them.
KNOWN_SCHEMA_URLS = frozenset(
    {
        "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_anyachievementcredential_schema.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json",
    }
)
URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
MAX_LISTED_PROBLEMS = 5


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


def read_input(data: str | bytes | Mapping[str, Any]) -> dict[str, Any] | vcjwt.VcJwt:
    """Return the credential of JSON input (a copy), or the parsed token of a compact JWS."""
    if isinstance(data, Mapping):
        return copy.deepcopy(dict(data))
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise UnreadableCredentialError(
                f"the input is not UTF-8 text ({error.reason} at byte {error.start}); " + _ACCEPTED
            ) from error
    if not isinstance(data, str):
        raise UnreadableCredentialError(f"the input is a {type(data).__name__}; " + _ACCEPTED)
    text = data.strip()
    if text[:1] in ("{", "[", '"') or not text:
        return _parse_json(text)
    try:
        return vcjwt.parse_vc_jwt(text)
    except vcjwt.VcJwtError as error:
        raise UnreadableCredentialError(
            f"the input is neither JSON nor a compact JWS ({error}); " + _ACCEPTED
        ) from error


_ACCEPTED = (
    "accepted are a credential as a JSON object, or a VC-JWT as a compact JWS "
    "(three base64url segments: header.payload.signature)"
)


def _parse_json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise UnreadableCredentialError(
            f"the input is not valid JSON: {error.msg} at line {error.lineno} column "
            f"{error.colno}; " + _ACCEPTED
        ) from error
    if not isinstance(value, dict):
        raise UnreadableCredentialError(
            f"the input is a JSON {type(value).__name__}, not an object; " + _ACCEPTED
        )
    return value


# Embedded proofs (ldp_vc) ------------------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    status: CheckStatus
    message: str
    is_unsupported: bool = False


async def _verify_embedded(
    credential: dict[str, Any], resolver: KeyResolver, now: datetime
) -> VerificationReport:
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
        check_status(credential),
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
    result = dataintegrity.verify_proof(credential, proof, public_key, now)
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


# VC-JWT (jwt_vc) -----------------------------------------------------------------------------


async def _verify_jwt(
    token: vcjwt.VcJwt, resolver: KeyResolver, now: datetime
) -> VerificationReport:
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
        check_status(credential),
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


# Key resolution --------------------------------------------------------------------------------


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


# Checks on the credential's content -----------------------------------------------------------


def _content_checks(credential: Mapping[str, Any]) -> list[Check]:
    return [
        check_context(credential),
        check_type(credential),
        check_schema(credential),
        check_undefined_terms(credential),
    ]


def check_context(credential: Mapping[str, Any]) -> Check:
    """Check the @context order OB 3.0 requires: VC context first, OB 3.0 context second."""
    contexts = _as_list(credential.get("@context"))
    if not contexts:
        return Check(CheckId.CONTEXT, CheckStatus.FAILED, "the credential has no @context")
    unknown = [url for url in contexts if isinstance(url, str) and url not in _bundled()]
    if unknown:
        message = (
            f"@context {', '.join(unknown)} is not bundled with the hub, and contexts are "
            "never fetched, so the credential cannot be processed"
        )
        return Check(CheckId.CONTEXT, CheckStatus.FAILED, message)
    if contexts[0] not in (VC_V2_CONTEXT, VC_V1_CONTEXT):
        message = f"the first @context must be {VC_V2_CONTEXT}, found {contexts[0]!r}"
        return Check(CheckId.CONTEXT, CheckStatus.FAILED, message)
    second = contexts[1] if len(contexts) > 1 else None
    if not isinstance(second, str) or (second != OB_CONTEXT and second not in OLDER_OB_CONTEXTS):
        message = f"the second @context must be the Open Badges 3.0 context {OB_CONTEXT}"
        return Check(CheckId.CONTEXT, CheckStatus.FAILED, f"{message}, found {second!r}")
    return _context_warnings(contexts[0], second)


def _context_warnings(vc_context: str, ob_context: str) -> Check:
    notes = []
    if vc_context == VC_V1_CONTEXT:
        notes.append("VC Data Model 1.1 context, accepted for credentials issued before 2024")
    if ob_context in OLDER_OB_CONTEXTS:
        notes.append(f"older Open Badges 3.0 context {ob_context}; the current one is {OB_CONTEXT}")
    if notes:
        return Check(CheckId.CONTEXT, CheckStatus.WARNING, "; ".join(notes))
    message = "VC Data Model 2.0 and Open Badges 3.0 contexts"
    return Check(CheckId.CONTEXT, CheckStatus.PASSED, message)


def check_type(credential: Mapping[str, Any]) -> Check:
    types = [name for name in _as_list(credential.get("type")) if isinstance(name, str)]
    if "VerifiableCredential" not in types:
        message = f"type {types} does not contain VerifiableCredential"
        return Check(CheckId.TYPE, CheckStatus.FAILED, message)
    found = [name for name in types if name in OB_CREDENTIAL_TYPES]
    if not found:
        message = f"type {types} contains none of {', '.join(OB_CREDENTIAL_TYPES)}"
        return Check(CheckId.TYPE, CheckStatus.FAILED, message)
    return Check(CheckId.TYPE, CheckStatus.PASSED, f"type {', '.join(found)}")


def check_schema(credential: Mapping[str, Any]) -> Check:
    """Check the VC Data Model identifiers, then the bundled OB 3.0 JSON Schema for the type."""
    problems = _identifier_problems(credential)
    name = schema.schema_name_for(credential)
    if name is None or _is_vc_v1(credential):
        if problems:
            return Check(CheckId.SCHEMA, CheckStatus.FAILED, _list_problems(problems))
        reason = (
            "no Open Badges 3.0 schema applies to this type"
            if name is None
            else "the Open Badges 3.0 schemas describe VC Data Model 2.0 credentials; this VC "
            "Data Model 1.1 credential was not validated against them"
        )
        return Check(CheckId.SCHEMA, CheckStatus.SKIPPED, reason)

    problems += [str(violation) for violation in schema.validate_credential(credential, name)]
    if problems:
        return Check(CheckId.SCHEMA, CheckStatus.FAILED, _list_problems(problems))
    message = f"valid against the bundled Open Badges 3.0 schema {name}"
    if isinstance(credential.get("proof"), Mapping):
        message += " (a single proof object is accepted where the schema requires an array)"
    unknown = _unknown_schema_urls(credential)
    if unknown:
        skipped = f"; credentialSchema {', '.join(unknown)} is not bundled and was not fetched"
        return Check(CheckId.SCHEMA, CheckStatus.WARNING, message + skipped)
    return Check(CheckId.SCHEMA, CheckStatus.PASSED, message)


def _identifier_problems(credential: Mapping[str, Any]) -> list[str]:
    """Check that id and issuer are URLs, as VC Data Model 2.0 §4.4 and §4.7 (and 1.1) require."""
    problems = []
    credential_id = credential.get("id")
    if credential_id is not None and not _is_uri(credential_id):
        problems.append(f"/id: {credential_id!r} is not a URL")
    issuer = _issuer_id(credential)
    if issuer is None:
        problems.append("/issuer: the credential names no issuer URL")
    elif not _is_uri(issuer):
        problems.append(f"/issuer: {issuer!r} is not a URL")
    return problems


def check_undefined_terms(credential: Mapping[str, Any]) -> Check:
    """Report terms the contexts do not define: canonicalisation drops them from the signature."""
    try:
        terms = jsonld.find_undefined_terms(credential)
    except jsonld.JsonLdError as error:
        return Check(CheckId.UNDEFINED_TERMS, CheckStatus.FAILED, f"invalid JSON-LD: {error}")
    if terms:
        message = (
            f"terms not defined by the credential's contexts: {', '.join(terms)}; the signature "
            "does not cover them in a way other verifiers reproduce"
        )
        return Check(CheckId.UNDEFINED_TERMS, CheckStatus.FAILED, message)
    return Check(CheckId.UNDEFINED_TERMS, CheckStatus.PASSED, "every term is defined by a context")


def check_validity_window(credential: Mapping[str, Any], now: datetime) -> Check:
    """Check validFrom/validUntil (VC DM 2.0) or issuanceDate/expirationDate (VC DM 1.1)."""
    start_field = "validFrom" if "validFrom" in credential else "issuanceDate"
    end_field = "validUntil" if "validUntil" in credential else "expirationDate"
    start, start_problem = _read_date(credential, start_field)
    end, end_problem = _read_date(credential, end_field)
    problems = [problem for problem in (start_problem, end_problem) if problem]
    if problems:
        return Check(CheckId.VALIDITY_WINDOW, CheckStatus.FAILED, "; ".join(problems))

    if start is not None and start > now:
        message = f"not valid yet: {start_field} is {credential[start_field]}"
        return Check(CheckId.VALIDITY_WINDOW, CheckStatus.FAILED, message)
    if end is not None and end <= now:
        message = f"expired: {end_field} was {credential[end_field]}"
        return Check(CheckId.VALIDITY_WINDOW, CheckStatus.FAILED, message)
    if start is not None and end is not None and end < start:
        message = f"{end_field} is before {start_field}"
        return Check(CheckId.VALIDITY_WINDOW, CheckStatus.FAILED, message)
    window = _describe_window(credential, start_field, end_field)
    return Check(CheckId.VALIDITY_WINDOW, CheckStatus.PASSED, window)


def _describe_window(credential: Mapping[str, Any], start_field: str, end_field: str) -> str:
    start = credential.get(start_field)
    end = credential.get(end_field)
    if start is None and end is None:
        return "the credential sets no validity period"
    since = f"valid since {start}" if start else "valid"
    return f"{since}, until {end}" if end else f"{since}, with no end date"


def check_status(credential: Mapping[str, Any]) -> Check:
    entries = _as_list(credential.get("credentialStatus"))
    if not entries:
        return Check(CheckId.STATUS, CheckStatus.SKIPPED, "no credentialStatus")
    described = ", ".join(
        f"{entry.get('type')} at {entry.get('statusListCredential') or entry.get('id')}"
        if isinstance(entry, Mapping)
        else repr(entry)
        for entry in entries
    )
    message = (
        f"status checking is not available yet: credentialStatus ({described}) was not "
        "fetched, so revocation and suspension are unknown"
    )
    return Check(CheckId.STATUS, CheckStatus.SKIPPED, message)


def summarize(credential: Mapping[str, Any]) -> CredentialSummary:
    issuer = credential.get("issuer")
    subject = credential.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else None
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    return CredentialSummary(
        credential_id=_string(credential.get("id")),
        issuer_id=_issuer_id(credential),
        issuer_name=_string(issuer.get("name")) if isinstance(issuer, Mapping) else None,
        achievement_name=(
            _string(achievement.get("name")) if isinstance(achievement, Mapping) else None
        ),
        subject_id=_string(subject.get("id")) if isinstance(subject, Mapping) else None,
    )


# Helpers ---------------------------------------------------------------------------------------


def _unsupported_format(
    credential_format: CredentialFormat, suites: tuple[str, ...], credential: Mapping[str, Any]
) -> VerificationReport:
    reason = "this is an Open Badges 2.0 assertion; verifying Open Badges 2.0 is not available yet"
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
        if check_id is not CheckId.FORMAT and not (is_jwt_only and is_embedded):
            checks.append(Check(check_id, CheckStatus.SKIPPED, "not checked: unsupported format"))
    return VerificationReport(credential_format, suites, tuple(checks), summarize(credential))


def _is_open_badges_2(credential: Mapping[str, Any]) -> bool:
    contexts = _as_list(credential.get("@context"))
    return any(isinstance(url, str) and url in OB2_CONTEXTS for url in contexts)


def _is_vc_v1(credential: Mapping[str, Any]) -> bool:
    contexts = _as_list(credential.get("@context"))
    return bool(contexts) and contexts[0] == VC_V1_CONTEXT


def _unknown_schema_urls(credential: Mapping[str, Any]) -> list[str]:
    entries = _as_list(credential.get("credentialSchema"))
    urls = [entry.get("id") for entry in entries if isinstance(entry, Mapping)]
    return [url for url in urls if isinstance(url, str) and url not in KNOWN_SCHEMA_URLS]


def _read_date(credential: Mapping[str, Any], field: str) -> tuple[datetime | None, str | None]:
    value = credential.get(field)
    if value is None:
        return None, None
    if not isinstance(value, str):
        return None, f"{field} {value!r} is not a date-time string"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None, f"{field} {value!r} is not an ISO 8601 date-time"
    if moment.tzinfo is None:
        return None, f"{field} {value!r} has no time zone; use UTC ('Z') or an offset"
    return moment, None


def _is_uri(value: object) -> bool:
    return isinstance(value, str) and URI_SCHEME.match(value) is not None


def _issuer_id(credential: Mapping[str, Any]) -> str | None:
    return vcjwt.issuer_id(credential)


def _bundled() -> Mapping[str, Any]:
    return jsonld.bundled_contexts()


def _list_problems(problems: Sequence[str]) -> str:
    shown = "; ".join(problems[:MAX_LISTED_PROBLEMS])
    hidden = len(problems) - MAX_LISTED_PROBLEMS
    return f"{shown}; and {hidden} more" if hidden > 0 else shown


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _string(value: object) -> str | None:
    return value if isinstance(value, str) else None
