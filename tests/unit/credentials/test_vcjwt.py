"""VC-JWT encoding and verification, with real RSA, P-256 and Ed25519 keys and 1EdTech's sample."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from hub.credentials import vcjwt
from tests.unit.credentials.conftest import (
    FIXTURE_VECTORS,
    OB_IMPL_GUIDE,
    VALIDATOR_OB30,
    read_vector_json,
)

KID = "did:web:hub.example:tenants:uni#rsa-1"
SAMPLE_SVG = FIXTURE_VECTORS / VALIDATOR_OB30 / "simple-jwt.svg"


def segment(token: str, index: int) -> dict[str, Any]:
    part = token.split(".")[index]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def with_segment(token: str, index: int, value: dict[str, Any]) -> str:
    parts = token.split(".")
    raw = json.dumps(value, separators=(",", ":")).encode()
    parts[index] = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return ".".join(parts)


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def credential() -> dict[str, Any]:
    return read_vector_json(f"{OB_IMPL_GUIDE}/unsigned.json")  # type: ignore[no-any-return]


@pytest.fixture
def sample_token(baked_credential: Callable[[Path], str]) -> str:
    return baked_credential(SAMPLE_SVG)


# 1EdTech's signed sample (payload = credential, key in the jwk header) ---------------------------


def test_sample_token_verifies(sample_token: str) -> None:
    token = vcjwt.parse_vc_jwt(sample_token)

    key = vcjwt.embedded_key(token)

    assert key is not None
    assert key.source == "embedded jwk"
    assert not token.has_vc_claim
    assert vcjwt.verify_signature(token, key.public_key) is None
    assert vcjwt.check_claims(token) == []


def test_sample_credential_excludes_jwt_claims(sample_token: str) -> None:
    payload = segment(sample_token, 1)

    token = vcjwt.parse_vc_jwt(sample_token)

    assert token.credential is not None
    assert token.credential["id"] == payload["jti"]
    assert set(token.credential) == set(payload) - {"iat", "iss", "aud", "nbf", "jti"}


def test_sample_token_tampered_payload(sample_token: str) -> None:
    payload = segment(sample_token, 1)
    payload["name"] = "Teamwork Badge (forged)"
    token = vcjwt.parse_vc_jwt(with_segment(sample_token, 1, payload))
    key = vcjwt.embedded_key(token)
    assert key is not None

    problem = vcjwt.verify_signature(token, key.public_key)

    assert problem is not None
    assert "does not match" in problem


# Encoding ---------------------------------------------------------------------------------------


def test_encode_header_and_claims(
    credential: dict[str, Any], rsa_key: rsa.RSAPrivateKey, sample_token: str
) -> None:
    issued_at = datetime(2024, 4, 4, 13, 9, 20, tzinfo=UTC)

    encoded = vcjwt.encode_vc_jwt(credential, rsa_key, KID, issued_at=issued_at)

    header, claims = segment(encoded, 0), segment(encoded, 1)
    assert header == {"alg": "RS256", "typ": "JWT", "kid": KID}
    assert claims["vc"] == credential
    assert claims["iss"] == credential["issuer"]["id"]
    assert claims["jti"] == credential["id"]
    assert claims["sub"] == credential["credentialSubject"]["id"]
    # 1EdTech's sample token carries the same validFrom (2010-01-01T00:00:00Z) as its nbf.
    assert credential["validFrom"] == segment(sample_token, 1)["validFrom"]
    assert claims["nbf"] == segment(sample_token, 1)["nbf"]
    assert claims["iat"] == 1712236160
    assert "exp" not in claims


def test_encode_exp_from_valid_until(
    credential: dict[str, Any], rsa_key: rsa.RSAPrivateKey
) -> None:
    credential["validUntil"] = "2030-01-01T00:00:00Z"

    claims = segment(vcjwt.encode_vc_jwt(credential, rsa_key, KID), 1)

    assert claims["exp"] == 1893456000


def test_encode_legacy_dates(credential: dict[str, Any], rsa_key: rsa.RSAPrivateKey) -> None:
    credential["issuanceDate"] = credential.pop("validFrom")
    credential["expirationDate"] = "2030-01-01T00:00:00Z"

    claims = segment(vcjwt.encode_vc_jwt(credential, rsa_key, KID), 1)

    assert claims["nbf"] == 1262304000
    assert claims["exp"] == 1893456000


def test_encode_omits_sub_without_subject_id(
    credential: dict[str, Any], rsa_key: rsa.RSAPrivateKey
) -> None:
    del credential["credentialSubject"]["id"]

    claims = segment(vcjwt.encode_vc_jwt(credential, rsa_key, KID), 1)

    assert "sub" not in claims


@pytest.mark.parametrize(
    ("alg", "make_key"),
    [
        ("RS256", lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        ("ES256", lambda: ec.generate_private_key(ec.SECP256R1())),
        ("EdDSA", ed25519.Ed25519PrivateKey.generate),
    ],
)
def test_round_trip(alg: str, make_key: Callable[[], Any], credential: dict[str, Any]) -> None:
    private_key = make_key()
    other_key = make_key()

    token = vcjwt.parse_vc_jwt(vcjwt.encode_vc_jwt(credential, private_key, KID, alg))

    assert token.has_vc_claim
    assert token.credential == credential
    assert vcjwt.verify_signature(token, private_key.public_key()) is None
    assert vcjwt.check_claims(token) == []
    problem = vcjwt.verify_signature(token, other_key.public_key())
    assert problem is not None
    assert "does not match" in problem


@pytest.mark.parametrize("alg", ["none", "HS256", "RS512"])
def test_encode_rejects_algorithm(
    alg: str, credential: dict[str, Any], rsa_key: rsa.RSAPrivateKey
) -> None:
    with pytest.raises(vcjwt.VcJwtError, match="not accepted"):
        vcjwt.encode_vc_jwt(credential, rsa_key, KID, alg)


def test_encode_rejects_key_of_other_type(credential: dict[str, Any]) -> None:
    with pytest.raises(vcjwt.VcJwtError, match="cannot sign with alg 'RS256'"):
        vcjwt.encode_vc_jwt(credential, ed25519.Ed25519PrivateKey.generate(), KID, "RS256")


@pytest.mark.parametrize(
    ("field", "reason"),
    [("issuer", "no issuer id"), ("id", "no id"), ("validFrom", "no validFrom")],
)
def test_encode_requires_fields(
    field: str, reason: str, credential: dict[str, Any], rsa_key: rsa.RSAPrivateKey
) -> None:
    del credential[field]

    with pytest.raises(vcjwt.VcJwtError, match=reason):
        vcjwt.encode_vc_jwt(credential, rsa_key, KID)


# Verifying --------------------------------------------------------------------------------------


def test_verify_rejects_alg_none(credential: dict[str, Any], rsa_key: rsa.RSAPrivateKey) -> None:
    signed = vcjwt.encode_vc_jwt(credential, rsa_key, KID)
    unsigned = with_segment(signed, 0, {"alg": "none", "typ": "JWT", "kid": KID}).rsplit(".", 1)[0]
    token = vcjwt.parse_vc_jwt(unsigned + ".")

    problem = vcjwt.verify_signature(token, rsa_key.public_key())

    assert problem is not None
    assert "alg 'none' is not accepted" in problem


def test_verify_rejects_hmac(credential: dict[str, Any], rsa_key: rsa.RSAPrivateKey) -> None:
    secret = OctKey.generate_key(256)
    claims = vcjwt.build_claims(credential, datetime.now(UTC))
    token = vcjwt.parse_vc_jwt(jwt.encode({"alg": "HS256", "kid": KID}, claims, secret))

    problem = vcjwt.verify_signature(token, rsa_key.public_key())

    assert problem is not None
    assert "alg 'HS256' is not accepted" in problem


def test_check_claims_reports_mismatches(
    credential: dict[str, Any], rsa_key: rsa.RSAPrivateKey
) -> None:
    claims = vcjwt.build_claims(credential, datetime.now(UTC))
    claims["iss"] = "https://impostor.example"
    claims["sub"] = "did:example:someone-else"
    claims["nbf"] += 3600
    del claims["jti"]
    encoded = jwt.encode({"alg": "RS256", "kid": KID}, claims, RSAKey.import_key(rsa_key))

    problems = vcjwt.check_claims(vcjwt.parse_vc_jwt(encoded))

    assert len(problems) == 4
    assert any(
        problem.startswith("the iss claim is 'https://impostor.example'") for problem in problems
    )
    assert any(problem.startswith("the jti claim is missing") for problem in problems)
    assert any(problem.startswith("the sub claim is") for problem in problems)
    assert any(problem.startswith("the nbf claim is 1262307600") for problem in problems)


def test_check_claims_requires_exp_when_credential_expires(
    credential: dict[str, Any], rsa_key: rsa.RSAPrivateKey
) -> None:
    claims = vcjwt.build_claims(credential, datetime.now(UTC))
    claims["vc"]["validUntil"] = "2030-01-01T00:00:00Z"
    encoded = jwt.encode({"alg": "RS256", "kid": KID}, claims, RSAKey.import_key(rsa_key))

    problems = vcjwt.check_claims(vcjwt.parse_vc_jwt(encoded))

    assert problems == ["the exp claim is missing; it must equal the credential's validUntil"]


def test_embedded_private_key_rejected(sample_token: str) -> None:
    header = segment(sample_token, 0)
    header["jwk"]["d"] = "AQAB"
    token = vcjwt.parse_vc_jwt(with_segment(sample_token, 0, header))

    with pytest.raises(vcjwt.VcJwtError, match="private key"):
        vcjwt.embedded_key(token)


def test_no_jwk_header_means_no_embedded_key(
    credential: dict[str, Any], rsa_key: rsa.RSAPrivateKey
) -> None:
    token = vcjwt.parse_vc_jwt(vcjwt.encode_vc_jwt(credential, rsa_key, KID))

    assert vcjwt.embedded_key(token) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("not-a-token", "three base64url segments"),
        ("a.b", "three base64url segments"),
        ("eyJhbGciOi.e30.c2ln", "header is not base64url-encoded JSON"),
        ("WyJhIl0.e30.c2ln", "header is JSON but not an object"),
    ],
)
def test_parse_rejects(text: str, reason: str) -> None:
    with pytest.raises(vcjwt.VcJwtError, match=reason):
        vcjwt.parse_vc_jwt(text)


def test_parse_payload_without_credential(rsa_key: rsa.RSAPrivateKey) -> None:
    encoded = jwt.encode({"alg": "RS256"}, {"iss": "x"}, RSAKey.import_key(rsa_key))

    token = vcjwt.parse_vc_jwt(encoded)

    assert token.credential is None
