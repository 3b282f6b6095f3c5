"""Bitstring Status List encoding and the status check, against the specification and samples."""

from __future__ import annotations

import base64
import gzip
import json
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from hub.credentials import dataintegrity, multikey, statuslist
from hub.credentials.keys import ChainResolver, DidKeyResolver
from hub.credentials.statuslist import (
    EntryState,
    StatusListError,
    StatusListRetrievalError,
    StatusListUnavailableError,
    check_credential_status,
    decode_bitstring,
    encode_bitstring,
    read_bit,
    with_bit,
)
from tests.conftest import shared_vectors
from tests.unit.credentials.conftest import FragmentKeyResolver

NOW = datetime(2026, 6, 1, tzinfo=UTC)
# The encodedList of the BitstringStatusListCredential example in W3C Bitstring Status List v1.0
# §2.2: a list of 131,072 entries with none set.
SPEC_EMPTY_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
VALIDATOR_LISTS = "1EdTech__digital-credentials-public-validator/ob30/bit-string-list"
DCC_LISTS = "digitalcredentials__vc-test-fixtures/statusLists/didkey-ed25519Signature2020"
DCC_CREDENTIALS = "digitalcredentials__verifier-core/fixtures/v2"
LIST_URL = "https://hub.example/tenants/uni/status/revocation/1"


class DocumentResolver:
    """Serves fixed documents by URL, as a status list resolver without a network."""

    def __init__(self, documents: Mapping[str, Mapping[str, Any]]) -> None:
        self.documents = dict(documents)

    async def fetch(self, url: str) -> Mapping[str, Any] | None:
        return self.documents.get(url)


class RaisingResolver:
    def __init__(self, error: Exception) -> None:
        self.error = error

    async def fetch(self, url: str) -> Mapping[str, Any] | None:
        raise self.error


class ListIssuer:
    """A did:key issuer that publishes its own signed status lists."""

    def __init__(self) -> None:
        self.private_key = ed25519.Ed25519PrivateKey.generate()
        self.did = multikey.did_key_for(self.private_key.public_key())
        self.method = f"{self.did}#{self.did.removeprefix('did:key:')}"

    def status_list(
        self, purpose: str = "revocation", set_bits: tuple[int, ...] = (), **changes: Any
    ) -> dict[str, Any]:
        bitstring = statuslist.new_bitstring()
        for index in set_bits:
            bitstring = with_bit(bitstring, index, True)
        valid_from = NOW - timedelta(days=1)
        unsigned = statuslist.build_list_credential(
            LIST_URL, self.did, purpose, bitstring, valid_from, ttl_milliseconds=300_000
        )
        unsigned.update(changes)
        return dataintegrity.sign_eddsa_rdfc_2022(
            unsigned, self.private_key, self.method, NOW - timedelta(days=1)
        )

    def credential(self, *entries: dict[str, Any]) -> dict[str, Any]:
        """The parts of a credential that the status check reads."""
        return {
            "id": "https://hub.example/credentials/1",
            "issuer": {"id": self.did, "type": ["Profile"]},
            "credentialStatus": list(entries),
        }


@pytest.fixture
def issuer() -> ListIssuer:
    return ListIssuer()


