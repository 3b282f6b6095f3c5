"""Checks on a credential's content: context, type, schema, undefined terms, validity, status.

Implements the content steps of Open Badges 3.0 §9.1 "Verification" on VC Data Model 2.0
credentials and, for compatibility, on VC Data Model 1.1 ones, whatever the proof format. A
BitstringStatusListCredential (W3C Bitstring Status List v1.0 §2.2) passes the context and type
checks with the VC 2.0 context alone, so the status lists this hub publishes verify too.
Contexts and schemas are the bundled ones only. Status lists come from the status list resolver
given (see :mod:`hub.credentials.statuslist`), and one that would need a fetch ends as a skipped
check whose message names the missing fetch.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from hub.credentials import jsonld, schema, statuslist, vcjwt
from hub.credentials.keys import KeyResolver
from hub.credentials.report import Check, CheckId, CheckStatus, CredentialSummary
from hub.credentials.statuslist import EntryState, StatusListResolver
from hub.credentials.verifier.budget import bounded_check

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


def _content_checks(credential: Mapping[str, Any]) -> list[Check]:
    return [
        check_context(credential),
        check_type(credential),
        # JSON Schema validation and JSON-LD expansion take long on a large credential.
        bounded_check(CheckId.SCHEMA, check_schema, credential),
        bounded_check(CheckId.UNDEFINED_TERMS, check_undefined_terms, credential),
    ]


def check_context(credential: Mapping[str, Any]) -> Check:
    """Check that every @context is a bundled context URL, in the order OB 3.0 requires.

    The VC context comes first and the OB 3.0 context second. An inline context anywhere fails
    the check, because it could make terms that the signature does not cover look signed.
    """
    inline = jsonld.find_inline_contexts(credential)
    if inline:
        message = (
            f"inline JSON-LD contexts are not accepted, and the credential has "
            f"{_list_problems(inline)}: they can redefine or drop terms, so the signature may not "
            "cover what the credential shows; use only the URLs of bundled contexts"
        )
        return Check(CheckId.CONTEXT, CheckStatus.FAILED, message)
    if _is_status_list(credential):
        return _check_status_list_context(credential)
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


def _check_status_list_context(credential: Mapping[str, Any]) -> Check:
    """Check that a status list starts with the VC 2.0 context, which defines its terms."""
    contexts = _as_list(credential.get("@context"))
    if contexts[:1] != [VC_V2_CONTEXT]:
        message = f"the first @context of a status list must be {VC_V2_CONTEXT}"
        return Check(CheckId.CONTEXT, CheckStatus.FAILED, f"{message}, found {contexts[:1]}")
    unknown = [url for url in contexts if isinstance(url, str) and url not in _bundled()]
    if unknown:
        message = f"@context {', '.join(unknown)} is not bundled with the hub and is not fetched"
        return Check(CheckId.CONTEXT, CheckStatus.FAILED, message)
    return Check(CheckId.CONTEXT, CheckStatus.PASSED, "VC Data Model 2.0 context")


def check_type(credential: Mapping[str, Any]) -> Check:
    types = [name for name in _as_list(credential.get("type")) if isinstance(name, str)]
    if "VerifiableCredential" not in types:
        message = f"type {types} does not contain VerifiableCredential"
        return Check(CheckId.TYPE, CheckStatus.FAILED, message)
    if _is_status_list(credential):
        message = f"type {statuslist.LIST_CREDENTIAL_TYPE} (W3C Bitstring Status List v1.0)"
        return Check(CheckId.TYPE, CheckStatus.PASSED, message)
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


async def check_status(
    credential: Mapping[str, Any],
    key_resolver: KeyResolver,
    status_resolver: StatusListResolver | None,
    now: datetime,
) -> Check:
    """Check every credentialStatus entry; a revoked, suspended or untrustworthy one fails."""
    if not _as_list(credential.get("credentialStatus")):
        return Check(CheckId.STATUS, CheckStatus.SKIPPED, "no credentialStatus")
    outcome = await statuslist.check_credential_status(
        credential, key_resolver, status_resolver, now
    )
    # Revoked and suspended entries come first, so the message starts with what matters most.
    ordered = sorted(outcome.entries, key=lambda entry: _STATE_ORDER.index(entry.state))
    message = "; ".join(entry.message for entry in ordered)
    return Check(CheckId.STATUS, _status_check_status(outcome), message)


_STATE_ORDER = (
    EntryState.REVOKED,
    EntryState.SUSPENDED,
    EntryState.INVALID,
    EntryState.UNRESOLVED,
    EntryState.UNSUPPORTED,
    EntryState.ACTIVE,
)


def _status_check_status(outcome: statuslist.StatusOutcome) -> CheckStatus:
    states = {entry.state for entry in outcome.entries}
    if states & {EntryState.REVOKED, EntryState.SUSPENDED, EntryState.INVALID}:
        return CheckStatus.FAILED
    if states == {EntryState.ACTIVE}:
        return CheckStatus.PASSED
    # Some entries were not checked: a remote list, or a status type this hub does not read.
    return CheckStatus.WARNING if EntryState.ACTIVE in states else CheckStatus.SKIPPED


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
        achievement_image=_image_url(achievement),
        creator_name=_creator_name(achievement),
        valid_from=_string(credential.get("validFrom") or credential.get("issuanceDate")),
        valid_until=_string(credential.get("validUntil") or credential.get("expirationDate")),
    )


def _image_url(owner: object) -> str | None:
    image = owner.get("image") if isinstance(owner, Mapping) else None
    return _string(image.get("id") if isinstance(image, Mapping) else image)


def _creator_name(achievement: object) -> str | None:
    creator = achievement.get("creator") if isinstance(achievement, Mapping) else None
    return _string(creator.get("name")) if isinstance(creator, Mapping) else None


# Helpers ---------------------------------------------------------------------------------------


def _is_status_list(credential: Mapping[str, Any]) -> bool:
    """Return whether the credential is a status list, the one non-OB type the hub verifies."""
    return statuslist.LIST_CREDENTIAL_TYPE in _as_list(credential.get("type"))


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
