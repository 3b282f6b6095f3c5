"""Issuer keys resolved before verification, in a form that can be sent to a worker process.

Key resolution may need the database (this hub's tenant keys), which lives in the web process,
while the JSON-LD and signature work runs in a worker process. :func:`prepare_keys` reads the
verification methods of the proofs (or a VC-JWT's ``kid``) from the parsed input, resolves them
with the web process's resolver and keeps each result as a picklable JWK. In the worker,
:meth:`PreparedKeys.resolver` returns the same keys, and raises the same errors, as the original
resolver did.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from joserfc.jwk import ECKey, OKPKey, RSAKey, import_key

from hub.credentials import dataintegrity, vcjwt
from hub.credentials.keys import (
    ChainResolver,
    KeyResolutionError,
    KeyResolver,
    ResolvedKey,
    StaticKeyResolver,
    to_jose_key,
)
from hub.credentials.verifier.content import _is_uri

# Distinct verification methods resolved per credential. A credential has one proof, sometimes
# a few; without a bound, thousands of proofs would each cost a database lookup.
MAX_PREPARED_METHODS = 16


@dataclass(frozen=True)
class KeyMaterial:
    """One resolved key as plain data: the requested method, its public JWK and who controls it."""

    requested_method: str
    verification_method: str
    controller: str
    key_type: str
    source: str
    public_jwk: dict[str, Any]

    @classmethod
    def from_resolved(cls, requested_method: str, key: ResolvedKey) -> KeyMaterial:
        return cls(
            requested_method=requested_method,
            verification_method=key.verification_method,
            controller=key.controller,
            key_type=key.key_type,
            source=str(key.source),
            public_jwk=to_jose_key(key.public_key).as_dict(private=False),
        )

    def to_resolved(self) -> ResolvedKey:
        public_key = import_key(self.public_jwk)
        if not isinstance(public_key, RSAKey | ECKey | OKPKey):
            raise TypeError(f"{self.requested_method}: {public_key!r} is not a public key")
        return ResolvedKey(
            verification_method=self.verification_method,
            controller=self.controller,
            key_type=self.key_type,
            public_key=public_key,
            source=self.source,
        )


@dataclass(frozen=True)
class PreparedKeys:
    """Every verification method of one credential, resolved to a key, to nothing or to an error.

    A method missing from both ``keys`` and ``problems`` was unknown to every resolver.
    """

    keys: tuple[KeyMaterial, ...] = ()
    # (verification method, message of the KeyResolutionError it raised)
    problems: tuple[tuple[str, str], ...] = ()

    def resolver(self) -> KeyResolver:
        """A resolver that returns the prepared keys and raises the prepared errors."""
        keys = {material.requested_method: material.to_resolved() for material in self.keys}
        return ChainResolver([_FailingResolver(dict(self.problems)), StaticKeyResolver(keys)])


class _FailingResolver:
    """Raises the KeyResolutionError that the web process's resolver raised for a method."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self._problems = dict(problems)

    async def resolve(self, verification_method: str) -> ResolvedKey | None:
        problem = self._problems.get(verification_method)
        if problem is not None:
            raise KeyResolutionError(problem)
        return None


async def prepare_keys(
    parsed: Mapping[str, Any] | vcjwt.VcJwt, resolver: KeyResolver
) -> PreparedKeys:
    """Resolve the verification methods that the verifier will ask for; needs no JSON-LD work.

    Exceptions other than KeyResolutionError (a database outage) propagate, as in the verifier.
    """
    methods = verification_methods_of(parsed)
    keys: list[KeyMaterial] = []
    problems: list[tuple[str, str]] = []
    for method in methods[:MAX_PREPARED_METHODS]:
        try:
            key = await resolver.resolve(method)
        except KeyResolutionError as error:
            problems.append((method, str(error)))
            continue
        if key is not None:
            keys.append(KeyMaterial.from_resolved(method, key))
    skipped = (
        f"not resolved, because the credential names more than {MAX_PREPARED_METHODS} "
        "verification methods"
    )
    problems += [(method, skipped) for method in methods[MAX_PREPARED_METHODS:]]
    return PreparedKeys(tuple(keys), tuple(problems))


def verification_methods_of(parsed: Mapping[str, Any] | vcjwt.VcJwt) -> list[str]:
    """List the distinct key URIs the verifier resolves: each proof's method, or the JWS kid."""
    if isinstance(parsed, vcjwt.VcJwt):
        candidates = [parsed.header.get("kid")]
    else:
        candidates = [
            proof.get("verificationMethod")
            for proof in dataintegrity.proofs_of(parsed)
            if isinstance(proof, Mapping)
        ]
    # The verifier rejects a method that is not a URI before asking any resolver.
    uris = [method for method in candidates if isinstance(method, str) and _is_uri(method)]
    return list(dict.fromkeys(uris))