def read_json(relative: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((shared_vectors() / relative).read_text("utf-8"))
    return data


def set_indexes(bitstring: bytes) -> list[int]:
    return [index for index in range(len(bitstring) * 8) if read_bit(bitstring, index)]


async def check(
    credential: Mapping[str, Any], documents: Mapping[str, Mapping[str, Any]]
) -> statuslist.StatusOutcome:
    resolver = ChainResolver([DidKeyResolver(), FragmentKeyResolver()])
    return await check_credential_status(credential, resolver, DocumentResolver(documents), NOW)


# Encoding --------------------------------------------------------------------------------------


def test_empty_list_encodes_like_specification_example() -> None:
    assert encode_bitstring(bytes(16384)) == SPEC_EMPTY_LIST


def test_specification_example_decodes_to_empty_list() -> None:
    bitstring = decode_bitstring(SPEC_EMPTY_LIST)

    assert len(bitstring) * 8 == statuslist.MIN_ENTRIES
    assert not any(bitstring)


def test_entry_zero_is_leftmost_bit() -> None:
    empty = statuslist.new_bitstring()

    assert with_bit(empty, 0, True)[0] == 0x80
    assert with_bit(empty, 7, True)[0] == 0x01
    assert with_bit(empty, 8, True)[1] == 0x80
    assert with_bit(empty, statuslist.MIN_ENTRIES - 1, True)[-1] == 0x01


def test_random_bits_round_trip() -> None:
    bitstring = secrets.token_bytes(16384)

    assert decode_bitstring(encode_bitstring(bitstring)) == bitstring


def test_clearing_bit_restores_list() -> None:
    empty = statuslist.new_bitstring()

    assert with_bit(with_bit(empty, 4242, True), 4242, False) == empty


def test_encoded_list_has_no_padding() -> None:
    encoded = encode_bitstring(with_bit(statuslist.new_bitstring(), 5, True))

    assert encoded.startswith("u")
    assert "=" not in encoded


@pytest.mark.vectors
def test_validator_testlist_sets_only_entry_23() -> None:
    document = read_json(f"{VALIDATOR_LISTS}/testlist")

    bitstring = decode_bitstring(document["credentialSubject"]["encodedList"])

    assert len(bitstring) * 8 == 131_072
    assert set_indexes(bitstring) == [23]


@pytest.mark.vectors
def test_dcc_list_matches_fixture_verdicts() -> None:
    document = read_json(f"{DCC_LISTS}/e5WK8CbZ1GjycuPombrj.json")
    revoked = read_json(f"{DCC_CREDENTIALS}/v2Revoked.json")["credentialStatus"]
    valid = read_json(f"{DCC_CREDENTIALS}/v2WithValidStatus.json")["credentialStatus"]

    bitstring = decode_bitstring(document["credentialSubject"]["encodedList"])

    assert len(bitstring) * 8 == 100_000
    assert read_bit(bitstring, int(revoked["statusListIndex"])) is True
    assert read_bit(bitstring, int(valid["statusListIndex"])) is False


@pytest.mark.vectors
def test_tampered_dcc_list_is_rejected() -> None:
    document = read_json(f"{DCC_LISTS}/tampered.json")

    with pytest.raises(StatusListError, match="not valid base64url"):
        decode_bitstring(document["credentialSubject"]["encodedList"])


@pytest.mark.parametrize(
    ("encoded", "problem"),
    [
        ("zH4sIAAAAAAAA", "prefix 'u'"),
        ("uH4sI+AAAAAAA", "outside the base64url alphabet"),
        ("u" + base64.urlsafe_b64encode(b"not gzip").decode().rstrip("="), "not a valid GZIP"),
        (
            "u" + base64.urlsafe_b64encode(gzip.compress(bytes(64))[:-12]).decode().rstrip("="),
            "truncated",
        ),
    ],
)
def test_malformed_encoded_list_is_rejected(encoded: str, problem: str) -> None:
    with pytest.raises(StatusListError, match=problem):
        decode_bitstring(encoded)


def test_oversized_list_is_rejected() -> None:
    bomb = gzip.compress(bytes(statuslist.MAX_BITSTRING_BYTES + 1))
    encoded = "u" + base64.urlsafe_b64encode(bomb).decode().rstrip("=")

    with pytest.raises(StatusListError, match="expands to more than"):
        decode_bitstring(encoded)


def test_list_shorter_than_minimum_cannot_be_created() -> None:
    with pytest.raises(StatusListError, match="at least 131072"):
        statuslist.new_bitstring(1024)


# Documents -------------------------------------------------------------------------------------


def test_entry_shape() -> None:
    entry = statuslist.status_entry(LIST_URL, "suspension", 94567)

    assert entry == {
        "id": f"{LIST_URL}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "suspension",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }


def test_list_credential_shape(issuer: ListIssuer) -> None:
    document = statuslist.build_list_credential(
        LIST_URL, issuer.did, "revocation", statuslist.new_bitstring(), NOW, ttl_milliseconds=1000
    )

    assert document["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["validFrom"] == "2026-06-01T00:00:00Z"
    assert document["credentialSubject"] == {
        "id": f"{LIST_URL}#list",
        "type": "BitstringStatusList",
        "statusPurpose": "revocation",
        "encodedList": SPEC_EMPTY_LIST,
        "ttl": 1000,
    }


def test_revocation_list_keeps_reasons_out() -> None:
    document = statuslist.build_revocation_list(
        "https://hub.example/rl", "did:example:1", ["https://hub.example/credentials/1"]
    )

    assert document == {
        "id": "https://hub.example/rl",
        "issuer": "did:example:1",
        "revokedCredentials": [{"id": "https://hub.example/credentials/1"}],
    }


# Checking a credential ------------------------------------------------------------------------


async def test_entry_not_set_is_active(issuer: ListIssuer) -> None:
    credential = issuer.credential(statuslist.status_entry(LIST_URL, "revocation", 94567))

    outcome = await check(credential, {LIST_URL: issuer.status_list(set_bits=(3,))})

    assert [entry.state for entry in outcome.entries] == [EntryState.ACTIVE]
    assert "not revoked as of 2026-05-31T00:00:00Z" in outcome.entries[0].message


async def test_set_revocation_entry_is_revoked(issuer: ListIssuer) -> None:
    credential = issuer.credential(statuslist.status_entry(LIST_URL, "revocation", 94567))

    outcome = await check(credential, {LIST_URL: issuer.status_list(set_bits=(94567,))})

    assert [entry.state for entry in outcome.entries] == [EntryState.REVOKED]
    assert outcome.entries[0].message.startswith("revoked as of 2026-05-31T00:00:00Z")


async def test_set_suspension_entry_is_suspended(issuer: ListIssuer) -> None:
    credential = issuer.credential(statuslist.status_entry(LIST_URL, "suspension", 12))
    status_list = issuer.status_list("suspension", set_bits=(12,))

    outcome = await check(credential, {LIST_URL: status_list})

    assert [entry.state for entry in outcome.entries] == [EntryState.SUSPENDED]


async def test_each_entry_gets_its_outcome(issuer: ListIssuer) -> None:
    other = LIST_URL.replace("revocation", "suspension")
    credential = issuer.credential(
        statuslist.status_entry(LIST_URL, "revocation", 1),
        statuslist.status_entry(other, "suspension", 2),
    )
    documents = {
        LIST_URL: issuer.status_list(),
        other: issuer.status_list("suspension", set_bits=(2,)),
    }

    outcome = await check(credential, documents)

    assert [entry.state for entry in outcome.entries] == [EntryState.ACTIVE, EntryState.SUSPENDED]


async def test_changed_list_fails_its_proof(issuer: ListIssuer) -> None:
    credential = issuer.credential(statuslist.status_entry(LIST_URL, "revocation", 7))
    status_list = issuer.status_list(set_bits=(7,))
    status_list["credentialSubject"]["encodedList"] = SPEC_EMPTY_LIST

    outcome = await check(credential, {LIST_URL: status_list})

    assert outcome.entries[0].state is EntryState.INVALID
    assert "signature does not match" in outcome.entries[0].message


async def test_list_changed_after_check_fails(issuer: ListIssuer) -> None:
    credential = issuer.credential(statuslist.status_entry(LIST_URL, "revocation", 7))
    status_list = issuer.status_list()
    key_resolver = DidKeyResolver()
    documents = DocumentResolver({LIST_URL: status_list})
    first = await check_credential_status(credential, key_resolver, documents, NOW)
    status_list["credentialSubject"]["encodedList"] = encode_bitstring(
        with_bit(statuslist.new_bitstring(), 7, True)
    )

    second = await check_credential_status(credential, key_resolver, documents, NOW)

    assert first.entries[0].state is EntryState.ACTIVE
    assert second.entries[0].state is EntryState.INVALID


async def test_unsigned_list_is_invalid(issuer: ListIssuer) -> None:
    credential = issuer.credential(statuslist.status_entry(LIST_URL, "revocation", 7))
    unsigned = {key: value for key, value in issuer.status_list().items() if key != "proof"}

    outcome = await check(credential, {LIST_URL: unsigned})

    assert outcome.entries[0].state is EntryState.INVALID
    assert "it has no proof" in outcome.entries[0].message


async def test_list_of_other_issuer_is_invalid(issuer: ListIssuer) -> None:
    credential = issuer.credential(statuslist.status_entry(LIST_URL, "revocation", 7))

    outcome = await check(credential, {LIST_URL: ListIssuer().status_list()})

    assert outcome.entries[0].state is EntryState.INVALID
    assert "is not the credential's issuer" in outcome.entries[0].message


async def test_purpose_mismatch_is_invalid(issuer: ListIssuer) -> None:
    credential = issuer.credential(statuslist.status_entry(LIST_URL, "suspension", 7))

    outcome = await check(credential, {LIST_URL: issuer.status_list("revocation")})

    assert outcome.entries[0].state is EntryState.INVALID
    assert "statusPurpose is 'revocation', not 'suspension'" in outcome.entries[0].message


async def test_index_outside_list_is_invalid(issuer: ListIssuer) -> None:
    entry = statuslist.status_entry(LIST_URL, "revocation", statuslist.MIN_ENTRIES)

    outcome = await check(issuer.credential(entry), {LIST_URL: issuer.status_list()})

    assert outcome.entries[0].state is EntryState.INVALID
    assert "outside status list" in outcome.entries[0].message


async def test_expired_list_is_invalid(issuer: ListIssuer) -> None:
    credential = issuer.credential(statuslist.status_entry(LIST_URL, "revocation", 7))
    expired = issuer.status_list(validUntil="2026-05-31T12:00:00Z")

    outcome = await check(credential, {LIST_URL: expired})

    assert outcome.entries[0].state is EntryState.INVALID
    assert "expired" in outcome.entries[0].message


@pytest.mark.parametrize("index", ["abc", "-1", "²", "1.5", None, True])
async def test_malformed_index_is_invalid(issuer: ListIssuer, index: Any) -> None:
    entry = statuslist.status_entry(LIST_URL, "revocation", 0)
    entry["statusListIndex"] = index

    outcome = await check(issuer.credential(entry), {LIST_URL: issuer.status_list()})

    assert outcome.entries[0].state is EntryState.INVALID
    assert "is not an integer" in outcome.entries[0].message


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"statusPurpose": "message", "statusSize": 2}, "statusPurpose 'message'"),
        ({"statusSize": 2}, "statusSize 2"),
        ({"type": "StatusList2021Entry"}, "type 'StatusList2021Entry' is not supported"),
    ],
)
async def test_unsupported_entry_is_not_checked(
    issuer: ListIssuer, changes: dict[str, Any], fragment: str
) -> None:
    entry = {**statuslist.status_entry(LIST_URL, "revocation", 0), **changes}

    outcome = await check(issuer.credential(entry), {LIST_URL: issuer.status_list()})

    assert outcome.entries[0].state is EntryState.UNSUPPORTED
    assert fragment in outcome.entries[0].message


