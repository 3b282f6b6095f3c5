"""Embedded proofs: DataIntegrityProof with the eddsa-rdfc-2022 cryptosuite.

Implements W3C Verifiable Credential Data Integrity 1.0 (Recommendation 2025-05) §4 "Algorithms"
for one proof or a proof set, with the cryptosuite of W3C Data Integrity EdDSA Cryptosuites v1.0
§3.2 "eddsa-rdfc-2022": RDFC-1.0 canonical N-Quads of the document and of the proof
configuration, hash data = SHA-256(proof configuration) || SHA-256(document), and an Ed25519
signature encoded as multibase base58btc in ``proofValue``.

Verification also accepts two older names for the same computation. One is the cryptosuite name
``eddsa-2022`` used before the Recommendation, reported as a warning as the 1EdTech validator
does. The other is the ``Ed25519Signature2020`` proof type of the W3C CCG Ed25519 Signature 2020
suite, which many Open Badges 3.0 credentials issued before 2024 carry. Signing produces
eddsa-rdfc-2022 only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hub.credentials import jsonld

DATA_INTEGRITY_PROOF = "DataIntegrityProof"
EDDSA_RDFC_2022 = "eddsa-rdfc-2022"
LEGACY_EDDSA_2022 = "eddsa-2022"
ED25519_SIGNATURE_2020 = "Ed25519Signature2020"
ASSERTION_METHOD = "assertionMethod"
SIGNATURE_LENGTH = 64
MULTIBASE_BASE58BTC = "z"
# XML Schema dateTimeStamp to the second, in UTC, which is what the W3C test vectors use.
CREATED_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_SIGNATURE_MISMATCH = (
    "the Ed25519 signature does not match: the credential or its proof was changed after "
    "signing, or it was signed with a different key"
)


class DataIntegrityError(ValueError):
    """A document cannot be signed as requested."""


class UndefinedTermsError(DataIntegrityError):
    """The document uses terms that its JSON-LD contexts do not define."""

    def __init__(self, terms: list[str]) -> None:
        self.terms = terms
        super().__init__(
            f"the document uses terms its @context does not define: {', '.join(terms)}; "
            "canonicalisation would drop them or turn them into relative IRIs, so the signature "
            "would not cover them; add a context that defines them or remove them"
        )


class InlineContextError(DataIntegrityError):
    """The document defines JSON-LD context entries inline instead of naming bundled contexts."""

    def __init__(self, entries: list[str]) -> None:
        self.entries = entries
        super().__init__(
            f"the document has inline JSON-LD contexts: {'; '.join(entries)}; the hub signs only "
            "documents whose @context entries are URLs of bundled contexts, because an inline "
            "context can redefine or drop terms; remove it or use a bundled context"
        )


@dataclass(frozen=True)
class ProofInspection:
    """A proof's claimed suite and key, and the problems found before any key is involved."""

    suite: str
    is_supported: bool
    verification_method: str | None
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProofVerification:
    """The outcome of checking one supported proof against a public key."""

    problems: tuple[str, ...] = ()

    @property
    def is_verified(self) -> bool:
        return not self.problems


