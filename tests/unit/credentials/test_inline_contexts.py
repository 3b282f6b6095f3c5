"""Inline JSON-LD contexts: the verifier fails the context check, and the signer rejects them."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from hub.credentials import dataintegrity, jsonld, multikey
from hub.credentials.keys import DidKeyResolver
from hub.credentials.report import CheckId, CheckStatus, VerificationReport
from hub.credentials.verifier import check_context, verify_credential
from tests.unit.credentials.conftest import OB_IMPL_GUIDE, read_vector_json

NOW = datetime(2026, 1, 1, tzinfo=UTC)
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
SHARED_VECTORS = Path(__file__).resolve().parents[3].parent / "shared" / "vectors"
DCC_INLINE_SAMPLE = (
    "digitalcredentials__vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof/didKey/"
    "twoOIDF-revoked-notExpired-badSchema.json"
)


@pytest.fixture(scope="module")
def private_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


def signed_credential(private_key: ed25519.Ed25519PrivateKey) -> dict[str, Any]:
    did = multikey.did_key_for(private_key.public_key())
    credential: dict[str, Any] = read_vector_json(f"{OB_IMPL_GUIDE}/unsigned.json")
    credential["issuer"]["id"] = did
    method = f"{did}#{did.removeprefix('did:key:')}"
    return dataintegrity.sign_eddsa_rdfc_2022(
        credential, private_key, method, NOW - timedelta(days=1)
    )


def check_of(report: VerificationReport, check_id: CheckId) -> tuple[CheckStatus, str]:
    check = report.check(check_id)
    assert check is not None
    return check.status, check.message


async def test_null_term_cannot_smuggle_unsigned_property(
    private_key: ed25519.Ed25519PrivateKey,
) -> None:
    forged = signed_credential(private_key)
    forged["@context"] = [*forged["@context"], {"recipientDisplayName": None}]
    forged["credentialSubject"]["recipientDisplayName"] = "Mallory"

    report = await verify_credential(forged, DidKeyResolver(), NOW)

    status, message = check_of(report, CheckId.CONTEXT)
    assert report.valid is False
    assert status is CheckStatus.FAILED
    assert "/@context/2 (an inline context that defines recipientDisplayName)" in message
    # The signature still matches: the context check is what stops this forgery.
    assert check_of(report, CheckId.PROOF)[0] is CheckStatus.PASSED


@pytest.mark.parametrize(
    ("inline", "named"),
    [
        ({"@vocab": "https://evil.example/"}, "sets @vocab"),
        ({"@base": "https://evil.example/"}, "sets @base"),
        ({"@version": 1.1, "@propagate": False}, "sets @version, @propagate"),
        ({"@import": VC_V2}, "sets @import"),
        ({"@protected": True, "name": "https://evil.example/name"}, "defines name"),
        (None, "null, which clears the contexts before it"),
        (42, "the int 42"),
    ],
)
async def test_inline_context_entry_fails(
    private_key: ed25519.Ed25519PrivateKey, inline: Any, named: str
) -> None:
    credential = signed_credential(private_key)
    credential["@context"] = [*credential["@context"], inline]

    report = await verify_credential(credential, DidKeyResolver(), NOW)

    status, message = check_of(report, CheckId.CONTEXT)
    assert status is CheckStatus.FAILED
    assert named in message
    assert "inline JSON-LD contexts are not accepted" in message


async def test_nested_inline_context_fails(private_key: ed25519.Ed25519PrivateKey) -> None:
    credential = signed_credential(private_key)
    credential["credentialSubject"]["@context"] = {"nickname": "https://evil.example/nickname"}
    credential["credentialSubject"]["nickname"] = "Mallory"

    report = await verify_credential(credential, DidKeyResolver(), NOW)

    status, message = check_of(report, CheckId.CONTEXT)
    assert status is CheckStatus.FAILED
    assert "/credentialSubject/@context (an inline context that defines nickname)" in message


def test_nested_bundled_context_urls_pass() -> None:
    # Endorsements embedded in an OB 3.0 credential repeat the credential's context URLs.
    credential = {
        "@context": [VC_V2, OB_V3],
        "endorsement": [{"@context": [VC_V2, OB_V3], "type": ["EndorsementCredential"]}],
        "proof": [{"@context": VC_V2}],
    }

    check = check_context(credential)

    assert check.status is CheckStatus.PASSED


def test_inline_contexts_listed_in_document_order() -> None:
    document = {
        "@context": [VC_V2, {"a": "https://x.example/a"}],
        "b/c": {"@context": {"@base": "https://x.example/"}},
        "list": [{"@context": [None]}],
    }

    found = jsonld.find_inline_contexts(document)

    assert found == [
        "/@context/1 (an inline context that defines a)",
        "/b~1c/@context (an inline context that sets @base)",
        "/list/0/@context/0 (null, which clears the contexts before it)",
    ]


def test_signer_rejects_inline_context(private_key: ed25519.Ed25519PrivateKey) -> None:
    credential: dict[str, Any] = read_vector_json(f"{OB_IMPL_GUIDE}/unsigned.json")
    credential["@context"] = [*credential["@context"], {"@vocab": "https://evil.example/"}]

    with pytest.raises(dataintegrity.InlineContextError) as raised:
        dataintegrity.sign_eddsa_rdfc_2022(credential, private_key, "did:example:1#k", NOW)

    assert "/@context/2 (an inline context that sets @vocab)" in str(raised.value)


def test_signer_leaves_document_unchanged(private_key: ed25519.Ed25519PrivateKey) -> None:
    credential: dict[str, Any] = read_vector_json(f"{OB_IMPL_GUIDE}/unsigned.json")
    credential["credentialSubject"]["@context"] = {"nickname": "https://evil.example/n"}
    before = copy.deepcopy(credential)

    with pytest.raises(dataintegrity.InlineContextError):
        dataintegrity.sign_eddsa_rdfc_2022(credential, private_key, "did:example:1#k", NOW)

    assert credential == before


def test_import_leaves_bundled_context_unchanged() -> None:
    # pyld 3.3 merges an importing context into its cached copy of the imported one, so without
    # the check "nickname" would become a term of the VC 2.0 context for every later document.
    vc_context = jsonld.bundled_contexts()[VC_V2].document
    before = copy.deepcopy(vc_context)
    document = {
        "@context": [VC_V2, OB_V3, {"@import": VC_V2, "nickname": "@id"}],
        "type": "VerifiableCredential",
        "nickname": "https://evil.example/",
    }

    for process in (
        jsonld.canonicalize,
        jsonld.find_undefined_terms,
        jsonld.canonicalize_with_pyld,
    ):
        with pytest.raises(jsonld.ContextImportError):
            process(document)

    assert vc_context == before


async def test_import_fails_json_ld_checks(private_key: ed25519.Ed25519PrivateKey) -> None:
    credential = signed_credential(private_key)
    credential["@context"] = [*credential["@context"], {"@import": VC_V2}]

    report = await verify_credential(credential, DidKeyResolver(), NOW)

    status, message = check_of(report, CheckId.UNDEFINED_TERMS)
    assert status is CheckStatus.FAILED
    assert "@import, which is not supported" in message
    assert check_of(report, CheckId.PROOF)[0] is CheckStatus.FAILED


@pytest.mark.vectors
async def test_dcc_sample_with_inline_context_fails_context() -> None:
    path = SHARED_VECTORS / DCC_INLINE_SAMPLE
    if not path.is_file():
        pytest.skip(f"third-party vectors not found at {SHARED_VECTORS}; they ship with CI")

    report = await verify_credential(path.read_bytes(), DidKeyResolver(), NOW)

    status, message = check_of(report, CheckId.CONTEXT)
    assert status is CheckStatus.FAILED
    assert "/@context/2 (an inline context that defines issuanceDate)" in message
    assert check_of(report, CheckId.PROOF)[0] is CheckStatus.PASSED
