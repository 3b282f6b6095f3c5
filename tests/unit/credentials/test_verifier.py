"""verify_credential end to end: real signatures, real canonicalisation, a report for each case."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from joserfc import jwt
from joserfc.jwk import RSAKey

from hub.credentials import dataintegrity, jsonld, multikey, vcjwt
from hub.credentials.keys import (
    DidKeyResolver,
    KeyResolutionError,
    KeySource,
    ResolvedKey,
    StaticKeyResolver,
)
from hub.credentials.report import (
    CheckId,
    CheckStatus,
    UnreadableCredentialError,
    VerificationReport,
)
from hub.credentials.verifier import verify_credential
from tests.unit.credentials.conftest import (
    FIXTURE_VECTORS,
    OB_IMPL_GUIDE,
    VALIDATOR_OB30,
    read_vector_json,
)

LDP_CHECKS = [
    "format",
    "context",
    "type",
    "schema",
    "undefined-terms",
    "proof",
    "issuer-key",
    "validity-window",
    "status",
]
JWT_CHECKS = [
    "format",
    "context",
    "type",
    "schema",
    "undefined-terms",
    "proof",
    "issuer-key",
    "jwt-claims",
    "validity-window",
    "status",
]
TENANT = "did:web:hub.example:tenants:uni"
RSA_KID = f"{TENANT}#rsa-1"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def status_of(report: VerificationReport, check_id: str) -> CheckStatus:
    check = report.check(CheckId(check_id))
    assert check is not None, f"{check_id} missing from {[c.check for c in report.checks]}"
    return check.status


def message_of(report: VerificationReport, check_id: str) -> str:
    check = report.check(CheckId(check_id))
    assert check is not None
    return check.message


def failed(report: VerificationReport) -> set[str]:
    return {str(check.check) for check in report.checks if check.status is CheckStatus.FAILED}


class Issuer:
    """A did:key issuer that signs the Open Badges implementation-guide credential."""

    def __init__(self) -> None:
        self.private_key = ed25519.Ed25519PrivateKey.generate()
        self.did = multikey.did_key_for(self.private_key.public_key())
        self.method = f"{self.did}#{self.did.removeprefix('did:key:')}"

    def credential(self, **changes: Any) -> dict[str, Any]:
        credential: dict[str, Any] = read_vector_json(f"{OB_IMPL_GUIDE}/unsigned.json")
        credential["issuer"]["id"] = self.did
        credential.update(changes)
        return {key: value for key, value in credential.items() if value is not None}

    def sign(self, credential: dict[str, Any], method: str | None = None) -> dict[str, Any]:
        return dataintegrity.sign_eddsa_rdfc_2022(
            credential, self.private_key, method or self.method, NOW - timedelta(days=1)
        )


@pytest.fixture
def issuer() -> Issuer:
    return Issuer()


# Data Integrity credentials ----------------------------------------------------------------------


async def test_valid_credential(issuer: Issuer) -> None:
    signed = issuer.sign(issuer.credential())

    report = await verify_credential(signed, DidKeyResolver(), NOW)

    assert report.valid
    assert report.format == "ldp_vc"
    assert report.proof_suites == ("eddsa-rdfc-2022",)
    assert [str(check.check) for check in report.checks] == LDP_CHECKS
    assert failed(report) == set()
    assert status_of(report, "proof") is CheckStatus.PASSED
    assert status_of(report, "issuer-key") is CheckStatus.PASSED
    assert "resolved from did:key" in message_of(report, "issuer-key")
    assert status_of(report, "status") is CheckStatus.SKIPPED
    assert message_of(report, "status") == "no credentialStatus"


async def test_summary_fields(issuer: Issuer) -> None:
    report = await verify_credential(issuer.sign(issuer.credential()), DidKeyResolver(), NOW)

    assert report.summary.issuer_id == issuer.did
    assert report.summary.issuer_name == "Example Corp"
    assert report.summary.achievement_name == "Teamwork"
    assert report.summary.subject_id == "did:example:ebfeb1f712ebc6f1c276e12ec21"
    assert report.summary.credential_id == "http://example.com/credentials/3527"


async def test_report_to_dict_is_json(issuer: Issuer) -> None:
    report = await verify_credential(issuer.sign(issuer.credential()), DidKeyResolver(), NOW)

    data = json.loads(json.dumps(report.to_dict()))

    assert data["valid"] is True
    assert data["format"] == "ldp_vc"
    assert data["issuer_name"] == "Example Corp"
    assert [check["check"] for check in data["checks"]] == LDP_CHECKS
    assert set(data["checks"][0]) == {"check", "status", "message"}


async def test_text_bytes_and_dict_agree(issuer: Issuer) -> None:
    signed = issuer.sign(issuer.credential())
    text = json.dumps(signed)

    reports = [
        await verify_credential(form, DidKeyResolver(), NOW)
        for form in (signed, text, text.encode("utf-8"))
    ]

    assert reports[0] == reports[1] == reports[2]
    assert "proof" in signed


async def test_tampered_credential(issuer: Issuer) -> None:
    signed = issuer.sign(issuer.credential())
    signed["credentialSubject"]["achievement"]["name"] = "Leadership"

    report = await verify_credential(signed, DidKeyResolver(), NOW)

    assert not report.valid
    assert failed(report) == {"proof"}
    assert "signature does not match" in message_of(report, "proof")


async def test_expired_credential(issuer: Issuer) -> None:
    signed = issuer.sign(issuer.credential(validUntil="2025-06-30T00:00:00Z"))

    report = await verify_credential(signed, DidKeyResolver(), NOW)

    assert failed(report) == {"validity-window"}
    assert message_of(report, "validity-window") == "expired: validUntil was 2025-06-30T00:00:00Z"


async def test_not_yet_valid_credential(issuer: Issuer) -> None:
    signed = issuer.sign(issuer.credential(validFrom="2026-02-01T00:00:00Z"))

    report = await verify_credential(signed, DidKeyResolver(), NOW)
    later = await verify_credential(signed, DidKeyResolver(), NOW + timedelta(days=60))

    assert failed(report) == {"validity-window"}
    assert "not valid yet" in message_of(report, "validity-window")
    assert later.valid


@pytest.mark.parametrize(
    ("value", "reason"),
    [("1 January 2010", "not an ISO 8601 date-time"), ("2010-01-01T00:00:00", "no time zone")],
)
async def test_malformed_valid_from(issuer: Issuer, value: str, reason: str) -> None:
    signed = issuer.sign(issuer.credential(validFrom=value))

    report = await verify_credential(signed, DidKeyResolver(), NOW)

    assert "validity-window" in failed(report)
    assert reason in message_of(report, "validity-window")


async def test_vc_data_model_1_1_credential(issuer: Issuer) -> None:
    credential = issuer.credential(validFrom=None, issuanceDate="2010-01-01T00:00:00Z")
    credential["@context"] = [
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://w3id.org/security/data-integrity/v2",
    ]
    credential["expirationDate"] = "2025-12-31T00:00:00Z"

    report = await verify_credential(issuer.sign(credential), DidKeyResolver(), NOW)

    assert status_of(report, "context") is CheckStatus.WARNING
    assert status_of(report, "schema") is CheckStatus.SKIPPED
    assert status_of(report, "proof") is CheckStatus.PASSED
    assert failed(report) == {"validity-window"}
    assert message_of(report, "validity-window") == (
        "expired: expirationDate was 2025-12-31T00:00:00Z"
    )


async def test_credential_status_not_checked(issuer: Issuer) -> None:
    credential = issuer.credential()
    credential["@context"].append("https://www.w3.org/ns/credentials/status/v1")
    credential["credentialStatus"] = {
        "id": "https://hub.example/status/1#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": "https://hub.example/status/1",
    }

    report = await verify_credential(issuer.sign(credential), DidKeyResolver(), NOW)

    assert status_of(report, "status") is CheckStatus.SKIPPED
    assert "status checking is not available yet" in message_of(report, "status")
    assert "https://hub.example/status/1" in message_of(report, "status")


async def test_no_proof(issuer: Issuer) -> None:
    report = await verify_credential(issuer.credential(), DidKeyResolver(), NOW)

    assert failed(report) == {"proof"}
    assert message_of(report, "proof") == "the credential has no proof"
    assert status_of(report, "issuer-key") is CheckStatus.SKIPPED


async def test_unsupported_proof_beside_valid_one(issuer: Issuer) -> None:
    signed = issuer.sign(issuer.credential())
    signed["proof"].insert(0, {"type": "SomeProofType", "proofPurpose": "assertionMethod"})

    report = await verify_credential(signed, DidKeyResolver(), NOW)

    assert status_of(report, "proof") is CheckStatus.WARNING
    assert status_of(report, "issuer-key") is CheckStatus.PASSED
    assert report.proof_suites == ("SomeProofType", "eddsa-rdfc-2022")


async def test_only_unsupported_proofs(issuer: Issuer) -> None:
    credential = issuer.credential()
    credential["proof"] = {"type": "DataIntegrityProof", "cryptosuite": "bbs-2023"}

    report = await verify_credential(credential, DidKeyResolver(), NOW)

    assert "proof" in failed(report)
    assert "'bbs-2023' is not supported" in message_of(report, "proof")


async def test_undefined_terms_reported(issuer: Issuer) -> None:
    credential = issuer.credential()
    credential["favouriteColour"] = "green"

    report = await verify_credential(credential, DidKeyResolver(), NOW)

    if hasattr(jsonld, "find_undefined_terms"):
        assert "undefined-terms" in failed(report)
        assert "favouriteColour" in message_of(report, "undefined-terms")
    else:
        assert status_of(report, "undefined-terms") is CheckStatus.SKIPPED
        assert "not available yet" in message_of(report, "undefined-terms")


# Issuer keys -----------------------------------------------------------------------------------


async def test_unknown_did_web_not_fetched(issuer: Issuer) -> None:
    signed = issuer.sign(issuer.credential(), method="did:web:elsewhere.example#key-1")

    report = await verify_credential(signed, DidKeyResolver(), NOW)

    assert failed(report) == {"issuer-key"}
    assert status_of(report, "proof") is CheckStatus.SKIPPED
    assert message_of(report, "issuer-key") == (
        "issuer key not resolvable: did:web:elsewhere.example#key-1 is not a key of this hub's "
        "tenants, and remote did:web documents are not fetched"
    )


async def test_https_method_not_fetched(issuer: Issuer) -> None:
    signed = issuer.sign(issuer.credential(), method="https://elsewhere.example/issuer#key-1")

    report = await verify_credential(signed, DidKeyResolver(), NOW)

    assert failed(report) == {"issuer-key"}
    assert "would need fetching the issuer's document" in message_of(report, "issuer-key")


async def test_key_not_controlled_by_issuer(issuer: Issuer) -> None:
    credential = issuer.credential()
    credential["issuer"]["id"] = "https://example.edu/issuers/565049"

    report = await verify_credential(issuer.sign(credential), DidKeyResolver(), NOW)

    assert failed(report) == {"issuer-key"}
    assert status_of(report, "proof") is CheckStatus.PASSED
    assert (
        f"is controlled by {issuer.did}, not by the issuer https://example.edu/issuers/565049"
        in (message_of(report, "issuer-key"))
    )


async def test_resolver_error_reported(issuer: Issuer) -> None:
    class BrokenTenantResolver:
        async def resolve(self, verification_method: str) -> ResolvedKey | None:
            raise KeyResolutionError("tenant 'uni' publishes no key 'key-9'")

    signed = issuer.sign(issuer.credential())

    report = await verify_credential(signed, BrokenTenantResolver(), NOW)

    assert failed(report) == {"issuer-key"}
    assert message_of(report, "issuer-key") == (
        "issuer key not resolvable: tenant 'uni' publishes no key 'key-9'"
    )


async def test_rsa_key_for_eddsa_proof(issuer: Issuer) -> None:
    rsa_public = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    wrong = ResolvedKey(issuer.method, issuer.did, "JsonWebKey", rsa_public, KeySource.CONFIGURED)
    signed = issuer.sign(issuer.credential())

    report = await verify_credential(signed, StaticKeyResolver({issuer.method: wrong}), NOW)

    assert failed(report) == {"proof"}
    assert "needs an Ed25519 key" in message_of(report, "proof")


async def test_identifiers_must_be_urls(issuer: Issuer) -> None:
    # Unsigned: the signer rejects a relative id, which canonicalisation would drop.
    credential = issuer.credential(id="0923lksjf")

    report = await verify_credential(credential, DidKeyResolver(), NOW)

    assert "schema" in failed(report)
    assert "/id: '0923lksjf' is not a URL" in message_of(report, "schema")


# Context, type and format -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("contexts", "reason"),
    [
        (None, "the credential has no @context"),
        (
            ["https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "the first @context must be https://www.w3.org/ns/credentials/v2",
        ),
        (["https://www.w3.org/ns/credentials/v2"], "the second @context must be"),
        (
            ["https://www.w3.org/ns/credentials/v2", "https://example.org/context.json"],
            "https://example.org/context.json is not bundled",
        ),
    ],
)
async def test_context_rejected(issuer: Issuer, contexts: Any, reason: str) -> None:
    credential = issuer.credential()
    credential["@context"] = contexts
    credential = {key: value for key, value in credential.items() if value is not None}

    report = await verify_credential(credential, DidKeyResolver(), NOW)

    assert "context" in failed(report)
    assert reason in message_of(report, "context")


async def test_type_rejected(issuer: Issuer) -> None:
    credential = issuer.credential(type=["VerifiableCredential", "AlumniCredential"])

    report = await verify_credential(credential, DidKeyResolver(), NOW)

    assert "type" in failed(report)
    assert status_of(report, "schema") is CheckStatus.SKIPPED


async def test_open_badges_2_assertion() -> None:
    assertion = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": "https://example.org/assertions/1",
    }

    report = await verify_credential(assertion, DidKeyResolver(), NOW)

    assert failed(report) == {"format"}
    assert "Open Badges 2.0" in message_of(report, "format")
    assert {str(check.status) for check in report.checks[1:]} == {"skipped"}
    assert report.check(CheckId.JWT_CLAIMS) is None


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ('{"@context":', "not valid JSON: Expecting value at line 1 column 13"),
        ("[1, 2]", "a JSON array, not an object"),
        ('"text"', "a JSON string, not an object"),
        ("", "not valid JSON"),
        ("hello world", "neither JSON nor a compact JWS"),
        ("aGk.aGk.aGk", "neither JSON nor a compact JWS"),
        (b"\xff\xfe{}", "not UTF-8 text"),
        (42, "the input is a int"),
    ],
)
async def test_unreadable_input(data: Any, reason: str) -> None:
    with pytest.raises(UnreadableCredentialError) as raised:
        await verify_credential(data, DidKeyResolver(), NOW)

    assert reason in str(raised.value)
    assert "accepted are a credential as a JSON object, or a VC-JWT" in str(raised.value)


# VC-JWT ------------------------------------------------------------------------------------------


class JwtIssuer:
    """A tenant-like issuer with an RS256 key listed under its did:web."""

    def __init__(self) -> None:
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key = ResolvedKey(
            RSA_KID,
            TENANT,
            "JsonWebKey",
            RSAKey.import_key(self.private_key.public_key()),
            KeySource.HUB_TENANT,
        )
        self.resolver = StaticKeyResolver({RSA_KID: key})

    def credential(self) -> dict[str, Any]:
        credential: dict[str, Any] = read_vector_json(f"{OB_IMPL_GUIDE}/unsigned.json")
        credential["issuer"]["id"] = TENANT
        return credential

    def sign_claims(self, claims: dict[str, Any], header: dict[str, Any] | None = None) -> str:
        return jwt.encode(
            header or {"alg": "RS256", "kid": RSA_KID}, claims, RSAKey.import_key(self.private_key)
        )


@pytest.fixture(scope="module")
def jwt_issuer() -> JwtIssuer:
    return JwtIssuer()


async def test_valid_jwt(jwt_issuer: JwtIssuer) -> None:
    token = vcjwt.encode_vc_jwt(jwt_issuer.credential(), jwt_issuer.private_key, RSA_KID)

    report = await verify_credential(token, jwt_issuer.resolver, NOW)

    assert report.valid
    assert report.format == "jwt_vc"
    assert report.proof_suites == ("RS256",)
    assert [str(check.check) for check in report.checks] == JWT_CHECKS
    assert failed(report) == set()
    assert status_of(report, "jwt-claims") is CheckStatus.PASSED
    assert "resolved from hub tenant" in message_of(report, "issuer-key")
    assert report.summary.issuer_id == TENANT


async def test_jwt_claims_mismatch(jwt_issuer: JwtIssuer) -> None:
    claims = vcjwt.build_claims(jwt_issuer.credential(), NOW)
    claims["jti"] = "urn:uuid:another-credential"

    report = await verify_credential(jwt_issuer.sign_claims(claims), jwt_issuer.resolver, NOW)

    assert failed(report) == {"jwt-claims"}
    assert "the jti claim is 'urn:uuid:another-credential'" in message_of(report, "jwt-claims")


async def test_jwt_tampered(jwt_issuer: JwtIssuer) -> None:
    token = vcjwt.encode_vc_jwt(jwt_issuer.credential(), jwt_issuer.private_key, RSA_KID)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["vc"]["name"] = "Leadership Badge"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

    report = await verify_credential(
        f"{header}.{forged_payload}.{signature}", jwt_issuer.resolver, NOW
    )

    assert failed(report) == {"proof"}
    assert "RS256 signature does not match" in message_of(report, "proof")


async def test_jwt_alg_none(jwt_issuer: JwtIssuer) -> None:
    token = vcjwt.encode_vc_jwt(jwt_issuer.credential(), jwt_issuer.private_key, RSA_KID)
    payload = token.split(".")[1]
    header = json.dumps({"alg": "none", "kid": RSA_KID}).encode()
    none_header = base64.urlsafe_b64encode(header).rstrip(b"=").decode()

    report = await verify_credential(f"{none_header}.{payload}.", jwt_issuer.resolver, NOW)

    assert failed(report) == {"proof"}
    assert "alg 'none' is not accepted" in message_of(report, "proof")


async def test_jwt_unknown_kid(jwt_issuer: JwtIssuer) -> None:
    token = vcjwt.encode_vc_jwt(
        jwt_issuer.credential(), jwt_issuer.private_key, "did:web:elsewhere.example#rsa-1"
    )

    report = await verify_credential(token, jwt_issuer.resolver, NOW)

    assert failed(report) == {"issuer-key"}
    assert status_of(report, "proof") is CheckStatus.SKIPPED


async def test_jwt_without_kid_or_jwk(jwt_issuer: JwtIssuer) -> None:
    claims = vcjwt.build_claims(jwt_issuer.credential(), NOW)
    token = jwt_issuer.sign_claims(claims, {"alg": "RS256"})

    report = await verify_credential(token, jwt_issuer.resolver, NOW)

    assert failed(report) == {"issuer-key"}
    assert message_of(report, "issuer-key") == (
        "the JWS header has neither kid nor jwk, so the signing key cannot be found"
    )


async def test_jwt_without_credential(jwt_issuer: JwtIssuer) -> None:
    token = jwt_issuer.sign_claims({"iss": TENANT, "sub": "someone"})

    report = await verify_credential(token, jwt_issuer.resolver, NOW)

    assert failed(report) == {"format"}
    assert message_of(report, "format") == "the JWS payload has no vc claim and is not a credential"


async def test_jwt_embedded_key_sample(baked_credential: Callable[[Path], str]) -> None:
    token = baked_credential(FIXTURE_VECTORS / VALIDATOR_OB30 / "simple-jwt.svg")

    report = await verify_credential(token, DidKeyResolver(), NOW)

    assert report.valid
    assert status_of(report, "proof") is CheckStatus.PASSED
    assert status_of(report, "issuer-key") is CheckStatus.WARNING
    assert "embedded in the token's jwk header" in message_of(report, "issuer-key")
    assert status_of(report, "jwt-claims") is CheckStatus.PASSED


async def test_jwt_unknown_kid_falls_back_to_jwk(jwt_issuer: JwtIssuer) -> None:
    claims = vcjwt.build_claims(jwt_issuer.credential(), NOW)
    public_jwk = RSAKey.import_key(jwt_issuer.private_key.public_key()).as_dict()
    header = {"alg": "RS256", "kid": "did:web:elsewhere.example#rsa-1", "jwk": public_jwk}

    report = await verify_credential(jwt_issuer.sign_claims(claims, header), DidKeyResolver(), NOW)

    assert report.valid
    assert status_of(report, "issuer-key") is CheckStatus.WARNING
    assert message_of(report, "issuer-key").startswith(
        "kid: issuer key not resolvable: did:web:elsewhere.example#rsa-1"
    )
    assert "embedded in the token's jwk header" in message_of(report, "issuer-key")


async def test_proof_not_an_object(issuer: Issuer) -> None:
    credential = issuer.credential()
    credential["proof"] = "z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZt"

    report = await verify_credential(credential, DidKeyResolver(), NOW)

    assert "proof" in failed(report)
    assert message_of(report, "proof") == "the proof is not a JSON object"


async def test_too_many_proofs_rejected(issuer: Issuer) -> None:
    signed = issuer.sign(issuer.credential())
    signed["proof"] = signed["proof"] * 9

    with pytest.raises(UnreadableCredentialError, match="9 proofs; this hub verifies"):
        await verify_credential(json.dumps(signed), StaticKeyResolver({}), NOW)
    with pytest.raises(UnreadableCredentialError, match="at most 8 proofs"):
        await verify_credential(signed, StaticKeyResolver({}), NOW)
