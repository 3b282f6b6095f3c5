"""VC-JWT: an OpenBadgeCredential signed as a compact JWS.

Implements Open Badges 3.0 §8.2 "JSON Web Token Proof Format": the JOSE header carries ``alg``,
``typ: JWT`` and a ``kid`` (or the public key itself as ``jwk``), and the JWT claims carry the
credential under ``vc`` together with ``iss`` = issuer.id, ``jti`` = id, ``nbf`` = validFrom,
``sub`` = credentialSubject.id and ``exp`` = validUntil (``issuanceDate`` and ``expirationDate``
for VC Data Model 1.1 credentials). Reading also accepts the W3C VC-JOSE-COSE 1.0 shape, where
the JWT payload is the credential itself; the 1EdTech validator's signed samples use it.

Only RS256, ES256 and EdDSA are accepted. ``none`` and the HMAC algorithms are rejected because a
verifier cannot hold the issuer's shared secret, so an HMAC "signature" proves nothing.
"""

from __future__ import annotations

import binascii
import json
import math
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeAlias

from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from joserfc import jws, jwt
from joserfc.errors import BadSignatureError, JoseError, SecurityWarning
from joserfc.jwk import ECKey, OKPKey, RSAKey, import_key
from joserfc.util import urlsafe_b64decode

from hub.credentials.keys import KeySource, PublicKey, ResolvedKey, to_jose_key

ALLOWED_ALGORITHMS = ("RS256", "ES256", "EdDSA")
JWT_TYPE = "JWT"
# OB 3.0 allows images as data: URLs inside a credential, so a signed credential can exceed
# joserfc's default payload limit of 128,000 bytes.
MAX_PAYLOAD_BYTES = 2 * 1024 * 1024
# A jwk header with an RSA key exceeds joserfc's default header limit of 512 bytes.
MAX_HEADER_BYTES = 16 * 1024
# Registered JWT claims (RFC 7519 §4.1) that are not part of the credential. In the VC-JOSE-COSE
# shape they appear beside the credential's own members in the payload.
REGISTERED_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "cnf"})

PrivateKey: TypeAlias = RSAPrivateKey | EllipticCurvePrivateKey | Ed25519PrivateKey
JosePrivateKey: TypeAlias = RSAKey | ECKey | OKPKey


class VcJwtError(ValueError):
    """A token is not a compact JWS with a JSON header and payload, or cannot be created."""


@dataclass(frozen=True)
class VcJwt:
    """A parsed, not yet verified, compact JWS and the credential it carries."""

    token: str
    header: dict[str, Any]
    claims: dict[str, Any]
    credential: dict[str, Any] | None
    has_vc_claim: bool


def encode_vc_jwt(
    credential: Mapping[str, Any],
    private_key: PrivateKey | JosePrivateKey,
    kid: str,
    alg: str = "RS256",
    *,
    issued_at: datetime | None = None,
) -> str:
    """Sign the credential as a VC-JWT with header ``{alg, typ: "JWT", kid}``.

    Raises :class:`VcJwtError` when ``alg`` is not accepted, the key does not fit ``alg``, or the
    credential lacks ``issuer``, ``id`` or a valid ``validFrom``/``issuanceDate``.
    """
    if alg not in ALLOWED_ALGORITHMS:
        raise VcJwtError(f"alg {alg!r} is not accepted; use one of {', '.join(ALLOWED_ALGORITHMS)}")
    claims = build_claims(credential, issued_at or datetime.now(UTC))
    if isinstance(private_key, RSAKey | ECKey | OKPKey):
        key = private_key
    else:
        key = import_key_object(private_key)
    try:
        with _eddsa_allowed():
            return jwt.encode({"alg": alg, "kid": kid}, claims, key, algorithms=[alg])
    except JoseError as error:
        raise VcJwtError(f"cannot sign with alg {alg!r}: {_describe(error)}") from error


