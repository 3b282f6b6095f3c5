"""Credential status with W3C Bitstring Status List v1.0 and the 1EdTech Revocation List.

Implements W3C Bitstring Status List v1.0 (Recommendation 2025-05): §2.1 BitstringStatusListEntry,
§2.2 BitstringStatusListCredential, §3.2 Validate Algorithm, §3.3 Bitstring Generation Algorithm
(GZIP, then multibase base64url without padding, prefix ``u``) and §3.4 Bitstring Expansion
Algorithm. Index 0 is the left-most (most significant) bit of the first byte, and a list has at
least 131,072 entries. Only one-bit statuses (``statusSize`` 1) with the purposes ``revocation``
and ``suspension`` are checked.

§2.2 allows a status list to have another issuer than the credential. This module requires the
same issuer, because nothing here could tell whether a different one is entitled to revoke.

Also reads the list of the 1EdTech Revocation List Status Method 1.0, which Open Badges 3.0 §9.1
"Verification" names: a JSON document ``{id, issuer, revokedCredentials: [{id, revoked?,
revocationReason?}]}`` referenced by a ``credentialStatus`` of type ``1EdTechRevocationList``.

Status lists come only from the :class:`StatusListResolver` given, and their proofs are checked
with the same :class:`~hub.credentials.keys.KeyResolver` as the credential. Nothing here fetches.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import time
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hub.credentials import dataintegrity
from hub.credentials.keys import KeyResolutionError, KeyResolver, to_cryptography_key

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
ENTRY_TYPE = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
LIST_TYPE = "BitstringStatusList"
REVOCATION_LIST_TYPE = "1EdTechRevocationList"
REVOCATION = "revocation"
SUSPENSION = "suspension"
PURPOSES = (REVOCATION, SUSPENSION)
MULTIBASE_BASE64URL = "u"
BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
# Bitstring Status List v1.0 §2.2 requires at least 16 KiB of bits, so one entry hides among many.
MIN_ENTRIES = 131_072
# A hostile list could be a small GZIP stream that expands to gigabytes. 16 MiB is 134 million
# entries, far beyond what an issuer publishes in one list.
MAX_BITSTRING_BYTES = 16 * 1024 * 1024


class StatusListError(ValueError):
    """An encoded list cannot be decoded, or an index lies outside the list."""


class StatusListRetrievalError(Exception):
    """A resolver owns the URL but cannot return its list (unknown list number, for example).

    The status check fails with this message: the credential points at a list its issuer does
    not publish.
    """


class StatusListUnavailableError(Exception):
    """A resolver owns the URL but cannot produce the list now; the status stays unchecked."""


class StatusListResolver(Protocol):
    async def fetch(self, url: str) -> Mapping[str, Any] | None:
        """Return the document at ``url``, or None when this resolver does not fetch it.

        The document is a BitstringStatusListCredential or a 1EdTech revocation list. Raise
        :class:`StatusListRetrievalError` when the URL belongs to this resolver but names nothing.
        """
        ...


class EntryState(StrEnum):
    """The outcome of one ``credentialStatus`` entry."""

    ACTIVE = "active"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    INVALID = "invalid"
    UNRESOLVED = "unresolved"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True)
class EntryOutcome:
    state: EntryState
    message: str


@dataclass(frozen=True)
class StatusOutcome:
    """The outcomes of every ``credentialStatus`` entry of one credential, in order."""

    entries: tuple[EntryOutcome, ...]


# Bitstrings ------------------------------------------------------------------------------------


def new_bitstring(entries: int = MIN_ENTRIES) -> bytes:
    if entries < MIN_ENTRIES or entries % 8:
        raise StatusListError(
            f"a status list needs a multiple of 8 entries, at least {MIN_ENTRIES}; got {entries}"
        )
    return bytes(entries // 8)


def encode_bitstring(bitstring: bytes) -> str:
    """Compress with GZIP and encode as multibase base64url without padding (§3.3)."""
    # mtime=0 makes the output depend on the bits alone. Level 6, zlib's default, reproduces the
    # encodedList of the §2.2 example byte for byte, while level 9 changes one header byte.
    compressed = gzip.compress(bitstring, compresslevel=6, mtime=0)
    return MULTIBASE_BASE64URL + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode_bitstring(encoded: str) -> bytes:
    """Decode a multibase base64url ``encodedList`` and expand it with GZIP (§3.4)."""
    if not encoded.startswith(MULTIBASE_BASE64URL):
        raise StatusListError(
            f"encodedList starts with {encoded[:1]!r}; it must be multibase base64url, prefix 'u'"
        )
    body = encoded[1:]
    if not BASE64URL.fullmatch(body):
        raise StatusListError("encodedList contains characters outside the base64url alphabet")
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError as error:
        raise StatusListError(f"encodedList is not valid base64url: {error}") from error
    return _gunzip(compressed)


def _gunzip(compressed: bytes) -> bytes:
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        bitstring = decompressor.decompress(compressed, MAX_BITSTRING_BYTES)
    except zlib.error as error:
        raise StatusListError(f"encodedList is not a valid GZIP stream: {error}") from error
    if decompressor.unconsumed_tail:
        raise StatusListError(
            f"encodedList expands to more than {MAX_BITSTRING_BYTES} bytes, which this hub does "
            "not read"
        )
    if not decompressor.eof:
        raise StatusListError("encodedList is a truncated GZIP stream")
    return bitstring


def read_bit(bitstring: bytes, index: int) -> bool:
    if not 0 <= index < len(bitstring) * 8:
        raise StatusListError(f"index {index} is outside the list of {len(bitstring) * 8} entries")
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def with_bit(bitstring: bytes, index: int, value: bool) -> bytes:
    """Return a copy of the bitstring with one entry set or cleared."""
    read_bit(bitstring, index)
    changed = bytearray(bitstring)
    mask = 0x80 >> (index % 8)
    changed[index // 8] = changed[index // 8] | mask if value else changed[index // 8] & ~mask
    return bytes(changed)


# Documents -------------------------------------------------------------------------------------


def status_entry(list_url: str, purpose: str, index: int) -> dict[str, Any]:
    """Build the BitstringStatusListEntry (§2.1) of one entry of a list."""
    return {
        "id": f"{list_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def build_list_credential(
    list_url: str,
    issuer: str,
    purpose: str,
    bitstring: bytes,
    valid_from: datetime,
    ttl_milliseconds: int | None = None,
) -> dict[str, Any]:
    """Build an unsigned BitstringStatusListCredential (§2.2) with the VC 2.0 context only.

    That context defines every term of the list, so no status context is needed.
    """
    subject: dict[str, Any] = {
        "id": f"{list_url}#list",
        "type": LIST_TYPE,
        "statusPurpose": purpose,
        "encodedList": encode_bitstring(bitstring),
    }
    if ttl_milliseconds is not None:
        subject["ttl"] = ttl_milliseconds
    return {
        "@context": [VC_V2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": dataintegrity.format_created(valid_from),
        "credentialSubject": subject,
    }


def build_revocation_list(
    list_url: str, issuer: str, revoked_credential_ids: Sequence[str]
) -> dict[str, Any]:
    """Build a 1EdTech Revocation List document, without reasons because they are internal."""
    return {
        "id": list_url,
        "issuer": issuer,
        "revokedCredentials": [{"id": credential_id} for credential_id in revoked_credential_ids],
    }


# Checking ----------------------------------------------------------------------------------------


async def check_credential_status(
    credential: Mapping[str, Any],
    key_resolver: KeyResolver,
    status_resolver: StatusListResolver | None,
    now: datetime,
) -> StatusOutcome:
    """Check every ``credentialStatus`` entry of a credential; return one outcome per entry."""
    listed = _as_list(credential.get("credentialStatus"))
    checker = _Checker(credential, key_resolver, status_resolver, now)
    return StatusOutcome(tuple([await checker.check(entry) for entry in listed]))


class _Checker:
    def __init__(
        self,
        credential: Mapping[str, Any],
        key_resolver: KeyResolver,
        status_resolver: StatusListResolver | None,
        now: datetime,
    ) -> None:
        self.credential_id = credential.get("id")
        self.issuer = _issuer_id(credential.get("issuer"))
        self.key_resolver = key_resolver
        self.status_resolver = status_resolver
        self.now = now

    async def check(self, entry: object) -> EntryOutcome:
        if not isinstance(entry, Mapping):
            return _invalid(f"credentialStatus entry {entry!r} is not a JSON object")
        entry_type = entry.get("type")
        if entry_type == ENTRY_TYPE:
            return await self._check_bitstring(entry)
        if entry_type == REVOCATION_LIST_TYPE:
            return await self._check_revocation_list(entry)
        message = f"credentialStatus type {entry_type!r} is not supported, so it was not checked"
        return EntryOutcome(EntryState.UNSUPPORTED, message)

    async def _check_bitstring(self, entry: Mapping[str, Any]) -> EntryOutcome:
        purpose, index, url, problem = _read_entry(entry)
        if problem:
            return _invalid(problem)
        if purpose not in PURPOSES:
            unsupported = f"statusPurpose {purpose!r} of {url} is not checked by this hub"
            return EntryOutcome(EntryState.UNSUPPORTED, unsupported)
        if entry.get("statusSize", 1) not in (1, "1"):
            unsupported = f"statusSize {entry.get('statusSize')!r} of {url} is not supported"
            return EntryOutcome(EntryState.UNSUPPORTED, unsupported)

        document = await self._fetch(url)
        if isinstance(document, EntryOutcome):
            return document
        problem = await self._list_problem(document, purpose, url)
        if problem:
            return _invalid(f"status list {url} cannot be trusted: {problem}")
        return _read_status(document, purpose, index, url)

    async def _check_revocation_list(self, entry: Mapping[str, Any]) -> EntryOutcome:
        url = entry.get("id")
        if not isinstance(url, str):
            return _invalid("the 1EdTechRevocationList entry has no id URL")
        document = await self._fetch(url)
        if isinstance(document, EntryOutcome):
            return document
        if _issuer_id(document.get("issuer")) != self.issuer:
            return _invalid(f"revocation list {url} is not published by the issuer {self.issuer}")
        for item in _as_list(document.get("revokedCredentials")):
            # An entry with "revoked": false records a reinstated credential.
            if _names_credential(item, self.credential_id) and item.get("revoked") is not False:
                return EntryOutcome(EntryState.REVOKED, _revoked_message(url, item))
        return EntryOutcome(EntryState.ACTIVE, f"not revoked according to {url}")

    async def _fetch(self, url: str) -> Mapping[str, Any] | EntryOutcome:
        """Return the document at ``url``, or the outcome that explains why there is none."""
        document = None
        if self.status_resolver is not None:
            try:
                document = await self.status_resolver.fetch(url)
            except StatusListRetrievalError as error:
                return _invalid(f"status list {url} is not available: {error}")
            except StatusListUnavailableError as error:
                message = f"status checking is not available for {url}: {error}"
                return EntryOutcome(EntryState.UNRESOLVED, message)
        if document is None:
            return EntryOutcome(
                EntryState.UNRESOLVED,
                f"status checking is not available yet for {url}: remote status lists are not "
                "fetched, so its revocation and suspension are unknown",
            )
        return document

    async def _list_problem(
        self, document: Mapping[str, Any], purpose: str, url: str
    ) -> str | None:
        """Check the list credential itself: type, purpose, issuer, validity and proof (§3.2)."""
        types = _as_list(document.get("type"))
        subject = document.get("credentialSubject")
        if LIST_CREDENTIAL_TYPE not in types or not isinstance(subject, Mapping):
            return f"it is not a {LIST_CREDENTIAL_TYPE}"
        if subject.get("type") != LIST_TYPE:
            return f"its credentialSubject type is {subject.get('type')!r}, not {LIST_TYPE}"
        if purpose not in _as_list(subject.get("statusPurpose")):
            return f"its statusPurpose is {subject.get('statusPurpose')!r}, not {purpose!r}"
        list_issuer = _issuer_id(document.get("issuer"))
        if list_issuer != self.issuer:
            return f"its issuer {list_issuer} is not the credential's issuer {self.issuer}"
        return _window_problem(document, self.now) or await self._proof_problem(document)

    async def _proof_problem(self, document: Mapping[str, Any]) -> str | None:
        """Require every proof to verify with a key of the issuer (§3.2 step 4)."""
        proofs = dataintegrity.proofs_of(document)
        if not proofs:
            return "it has no proof"
        cache_key = _verified_cache_key(document, proofs, self.key_resolver)
        if cache_key is not None and _was_verified(cache_key):
            return None
        for proof in proofs:
            inspection = dataintegrity.inspect_proof(proof)
            problems = inspection.problems if inspection.is_supported else inspection.warnings
            problem = "; ".join(problems) or await self._signature_problem(
                document, proof, inspection
            )
            if problem:
                return problem
        if cache_key is not None:
            _remember_verified(cache_key)
        return None

    async def _signature_problem(
        self,
        document: Mapping[str, Any],
        proof: Mapping[str, Any],
        inspection: dataintegrity.ProofInspection,
    ) -> str | None:
        method = inspection.verification_method or ""
        try:
            key = await self.key_resolver.resolve(method)
        except KeyResolutionError as error:
            return f"its signing key is not resolvable: {error}"
        if key is None:
            return f"its signing key {method} is not resolvable"
        if key.controller != self.issuer:
            return f"its signing key {method} is controlled by {key.controller}, not the issuer"
        public_key = to_cryptography_key(key.public_key)
        if not isinstance(public_key, Ed25519PublicKey):
            return f"its signing key {method} is not an Ed25519 key"
        result = dataintegrity.verify_proof(document, proof, public_key, self.now)
        return "; ".join(result.problems) or None


# Lists whose proofs verified lately, so a verifier does not canonicalise an unchanged list again
# for every credential that points at it. Keyed by the list's content and the key resolver;
# entries expire like the tenant key cache, so a revoked key stops counting within a minute.
VERIFIED_LIST_SECONDS = 60.0
MAX_VERIFIED_LISTS = 1024
_verified_lists: dict[tuple[str, int], float] = {}


def _verified_cache_key(
    document: Mapping[str, Any], proofs: Sequence[Any], key_resolver: KeyResolver
) -> tuple[str, int] | None:
    # A proof with an expiry date verifies differently over time, so it is not cached.
    if any(not isinstance(proof, Mapping) or "expires" in proof for proof in proofs):
        return None
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest(), id(key_resolver)


def _was_verified(cache_key: tuple[str, int]) -> bool:
    verified_at = _verified_lists.get(cache_key)
    return verified_at is not None and time.monotonic() - verified_at < VERIFIED_LIST_SECONDS


def _remember_verified(cache_key: tuple[str, int]) -> None:
    if len(_verified_lists) >= MAX_VERIFIED_LISTS:
        del _verified_lists[next(iter(_verified_lists))]
    _verified_lists[cache_key] = time.monotonic()


def _read_entry(entry: Mapping[str, Any]) -> tuple[str, int, str, str | None]:
    purpose = entry.get("statusPurpose")
    url = entry.get("statusListCredential")
    raw_index = entry.get("statusListIndex")
    if not isinstance(url, str):
        return "", 0, "", f"{ENTRY_TYPE} has no statusListCredential URL"
    if not isinstance(purpose, str):
        return "", 0, url, f"{ENTRY_TYPE} for {url} has no statusPurpose"
    # The specification requires a string; the 1EdTech validator's own sample uses a number.
    digits = str(raw_index) if isinstance(raw_index, int | str) else ""
    if not (digits.isascii() and digits.isdigit()):
        return purpose, 0, url, f"statusListIndex {raw_index!r} for {url} is not an integer"
    return purpose, int(digits), url, None


def _read_status(document: Mapping[str, Any], purpose: str, index: int, url: str) -> EntryOutcome:
    encoded = document["credentialSubject"].get("encodedList")
    if not isinstance(encoded, str):
        return _invalid(f"status list {url} has no encodedList")
    try:
        bitstring = decode_bitstring(encoded)
    except StatusListError as error:
        return _invalid(f"status list {url} cannot be read: {error}")
    if len(bitstring) * 8 < MIN_ENTRIES:
        return _invalid(
            f"status list {url} has {len(bitstring) * 8} entries, fewer than the {MIN_ENTRIES} "
            "the specification requires"
        )
    if index >= len(bitstring) * 8:
        return _invalid(f"statusListIndex {index} is outside status list {url}")

    published = document.get("validFrom")
    as_of = f" as of {published}" if isinstance(published, str) else ""
    if not read_bit(bitstring, index):
        return EntryOutcome(EntryState.ACTIVE, f"not {_past(purpose)}{as_of} ({url})")
    state = EntryState.REVOKED if purpose == REVOCATION else EntryState.SUSPENDED
    return EntryOutcome(state, f"{_past(purpose)}{as_of}: entry {index} of {url} is set")


def _past(purpose: str) -> str:
    return "revoked" if purpose == REVOCATION else "suspended"


def _names_credential(revoked: object, credential_id: object) -> bool:
    return isinstance(revoked, Mapping) and revoked.get("id") == credential_id


def _revoked_message(url: str, revoked: Mapping[str, Any]) -> str:
    reason = revoked.get("revocationReason")
    stated = f" (reason given by the issuer: {reason})" if isinstance(reason, str) else ""
    return f"revoked according to {url}{stated}"


def _window_problem(document: Mapping[str, Any], now: datetime) -> str | None:
    for field, is_late in (("validFrom", False), ("validUntil", True)):
        value = document.get(field)
        if value is None:
            continue
        moment = _parse_datetime(value)
        if moment is None:
            return f"its {field} {value!r} is not a date-time with a time zone"
        if (moment <= now) if is_late else (moment > now):
            return f"it is {'expired' if is_late else 'not valid yet'}: {field} is {value}"
    return None


def _parse_datetime(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo is not None else None


def _issuer_id(issuer: object) -> str | None:
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _invalid(message: str) -> EntryOutcome:
    return EntryOutcome(EntryState.INVALID, message)


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
