"""Status lists of other issuers, fetched from a loopback server under the outbound rules."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hub.credentials import dataintegrity, multikey, statuslist
from hub.credentials.keys import DidKeyResolver
from hub.credentials.remote_status import ChainStatusListResolver, RemoteStatusListResolver
from hub.credentials.statuslist import (
    EntryState,
    StatusListRetrievalError,
    StatusListUnavailableError,
)
from hub.outbound import Fetcher, OutboundPolicy
from tests.document_server import DocumentServer, Route

OWN_HUB = "https://hub.example"
REVOKED_INDEX = 7


@pytest.fixture
def server() -> Iterator[DocumentServer]:
    document_server = DocumentServer()
    yield document_server
    document_server.close()


def fetcher(server: DocumentServer, **limits: Any) -> Fetcher:
    return Fetcher(OutboundPolicy(loopback_peers=frozenset({f"127.0.0.1:{server.port}"}), **limits))


def signed_list(url: str, key: Ed25519PrivateKey) -> dict[str, Any]:
    did = multikey.did_key_for(key.public_key())
    bits = statuslist.with_bit(statuslist.new_bitstring(), REVOKED_INDEX, True)
    created = datetime(2026, 1, 1, tzinfo=UTC)
    unsigned = statuslist.build_list_credential(url, did, "revocation", bits, valid_from=created)
    method = f"{did}#{did.removeprefix('did:key:')}"
    return dataintegrity.sign_eddsa_rdfc_2022(unsigned, key, method, created=created)


async def check_index(
    server: DocumentServer, key: Ed25519PrivateKey, index: int, **limits: Any
) -> statuslist.EntryOutcome:
    url = server.url("/status/1")
    credential = {
        "id": "urn:uuid:4f1c0c2e-0000-4000-8000-000000000001",
        "issuer": multikey.did_key_for(key.public_key()),
        "credentialStatus": statuslist.status_entry(url, "revocation", index),
    }
    resolver = RemoteStatusListResolver(fetcher(server, **limits), OWN_HUB)
    outcome = await statuslist.check_credential_status(
        credential, DidKeyResolver(), resolver, datetime.now(UTC)
    )
    return outcome.entries[0]


async def test_remote_list_revoked_and_active(server: DocumentServer) -> None:
    key = Ed25519PrivateKey.generate()
    server.routes["/status/1"] = Route(
        json.dumps(signed_list(server.url("/status/1"), key)).encode()
    )

    revoked = await check_index(server, key, REVOKED_INDEX)
    active = await check_index(server, key, REVOKED_INDEX + 1)

    assert revoked.state is EntryState.REVOKED
    assert active.state is EntryState.ACTIVE
    assert server.paths() == ["/status/1", "/status/1"]


async def test_remote_list_signed_by_another_key_invalid(server: DocumentServer) -> None:
    issuer = Ed25519PrivateKey.generate()
    document = signed_list(server.url("/status/1"), Ed25519PrivateKey.generate())
    server.routes["/status/1"] = Route(json.dumps(document).encode())

    outcome = await check_index(server, issuer, REVOKED_INDEX)

    assert outcome.state is EntryState.INVALID
    assert "is not the credential's issuer" in outcome.message


async def test_oversized_list_invalid(server: DocumentServer) -> None:
    key = Ed25519PrivateKey.generate()
    server.routes["/status/1"] = Route(b" " * 4096 + b"{}")

    outcome = await check_index(server, key, REVOKED_INDEX, max_bytes=1024)

    assert outcome.state is EntryState.INVALID
    assert "(too-large)" in outcome.message


async def test_missing_list_is_retrieval_error(server: DocumentServer) -> None:
    resolver = RemoteStatusListResolver(fetcher(server), OWN_HUB)

    with pytest.raises(StatusListRetrievalError, match=r"\(http-status\).*HTTP 404"):
        await resolver.fetch(server.url("/status/404"))


async def test_unreachable_list_is_unavailable(server: DocumentServer) -> None:
    url = server.url("/status/1")
    resolver = RemoteStatusListResolver(fetcher(server), OWN_HUB)
    server.close()

    with pytest.raises(StatusListUnavailableError, match=r"\(connection-failed\)"):
        await resolver.fetch(url)


async def test_array_is_retrieval_error(server: DocumentServer) -> None:
    server.routes["/status/1"] = Route(b"[1, 2]")
    resolver = RemoteStatusListResolver(fetcher(server), OWN_HUB)

    with pytest.raises(StatusListRetrievalError, match="not an object"):
        await resolver.fetch(server.url("/status/1"))


async def test_private_address_never_connected() -> None:
    async def resolve(host: str, port: int) -> list[str]:
        return ["169.254.169.254"]

    connections: list[str] = []

    class Recording(Fetcher):
        async def _request(self, target: Any, address: str, *args: Any) -> Any:
            connections.append(address)
            raise AssertionError("connected")

    resolver = RemoteStatusListResolver(Recording(OutboundPolicy(), resolve=resolve), OWN_HUB)

    with pytest.raises(StatusListRetrievalError, match="a link-local address"):
        await resolver.fetch("https://issuer.example/status/1")
    assert connections == []


async def test_own_url_never_fetched(server: DocumentServer) -> None:
    resolver = RemoteStatusListResolver(fetcher(server), server.url(""))

    with pytest.raises(StatusListRetrievalError, match="not a status list this hub publishes"):
        await resolver.fetch(server.url("/status/1"))
    assert server.requests == []


class FixedResolver:
    def __init__(self, documents: dict[str, dict[str, Any]]) -> None:
        self.documents = documents

    async def fetch(self, url: str) -> dict[str, Any] | None:
        return self.documents.get(url)


async def test_chain_asks_in_order() -> None:
    first = FixedResolver({"https://a.example/1": {"from": "first"}})
    second = FixedResolver({"https://a.example/1": {"from": "second"}, "https://b.example/2": {}})
    chain = ChainStatusListResolver([first, second])

    assert await chain.fetch("https://a.example/1") == {"from": "first"}
    assert await chain.fetch("https://b.example/2") == {}
    assert await chain.fetch("https://c.example/3") is None
