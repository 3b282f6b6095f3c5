"""The Digital Bazaar verifier harness, checked on third-party credentials only.

These tests show that the harness accepts credentials as their authors signed them, rejects
tampered ones and names every document it could not load. A hub credential that passes it has
therefore passed the Digital Bazaar checks rather than a lenient harness.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from .jsverifier import JsVerifierError, verify_with_digitalbazaar

pytestmark = pytest.mark.interop

VECTORS = Path(__file__).parents[1] / "fixtures" / "vectors"
EDDSA_VECTORS = VECTORS / "w3c__vc-di-eddsa" / "TestVectors"
DCC_FIXTURES = VECTORS / "digitalcredentials__vc-test-fixtures"
DCC_CREDENTIALS = DCC_FIXTURES / "verifiableCredentials" / "v2" / "dataIntegrityProof" / "didweb"

INVALID_SIGNATURE = "Invalid signature."
ISSUER_MISMATCH = "Credential issuer must match the verification method controller."


def load_json(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


@pytest.fixture
def w3c_credential() -> dict[str, Any]:
    """The W3C eddsa-rdfc-2022 vector; its issuer is a URL, not the did:key that signed it."""
    return load_json(EDDSA_VECTORS / "eddsa-rdfc-2022" / "signedDataInt.json")


def did_key_document(did: str, public_key_multibase: str) -> dict[str, Any]:
    """Build a DID document for ``did`` whose only key is ``public_key_multibase``."""
    method_id = f"{did}#{did.removeprefix('did:key:')}"
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": method_id,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": public_key_multibase,
            }
        ],
        "assertionMethod": [method_id],
    }


def signer_did(credential: dict[str, Any]) -> str:
    method_id: str = credential["proof"]["verificationMethod"]
    return method_id.split("#", 1)[0]


def test_w3c_vector_verifies_with_did_key(w3c_credential: dict[str, Any]) -> None:
    result = verify_with_digitalbazaar(w3c_credential, {}, check_issuer=False)

    assert result.errors == ()
    assert result.verified is True


def test_w3c_vector_verifies_with_did_document(w3c_credential: dict[str, Any]) -> None:
    did = signer_did(w3c_credential)
    key = load_json(EDDSA_VECTORS / "keyPair.json")["publicKeyMultibase"]
    documents = {did: did_key_document(did, key)}

    result = verify_with_digitalbazaar(w3c_credential, documents, check_issuer=False)

    assert result.errors == ()
    assert result.verified is True


def test_w3c_vector_wrong_key_fails(w3c_credential: dict[str, Any]) -> None:
    # A document in the request wins over did:key resolution, so another W3C test key under the
    # same method id must break the signature.
    did = signer_did(w3c_credential)
    other_key = load_json(EDDSA_VECTORS / "proof-set-chain" / "multiKeyPairs.json")["keyPair1"]
    documents = {did: did_key_document(did, other_key["publicKeyMultibase"])}

    result = verify_with_digitalbazaar(w3c_credential, documents, check_issuer=False)

    assert result.verified is False
    assert INVALID_SIGNATURE in result.errors


def test_w3c_vector_changed_character_fails(w3c_credential: dict[str, Any]) -> None:
    tampered = copy.deepcopy(w3c_credential)
    assert tampered["credentialSubject"]["alumniOf"] == "The School of Examples"
    tampered["credentialSubject"]["alumniOf"] = "The School of Examplez"

    result = verify_with_digitalbazaar(tampered, {}, check_issuer=False)

    assert result.verified is False
    assert INVALID_SIGNATURE in result.errors


def test_w3c_vector_issuer_not_controller_fails(w3c_credential: dict[str, Any]) -> None:
    result = verify_with_digitalbazaar(w3c_credential, {})

    assert result.verified is False
    assert ISSUER_MISMATCH in result.errors


def test_unknown_context_fails_naming_it(w3c_credential: dict[str, Any]) -> None:
    unknown = "https://contexts.example/not-bundled/v1"
    credential = copy.deepcopy(w3c_credential)
    credential["@context"].append(unknown)

    result = verify_with_digitalbazaar(credential, {}, check_issuer=False)

    assert result.verified is False
    assert any(unknown in error for error in result.errors), result.errors


def test_did_web_open_badge_verifies() -> None:
    credential = load_json(DCC_CREDENTIALS / "oidf-noStatus-notExpired.json")
    did_document = load_json(DCC_FIXTURES / "dids" / "oidf" / "did.json")

    result = verify_with_digitalbazaar(credential, {did_document["id"]: did_document})

    assert result.errors == ()
    assert result.verified is True


def test_missing_did_document_fails_naming_it() -> None:
    credential = load_json(DCC_CREDENTIALS / "oidf-noStatus-notExpired.json")
    method_id = credential["proof"]["verificationMethod"]

    result = verify_with_digitalbazaar(credential, {})

    assert result.verified is False
    assert any(method_id in error for error in result.errors), result.errors


def test_missing_status_list_fails_naming_it() -> None:
    credential = load_json(DCC_CREDENTIALS / "legacy-revokedStatus-noExpiry.json")
    did_document = load_json(DCC_FIXTURES / "dids" / "legacy" / "did.json")
    status_list_url = credential["credentialStatus"]["statusListCredential"]

    result = verify_with_digitalbazaar(credential, {did_document["id"]: did_document})

    assert result.verified is False
    assert any(status_list_url in error for error in result.errors), result.errors


def test_status_check_skipped_verifies() -> None:
    credential = load_json(DCC_CREDENTIALS / "legacy-revokedStatus-noExpiry.json")
    did_document = load_json(DCC_FIXTURES / "dids" / "legacy" / "did.json")

    result = verify_with_digitalbazaar(
        credential, {did_document["id"]: did_document}, check_status=False
    )

    assert result.errors == ()
    assert result.verified is True


def test_non_object_credential_raises() -> None:
    with pytest.raises(JsVerifierError, match='"credential" object'):
        verify_with_digitalbazaar([], {})  # type: ignore[arg-type]


def test_missing_node_skips_outside_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception, match="node and npm not found"):
        verify_with_digitalbazaar({}, {})


def test_missing_node_fails_in_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match="node and npm not found"):
        verify_with_digitalbazaar({}, {})