async def test_list_without_resolver_is_unresolved(issuer: ListIssuer) -> None:
    credential = issuer.credential(statuslist.status_entry(LIST_URL, "revocation", 7))

    outcome = await check_credential_status(credential, DidKeyResolver(), None, NOW)

    assert outcome.entries[0].state is EntryState.UNRESOLVED
    assert "status checking is not available yet" in outcome.entries[0].message
    assert "remote status lists are not fetched" in outcome.entries[0].message


@pytest.mark.parametrize(
    ("error", "state"),
    [
        (StatusListRetrievalError("no such list"), EntryState.INVALID),
        (StatusListUnavailableError("not signed yet"), EntryState.UNRESOLVED),
    ],
)
async def test_resolver_errors_become_outcomes(
    issuer: ListIssuer, error: Exception, state: EntryState
) -> None:
    credential = issuer.credential(statuslist.status_entry(LIST_URL, "revocation", 7))

    outcome = await check_credential_status(
        credential, DidKeyResolver(), RaisingResolver(error), NOW
    )

    assert outcome.entries[0].state is state
    assert str(error) in outcome.entries[0].message


# Third-party samples ---------------------------------------------------------------------------


@pytest.mark.vectors
async def test_validator_revoked_sample_is_revoked() -> None:
    credential = read_json(f"{VALIDATOR_LISTS}/credential-status-revoked.json")
    url = credential["credentialStatus"]["statusListCredential"]

    outcome = await check(credential, {url: read_json(f"{VALIDATOR_LISTS}/testlist")})

    assert [entry.state for entry in outcome.entries] == [EntryState.REVOKED]
    assert "entry 23" in outcome.entries[0].message


