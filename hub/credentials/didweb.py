"""Key resolution for any did:web, by fetching the DID document through the outbound fetcher.

Implements "Read (Resolve)" of the W3C CCG DID Method "web" specification (did:web, §3.2): the
method-specific identifier's colons become slashes, a percent-encoded port colon is decoded, and
``/did.json`` is appended, with ``/.well-known`` first when the DID has no path. So
``did:web:example.com%3A3000:user:alice`` resolves to ``https://example.com:3000/user/alice/did.json``.
Plain HTTP is used only for hosts configured as loopback peers of the fetcher, so that two hubs
on one machine can resolve each other in tests.

The DID document (W3C DID Core 1.0) must have the DID as its ``id``. A verification method is
found in ``verificationMethod`` or embedded in ``assertionMethod``, must be controlled by the
DID, and must be authorised for ``assertionMethod``, the proof purpose of credentials (VC Data
Integrity 1.0 §4.3 "Verify Proof"). Keys of type ``Multikey`` and
``Ed25519VerificationKey2020`` (``publicKeyMultibase``, Ed25519) and ``JsonWebKey`` and
``JsonWebKey2020`` (``publicKeyJwk``) are read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OKPKey, RSAKey, import_key

from hub.credentials import multikey
from hub.credentials.keys import KeyResolutionError, PublicKey, ResolvedKey
from hub.outbound import Fetcher, FetchError

DID_WEB_PREFIX = "did:web:"
MULTIBASE_TYPES = frozenset({"Multikey", "Ed25519VerificationKey2020"})
JWK_TYPES = frozenset({"JsonWebKey", "JsonWebKey2020"})
# A host name or IPv4 address, optionally with a percent-encoded port (did:web §3.1).
_HOST = re.compile(
    r"(?P<host>[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(?:%3[Aa](?P<port>[0-9]{1,5}))?"
)
_SEGMENT = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=@-]|%[0-9A-Fa-f]{2}")


DID_MEDIA_TYPES = "application/did+json, application/did+ld+json;q=0.9, application/json;q=0.8"


class DidWebResolver:
    """Resolves any did:web by fetching its DID document; the fetcher caches the documents.

    DIDs on this hub's own host are never fetched: the tenant resolver, earlier in the chain,
    resolves those of its tenants, and any other DID on this host is reported as unknown.
    """

    def __init__(self, fetcher: Fetcher, own_did_host: str) -> None:
        self._fetcher = fetcher
        self._own_did_host = own_did_host.lower()

    async def resolve(self, verification_method: str) -> ResolvedKey | None:
        if not verification_method.startswith(DID_WEB_PREFIX):
            return None
        did = verification_method.partition("#")[0]
        if did.removeprefix(DID_WEB_PREFIX).split(":")[0].lower() == self._own_did_host:
            raise KeyResolutionError(
                f"{did} is on this hub's own host but names none of its tenants, and this hub "
                "does not fetch its own documents"
            )
        url, document = await fetch_did_document(self._fetcher, did)
        key = key_from_document(document, verification_method)
        return replace(key, source=f"did:web document {url}")


async def fetch_did_document(
    fetcher: Fetcher, did: str, *, use_cache: bool = True
) -> tuple[str, Any]:
    """Fetch the DID document of a did:web; return its URL and parsed JSON.

    Raises :class:`KeyResolutionError` naming the URL and the fetch error code.
    """
    url = document_url(did, fetcher.policy.loopback_peers)
    try:
        document = await fetcher.fetch_json(url, accept=DID_MEDIA_TYPES, use_cache=use_cache)
    except FetchError as error:
        raise KeyResolutionError(
            f"the DID document of {did} could not be fetched ({error.code}): {error}"
        ) from None
    return url, document


@dataclass(frozen=True)
class DidWebLocation:
    """The location of a did:web DID document."""

    did: str
    host: str
    port: int | None
    path: tuple[str, ...]

    @property
    def host_port(self) -> str:
        return self.host if self.port is None else f"{self.host}:{self.port}"

    def url(self, scheme: str = "https") -> str:
        location = "/".join(self.path) if self.path else ".well-known"
        return f"{scheme}://{self.host_port}/{location}/did.json"


def parse_did_web(did: str) -> DidWebLocation:
    """Split a did:web DID (without fragment) into host, port and path; raise on a malformed one."""
    if not did.startswith(DID_WEB_PREFIX):
        raise KeyResolutionError(f"{did!r} is not a did:web DID")
    host_part, *segments = did.removeprefix(DID_WEB_PREFIX).split(":")
    match = _HOST.fullmatch(host_part)
    if match is None or ".." in host_part:
        raise KeyResolutionError(
            f"{did!r} has no valid host name; a did:web starts with a domain such as "
            "did:web:example.com, with a port written as %3A (did:web:example.com%3A8443)"
        )
    port = int(match["port"]) if match["port"] else None
    if port is not None and not 0 < port < 65536:
        raise KeyResolutionError(f"{did!r} names port {port}, which is not a TCP port")
    path = tuple(unquote(segment) for segment in segments)
    for raw, decoded in zip(segments, path, strict=True):
        if not raw or not _is_segment(raw) or decoded in (".", "..") or "/" in decoded:
            raise KeyResolutionError(
                f"{did!r} has an invalid path segment {raw!r}; each segment after the host is a "
                "non-empty URL path segment"
            )
    return DidWebLocation(did=did, host=match["host"].lower(), port=port, path=path)


def _is_segment(segment: str) -> bool:
    return "".join(_SEGMENT.findall(segment)) == segment


def document_url(did: str, loopback_peers: frozenset[str] = frozenset()) -> str:
    """Return the URL of a did:web DID document: https, or http for a configured loopback peer."""
    location = parse_did_web(did)
    # A loopback peer always has an explicit port: it is another hub on this machine.
    is_loopback_peer = location.port is not None and location.host_port in loopback_peers
    return location.url("http" if is_loopback_peer else "https")


def key_from_document(document: object, verification_method: str) -> ResolvedKey:
    """Find ``verification_method`` (a DID URL with or without fragment) in a DID document.

    Raises :class:`KeyResolutionError` when the document does not belong to the DID, names no
    such method, or the method is not usable for credentials.
    """
    did, _, fragment = verification_method.partition("#")
    if not isinstance(document, Mapping):
        raise KeyResolutionError(f"the DID document of {did} is not a JSON object")
    if document.get("id") != did:
        raise KeyResolutionError(
            f"the DID document fetched for {did} has id {document.get('id')!r}; a DID document "
            "must name its own DID"
        )
    method = _select_method(_assertion_methods(document, did), did, fragment)
    return _resolved(method, did)


def _select_method(
    methods: dict[str, Mapping[str, Any]], did: str, fragment: str
) -> Mapping[str, Any]:
    if not fragment:
        if len(methods) != 1:
            raise KeyResolutionError(
                f"{did} has {len(methods)} assertion methods; name one with a #fragment"
            )
        return next(iter(methods.values()))
    method = methods.get(f"{did}#{fragment}")
    if method is None:
        raise KeyResolutionError(
            f"the DID document of {did} lists no assertion method #{fragment}; the key may "
            "have been removed, or never authorised for signing credentials"
        )
    return method


def _assertion_methods(document: Mapping[str, Any], did: str) -> dict[str, Mapping[str, Any]]:
    """Map each absolute method id authorised for assertionMethod to its method object."""
    declared = {
        _absolute(method.get("id"), did): method
        for method in _as_list(document.get("verificationMethod"))
        if isinstance(method, Mapping)
    }
    authorised: dict[str, Mapping[str, Any]] = {}
    for entry in _as_list(document.get("assertionMethod")):
        if isinstance(entry, Mapping):
            authorised[_absolute(entry.get("id"), did)] = entry
        elif isinstance(entry, str) and _absolute(entry, did) in declared:
            authorised[_absolute(entry, did)] = declared[_absolute(entry, did)]
    return authorised


def _absolute(method_id: object, did: str) -> str:
    if not isinstance(method_id, str):
        return ""
    return f"{did}{method_id}" if method_id.startswith("#") else method_id


def _resolved(method: Mapping[str, Any], did: str) -> ResolvedKey:
    method_id = _absolute(method.get("id"), did)
    controller = method.get("controller")
    if controller != did:
        raise KeyResolutionError(
            f"verification method {method_id} is controlled by {controller!r}, not by {did}"
        )
    method_type = method.get("type")
    return ResolvedKey(
        verification_method=method_id,
        controller=did,
        key_type=str(method_type),
        public_key=_public_key(method, method_id),
        source="did:web document",
    )


def _public_key(method: Mapping[str, Any], method_id: str) -> PublicKey:
    method_type = method.get("type")
    if method_type in MULTIBASE_TYPES:
        encoded = method.get("publicKeyMultibase")
        if not isinstance(encoded, str):
            raise KeyResolutionError(f"{method_type} {method_id} has no publicKeyMultibase")
        try:
            return multikey.decode_public_key(encoded)
        except multikey.MultikeyError as error:
            raise KeyResolutionError(f"{method_id}: {error}") from error
    if method_type in JWK_TYPES:
        return _jwk_key(method.get("publicKeyJwk"), method_id)
    raise KeyResolutionError(
        f"verification method {method_id} has type {method_type!r}; supported are "
        f"{', '.join(sorted(MULTIBASE_TYPES | JWK_TYPES))}"
    )


def _jwk_key(jwk: object, method_id: str) -> PublicKey:
    if not isinstance(jwk, Mapping):
        raise KeyResolutionError(f"{method_id} has no publicKeyJwk object")
    if "d" in jwk or "p" in jwk:
        raise KeyResolutionError(
            f"{method_id} publishes a private key in publicKeyJwk; the issuer must replace it"
        )
    try:
        key = import_key(dict(jwk))
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise KeyResolutionError(
            f"publicKeyJwk of {method_id} is not a valid JWK: {error}"
        ) from None
    if not isinstance(key, RSAKey | ECKey | OKPKey):
        raise KeyResolutionError(f"publicKeyJwk of {method_id} is not an asymmetric public key")
    return key


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
