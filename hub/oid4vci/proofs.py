"""Key proofs of type ``jwt`` (OpenID4VCI 1.0 Appendix F.1) and the holder DIDs they name.

The proof's JOSE header has ``typ: openid4vci-proof+jwt`` and names the wallet's public key
either as ``jwk`` or as ``kid``, a did:key (Ed25519) or did:jwk DID URL. Its claims carry
``aud`` = the Credential Issuer identifier, ``iat`` and ``nonce`` = a ``c_nonce`` of this hub.
"""

from __future__ import annotations

import json
import time
import warnings
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import ECKey, OKPKey
from joserfc.util import urlsafe_b64decode, urlsafe_b64encode

from hub.credentials import multikey
from hub.oid4vci.errors import Oid4vciError

PROOF_TYPE = "openid4vci-proof+jwt"
PROOF_ALGORITHMS = ("EdDSA", "ES256")
# A proof signed longer ago than this, or later than now plus the same margin, is rejected.
MAX_PROOF_AGE_SECONDS = 300
DID_JWK_PREFIX = "did:jwk:"


@dataclass(frozen=True)
class KeyProof:
    """A checked key proof: the wallet's DID and the ``c_nonce`` it signed."""

    holder_did: str
    nonce: str


def check_key_proof(token: str, audience: str, now: float | None = None) -> KeyProof:
    """Verify the proof's signature and claims; the caller still has to spend the nonce.

    Raises :class:`Oid4vciError` ``invalid_proof`` for every defect other than a missing nonce.
    """
    header = _header_of(token)
    if header.get("typ") != PROOF_TYPE:
        raise _invalid(f"the proof's typ header is {header.get('typ')!r}; use {PROOF_TYPE!r}")
    if header.get("alg") not in PROOF_ALGORITHMS:
        raise _invalid(f"alg {header.get('alg')!r} is not accepted; use one of {PROOF_ALGORITHMS}")
    key, holder_did = _holder_key(header)
    try:
        with warnings.catch_warnings():
            # RFC 9864 deprecates the name "EdDSA"; wallets still send it for Ed25519.
            warnings.simplefilter("ignore", SecurityWarning)
            claims = jwt.decode(token, key, algorithms=list(PROOF_ALGORITHMS)).claims
    except (JoseError, ValueError) as error:
        raise _invalid(f"the proof's signature does not verify with its key: {error}") from error

    _check_claims(claims, audience, time.time() if now is None else now)
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise Oid4vciError(
            "invalid_nonce", "the proof has no nonce claim; ask the nonce endpoint for a c_nonce"
        )
    return KeyProof(holder_did=holder_did, nonce=nonce)


def did_jwk_for(public_jwk: dict[str, Any]) -> str:
    """Return the did:jwk DID of a public JWK (did:jwk method, §2.1)."""
    encoded = json.dumps(public_jwk, separators=(",", ":"), sort_keys=True).encode()
    return DID_JWK_PREFIX + urlsafe_b64encode(encoded).decode("ascii")


def _check_claims(claims: dict[str, Any], audience: str, now: float) -> None:
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if audience not in audiences:
        raise _invalid(f"the proof's aud is {aud!r}; it must be the Credential Issuer {audience!r}")
    iat = claims.get("iat")
    if not isinstance(iat, int | float) or isinstance(iat, bool):
        raise _invalid("the proof has no numeric iat claim")
    if abs(now - iat) > MAX_PROOF_AGE_SECONDS:
        raise _invalid(
            f"the proof's iat is {int(now - iat)} seconds away from now; sign a fresh proof"
        )


def _header_of(token: str) -> dict[str, Any]:
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        raise _invalid("a jwt proof is a compact JWS of three base64url segments")
    try:
        header = json.loads(urlsafe_b64decode(parts[0].encode("ascii")))
    except (ValueError, UnicodeError) as error:
        raise _invalid("the proof's header is not base64url-encoded JSON") from error
    if not isinstance(header, dict):
        raise _invalid("the proof's header is not a JSON object")
    return header


def _holder_key(header: dict[str, Any]) -> tuple[OKPKey | ECKey, str]:
    """Return the key that signed the proof and the DID that names it."""
    has_jwk, has_kid = "jwk" in header, "kid" in header
    if has_jwk == has_kid:
        raise _invalid("the proof header must name its key by exactly one of jwk and kid")
    if has_jwk:
        return _public_key(header["jwk"])
    kid = header["kid"]
    if not isinstance(kid, str):
        raise _invalid("the proof's kid is not a string")
    did = kid.partition("#")[0]
    if did.startswith(multikey.DID_KEY_PREFIX):
        try:
            method = multikey.resolve_did_key(kid)
        except multikey.MultikeyError as error:
            raise _invalid(f"kid {kid!r} is not a usable did:key: {error}") from error
        public = multikey.decode_public_key(method["publicKeyMultibase"])
        return OKPKey.import_key(public), did
    if did.startswith(DID_JWK_PREFIX):
        try:
            jwk = json.loads(urlsafe_b64decode(did.removeprefix(DID_JWK_PREFIX).encode("ascii")))
        except (ValueError, UnicodeError) as error:
            raise _invalid(f"kid {kid!r} is not a did:jwk of base64url JSON") from error
        key, _ = _public_key(jwk)
        return key, did
    raise _invalid(f"kid {kid!r} is neither a did:key nor a did:jwk DID URL")


def _public_key(jwk: Any) -> tuple[OKPKey | ECKey, str]:
    if not isinstance(jwk, dict):
        raise _invalid("the proof's jwk is not a JSON object")
    if "d" in jwk:
        raise _invalid("the proof's jwk contains a private key; send the public key only")
    try:
        if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
            key: OKPKey | ECKey = OKPKey.import_key(jwk)
        elif jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
            key = ECKey.import_key(jwk)
        else:
            raise _invalid("the proof's key must be an Ed25519 (OKP) or P-256 (EC) JWK")
    except (JoseError, ValueError, TypeError) as error:
        raise _invalid(f"the proof's jwk is not a valid public key: {error}") from error
    public = {name: jwk[name] for name in ("kty", "crv", "x", "y") if name in jwk}
    return key, did_jwk_for(public)


def _invalid(description: str) -> Oid4vciError:
    return Oid4vciError("invalid_proof", description)
