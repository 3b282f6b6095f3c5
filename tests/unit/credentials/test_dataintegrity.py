"""eddsa-rdfc-2022 Data Integrity proofs against the W3C and Open Badges 3.0 test vectors."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hub.credentials import dataintegrity, jsonld
from tests.unit.credentials.conftest import (
    OB_IMPL_GUIDE,
    W3C_EDDSA,
    read_vector_json,
)

W3C_DOCUMENTS = {
    "alumni": (f"{W3C_EDDSA}/unsigned.json", f"{W3C_EDDSA}/eddsa-rdfc-2022"),
    "employment": (f"{W3C_EDDSA}/employmentAuth.json", f"{W3C_EDDSA}/eddsa-rdfc-2022/employ"),
}
Vector = Callable[[str], Any]


def created_of(proof: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(proof["created"])


def verify(document: dict[str, Any], public_key: Ed25519PublicKey) -> list[str]:
    """Run the structural checks and the signature check on every proof; return all problems."""
    proofs = dataintegrity.proofs_of(document)
    problems = [] if proofs else ["the document has no proof"]
    for proof in proofs:
        inspection = dataintegrity.inspect_proof(proof)
        problems += inspection.problems
        if not inspection.is_supported:
            problems += inspection.warnings
        elif not inspection.problems:
            problems += dataintegrity.verify_proof(document, proof, public_key).problems
    return problems


# W3C Data Integrity EdDSA Cryptosuites v1.0, Appendix test vectors ------------------------------


@pytest.mark.parametrize("name", W3C_DOCUMENTS)
def test_w3c_proof_configuration_canon(name: str, vector: Vector) -> None:
    unsigned_path, folder = W3C_DOCUMENTS[name]
    expected_config = vector(f"{folder}/proofConfigDataInt.json")
    options = {key: value for key, value in expected_config.items() if key != "@context"}

    config = dataintegrity.create_proof_configuration(options, vector(unsigned_path))

    assert config == expected_config
    assert jsonld.canonicalize(config) == vector(f"{folder}/proofCanonDataInt.txt")


@pytest.mark.parametrize("name", W3C_DOCUMENTS)
def test_w3c_hashes(name: str, vector: Vector) -> None:
    unsigned_path, folder = W3C_DOCUMENTS[name]
    document = vector(unsigned_path)
    config = vector(f"{folder}/proofConfigDataInt.json")

    data = dataintegrity.hash_data(document, config)

    assert jsonld.canonicalize(document) == vector(f"{folder}/canonDocDataInt.txt")
    assert data[:32].hex() == vector(f"{folder}/proofHashDataInt.txt").strip()
    assert data[32:].hex() == vector(f"{folder}/docHashDataInt.txt").strip()
    assert data.hex() == vector(f"{folder}/combinedHashDataInt.txt").strip()


@pytest.mark.parametrize("name", W3C_DOCUMENTS)
def test_w3c_signature_reproduces(
    name: str, vector: Vector, w3c_private_key: Ed25519PrivateKey
) -> None:
    unsigned_path, folder = W3C_DOCUMENTS[name]
    config = vector(f"{folder}/proofConfigDataInt.json")

    signature = w3c_private_key.sign(dataintegrity.hash_data(vector(unsigned_path), config))

    assert signature.hex() == vector(f"{folder}/sigHexDataInt.txt").strip()
    assert (
        dataintegrity.encode_proof_value(signature)
        == vector(f"{folder}/sigBTC58DataInt.txt").strip()
    )


@pytest.mark.parametrize("name", W3C_DOCUMENTS)
def test_w3c_sign_matches_signed_document(
    name: str, vector: Vector, w3c_private_key: Ed25519PrivateKey
) -> None:
    unsigned_path, folder = W3C_DOCUMENTS[name]
    expected = vector(f"{folder}/signedDataInt.json")
    proof = expected["proof"]

    signed = dataintegrity.sign_eddsa_rdfc_2022(
        vector(unsigned_path),
        w3c_private_key,
        proof["verificationMethod"],
        created_of(proof),
        proof["proofPurpose"],
    )

    assert signed["proof"] == [proof]
    assert {key: value for key, value in signed.items() if key != "proof"} == {
        key: value for key, value in expected.items() if key != "proof"
    }


@pytest.mark.parametrize("name", W3C_DOCUMENTS)
def test_w3c_signed_document_verifies(
    name: str, vector: Vector, w3c_private_key: Ed25519PrivateKey
) -> None:
    signed = vector(f"{W3C_DOCUMENTS[name][1]}/signedDataInt.json")

    assert verify(signed, w3c_private_key.public_key()) == []


def test_w3c_ed25519_signature_2020_verifies(w3c_private_key: Ed25519PrivateKey) -> None:
    signed = read_vector_json(f"{W3C_EDDSA}/Ed25519Signature2020/signedEdSig.json")

    inspection = dataintegrity.inspect_proof(signed["proof"])

    assert inspection.suite == "Ed25519Signature2020"
    assert verify(signed, w3c_private_key.public_key()) == []


# Open Badges 3.0 implementation guide vector ----------------------------------------------------


def test_ob_vector_canon_and_hashes(vector: Vector) -> None:
    document = vector(f"{OB_IMPL_GUIDE}/unsigned.json")
    hashes = vector(f"{OB_IMPL_GUIDE}/hashes.json")
    config = dataintegrity.create_proof_configuration(
        vector(f"{OB_IMPL_GUIDE}/proof-options.json"), document
    )

    data = dataintegrity.hash_data(document, config)

    assert jsonld.canonicalize(config) == vector(f"{OB_IMPL_GUIDE}/proof-canon.nq")
    assert jsonld.canonicalize(document) == vector(f"{OB_IMPL_GUIDE}/document-canon.nq")
    assert data[:32].hex() == hashes["proofHashHex"]
    assert data[32:].hex() == hashes["documentHashHex"]
    assert data.hex() == hashes["dataToSignHex_proofHash_then_docHash"]


def test_ob_vector_signature_reproduces(vector: Vector, ob_private_key: Ed25519PrivateKey) -> None:
    hashes = vector(f"{OB_IMPL_GUIDE}/hashes.json")
    expected = vector(f"{OB_IMPL_GUIDE}/signed.json")
    options = vector(f"{OB_IMPL_GUIDE}/proof-options.json")

    signed = dataintegrity.sign_eddsa_rdfc_2022(
        vector(f"{OB_IMPL_GUIDE}/unsigned.json"),
        ob_private_key,
        options["verificationMethod"],
        created_of(options),
    )

    proof = signed["proof"][0]
    signature = dataintegrity.decode_proof_value(proof["proofValue"])
    assert signature.hex() == hashes["signatureHex"]
    assert proof["proofValue"] == hashes["proofValue"]
    # The vector orders proof members differently; JSON objects are unordered.
    assert proof == expected["proof"]


def test_ob_signed_vector_verifies(ob_private_key: Ed25519PrivateKey) -> None:
    signed = read_vector_json(f"{OB_IMPL_GUIDE}/signed.json")

    assert verify(signed, ob_private_key.public_key()) == []


# Signing and verifying -------------------------------------------------------------------------


def test_sign_verify_round_trip(ob_private_key: Ed25519PrivateKey) -> None:
    document = read_vector_json(f"{OB_IMPL_GUIDE}/unsigned.json")

    signed = dataintegrity.sign_eddsa_rdfc_2022(
        document, ob_private_key, "did:example:issuer#key-1", datetime.now(UTC)
    )

    assert isinstance(signed["proof"], list)
    assert verify(signed, ob_private_key.public_key()) == []
    assert "proof" not in document


def test_sign_appends_to_proof_set(
    ob_private_key: Ed25519PrivateKey, w3c_private_key: Ed25519PrivateKey
) -> None:
    signed_once = read_vector_json(f"{OB_IMPL_GUIDE}/signed.json")
    first_proof = signed_once["proof"]

    signed_twice = dataintegrity.sign_eddsa_rdfc_2022(
        signed_once, w3c_private_key, "did:example:second#key-1", datetime.now(UTC)
    )

    assert signed_twice["proof"][0] == first_proof
    assert len(signed_twice["proof"]) == 2
    second_proof = signed_twice["proof"][1]
    assert dataintegrity.verify_proof(
        signed_twice, second_proof, w3c_private_key.public_key()
    ).is_verified
    assert dataintegrity.verify_proof(
        signed_twice, first_proof, ob_private_key.public_key()
    ).is_verified


def test_sign_rejects_naive_created(ob_private_key: Ed25519PrivateKey) -> None:
    document = read_vector_json(f"{OB_IMPL_GUIDE}/unsigned.json")

    with pytest.raises(dataintegrity.DataIntegrityError, match="no time zone"):
        dataintegrity.sign_eddsa_rdfc_2022(
            document, ob_private_key, "did:example:issuer#key-1", datetime(2024, 1, 1)
        )


def test_sign_rejects_undefined_terms(ob_private_key: Ed25519PrivateKey) -> None:
    if not hasattr(jsonld, "find_undefined_terms"):
        pytest.skip("jsonld.find_undefined_terms is not available yet")
    document = read_vector_json(f"{OB_IMPL_GUIDE}/unsigned.json")
    document["favouriteColour"] = "green"

    with pytest.raises(dataintegrity.UndefinedTermsError) as raised:
        dataintegrity.sign_eddsa_rdfc_2022(
            document, ob_private_key, "did:example:issuer#key-1", datetime.now(UTC)
        )

    assert any("favouriteColour" in term for term in raised.value.terms)


def test_verify_with_other_key_fails(w3c_private_key: Ed25519PrivateKey) -> None:
    signed = read_vector_json(f"{OB_IMPL_GUIDE}/signed.json")

    problems = verify(signed, w3c_private_key.public_key())

    assert len(problems) == 1
    assert "signature does not match" in problems[0]


def test_proof_context_prefix_accepted(ob_private_key: Ed25519PrivateKey) -> None:
    signed = read_vector_json(f"{OB_IMPL_GUIDE}/signed.json")
    signed["proof"]["@context"] = list(signed["@context"])

    assert verify(signed, ob_private_key.public_key()) == []


def test_proof_context_not_prefix_rejected(ob_private_key: Ed25519PrivateKey) -> None:
    signed = read_vector_json(f"{OB_IMPL_GUIDE}/signed.json")
    signed["proof"]["@context"] = ["https://w3id.org/security/data-integrity/v2"]

    problems = verify(signed, ob_private_key.public_key())

    assert len(problems) == 1
    assert "not a prefix" in problems[0]


def test_expired_proof_rejected(ob_private_key: Ed25519PrivateKey) -> None:
    document = read_vector_json(f"{OB_IMPL_GUIDE}/unsigned.json")
    signed = dataintegrity.sign_eddsa_rdfc_2022(
        document, ob_private_key, "did:example:issuer#key-1", datetime.now(UTC)
    )
    proof = signed["proof"][0]
    proof["expires"] = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    result = dataintegrity.verify_proof(signed, proof, ob_private_key.public_key())

    assert not result.is_verified
    assert "expired" in result.problems[0]


# Proof inspection -----------------------------------------------------------------------------


def test_inspect_legacy_cryptosuite_warns() -> None:
    proof = dict(read_vector_json(f"{OB_IMPL_GUIDE}/signed.json")["proof"])
    proof["cryptosuite"] = "eddsa-2022"

    inspection = dataintegrity.inspect_proof(proof)

    assert inspection.is_supported
    assert inspection.problems == ()
    assert "eddsa-2022" in inspection.warnings[0]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"proofPurpose": "authentication"}, "expected 'assertionMethod'"),
        ({"proofPurpose": None}, "no proofPurpose"),
        ({"proofValue": "u" + "A" * 86}, "starts with 'z'"),
        (
            {"proofValue": "z3yMApqCuCjXDWPrbjfR5mjCPTHqFG8Pux1TxQrEM"},
            "an Ed25519 signature has 64",
        ),
        ({"proofValue": "z0OIl"}, "base58btc alphabet"),
        ({"verificationMethod": None}, "no verificationMethod"),
        ({"created": "2010-01-01"}, "dateTimeStamp"),
        ({"previousProof": "urn:uuid:1"}, "proof chains"),
    ],
)
def test_inspect_rejects(change: dict[str, Any], reason: str) -> None:
    proof = dict(read_vector_json(f"{OB_IMPL_GUIDE}/signed.json")["proof"])
    proof.update(change)
    proof = {key: value for key, value in proof.items() if value is not None}

    inspection = dataintegrity.inspect_proof(proof)

    assert any(reason in problem for problem in inspection.problems), inspection.problems


@pytest.mark.parametrize(
    ("proof", "suite"),
    [
        ({"type": "DataIntegrityProof", "cryptosuite": "ecdsa-rdfc-2019"}, "ecdsa-rdfc-2019"),
        ({"type": "SomeProofType"}, "SomeProofType"),
    ],
)
def test_inspect_unsupported_suite(proof: dict[str, Any], suite: str) -> None:
    inspection = dataintegrity.inspect_proof(proof)

    assert not inspection.is_supported
    assert inspection.suite == suite
    assert "not supported" in inspection.warnings[0]


def test_proofs_of_object_and_array() -> None:
    signed = read_vector_json(f"{OB_IMPL_GUIDE}/signed.json")
    proof = signed["proof"]

    assert dataintegrity.proofs_of(signed) == [proof]
    assert dataintegrity.proofs_of({**signed, "proof": [proof, proof]}) == [proof, proof]
    assert dataintegrity.proofs_of({"id": "urn:x"}) == []


# Tampering: one changed character in any signed value or key breaks the proof ---------------------


def leaf_paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Yield the path of every string in a JSON value, keys as well as values."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, ("key", key))
            yield from leaf_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaf_paths(item, (*path, index))
    elif isinstance(value, str):
        yield path


def flip_character(text: str) -> str:
    """Change the middle character to another character of the same kind."""
    middle = len(text) // 2
    original = text[middle]
    replacement = {True: "x" if original != "x" else "y", False: "7" if original != "7" else "8"}
    return text[:middle] + replacement[not original.isdigit()] + text[middle + 1 :]


def tampered(document: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    copied = copy.deepcopy(document)
    *parents, last = path
    target = copied
    for step in parents:
        target = target[step]
    if isinstance(last, tuple):
        key = last[1]
        target[flip_character(key)] = target.pop(key)
    else:
        target[last] = flip_character(target[last])
    return copied


def signed_paths(relative: str) -> list[Any]:
    document = read_vector_json(relative)
    return [
        pytest.param(relative, path, id=f"{relative.split('/')[-1]}:{json.dumps(path)}")
        for path in leaf_paths(document)
        if path[-1] != "proofValue" and path[-1] != ("key", "proofValue")
    ]


@pytest.mark.parametrize(
    ("relative", "path"),
    signed_paths(f"{W3C_EDDSA}/eddsa-rdfc-2022/signedDataInt.json")
    + signed_paths(f"{OB_IMPL_GUIDE}/signed.json"),
)
def test_flipped_character_fails(
    relative: str,
    path: tuple[Any, ...],
    w3c_private_key: Ed25519PrivateKey,
    ob_private_key: Ed25519PrivateKey,
) -> None:
    key = w3c_private_key if relative.startswith("w3c") else ob_private_key
    document = tampered(read_vector_json(relative), path)

    try:
        problems = verify(document, key.public_key())
    except jsonld.JsonLdError as error:
        # A changed @context URL is rejected before any hashing, which also fails the proof.
        problems = [str(error)]

    assert problems, f"changing {path} went unnoticed"


def test_flip_helper_changes_text() -> None:
    assert flip_character("abc") == "axc"
    assert flip_character("2010") == "2070"
