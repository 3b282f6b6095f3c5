"""did:web resolution: URL mapping, DID document parsing and fetches under the outbound rules."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from joserfc.jwk import RSAKey

from hub.credentials import multikey
from hub.credentials.didweb import DidWebResolver, document_url, key_from_document
from hub.credentials.keys import ChainResolver, KeyResolutionError
from hub.credentials.report import CheckId, CheckStatus
from hub.credentials.verifier import verify_credential
from hub.outbound import Fetcher, OutboundPolicy
from tests.conftest import shared_vectors

FIXTURES = "digitalcredentials__vc-test-fixtures"
LEGACY_DID = "did:web:digitalcredentials.github.io:vc-test-fixtures:dids:legacy"
OIDF_DID = "did:web:digitalcredentials.github.io:vc-test-fixtures:dids:oidf"


def vector(path: str) -> Any:
    return json.loads((shared_vectors() / FIXTURES / path).read_text())


@pytest.mark.parametrize(
    ("did", "url"),
    [
        # The examples of did:web §3.2 "Read (Resolve)".
        ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
        ("did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"),
        (LEGACY_DID, "https://digitalcredentials.github.io/vc-test-fixtures/dids/legacy/did.json"),
    ],
)
def test_document_url_examples(did: str, url: str) -> None:
    assert document_url(did) == url


def test_document_url_loopback_peer_uses_http() -> None:
    peers = frozenset({"127.0.0.1:8101"})

    assert (
        document_url("did:web:127.0.0.1%3A8101:tenants:uphf", peers)
        == "http://127.0.0.1:8101/tenants/uphf/did.json"
    )
    assert (
        document_url("did:web:127.0.0.1%3A8102:tenants:uphf", peers)
        == "https://127.0.0.1:8102/tenants/uphf/did.json"
    )


@pytest.mark.parametrize(
    "did",
    [
        "did:web:",
        "did:web:exa mple.com",
        "did:web:example.com::alice",
        "did:web:example.com:..",
        "did:web:example.com%3A99999",
        "did:web:example.com%2Fevil",
        "did:web:-example.com",
        "did:key:z6MkjXe1vZvPRqFuc9nRBtZ3e1Y9XKDFSbjFAfzLfW2bD6cZ",
    ],
)
def test_malformed_did_rejected(did: str) -> None:
    with pytest.raises(KeyResolutionError):
        document_url(did)


def test_multikey_in_vendored_document() -> None:
    document = vector("dids/oidf/did.json")
    expected = document["verificationMethod"][0]["publicKeyMultibase"]

    key = key_from_document(document, document["verificationMethod"][0]["id"])

    assert key.controller == OIDF_DID
    assert key.key_type == "Multikey"
    assert isinstance(key.public_key, Ed25519PublicKey)
    assert multikey.encode_public_key(key.public_key) == expected


def test_embedded_ed25519_2020_method_in_vendored_document() -> None:
    document = vector("dids/legacy/did.json")
    method = document["assertionMethod"][0]

    key = key_from_document(document, method["id"])
    bare = key_from_document(document, LEGACY_DID)

    assert key.key_type == "Ed25519VerificationKey2020"
    assert multikey.encode_public_key(key.public_key) == method["publicKeyMultibase"]
    assert bare.verification_method == method["id"]


def rsa_document(did: str, **method_changes: Any) -> tuple[dict[str, Any], RSAKey]:
    key = RSAKey.generate_key(2048)
    method = {
        "id": "#rsa-1",
        "type": "JsonWebKey2020",
        "controller": did,
        "publicKeyJwk": key.as_dict(private=False),
        **method_changes,
    }
    document = {"id": did, "verificationMethod": [method], "assertionMethod": ["#rsa-1"]}
    return document, key


def test_relative_jwk_method_resolved() -> None:
    did = "did:web:issuer.example"
    document, key = rsa_document(did)

    resolved = key_from_document(document, f"{did}#rsa-1")

    assert resolved.verification_method == f"{did}#rsa-1"
    assert isinstance(resolved.public_key, RSAKey)
    assert resolved.public_key.as_dict()["n"] == key.as_dict(private=False)["n"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"controller": "did:web:attacker.example"}, "controlled by"),
        ({"type": "EcdsaSecp256k1VerificationKey2019"}, "supported are"),
        ({"publicKeyJwk": {"kty": "RSA", "n": "AQAB"}}, "not a valid JWK"),
    ],
)
def test_unusable_method_rejected(change: dict[str, Any], message: str) -> None:
    did = "did:web:issuer.example"
    document, _ = rsa_document(did, **change)

    with pytest.raises(KeyResolutionError, match=message):
        key_from_document(document, f"{did}#rsa-1")


def test_private_jwk_rejected() -> None:
    did = "did:web:issuer.example"
    document, key = rsa_document(did)
    document["verificationMethod"][0]["publicKeyJwk"] = key.as_dict(private=True)

    with pytest.raises(KeyResolutionError, match="private key"):
        key_from_document(document, f"{did}#rsa-1")


def test_method_outside_assertion_method_rejected() -> None:
    did = "did:web:issuer.example"
    document, _ = rsa_document(did)
    document["assertionMethod"] = []

    with pytest.raises(KeyResolutionError, match="no assertion method #rsa-1"):
        key_from_document(document, f"{did}#rsa-1")


def test_document_of_another_did_rejected() -> None:
    document = vector("dids/oidf/did.json")

    with pytest.raises(KeyResolutionError, match="must name its own DID"):
        key_from_document(document, f"{LEGACY_DID}#{document['verificationMethod'][0]['id']}")


class VectorFetcher:
    """Serves vendored DID documents by URL, as the real fetcher would after a fetch."""

    policy = OutboundPolicy()

    def __init__(self, documents: dict[str, Any]) -> None:
        self.documents = documents
        self.urls: list[str] = []

    async def fetch_json(self, url: str, **_: Any) -> Any:
        self.urls.append(url)
        return self.documents[url]


async def test_vendored_did_web_credential_verifies() -> None:
    credential = vector(
        "verifiableCredentials/v1/dataIntegrityProof/didWeb/legacy-noStatus-noExpiry.json"
    )
    url = "https://digitalcredentials.github.io/vc-test-fixtures/dids/legacy/did.json"
    fetcher = VectorFetcher({url: vector("dids/legacy/did.json")})
    resolver = DidWebResolver(fetcher, "hub.example")  # type: ignore[arg-type]

    report = await verify_credential(credential, ChainResolver([resolver]))

    assert fetcher.urls == [url]
    assert report.check(CheckId.ISSUER_KEY).status is CheckStatus.PASSED
    assert report.check(CheckId.PROOF).status is CheckStatus.PASSED


async def test_own_host_never_fetched() -> None:
    fetcher = VectorFetcher({})
    resolver = DidWebResolver(fetcher, "hub.example%3A8443")  # type: ignore[arg-type]

    with pytest.raises(KeyResolutionError, match="does not fetch its own documents"):
        await resolver.resolve("did:web:hub.example%3A8443:elsewhere#key-1")
    assert fetcher.urls == []


class NoConnectionFetcher(Fetcher):
    """A real fetcher whose connections are recorded and refused, to prove none was tried."""

    def __init__(self, address: str) -> None:
        async def resolve(host: str, port: int) -> list[str]:
            return [address]

        super().__init__(OutboundPolicy(), resolve=resolve)
        self.connections: list[str] = []

    async def _request(self, target: Any, address: str, *args: Any) -> Any:
        self.connections.append(address)
        raise AssertionError(f"a connection to {address} was attempted")


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "a loopback address"),
        ("10.0.0.1", "a private address"),
        ("169.254.169.254", "a link-local address"),
        ("::ffff:127.0.0.1", "a loopback address"),
    ],
)
async def test_blocked_address_never_connected(address: str, kind: str) -> None:
    fetcher = NoConnectionFetcher(address)
    resolver = DidWebResolver(fetcher, "hub.example")

    with pytest.raises(KeyResolutionError) as raised:
        await resolver.resolve("did:web:issuer.example:tenants:uni#key-1")

    assert fetcher.connections == []
    message = str(raised.value)
    assert "did:web:issuer.example:tenants:uni" in message
    assert "(address-not-allowed)" in message
    assert f"https://issuer.example/tenants/uni/did.json resolves to {address}, {kind}" in message


async def test_unsupported_scheme_of_uri_left_to_others() -> None:
    resolver = DidWebResolver(NoConnectionFetcher("10.0.0.1"), "hub.example")

    assert (
        await resolver.resolve("did:key:z6MkjXe1vZvPRqFuc9nRBtZ3e1Y9XKDFSbjFAfzLfW2bD6cZ") is None
    )
    assert await resolver.resolve("https://issuer.example/keys/1") is None
