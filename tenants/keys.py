"""Issuer key material: generation, encryption at rest and public forms.

Each tenant has an Ed25519 key (Multikey, for Data Integrity ``eddsa-rdfc-2022``) and an
RSA-2048 key (RS256, for VC-JWT). Private keys are PKCS#8 DER encrypted with AES-256-GCM under the
key-encryption key (KEK) from settings. The associated data binds each ciphertext to its tenant and
key fragment, so a ciphertext copied onto another key row fails to decrypt.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Any, Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from joserfc.jwk import OKPKey, RSAKey

from hub.credentials.multikey import encode_public_key

Algorithm = Literal["Ed25519", "RS256"]
PrivateKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey

NONCE_BYTES = 12
RSA_KEY_BITS = 2048


class KeyDecryptionError(Exception):
    """A stored private key could not be decrypted: wrong KEK or tampered ciphertext."""


def kek_id(key_encryption_key: bytes) -> str:
    """Return a short public identifier of a KEK, stored beside each ciphertext for KEK rotation."""
    return hashlib.sha256(b"badgehub-kek-id:" + key_encryption_key).hexdigest()[:16]


@dataclass(frozen=True)
class GeneratedKey:
    algorithm: Algorithm
    fragment: str
    public_jwk: dict[str, Any]
    private_key: PrivateKey


def generate_key(algorithm: Algorithm) -> GeneratedKey:
    private_key: PrivateKey
    if algorithm == "Ed25519":
        private_key = ed25519.Ed25519PrivateKey.generate()
        # The Multikey value doubles as the fragment, as did:key does, so ids are self-describing.
        fragment = encode_public_key(private_key.public_key())
    else:
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)
        fragment = ""
    public_jwk = public_jwk_of(private_key)
    if not fragment:
        fragment = "rsa-" + public_jwk["kid"]
    return GeneratedKey(algorithm, fragment, public_jwk, private_key)


def public_jwk_of(private_key: PrivateKey) -> dict[str, Any]:
    """Public JWK with its RFC 7638 thumbprint as ``kid``."""
    public_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    jwk: OKPKey | RSAKey
    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        jwk = OKPKey.import_key(public_pem)
    else:
        jwk = RSAKey.import_key(public_pem)
    public = dict(jwk.as_dict(private=False))
    public["kid"] = jwk.thumbprint()
    return public


def _associated_data(tenant_slug: str, fragment: str) -> bytes:
    return f"badgehub:issuer-key:{tenant_slug}#{fragment}".encode()


def encrypt_private_key(
    private_key: PrivateKey, key_encryption_key: bytes, tenant_slug: str, fragment: str
) -> bytes:
    der = private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(key_encryption_key).encrypt(
        nonce, der, _associated_data(tenant_slug, fragment)
    )
    return nonce + ciphertext


def decrypt_private_key(
    blob: bytes, key_encryption_key: bytes, tenant_slug: str, fragment: str
) -> PrivateKey:
    from cryptography.exceptions import InvalidTag

    nonce, ciphertext = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
    try:
        der = AESGCM(key_encryption_key).decrypt(
            nonce, ciphertext, _associated_data(tenant_slug, fragment)
        )
    except InvalidTag:
        raise KeyDecryptionError(
            f"the private key {tenant_slug}#{fragment} does not decrypt with the configured "
            "HUB_KEY_ENCRYPTION_KEY: the KEK differs from the one that encrypted it, or the "
            "stored ciphertext was altered"
        ) from None
    key = serialization.load_der_private_key(der, password=None)
    if not isinstance(key, ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey):
        raise KeyDecryptionError(f"unexpected key type {type(key).__name__}")
    return key
