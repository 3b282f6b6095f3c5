"""Fixtures for the credentials engine tests: vendored vectors, their keys, and resolvers."""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hub.credentials import multikey
from hub.credentials.keys import KeyResolutionError, ResolvedKey

FIXTURE_VECTORS = Path(__file__).resolve().parents[2] / "fixtures" / "vectors"
W3C_EDDSA = "w3c__vc-di-eddsa/TestVectors"
OB_IMPL_GUIDE = "1EdTech__openbadges-specification/test-vectors/obv3p0-eddsa-rdfc-2022"
VALIDATOR_OB30 = "1EdTech__digital-credentials-public-validator/ob30"


def read_vector(relative: str) -> str:
    return (FIXTURE_VECTORS / relative).read_text("utf-8")


def read_vector_json(relative: str) -> Any:
    return json.loads(read_vector(relative))


@pytest.fixture
def vector() -> Callable[[str], Any]:
    """Read a vendored vector file: parsed JSON for ``.json``, text otherwise."""

    def read(relative: str) -> Any:
        return read_vector_json(relative) if relative.endswith(".json") else read_vector(relative)

    return read


@pytest.fixture
def w3c_private_key() -> Ed25519PrivateKey:
    """The key pair of the W3C EdDSA test vectors (keyPair.json)."""
    pair = read_vector_json(f"{W3C_EDDSA}/keyPair.json")
    return multikey.decode_secret_key(pair["privateKeyMultibase"])


@pytest.fixture
def ob_private_key() -> Ed25519PrivateKey:
    """The key pair of the Open Badges 3.0 implementation-guide vector (keypair.json)."""
    pair = read_vector_json(f"{OB_IMPL_GUIDE}/keypair.json")
    return multikey.decode_secret_key(pair["secretKeyMultibase"])


class FragmentKeyResolver:
    """Test stand-in for an issuer's published key list, used because tests make no requests.

    It takes the key from a ``https://issuer#z6Mk…`` verification method's fragment, as the
    1EdTech validator's own tests do, and names the URL before ``#`` as the controller. A real
    resolver must fetch the issuer's document instead; trusting the fragment proves nothing.
    """

    async def resolve(self, verification_method: str) -> ResolvedKey | None:
        if not verification_method.startswith(("https://", "http://")):
            return None
        controller, _, fragment = verification_method.partition("#")
        try:
            public_key = multikey.decode_public_key(fragment)
        except multikey.MultikeyError as error:
            raise KeyResolutionError(f"no Multikey in the fragment: {error}") from error
        return ResolvedKey(
            verification_method=verification_method,
            controller=controller,
            key_type="Multikey",
            public_key=public_key,
            source="test stand-in: key taken from the verification method fragment",
        )


@pytest.fixture
def fragment_resolver() -> FragmentKeyResolver:
    return FragmentKeyResolver()


@pytest.fixture
def baked_credential() -> Callable[[Path], str]:
    """Read the credential (JSON text or compact JWS) baked into an OB 3.0 PNG or SVG."""

    def read(path: Path) -> str:
        return token_from_svg(path) if path.suffix == ".svg" else text_from_png(path)

    return read


def token_from_svg(path: Path) -> str:
    """Return the credential text baked into an Open Badges 3.0 SVG (verify attribute or body)."""
    text = path.read_text("utf-8")
    attribute = re.search(r'<openbadges:credential[^>]*\sverify="([^"]+)"', text)
    if attribute:
        return attribute.group(1)
    body = re.search(
        r"<openbadges:credential[^>]*>\s*(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?\s*</openbadges:credential>",
        text,
        re.DOTALL,
    )
    assert body is not None, f"{path} has no openbadges:credential element"
    return body.group(1)


def text_from_png(path: Path) -> str:
    """Return the text of the uncompressed iTXt chunk with keyword ``openbadgecredential``."""
    data = path.read_bytes()
    offset = 8  # PNG signature
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        chunk_type = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        if chunk_type == b"iTXt" and body.startswith(b"openbadgecredential\0"):
            # keyword NUL, compression flag, compression method, language NUL, translated NUL
            rest = body[len(b"openbadgecredential\0") + 2 :]
            return rest.split(b"\0", 2)[2].decode("utf-8")
        offset += 12 + length
    raise AssertionError(f"{path} has no openbadgecredential iTXt chunk")