def sign_eddsa_rdfc_2022(
    document: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime,
    proof_purpose: str = ASSERTION_METHOD,
) -> dict[str, Any]:
    """Return a shallow copy of the document with one more eddsa-rdfc-2022 proof in ``proof``.

    Existing proofs stay in place and are not signed over, which makes the result a proof set
    (Data Integrity 1.0 §2.1.1). Raises :class:`InlineContextError` when the document defines
    contexts inline, :class:`UndefinedTermsError` when it uses terms its contexts do not define,
    and ``jsonld.JsonLdError`` when it is not valid JSON-LD.
    """
    _reject_inline_contexts(document)
    unsecured = _without_proof(document)
    _reject_undefined_terms(unsecured)
    options = {
        "type": DATA_INTEGRITY_PROOF,
        "cryptosuite": EDDSA_RDFC_2022,
        "created": format_created(created),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    proof_config = create_proof_configuration(options, unsecured)
    signature = private_key.sign(hash_data(unsecured, proof_config))
    proof = {**options, "proofValue": encode_proof_value(signature)}

    # A shallow copy: nested values are shared with ``document``, which is never modified.
    signed = dict(document)
    signed["proof"] = [*proofs_of(document), proof]
    return signed


def format_created(created: datetime) -> str:
    if created.tzinfo is None:
        raise DataIntegrityError(
            f"created {created.isoformat()} has no time zone; pass an aware datetime (UTC)"
        )
    return created.astimezone(UTC).strftime(CREATED_FORMAT)


def proofs_of(document: Mapping[str, Any]) -> list[Any]:
    """Return the document's proofs as a list, whether ``proof`` is one object or an array."""
    proof = document.get("proof")
    if proof is None:
        return []
    return list(proof) if isinstance(proof, list) else [proof]


def create_proof_configuration(
    proof_options: Mapping[str, Any], unsecured_document: Mapping[str, Any]
) -> dict[str, Any]:
    """Build the proof configuration that is canonicalised and hashed (EdDSA §3.2.5).

    The configuration is the proof without ``proofValue``, under the document's ``@context``.
    """
    config = {key: value for key, value in proof_options.items() if key != "proofValue"}
    if "@context" in unsecured_document:
        config["@context"] = unsecured_document["@context"]
    return config


def hash_data(unsecured_document: Mapping[str, Any], proof_config: Mapping[str, Any]) -> bytes:
    """Return SHA-256(canonical proof config) || SHA-256(canonical document) (EdDSA §3.2.4)."""
    proof_hash = hashlib.sha256(jsonld.canonicalize(dict(proof_config)).encode("utf-8"))
    document_hash = hashlib.sha256(jsonld.canonicalize(dict(unsecured_document)).encode("utf-8"))
    return proof_hash.digest() + document_hash.digest()


def encode_proof_value(signature: bytes) -> str:
    return MULTIBASE_BASE58BTC + base58.b58encode(signature).decode("ascii")


def decode_proof_value(proof_value: str) -> bytes:
    """Decode a multibase base58btc ``proofValue``; raises ValueError naming what is wrong."""
    if not proof_value.startswith(MULTIBASE_BASE58BTC):
        raise ValueError(
            f"proofValue starts with {proof_value[:1]!r}, but eddsa proofs use multibase "
            "base58btc, which starts with 'z'"
        )
    try:
        signature = base58.b58decode(proof_value[1:])
    except ValueError as error:
        raise ValueError("proofValue contains characters outside the base58btc alphabet") from error
    if len(signature) != SIGNATURE_LENGTH:
        raise ValueError(
            f"proofValue decodes to {len(signature)} bytes; an Ed25519 signature has 64"
        )
    return signature


def inspect_proof(proof: object, expected_purpose: str = ASSERTION_METHOD) -> ProofInspection:
    """Check one proof's type, cryptosuite, purpose and fields before its key is resolved."""
    if not isinstance(proof, Mapping):
        return ProofInspection("unknown", False, None, ("the proof is not a JSON object",))

    suite, is_supported, warnings = _identify_suite(proof)
    method = proof.get("verificationMethod")
    verification_method = method if isinstance(method, str) else None
    if not is_supported:
        return ProofInspection(suite, False, verification_method, (), warnings)

    problems = [
        *_purpose_problems(proof, expected_purpose),
        *_field_problems(proof),
    ]
    return ProofInspection(suite, True, verification_method, tuple(problems), warnings)


def verify_proof(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    public_key: Ed25519PublicKey,
    now: datetime | None = None,
) -> ProofVerification:
    """Verify one proof of a supported suite (EdDSA §3.2.2 "Verify Proof").

    Run :func:`inspect_proof` first: this function assumes the fields it checks are well formed.
    """
    unsecured = _without_proof(document)
    context_problem = _apply_proof_context(unsecured, proof)
    if context_problem:
        return ProofVerification((context_problem,))
    expired = _expiry_problem(proof, now or datetime.now(UTC))
    if expired:
        return ProofVerification((expired,))

    try:
        data = hash_data(unsecured, create_proof_configuration(proof, unsecured))
    except jsonld.JsonLdError as error:
        return ProofVerification((f"the credential cannot be canonicalised: {error}",))
    try:
        public_key.verify(decode_proof_value(proof["proofValue"]), data)
    except InvalidSignature:
        return ProofVerification((_SIGNATURE_MISMATCH,))
    return ProofVerification()


def _identify_suite(proof: Mapping[str, Any]) -> tuple[str, bool, tuple[str, ...]]:
    proof_type = proof.get("type")
    cryptosuite = proof.get("cryptosuite")
    if proof_type == ED25519_SIGNATURE_2020:
        return ED25519_SIGNATURE_2020, True, ()
    if proof_type != DATA_INTEGRITY_PROOF:
        return str(proof_type), False, (f"proof type {proof_type!r} is not supported",)
    if cryptosuite == EDDSA_RDFC_2022:
        return EDDSA_RDFC_2022, True, ()
    if cryptosuite == LEGACY_EDDSA_2022:
        warning = (
            "cryptosuite 'eddsa-2022' is the name used before the W3C Recommendation; "
            "it was verified as 'eddsa-rdfc-2022', which issuers should use instead"
        )
        return LEGACY_EDDSA_2022, True, (warning,)
    return str(cryptosuite), False, (f"cryptosuite {cryptosuite!r} is not supported",)


def _purpose_problems(proof: Mapping[str, Any], expected_purpose: str) -> list[str]:
    purpose = proof.get("proofPurpose")
    if purpose is None:
        return ["the proof has no proofPurpose"]
    if purpose != expected_purpose:
        return [f"proofPurpose is {purpose!r}, expected {expected_purpose!r}"]
    return []


def _field_problems(proof: Mapping[str, Any]) -> list[str]:
    problems = []
    if not isinstance(proof.get("verificationMethod"), str):
        problems.append("the proof has no verificationMethod URL")
    if "previousProof" in proof:
        problems.append("proof chains (previousProof) are not supported")
    created = proof.get("created")
    if created is not None and _parse_datetime(created) is None:
        problems.append(f"created {created!r} is not an XML Schema dateTimeStamp")
    proof_value = proof.get("proofValue")
    if not isinstance(proof_value, str):
        problems.append("the proof has no proofValue")
    else:
        try:
            decode_proof_value(proof_value)
        except ValueError as error:
            problems.append(str(error))
    return problems


def _apply_proof_context(unsecured: dict[str, Any], proof: Mapping[str, Any]) -> str | None:
    """Apply a proof's own ``@context`` as EdDSA §3.2.2 step 4 requires, or return the problem.

    The document's contexts must start with the proof's, in the same order; the proof's list
    then replaces the document's for hashing.
    """
    if "@context" not in proof:
        return None
    proof_context = _as_list(proof["@context"])
    document_context = _as_list(unsecured.get("@context"))
    if document_context[: len(proof_context)] != proof_context:
        return (
            "the proof's @context is not a prefix of the credential's @context, "
            "so the proof does not apply to this credential"
        )
    unsecured["@context"] = proof["@context"]
    return None


def _expiry_problem(proof: Mapping[str, Any], now: datetime) -> str | None:
    expires = proof.get("expires")
    if expires is None:
        return None
    moment = _parse_datetime(expires)
    if moment is None:
        return f"proof expires {expires!r} is not an XML Schema dateTimeStamp"
    if moment <= now:
        return f"the proof expired at {expires}"
    return None


def _reject_inline_contexts(document: Mapping[str, Any]) -> None:
    entries = jsonld.find_inline_contexts(document)
    if entries:
        raise InlineContextError(entries)


def _reject_undefined_terms(document: Mapping[str, Any]) -> None:
    terms = jsonld.find_undefined_terms(document)
    if terms:
        raise UndefinedTermsError(terms)


def _without_proof(document: Mapping[str, Any]) -> dict[str, Any]:
    # Top-level copy only: callers replace top-level keys (``@context``) and never edit nested
    # values, and canonicalization does not keep references to its input.
    return {key: value for key, value in document.items() if key != "proof"}


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _parse_datetime(value: object) -> datetime | None:
    """Parse an XML Schema dateTimeStamp; a value without a time zone is rejected."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
