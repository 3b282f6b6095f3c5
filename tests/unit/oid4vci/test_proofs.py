"""Key proofs of type jwt (OpenID4VCI 1.0 Appendix F.1) and the did:jwk of a wallet key."""

from __future__ import annotations

import time
import warnings
from typing import Any

import pytest
from joserfc import jwt
from joserfc.errors import SecurityWarning
from joserfc.jwk import ECKey, OctKey, OKPKey

from hub.oid4vci.errors import Oid4vciError
from hub.oid4vci.proofs import check_key_proof, did_jwk_for

ISSUER = "https://hub.example/tenants/uphf"
# The P-256 example of the did:jwk method specification (github.com/quartzjer/did-jwk).
SPEC_JWK = {
    "crv": "P-256",
    "kty": "EC",
    "x": "acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0",
    "y": "_KcyLj9vWMptnmKtm46GqDz8wf74I5LKgrl2GzH3nSE",
}
SPEC_DID = (
    "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6"
    "OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9"
)


def sign(header: dict[str, Any], key: Any, **claims: Any) -> str:
    body = {"aud": ISSUER, "iat": int(time.time()), "nonce": "n-1"} | claims
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecurityWarning)
        return jwt.encode(header, body, key, algorithms=[header["alg"]])


def error_of(token: str) -> str:
    with pytest.raises(Oid4vciError) as raised:
        check_key_proof(token, ISSUER)
    return raised.value.error


def test_did_jwk_matches_spec_example() -> None:
    assert did_jwk_for(SPEC_JWK) == SPEC_DID


def test_did_jwk_kid_names_holder() -> None:
    key = ECKey.generate_key("P-256")
    did = did_jwk_for(key.as_dict(private=False))
    token = sign({"alg": "ES256", "typ": "openid4vci-proof+jwt", "kid": f"{did}#0"}, key)

    proof = check_key_proof(token, ISSUER)

    assert proof.holder_did == did
    assert proof.nonce == "n-1"


def test_private_jwk_is_rejected() -> None:
    key = OKPKey.generate_key("Ed25519")
    header = {"alg": "EdDSA", "typ": "openid4vci-proof+jwt", "jwk": key.as_dict(private=True)}

    assert error_of(sign(header, key)) == "invalid_proof"


def test_wrong_typ_is_rejected() -> None:
    key = OKPKey.generate_key("Ed25519")
    header = {"alg": "EdDSA", "typ": "JWT", "jwk": key.as_dict(private=False)}

    assert error_of(sign(header, key)) == "invalid_proof"


def test_jwk_and_kid_together_are_rejected() -> None:
    key = OKPKey.generate_key("Ed25519")
    header = {
        "alg": "EdDSA",
        "typ": "openid4vci-proof+jwt",
        "jwk": key.as_dict(private=False),
        "kid": "did:example:123#0",
    }

    assert error_of(sign(header, key)) == "invalid_proof"


def test_hmac_proof_is_rejected() -> None:
    key = OctKey.generate_key(256)
    header = {"alg": "HS256", "typ": "openid4vci-proof+jwt", "kid": "did:example:123#0"}

    assert error_of(sign(header, key)) == "invalid_proof"


def test_audience_list_with_issuer_is_accepted() -> None:
    key = OKPKey.generate_key("Ed25519")
    header = {"alg": "EdDSA", "typ": "openid4vci-proof+jwt", "jwk": key.as_dict(private=False)}

    proof = check_key_proof(sign(header, key, aud=["https://other.example", ISSUER]), ISSUER)

    assert proof.holder_did.startswith("did:jwk:")