def import_key_object(key: PrivateKey) -> JosePrivateKey:
    if isinstance(key, RSAPrivateKey):
        return RSAKey.import_key(key)
    if isinstance(key, EllipticCurvePrivateKey):
        return ECKey.import_key(key)
    return OKPKey.import_key(key)


def build_claims(credential: Mapping[str, Any], issued_at: datetime) -> dict[str, Any]:
    """Map the credential onto JWT claims as OB 3.0 §8.2 lists them."""
    issuer = issuer_id(credential)
    if issuer is None:
        raise VcJwtError("the credential has no issuer id, which the iss claim requires")
    if not isinstance(credential.get("id"), str):
        raise VcJwtError("the credential has no id, which the jti claim requires")
    valid_from = _credential_date(credential, "validFrom", "issuanceDate")
    if valid_from is None:
        raise VcJwtError("the credential has no validFrom (or issuanceDate) for the nbf claim")

    claims: dict[str, Any] = {
        "vc": dict(credential),
        "iss": issuer,
        "jti": credential["id"],
        "nbf": to_numeric_date(valid_from),
        "iat": int(issued_at.timestamp()),
    }
    subject = subject_id(credential)
    if subject is not None:
        claims["sub"] = subject
    valid_until = _credential_date(credential, "validUntil", "expirationDate")
    if valid_until is not None:
        claims["exp"] = to_numeric_date(valid_until)
    return claims


def parse_vc_jwt(token: str) -> VcJwt:
    """Split and decode a compact JWS without checking its signature.

    Raises :class:`VcJwtError` when the text is not three base64url segments whose header and
    payload are JSON objects.
    """
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise VcJwtError("a compact JWS has three base64url segments separated by '.'")
    header = _decode_json_segment(parts[0], "header")
    claims = _decode_json_segment(parts[1], "payload")
    vc = claims.get("vc")
    if isinstance(vc, dict):
        return VcJwt(token.strip(), header, claims, vc, has_vc_claim=True)
    if "@context" in claims:
        credential = {key: value for key, value in claims.items() if key not in REGISTERED_CLAIMS}
        return VcJwt(token.strip(), header, claims, credential, has_vc_claim=False)
    return VcJwt(token.strip(), header, claims, None, has_vc_claim=False)


def embedded_key(token: VcJwt) -> ResolvedKey | None:
    """Return the public key carried in the ``jwk`` header, or None when there is none.

    Raises :class:`VcJwtError` when the ``jwk`` is malformed or contains a private key.
    """
    jwk = token.header.get("jwk")
    if jwk is None:
        return None
    if not isinstance(jwk, dict):
        raise VcJwtError("the jwk header is not a JSON object")
    if "d" in jwk:
        raise VcJwtError("the jwk header contains a private key ('d'); the token is unsafe")
    try:
        key = import_key(jwk)
    except (JoseError, ValueError, TypeError) as error:
        raise VcJwtError(f"the jwk header is not a valid public key: {error}") from error
    if not isinstance(key, RSAKey | ECKey | OKPKey):
        raise VcJwtError(f"the jwk header has key type {jwk.get('kty')!r}, not RSA, EC or OKP")
    return ResolvedKey(
        verification_method="jwk header",
        controller="",
        key_type=f"JsonWebKey ({jwk.get('kty')})",
        public_key=key,
        source=KeySource.EMBEDDED_JWK,
    )


def verify_signature(token: VcJwt, key: PublicKey) -> str | None:
    """Verify the JWS signature with the key; return the problem, or None when it verifies."""
    alg = token.header.get("alg")
    if alg not in ALLOWED_ALGORITHMS:
        return (
            f"alg {alg!r} is not accepted; VC-JWTs must be signed with "
            f"{', '.join(ALLOWED_ALGORITHMS)}"
        )
    registry = jws.JWSRegistry(algorithms=[alg])
    registry.max_payload_length = MAX_PAYLOAD_BYTES
    registry.max_header_length = MAX_HEADER_BYTES
    try:
        with _eddsa_allowed():
            jws.deserialize_compact(token.token, to_jose_key(key), registry=registry)
    except BadSignatureError:
        return (
            f"the {alg} signature does not match: the token was changed after signing, "
            "or it was signed with a different key"
        )
    except JoseError as error:
        return f"the {alg} signature cannot be checked with this key: {_describe(error)}"
    return None


