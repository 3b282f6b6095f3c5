"""Key resolution: from a proof's verification method (or a JWS ``kid``) to a public key.

Verifiers depend only on the :class:`KeyResolver` Protocol. This module provides resolvers that
need no network and no database: did:key (W3C CCG did:key v0.7, Ed25519 only), a fixed mapping,
and a chain that tries several resolvers in order. Remote did:web documents and HTTPS issuer
profiles are deliberately not fetched here, so a verification method that no resolver knows
ends as "not resolvable" and never causes a request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TypeAlias

from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from joserfc.jwk import ECKey, OKPKey, RSAKey

from hub.credentials import multikey

CryptographyPublicKey: TypeAlias = Ed25519PublicKey | RSAPublicKey | EllipticCurvePublicKey
JoseKey: TypeAlias = RSAKey | ECKey | OKPKey
PublicKey: TypeAlias = CryptographyPublicKey | JoseKey


class KeySource(StrEnum):
    """The origin of a resolved key; resolvers may also describe their own origin in words."""

    HUB_TENANT = "hub tenant"
    DID_KEY = "did:key"
    EMBEDDED_JWK = "embedded jwk"
    CONFIGURED = "configured key"


class KeyResolutionError(Exception):
    """A resolver recognised the verification method as its own but cannot produce a key from it.

    Verifiers report this as a failed issuer-key check. Resolvers raise other exceptions only for
    outages (a database that is down), which must not turn into a verdict on the credential.
    """


@dataclass(frozen=True)
class ResolvedKey:
    """A public key and the identity that controls it."""

    verification_method: str
    controller: str
    key_type: str
    public_key: PublicKey
    source: str


class KeyResolver(Protocol):
    async def resolve(self, verification_method: str) -> ResolvedKey | None:
        """Return the key for this verification method, or None when it is unknown here."""
        ...


class DidKeyResolver:
    """Resolves ``did:key`` Ed25519 verification methods from the DID itself."""

    async def resolve(self, verification_method: str) -> ResolvedKey | None:
        if not verification_method.startswith(multikey.DID_KEY_PREFIX):
            return None
        try:
            method = multikey.resolve_did_key(verification_method)
        except multikey.MultikeyError as error:
            raise KeyResolutionError(str(error)) from error
        return ResolvedKey(
            verification_method=method["id"],
            controller=method["controller"],
            key_type=method["type"],
            public_key=multikey.decode_public_key(method["publicKeyMultibase"]),
            source=KeySource.DID_KEY,
        )


class StaticKeyResolver:
    """Resolves verification methods from a fixed mapping, such as keys pinned in configuration."""

    def __init__(self, keys: Mapping[str, ResolvedKey]) -> None:
        self._keys = dict(keys)

    async def resolve(self, verification_method: str) -> ResolvedKey | None:
        return self._keys.get(verification_method)


class ChainResolver:
    """Tries each resolver in order and returns the first key found."""

    def __init__(self, resolvers: Iterable[KeyResolver]) -> None:
        self._resolvers = tuple(resolvers)

    async def resolve(self, verification_method: str) -> ResolvedKey | None:
        for resolver in self._resolvers:
            found = await resolver.resolve(verification_method)
            if found is not None:
                return found
        return None


def to_cryptography_key(key: PublicKey) -> CryptographyPublicKey:
    """Return the ``cryptography`` public key behind a joserfc or ``cryptography`` key."""
    if isinstance(key, RSAKey | ECKey | OKPKey):
        public = key.public_key
        if not isinstance(public, CryptographyPublicKey):
            raise KeyResolutionError(f"unsupported public key type {type(public).__name__}")
        return public
    return key


def to_jose_key(key: PublicKey) -> JoseKey:
    """Wrap a ``cryptography`` public key as the joserfc key type that JWS verification needs."""
    if isinstance(key, RSAKey | ECKey | OKPKey):
        return key
    if isinstance(key, RSAPublicKey):
        return RSAKey.import_key(key)
    if isinstance(key, EllipticCurvePublicKey):
        return ECKey.import_key(key)
    return OKPKey.import_key(key)