@pytest.mark.vectors
async def test_validator_testlist_with_bit_cleared_fails_proof() -> None:
    credential = read_json(f"{VALIDATOR_LISTS}/credential-status-revoked.json")
    url = credential["credentialStatus"]["statusListCredential"]
    testlist = read_json(f"{VALIDATOR_LISTS}/testlist")
    testlist["credentialSubject"]["encodedList"] = SPEC_EMPTY_LIST

    outcome = await check(credential, {url: testlist})

    assert outcome.entries[0].state is EntryState.INVALID


@pytest.mark.vectors
async def test_dcc_list_below_minimum_length_is_invalid() -> None:
    credential = read_json(f"{DCC_CREDENTIALS}/v2Revoked.json")
    url = credential["credentialStatus"]["statusListCredential"]

    outcome = await check(credential, {url: read_json(f"{DCC_LISTS}/e5WK8CbZ1GjycuPombrj.json")})

    assert outcome.entries[0].state is EntryState.INVALID
    assert "has 100000 entries, fewer than the 131072" in outcome.entries[0].message


@pytest.mark.vectors
@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("expired.json", "it is expired"),
        ("notYetValid.json", "it is not valid yet"),
        ("missingBitStringType.json", "it is not a BitstringStatusListCredential"),
    ],
)
async def test_dcc_broken_lists_are_invalid(name: str, problem: str) -> None:
    credential = read_json(f"{DCC_CREDENTIALS}/v2Revoked.json")
    url = credential["credentialStatus"]["statusListCredential"]

    outcome = await check(credential, {url: read_json(f"{DCC_LISTS}/{name}")})

    assert outcome.entries[0].state is EntryState.INVALID
    assert problem in outcome.entries[0].message