def check_claims(token: VcJwt) -> list[str]:
    """Compare the JWT claims with the credential (OB 3.0 §8.2.4.1); return every mismatch.

    ``iss``, ``jti``, ``nbf`` and (when the credential expires) ``exp`` are required in the
    ``vc``-claim shape. A missing ``sub`` is accepted, as the 1EdTech samples omit it.
    """
    credential = token.credential or {}
    claims = token.claims
    required = token.has_vc_claim
    return [
        *_compare_claim(claims, "iss", issuer_id(credential), "issuer id", required),
        *_compare_claim(claims, "jti", _string(credential.get("id")), "id", required),
        *_compare_claim(claims, "sub", subject_id(credential), "credentialSubject.id", False),
        *_compare_date_claim(claims, "nbf", credential, ("validFrom", "issuanceDate"), required),
        *_compare_date_claim(claims, "exp", credential, ("validUntil", "expirationDate"), required),
    ]


def issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, Mapping):
        return _string(issuer.get("id"))
    return _string(issuer)


def subject_id(credential: Mapping[str, Any]) -> str | None:
    subject = credential.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else None
    if isinstance(subject, Mapping):
        return _string(subject.get("id"))
    return None


def to_numeric_date(value: str) -> int:
    """Convert an XML Schema dateTime to a JWT NumericDate (whole seconds since the epoch)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise VcJwtError(f"{value!r} is not an ISO 8601 date-time") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return math.floor(moment.timestamp())


def _compare_claim(
    claims: Mapping[str, Any], claim: str, expected: str | None, field: str, is_required: bool
) -> list[str]:
    if claim not in claims:
        if is_required and expected is not None:
            return [f"the {claim} claim is missing; it must equal the credential's {field}"]
        return []
    if claims[claim] != expected:
        found = claims[claim]
        return [f"the {claim} claim is {found!r} but the credential's {field} is {expected!r}"]
    return []


def _compare_date_claim(
    claims: Mapping[str, Any],
    claim: str,
    credential: Mapping[str, Any],
    fields: tuple[str, str],
    is_required: bool,
) -> list[str]:
    value = _credential_date(credential, *fields)
    field = fields[0] if fields[0] in credential else fields[1]
    if value is None:
        return []
    try:
        expected = to_numeric_date(value)
    except VcJwtError:
        return []  # The validity-window check reports the malformed date itself.
    if claim not in claims:
        if is_required:
            return [f"the {claim} claim is missing; it must equal the credential's {field}"]
        return []
    if claims[claim] != expected:
        return [
            f"the {claim} claim is {claims[claim]!r} but the credential's {field} {value} "
            f"is {expected}"
        ]
    return []


def _credential_date(credential: Mapping[str, Any], name: str, legacy_name: str) -> str | None:
    value = credential.get(name, credential.get(legacy_name))
    return value if isinstance(value, str) else None


def _decode_json_segment(segment: str, name: str) -> dict[str, Any]:
    try:
        value = json.loads(urlsafe_b64decode(segment.encode("ascii")))
    except (binascii.Error, UnicodeError, ValueError) as error:
        raise VcJwtError(f"the JWS {name} is not base64url-encoded JSON") from error
    if not isinstance(value, dict):
        raise VcJwtError(f"the JWS {name} is JSON but not an object")
    return value


def _string(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _describe(error: JoseError) -> str:
    return error.description or type(error).__name__


@contextmanager
def _eddsa_allowed() -> Iterator[None]:
    """Silence joserfc's SecurityWarning for alg "EdDSA".

    RFC 9864 deprecates the polymorphic "EdDSA" name in favour of "Ed25519". Open Badges 3.0 still
    names "EdDSA", and the Ed25519 signature behind it is sound.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecurityWarning)
        yield
