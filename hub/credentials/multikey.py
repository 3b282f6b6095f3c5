"""Ed25519 keys as Multikey strings, and did:key resolution for Ed25519.

Implements the Multikey encoding of W3C Controlled Identifiers v1.0 §2.2.2: a multicodec header
(``0xed01`` for an Ed25519 public key, ``0x8026`` for an Ed25519 secret key) followed by the raw
key bytes, encoded as multibase base58btc (prefix ``z``). Public keys therefore start with
``z6Mk``. The did:key method (W3C CCG did:key v0.7, §3 "Create" and "Read") is supported for
Ed25519 keys only. Its verification method is given as ``Multikey`` (VC Data Integrity 1.0) or as
``Ed25519VerificationKey2020`` (Ed25519 Signature 2020), because both use the same encoded value.
"""

from __future__ import annotations

from typing import Literal

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519_PUBLIC_HEADER = b"\xed\x01"
ED25519_SECRET_HEADER = b"\x80\x26"
BASE58BTC_PREFIX = "z"
DID_KEY_PREFIX = "did:key:"
ED25519_KEY_LENGTH = 32

VerificationMethodType = Literal["Multikey", "Ed25519VerificationKey2020"]


class MultikeyError(ValueError):
    """A Multikey string or did:key DID URL is malformed or contains a key other than Ed25519."""


def encode_public_key(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return _encode_multibase(ED25519_PUBLIC_HEADER + raw)


def decode_public_key(value: str) -> Ed25519PublicKey:
    """Decode a ``z6Mk…`` publicKeyMultibase value into an Ed25519 public key."""
    raw = _decode_multibase(value)
    if raw[:2] != ED25519_PUBLIC_HEADER:
        raise MultikeyError(
            f"publicKeyMultibase {value!r} has multicodec header 0x{raw[:2].hex()}, expected "
            f"0x{ED25519_PUBLIC_HEADER.hex()} (Ed25519 public key); only Ed25519 is supported"
        )
    if len(raw) != 2 + ED25519_KEY_LENGTH:
        raise MultikeyError(
            f"publicKeyMultibase {value!r} contains {len(raw) - 2} key bytes, expected 32"
        )
    try:
        return Ed25519PublicKey.from_public_bytes(raw[2:])
    except ValueError as error:
        raise MultikeyError(f"publicKeyMultibase {value!r} is not an Ed25519 key") from error


def encode_secret_key(key: Ed25519PrivateKey) -> str:
    """Encode the 32-byte Ed25519 seed as secretKeyMultibase."""
    seed = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return _encode_multibase(ED25519_SECRET_HEADER + seed)


def decode_secret_key(value: str) -> Ed25519PrivateKey:
    """Decode a secretKeyMultibase value containing a 32-byte seed or a seed + public key.

    Some tools, the Open Badges 3.0 implementation guide among them, append the public key to the
    seed. The appended half must then match the key derived from the seed.
    """
    raw = _decode_multibase(value)
    if raw[:2] != ED25519_SECRET_HEADER:
        raise MultikeyError(
            f"secretKeyMultibase has multicodec header 0x{raw[:2].hex()}, expected "
            f"0x{ED25519_SECRET_HEADER.hex()} (Ed25519 secret key)"
        )
    body = raw[2:]
    if len(body) not in (ED25519_KEY_LENGTH, 2 * ED25519_KEY_LENGTH):
        raise MultikeyError(f"secretKeyMultibase contains {len(body)} key bytes, expected 32 or 64")
    key = Ed25519PrivateKey.from_private_bytes(body[:ED25519_KEY_LENGTH])
    appended_public = body[ED25519_KEY_LENGTH:]
    if appended_public and appended_public != _raw_public(key):
        raise MultikeyError("secretKeyMultibase contains a public key that does not match its seed")
    return key


def did_key_for(key: Ed25519PublicKey) -> str:
    return DID_KEY_PREFIX + encode_public_key(key)


def resolve_did_key(did_url: str, key_type: VerificationMethodType = "Multikey") -> dict[str, str]:
    """Build the verification method that a did:key DID URL refers to.

    Accepts ``did:key:z6Mk…#z6Mk…`` (the fragment must repeat the key) and the bare DID, which
    issuers use to mean its only key. Raises :class:`MultikeyError` for other key types or a
    malformed DID URL.
    """
    did, _, fragment = did_url.partition("#")
    if not did.startswith(DID_KEY_PREFIX):
        raise MultikeyError(f"{did_url!r} is not a did:key DID URL")
    encoded = did.removeprefix(DID_KEY_PREFIX)
    if fragment and fragment != encoded:
        raise MultikeyError(
            f"did:key URL {did_url!r} has fragment {fragment!r}; a did:key has exactly one key, "
            f"whose fragment is the key itself ({encoded!r})"
        )
    decode_public_key(encoded)
    return {
        "id": f"{did}#{encoded}",
        "type": key_type,
        "controller": did,
        "publicKeyMultibase": encoded,
    }


def _raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _encode_multibase(raw: bytes) -> str:
    return BASE58BTC_PREFIX + base58.b58encode(raw).decode("ascii")


def _decode_multibase(value: str) -> bytes:
    if not value.startswith(BASE58BTC_PREFIX):
        raise MultikeyError(
            f"multibase value {value[:16]!r} does not start with 'z' (base58btc), the only "
            "encoding Multikey uses"
        )
    try:
        return base58.b58decode(value[1:])
    except ValueError as error:
        raise MultikeyError(f"multibase value {value[:16]!r}… is not valid base58btc") from error
