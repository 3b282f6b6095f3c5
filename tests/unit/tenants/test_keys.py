"""Issuer keys: generation and AES-256-GCM encryption at rest bound to tenant and key."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from hub.credentials.multikey import decode_public_key
from tenants.keys import (
    KeyDecryptionError,
    decrypt_private_key,
    encrypt_private_key,
    generate_key,
    kek_id,
)

KEK = os.urandom(32)


def test_ed25519_fragment_is_its_multikey() -> None:
    key = generate_key("Ed25519")

    assert key.fragment.startswith("z6Mk")
    assert isinstance(key.private_key, ed25519.Ed25519PrivateKey)
    assert decode_public_key(key.fragment) == key.private_key.public_key()
    assert key.public_jwk["kty"] == "OKP"
    assert "d" not in key.public_jwk


def test_rsa_key_is_2048_bits() -> None:
    key = generate_key("RS256")

    assert isinstance(key.private_key, rsa.RSAPrivateKey)
    assert key.private_key.key_size == 2048
    assert key.fragment == "rsa-" + key.public_jwk["kid"]
    assert {"d", "p", "q"}.isdisjoint(key.public_jwk)


@pytest.mark.parametrize("algorithm", ["Ed25519", "RS256"])
def test_encryption_round_trip(algorithm: str) -> None:
    key = generate_key(algorithm)  # type: ignore[arg-type]

    blob = encrypt_private_key(key.private_key, KEK, "uphf", key.fragment)
    restored = decrypt_private_key(blob, KEK, "uphf", key.fragment)

    assert restored.public_key() == key.private_key.public_key()


def test_ciphertext_differs_each_time() -> None:
    key = generate_key("Ed25519")

    first = encrypt_private_key(key.private_key, KEK, "uphf", key.fragment)
    second = encrypt_private_key(key.private_key, KEK, "uphf", key.fragment)

    assert first != second


def test_wrong_kek_fails_clearly() -> None:
    key = generate_key("Ed25519")
    blob = encrypt_private_key(key.private_key, KEK, "uphf", key.fragment)

    with pytest.raises(KeyDecryptionError, match="HUB_KEY_ENCRYPTION_KEY"):
        decrypt_private_key(blob, os.urandom(32), "uphf", key.fragment)


def test_ciphertext_bound_to_tenant() -> None:
    key = generate_key("Ed25519")
    blob = encrypt_private_key(key.private_key, KEK, "uphf", key.fragment)

    with pytest.raises(KeyDecryptionError):
        decrypt_private_key(blob, KEK, "btu", key.fragment)


def test_tampered_ciphertext_fails() -> None:
    key = generate_key("Ed25519")
    blob = bytearray(encrypt_private_key(key.private_key, KEK, "uphf", key.fragment))
    blob[-1] ^= 1

    with pytest.raises(KeyDecryptionError):
        decrypt_private_key(bytes(blob), KEK, "uphf", key.fragment)


def test_kek_id_is_stable_and_short() -> None:
    assert kek_id(KEK) == kek_id(KEK)
    assert kek_id(KEK) != kek_id(os.urandom(32))
    assert len(kek_id(KEK)) == 16
