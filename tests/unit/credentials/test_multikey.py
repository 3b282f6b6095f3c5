"""Multikey encoding, did:key resolution and the key resolvers, against the published key pairs."""

from __future__ import annotations

from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hub.credentials import multikey
from hub.credentials.keys import (
    ChainResolver,
    DidKeyResolver,
    KeyResolutionError,
    KeySource,
    ResolvedKey,
    StaticKeyResolver,
)
from tests.unit.credentials.conftest import OB_IMPL_GUIDE, W3C_EDDSA, read_vector_json

W3C_PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
# The issuer of the W3C "employ" vector: a P-256 did:key, which this module does not support.
P256_DID = "did:key:zDnaegE6RR3atJtHKwTRTWHsJ3kNHqFwv7n9YjTgmU7TyfU76"


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def test_w3c_key_pair_round_trip() -> None:
    pair = read_vector_json(f"{W3C_EDDSA}/keyPair.json")

    private = multikey.decode_secret_key(pair["privateKeyMultibase"])
    public = multikey.decode_public_key(pair["publicKeyMultibase"])

    assert raw_public(private.public_key()) == raw_public(public)
    assert multikey.encode_public_key(public) == pair["publicKeyMultibase"]
    assert multikey.encode_secret_key(private) == pair["privateKeyMultibase"]


def test_ob_key_pair_with_appended_public_key() -> None:
    pair = read_vector_json(f"{OB_IMPL_GUIDE}/keypair.json")

    private = multikey.decode_secret_key(pair["secretKeyMultibase"])
    public = multikey.decode_public_key(pair["publicKeyMultibase"])

    assert raw_public(public).hex() == pair["publicKeyHex"]
    assert raw_public(private.public_key()).hex() == pair["publicKeyHex"]
    seed = pair["privateKeyHex_seed_plus_public"][:64]
    assert multikey.encode_secret_key(private) == multikey.encode_secret_key(
        Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed))
    )


def test_secret_key_with_wrong_public_half() -> None:
    pair = read_vector_json(f"{OB_IMPL_GUIDE}/keypair.json")
    seed = bytes.fromhex(pair["privateKeyHex_seed_plus_public"][:64])
    other_public = raw_public(Ed25519PrivateKey.generate().public_key())
    value = "z" + base58.b58encode(multikey.ED25519_SECRET_HEADER + seed + other_public).decode()

    with pytest.raises(multikey.MultikeyError, match="does not match"):
        multikey.decode_secret_key(value)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("u" + W3C_PUBLIC[1:], "does not start with 'z'"),
        ("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ0", "not valid base58btc"),
        (P256_DID.removeprefix("did:key:"), "expected 0xed01"),
        ("z" + base58.b58encode(b"\xed\x01" + bytes(16)).decode(), "16 key bytes, expected 32"),
    ],
)
def test_decode_public_key_rejects(value: str, reason: str) -> None:
    with pytest.raises(multikey.MultikeyError, match=reason):
        multikey.decode_public_key(value)


@pytest.mark.parametrize("key_type", ["Multikey", "Ed25519VerificationKey2020"])
def test_resolve_did_key_forms(key_type: Any) -> None:
    did = f"did:key:{W3C_PUBLIC}"

    method = multikey.resolve_did_key(f"{did}#{W3C_PUBLIC}", key_type)

    assert method == {
        "id": f"{did}#{W3C_PUBLIC}",
        "type": key_type,
        "controller": did,
        "publicKeyMultibase": W3C_PUBLIC,
    }


def test_resolve_bare_did_key() -> None:
    method = multikey.resolve_did_key(f"did:key:{W3C_PUBLIC}")

    assert method["id"] == f"did:key:{W3C_PUBLIC}#{W3C_PUBLIC}"


@pytest.mark.parametrize(
    ("did_url", "reason"),
    [
        (f"did:key:{W3C_PUBLIC}#key-1", "fragment 'key-1'"),
        (P256_DID, "only Ed25519 is supported"),
        (f"did:web:example.org#{W3C_PUBLIC}", "not a did:key"),
    ],
)
def test_resolve_did_key_rejects(did_url: str, reason: str) -> None:
    with pytest.raises(multikey.MultikeyError, match=reason):
        multikey.resolve_did_key(did_url)


def test_did_key_for_w3c_key() -> None:
    public = multikey.decode_public_key(W3C_PUBLIC)

    assert multikey.did_key_for(public) == f"did:key:{W3C_PUBLIC}"


async def test_did_key_resolver_finds_key() -> None:
    vm = f"did:key:{W3C_PUBLIC}#{W3C_PUBLIC}"

    found = await DidKeyResolver().resolve(vm)

    assert found is not None
    assert found.verification_method == vm
    assert found.controller == f"did:key:{W3C_PUBLIC}"
    assert found.source == KeySource.DID_KEY
    assert isinstance(found.public_key, Ed25519PublicKey)
    assert multikey.encode_public_key(found.public_key) == W3C_PUBLIC


async def test_did_key_resolver_ignores_other_methods() -> None:
    assert await DidKeyResolver().resolve("did:web:example.org:tenants:a#key-1") is None
    assert await DidKeyResolver().resolve("https://example.edu/issuers/1#key-1") is None


async def test_did_key_resolver_rejects_p256() -> None:
    with pytest.raises(KeyResolutionError, match="Ed25519"):
        await DidKeyResolver().resolve(P256_DID)


async def test_chain_resolver_first_match_wins() -> None:
    vm = f"did:key:{W3C_PUBLIC}#{W3C_PUBLIC}"
    pinned = ResolvedKey(
        vm,
        "https://pinned.example",
        "Multikey",
        multikey.decode_public_key(W3C_PUBLIC),
        KeySource.CONFIGURED,
    )
    chain = ChainResolver([StaticKeyResolver({vm: pinned}), DidKeyResolver()])

    found = await chain.resolve(vm)

    assert found is pinned


async def test_chain_resolver_falls_through() -> None:
    chain = ChainResolver([StaticKeyResolver({}), DidKeyResolver()])

    found = await chain.resolve(f"did:key:{W3C_PUBLIC}")
    unknown = await chain.resolve("did:web:elsewhere.example#key-1")

    assert found is not None
    assert found.source == KeySource.DID_KEY
    assert unknown is None