# 1EdTech Revocation List -------------------------------------------------------------------------


def revocation_list_entry(url: str) -> dict[str, str]:
    return {"id": url, "type": "1EdTechRevocationList"}


@pytest.mark.parametrize(
    ("listed", "state"),
    [
        ([{"id": "https://hub.example/credentials/1"}], EntryState.REVOKED),
        ([{"id": "https://hub.example/credentials/1", "revoked": False}], EntryState.ACTIVE),
        ([{"id": "https://hub.example/credentials/2"}], EntryState.ACTIVE),
        ([], EntryState.ACTIVE),
    ],
)
async def test_revocation_list_entries(
    issuer: ListIssuer, listed: list[dict[str, Any]], state: EntryState
) -> None:
    url = "https://hub.example/tenants/uni/revocation-list"
    document = {"id": url, "issuer": issuer.did, "revokedCredentials": listed}

    outcome = await check(issuer.credential(revocation_list_entry(url)), {url: document})

    assert [entry.state for entry in outcome.entries] == [state]


async def test_revocation_list_shows_published_reason(issuer: ListIssuer) -> None:
    url = "https://hub.example/tenants/uni/revocation-list"
    listed = [{"id": "https://hub.example/credentials/1", "revocationReason": "Issued in error"}]
    document = {"id": url, "issuer": issuer.did, "revokedCredentials": listed}

    outcome = await check(issuer.credential(revocation_list_entry(url)), {url: document})

    assert "reason given by the issuer: Issued in error" in outcome.entries[0].message


async def test_revocation_list_of_other_issuer_is_invalid(issuer: ListIssuer) -> None:
    url = "https://hub.example/tenants/uni/revocation-list"
    document = {"id": url, "issuer": "did:example:someone-else", "revokedCredentials": []}

    outcome = await check(issuer.credential(revocation_list_entry(url)), {url: document})

    assert outcome.entries[0].state is EntryState.INVALID
