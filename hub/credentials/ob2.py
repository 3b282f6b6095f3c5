"""Verification of Open Badges 2.0 assertions, hosted and signed, in the shape of an OB 3.0 report.

Implements Open Badges 2.0 (IMS Final Release, 2018) §"Verification" and §"Revocation":

- hosted: the Assertion is fetched from its ``id`` and must equal the submitted one. Its id must
  lie within the issuer's allowed origins: the issuer id's host by default, else the hosts in the
  issuer's ``verification.allowedOrigins`` and the prefixes in ``verification.startsWith``. An
  HTTP status 410 Gone, or ``revoked: true``, means the assertion is revoked.
- signed: a compact JWS over the Assertion with RS256, whose key is the CryptographicKey at
  ``verification.creator``. The key's ``owner`` must be the issuer, and the issuer's
  ``publicKey`` must list the key. The issuer's ``revocationList`` is checked for the assertion.

The BadgeClass (``badge``) and the issuer Profile are fetched, and each document's context,
type, required properties and dates are checked. No JSON-LD processing runs, so no context is
ever fetched: a context must name the Open Badges 2.0 context URL, or (for linked documents) be
given inline. Every fetch goes through the :class:`DocumentFetcher` passed in, which applies the
outbound rules; a failed fetch ends in a failed check that names the URL.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from hub.credentials.report import (
    Check,
    CheckId,
    CheckStatus,
    CredentialFormat,
    CredentialSummary,
    VerificationReport,
)
from hub.outbound import FetchedDocument, FetchError

OB2_CONTEXTS = frozenset(
    {
        "https://w3id.org/openbadges/v2",
        "https://openbadgespec.org/v2/context.json",
    }
)
OB1_CONTEXTS = frozenset({"https://w3id.org/openbadges/v1"})
ISSUER_TYPES = ("Issuer", "Profile")
HOSTED_TYPES = ("hosted", "HostedBadge")
SIGNED_TYPES = ("signed", "SignedBadge")
# A verification fetches up to five documents (assertion, BadgeClass, issuer, key, revocation
# list), each under the outbound fetcher's own timeout; this bounds their sum.
MAX_SECONDS = 15.0
_JSON_ACCEPT = "application/ld+json, application/json;q=0.9"


class DocumentFetcher(Protocol):
    """The subset of :class:`hub.outbound.Fetcher` that verification uses."""

    async def fetch(
        self,
        url: str,
        *,
        accept: str = "application/json",
        max_bytes: int | None = None,
        use_cache: bool = True,
    ) -> FetchedDocument: ...


def is_ob2_document(value: Mapping[str, Any]) -> bool:
    contexts = value.get("@context")
    listed = contexts if isinstance(contexts, list) else [contexts]
    urls = [url for url in listed if isinstance(url, str)]
    return any(url in OB2_CONTEXTS or url in OB1_CONTEXTS for url in urls) or (
        value.get("type") == "Assertion" and "badge" in value and "recipient" in value
    )


def ob2_payload(token: str) -> dict[str, Any] | None:
    """Return the payload of a compact JWS when it is an Open Badges 2.0 Assertion, else None."""
    try:
        payload = json.loads(jws.extract_compact(token.encode("ascii")).payload)
    except (JoseError, ValueError, UnicodeError):
        return None
    if isinstance(payload, dict) and is_ob2_document(payload):
        return payload
    return None


class _StopVerificationError(Exception):
    """A linked document could not be used; the checks collected so far end the report."""


@dataclass
class _Verification:
    fetcher: DocumentFetcher
    now: datetime
    credential_format: CredentialFormat
    checks: dict[CheckId, list[tuple[CheckStatus, str]]] = field(default_factory=dict)
    assertion: dict[str, Any] = field(default_factory=dict)
    badge: dict[str, Any] = field(default_factory=dict)
    issuer: dict[str, Any] = field(default_factory=dict)

    def note(self, check_id: CheckId, status: CheckStatus, message: str) -> None:
        self.checks.setdefault(check_id, []).append((status, message))

    async def fetch_json(
        self, value: object, role: str, check_id: CheckId, *, compare_id: bool = False
    ) -> dict[str, Any]:
        """Return a linked document: embedded as an object, or fetched from its URL.

        With ``compare_id``, a document whose id names another URL gets a schema warning.
        """
        if isinstance(value, Mapping):
            return dict(value)
        if not isinstance(value, str) or not value:
            self.note(
                check_id, CheckStatus.FAILED, f"the {role} is given neither as a URL nor inline"
            )
            raise _StopVerificationError
        try:
            document = await self.fetcher.fetch(value, accept=_JSON_ACCEPT)
            fetched = document.json()
        except FetchError as error:
            self.note(check_id, CheckStatus.FAILED, f"the {role} could not be fetched: {error}")
            raise _StopVerificationError from error
        if not isinstance(fetched, dict):
            self.note(check_id, CheckStatus.FAILED, f"the {role} at {value} is not a JSON object")
            raise _StopVerificationError
        if compare_id and not _names_same_document(fetched.get("id"), document.final_url):
            self.note(
                CheckId.SCHEMA,
                CheckStatus.WARNING,
                f"the {role} fetched from {value} gives its id as {fetched.get('id')}",
            )
        return fetched

    def result(self) -> tuple[VerificationReport, dict[str, Any]]:
        return self.report(), self.assertion

    def report(self) -> VerificationReport:
        order = [
            CheckId.FORMAT,
            CheckId.CONTEXT,
            CheckId.TYPE,
            CheckId.SCHEMA,
            CheckId.PROOF,
            CheckId.ISSUER_KEY,
            CheckId.VALIDITY_WINDOW,
            CheckId.STATUS,
        ]
        checks = [_merge(check_id, self.checks.get(check_id)) for check_id in order]
        suites = ("RS256",) if self.credential_format is CredentialFormat.OB2_SIGNED else ()
        return VerificationReport(self.credential_format, suites, tuple(checks), self.summary())

    def summary(self) -> CredentialSummary:
        issuer_id = self.issuer.get("id") or self.badge.get("issuer")
        return CredentialSummary(
            credential_id=_string(self.assertion.get("id")),
            issuer_id=_string(issuer_id),
            issuer_name=_string(self.issuer.get("name")),
            achievement_name=_string(self.badge.get("name")),
            subject_id=None,
            achievement_image=_image_url(self.badge),
            valid_from=_string(self.assertion.get("issuedOn")),
            valid_until=_string(self.assertion.get("expires")),
        )


def _names_same_document(declared: object, fetched_url: str) -> bool:
    """Tell whether a document's id names the URL it was fetched from.

    Issuers commonly publish ``http://host/name`` as the id of the document served at
    ``https://host/name.json``, so the scheme and a ``.json`` suffix are not compared.
    """
    if not isinstance(declared, str):
        return False
    if declared == fetched_url:
        return True
    declared_parts, fetched_parts = urlsplit(declared), urlsplit(fetched_url)
    return declared_parts.hostname == fetched_parts.hostname and declared_parts.path.removesuffix(
        ".json"
    ) == fetched_parts.path.removesuffix(".json")


def _merge(check_id: CheckId, notes: list[tuple[CheckStatus, str]] | None) -> Check:
    if not notes:
        return Check(check_id, CheckStatus.SKIPPED, "not checked: an earlier step failed")
    for status in (CheckStatus.FAILED, CheckStatus.WARNING, CheckStatus.PASSED):
        messages = [message for note_status, message in notes if note_status is status]
        if messages:
            return Check(check_id, status, "; ".join(messages))
    return Check(check_id, CheckStatus.SKIPPED, "; ".join(message for _, message in notes))


async def verify_hosted(
    assertion: Mapping[str, Any] | None,
    url: str | None,
    fetcher: DocumentFetcher,
    now: datetime,
) -> tuple[VerificationReport, dict[str, Any]]:
    """Verify a hosted assertion given as JSON, or by its URL (then ``assertion`` is None).

    Return the report and the assertion it judged: the hosted copy when it could be fetched.
    """
    run = _Verification(fetcher, now, CredentialFormat.OB2_HOSTED)
    run.note(CheckId.FORMAT, CheckStatus.PASSED, "an Open Badges 2.0 hosted assertion")
    submitted = dict(assertion) if assertion is not None else None
    if submitted is not None:
        run.assertion = submitted
        if _verification_type(submitted) in SIGNED_TYPES:
            run.note(
                CheckId.FORMAT,
                CheckStatus.FAILED,
                "the assertion declares signed verification but was given as JSON without its "
                "JWS; send the compact JWS",
            )
            return run.result()
    try:
        async with asyncio.timeout(MAX_SECONDS):
            await _fetch_hosted(run, submitted, url)
            await _check_linked_documents(run)
    except _StopVerificationError:
        return run.result()
    except TimeoutError:
        _note_timeout(run)
        return run.result()
    _check_hosted_origin(run)
    _check_dates(run)
    run.note(CheckId.STATUS, CheckStatus.PASSED, "not revoked: the issuer still hosts it")
    return run.result()


def _note_timeout(run: _Verification) -> None:
    message = (
        f"not finished: the documents it links to were not all fetched within {MAX_SECONDS:g} s; "
        "the issuer's servers are slow or unreachable, so try again later"
    )
    run.note(CheckId.PROOF, CheckStatus.FAILED, message)


async def _fetch_hosted(
    run: _Verification, submitted: dict[str, Any] | None, url: str | None
) -> None:
    hosted_url = url if submitted is None else submitted.get("id")
    if not isinstance(hosted_url, str) or not hosted_url.startswith(("https://", "http://")):
        run.note(
            CheckId.PROOF,
            CheckStatus.FAILED,
            f"the assertion id {hosted_url!r} is not an HTTP(S) URL, so it cannot be fetched",
        )
        raise _StopVerificationError
    try:
        document = await run.fetcher.fetch(hosted_url, accept=_JSON_ACCEPT)
        hosted = document.json()
    except FetchError as error:
        if error.code == "http-status" and error.status == 410:
            run.note(CheckId.PROOF, CheckStatus.SKIPPED, "not checked: the assertion is gone")
            run.note(
                CheckId.STATUS,
                CheckStatus.FAILED,
                f"revoked: the issuer's server returns 410 Gone for {hosted_url}",
            )
        else:
            run.note(
                CheckId.PROOF,
                CheckStatus.FAILED,
                f"the hosted assertion could not be fetched: {error}",
            )
        raise _StopVerificationError from error
    if not isinstance(hosted, dict):
        run.note(CheckId.PROOF, CheckStatus.FAILED, f"{hosted_url} returns no JSON object")
        raise _StopVerificationError
    run.assertion = hosted
    if submitted is not None and hosted != submitted:
        run.note(
            CheckId.PROOF,
            CheckStatus.FAILED,
            f"the assertion hosted at {hosted_url} differs from the one given",
        )
    elif hosted.get("id") != hosted_url and hosted.get("id") == document.final_url:
        run.note(
            CheckId.PROOF,
            CheckStatus.WARNING,
            f"hosted by the issuer at {document.final_url}, to which {hosted_url} redirects",
        )
    elif hosted.get("id") != hosted_url:
        run.note(
            CheckId.PROOF,
            CheckStatus.FAILED,
            f"the document at {hosted_url} gives its id as {hosted.get('id')!r}",
        )
    else:
        run.note(CheckId.PROOF, CheckStatus.PASSED, f"hosted by the issuer at {hosted_url}")
    if hosted.get("revoked") is True:
        reason = hosted.get("revocationReason")
        because = f": {reason}" if isinstance(reason, str) and reason else ""
        run.note(CheckId.STATUS, CheckStatus.FAILED, f"revoked by the issuer{because}")
    _check_assertion(run, hosted)


async def verify_signed(
    token: str, fetcher: DocumentFetcher, now: datetime
) -> tuple[VerificationReport, dict[str, Any]]:
    """Verify a signed assertion given as a compact JWS (RS256); return the report and payload."""
    run = _Verification(fetcher, now, CredentialFormat.OB2_SIGNED)
    run.note(CheckId.FORMAT, CheckStatus.PASSED, "an Open Badges 2.0 signed assertion (JWS)")
    payload = ob2_payload(token)
    if payload is None:
        run.note(CheckId.FORMAT, CheckStatus.FAILED, "the JWS payload is not an OB 2.0 Assertion")
        return run.result()
    run.assertion = payload
    _check_assertion(run, payload)
    if _verification_type(payload) not in SIGNED_TYPES:
        run.note(
            CheckId.PROOF,
            CheckStatus.FAILED,
            "the assertion is signed but its verification type is not 'signed'",
        )
    try:
        async with asyncio.timeout(MAX_SECONDS):
            await _check_linked_documents(run)
            key = await _fetch_signing_key(run, payload)
            _check_signature(run, token, key)
            await _check_revocation_list(run, payload)
    except _StopVerificationError:
        return run.result()
    except TimeoutError:
        _note_timeout(run)
        return run.result()
    _check_dates(run)
    return run.result()


def _check_assertion(run: _Verification, assertion: Mapping[str, Any]) -> None:
    _check_context(run, assertion, "Assertion", embedded=False, is_assertion=True)
    _check_type(run, assertion, ("Assertion",), "Assertion")
    missing = [
        name
        for name in ("id", "type", "recipient", "badge", "verification", "issuedOn")
        if name not in assertion
    ]
    recipient = assertion.get("recipient")
    if isinstance(recipient, Mapping):
        missing += [f"recipient.{name}" for name in ("type", "identity") if name not in recipient]
    elif "recipient" not in missing:
        missing.append("recipient (an IdentityObject)")
    if missing:
        run.note(CheckId.SCHEMA, CheckStatus.FAILED, "the Assertion lacks " + ", ".join(missing))
    image = assertion.get("image")
    image_url = image.get("id") if isinstance(image, Mapping) else image
    if isinstance(image_url, str) and image_url.startswith("data:"):
        run.note(
            CheckId.SCHEMA,
            CheckStatus.FAILED,
            "the Assertion's image is a data: URI; it must be the URL of the baked image",
        )


async def _check_linked_documents(run: _Verification) -> None:
    badge_url = run.assertion.get("badge")
    # NOTE: only the BadgeClass's id is compared with its URL. Issuer Profiles in the 1EdTech
    # samples that their validator accepts without a warning have ids that name other URLs, so
    # the same rule on the Profile would warn where the reference validator does not.
    run.badge = await run.fetch_json(badge_url, "BadgeClass", CheckId.SCHEMA, compare_id=True)
    _check_context(run, run.badge, "BadgeClass", embedded=isinstance(badge_url, Mapping))
    _check_type(run, run.badge, ("BadgeClass",), "BadgeClass")
    _check_required(
        run, run.badge, "BadgeClass", ("id", "name", "description", "image", "criteria", "issuer")
    )
    issuer_url = run.badge.get("issuer")
    run.issuer = await run.fetch_json(issuer_url, "issuer Profile", CheckId.SCHEMA)
    _check_context(run, run.issuer, "issuer Profile", embedded=isinstance(issuer_url, Mapping))
    _check_type(run, run.issuer, ISSUER_TYPES, "issuer Profile")
    _check_required(run, run.issuer, "issuer Profile", ("id", "name"))
    run.note(
        CheckId.SCHEMA, CheckStatus.PASSED, "the Assertion, BadgeClass and issuer are complete"
    )


def _check_context(
    run: _Verification,
    document: Mapping[str, Any],
    role: str,
    *,
    embedded: bool,
    is_assertion: bool = False,
) -> None:
    """Accept the OB 2.0 context URL; linked documents may also give their context inline."""
    inline_allowed = not is_assertion
    context = document.get("@context")
    listed = context if isinstance(context, list) else [context]
    if context is None and embedded:
        # A document embedded in the Assertion shares the Assertion's context.
        run.note(CheckId.CONTEXT, CheckStatus.PASSED, f"the {role} is embedded in the Assertion")
    elif any(isinstance(item, str) and item in OB2_CONTEXTS for item in listed):
        run.note(CheckId.CONTEXT, CheckStatus.PASSED, "the Open Badges 2.0 context")
    elif inline_allowed and isinstance(context, Mapping):
        run.note(CheckId.CONTEXT, CheckStatus.PASSED, f"the {role} gives its context inline")
    elif any(isinstance(item, str) and item in OB1_CONTEXTS for item in listed):
        run.note(
            CheckId.CONTEXT,
            CheckStatus.FAILED,
            f"the {role} uses the Open Badges 1.x context, which this hub does not verify",
        )
    else:
        run.note(
            CheckId.CONTEXT,
            CheckStatus.FAILED,
            f"the {role}'s @context {context!r} is not the Open Badges 2.0 context "
            "https://w3id.org/openbadges/v2",
        )


def _check_type(
    run: _Verification, document: Mapping[str, Any], expected: tuple[str, ...], role: str
) -> None:
    value = document.get("type")
    types = value if isinstance(value, list) else [value]
    if any(item in expected for item in types):
        run.note(CheckId.TYPE, CheckStatus.PASSED, "the expected types")
    else:
        run.note(
            CheckId.TYPE,
            CheckStatus.FAILED,
            f"the {role}'s type is {value!r}, expected {' or '.join(expected)}",
        )


def _check_required(
    run: _Verification, document: Mapping[str, Any], role: str, names: tuple[str, ...]
) -> None:
    missing = [name for name in names if document.get(name) in (None, "", [])]
    if missing:
        run.note(CheckId.SCHEMA, CheckStatus.FAILED, f"the {role} lacks " + ", ".join(missing))


def _check_hosted_origin(run: _Verification) -> None:
    assertion_id = str(run.assertion.get("id"))
    issuer_id = run.issuer.get("id")
    rules = run.issuer.get("verification")
    rules = rules if isinstance(rules, Mapping) else {}
    starts = _strings(rules.get("startsWith"))
    origins = _strings(rules.get("allowedOrigins"))
    host = urlsplit(assertion_id).hostname
    if starts and not any(assertion_id.startswith(prefix) for prefix in starts):
        message = f"the assertion id {assertion_id} starts with none of {', '.join(starts)}"
        run.note(CheckId.ISSUER_KEY, CheckStatus.FAILED, message)
    elif origins and host not in origins:
        message = f"the assertion's host {host} is not among {', '.join(origins)}"
        run.note(CheckId.ISSUER_KEY, CheckStatus.FAILED, message)
    elif starts or origins:
        message = "the assertion is hosted where the issuer's verification rules allow"
        run.note(CheckId.ISSUER_KEY, CheckStatus.PASSED, message)
    elif not isinstance(issuer_id, str) or not issuer_id.startswith(("https://", "http://")):
        message = (
            f"the issuer id {issuer_id} is not an HTTP(S) URL, so the assertion's host cannot "
            "be matched to the issuer"
        )
        run.note(CheckId.ISSUER_KEY, CheckStatus.WARNING, message)
    elif urlsplit(issuer_id).hostname != host:
        message = (
            f"the assertion's host {host} is not the issuer's host {urlsplit(issuer_id).hostname}"
        )
        run.note(CheckId.ISSUER_KEY, CheckStatus.FAILED, message)
    else:
        run.note(CheckId.ISSUER_KEY, CheckStatus.PASSED, f"hosted on the issuer's host {host}")


async def _fetch_signing_key(run: _Verification, assertion: Mapping[str, Any]) -> RSAKey:
    verification = assertion.get("verification")
    creator = verification.get("creator") if isinstance(verification, Mapping) else None
    if creator is None:
        creator = _first(_strings(run.issuer.get("publicKey")))
    key_document = await run.fetch_json(creator, "signing key", CheckId.ISSUER_KEY)
    pem = key_document.get("publicKeyPem")
    try:
        key = RSAKey.import_key(pem) if isinstance(pem, str) else None
    except (JoseError, ValueError) as error:
        run.note(
            CheckId.ISSUER_KEY, CheckStatus.FAILED, f"the key at {creator} is unusable: {error}"
        )
        raise _StopVerificationError from error
    if key is None:
        run.note(
            CheckId.ISSUER_KEY, CheckStatus.FAILED, f"the key at {creator} has no RSA publicKeyPem"
        )
        raise _StopVerificationError
    issuer_id = run.issuer.get("id")
    if key_document.get("owner") != issuer_id:
        owner = key_document.get("owner")
        message = f"the key at {creator} is owned by {owner}, not by the issuer {issuer_id}"
        run.note(CheckId.ISSUER_KEY, CheckStatus.FAILED, message)
    elif creator not in _strings(run.issuer.get("publicKey")):
        message = f"the issuer {issuer_id} does not list the key {creator} in its publicKey"
        run.note(CheckId.ISSUER_KEY, CheckStatus.FAILED, message)
    else:
        run.note(CheckId.ISSUER_KEY, CheckStatus.PASSED, f"the issuer's key {creator}")
    return key


def _check_signature(run: _Verification, token: str, key: RSAKey) -> None:
    try:
        jws.deserialize_compact(token, key, algorithms=["RS256"])
    except JoseError as error:
        run.note(CheckId.PROOF, CheckStatus.FAILED, f"the RS256 signature is invalid ({error})")
        return
    run.note(CheckId.PROOF, CheckStatus.PASSED, "a valid RS256 signature")


async def _check_revocation_list(run: _Verification, assertion: Mapping[str, Any]) -> None:
    list_url = run.issuer.get("revocationList")
    if list_url is None:
        run.note(CheckId.STATUS, CheckStatus.PASSED, "the issuer publishes no revocation list")
        return
    revocations = await run.fetch_json(list_url, "revocation list", CheckId.STATUS)
    assertion_ids = {assertion.get("id"), assertion.get("uid")} - {None}
    for entry in _as_list(revocations.get("revokedAssertions")):
        entry_id = entry.get("id") if isinstance(entry, Mapping) else entry
        if entry_id in assertion_ids:
            reason = entry.get("revocationReason") if isinstance(entry, Mapping) else None
            because = f": {reason}" if isinstance(reason, str) and reason else ""
            run.note(CheckId.STATUS, CheckStatus.FAILED, f"revoked in {list_url}{because}")
            return
    run.note(CheckId.STATUS, CheckStatus.PASSED, f"not listed in the revocation list {list_url}")


def _check_dates(run: _Verification) -> None:
    issued = _parse_date(run.assertion.get("issuedOn"))
    expires_value = run.assertion.get("expires")
    expires = _parse_date(expires_value) if expires_value is not None else None
    if issued is None:
        message = f"issuedOn {run.assertion.get('issuedOn')!r} is not an ISO 8601 date-time"
        run.note(CheckId.VALIDITY_WINDOW, CheckStatus.FAILED, message)
    elif expires_value is not None and expires is None:
        message = f"expires {expires_value!r} is not an ISO 8601 date-time"
        run.note(CheckId.VALIDITY_WINDOW, CheckStatus.FAILED, message)
    elif expires is not None and expires < issued:
        run.note(CheckId.VALIDITY_WINDOW, CheckStatus.FAILED, "expires is before issuedOn")
    elif issued > run.now:
        message = f"not valid yet: issuedOn is {run.assertion['issuedOn']}"
        run.note(CheckId.VALIDITY_WINDOW, CheckStatus.FAILED, message)
    elif expires is not None and expires <= run.now:
        run.note(
            CheckId.VALIDITY_WINDOW, CheckStatus.FAILED, f"expired: expires was {expires_value}"
        )
    else:
        until = f", until {expires_value}" if expires_value else ", with no end date"
        message = f"issued on {run.assertion['issuedOn']}{until}"
        run.note(CheckId.VALIDITY_WINDOW, CheckStatus.PASSED, message)


def _parse_date(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    # OB 2.0 allows a date-time without offset; it is read as UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _verification_type(assertion: Mapping[str, Any]) -> object:
    verification = assertion.get("verification")
    return verification.get("type") if isinstance(verification, Mapping) else None


def _strings(value: object) -> list[str]:
    return [item for item in _as_list(value) if isinstance(item, str)]


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


def _image_url(document: Mapping[str, Any]) -> str | None:
    image = document.get("image")
    return _string(image.get("id") if isinstance(image, Mapping) else image)


def _string(value: object) -> str | None:
    return value if isinstance(value, str) else None
