"""PolicyTransport: the outbound rules of the Fetcher, applied to POST and any other method."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hub.outbound import FetchError, OutboundPolicy, PolicyTransport
from tests.document_server import DocumentServer, LoopbackCertificate, Request, Route


@pytest.fixture
def server() -> Iterator[DocumentServer]:
    document_server = DocumentServer()
    document_server.routes["/echo"] = echo
    yield document_server
    document_server.close()


def echo(request: Request) -> Route:
    """Respond 201 with the method, content type and body that arrived."""
    body = {
        "method": request.method,
        "content_type": request.headers.get("content-type"),
        "body": request.body.decode(),
    }
    return Route(json.dumps(body).encode(), status=201)


class RecordingResolver:
    def __init__(self, *addresses: str) -> None:
        self.addresses = list(addresses)
        self.queries: list[tuple[str, int]] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.queries.append((host, port))
        return self.addresses


def peer_client(server: DocumentServer, **limits: float) -> httpx.AsyncClient:
    policy = OutboundPolicy(loopback_peers=frozenset({f"127.0.0.1:{server.port}"}), **limits)
    return httpx.AsyncClient(transport=PolicyTransport(policy))


async def test_post_to_loopback_peer(server: DocumentServer) -> None:
    async with peer_client(server) as client:
        response = await client.post(server.url("/echo"), json={"a": 1})

    assert response.status_code == 201
    assert response.json() == {
        "method": "POST",
        "content_type": "application/json",
        "body": '{"a":1}',
    }
    assert server.requests[0].host == f"127.0.0.1:{server.port}"
    assert server.requests[0].headers["accept-encoding"] == "identity"


async def test_plain_http_not_peer_rejected(server: DocumentServer) -> None:
    async with httpx.AsyncClient(transport=PolicyTransport(OutboundPolicy())) as client:
        with pytest.raises(FetchError) as raised:
            await client.post(server.url("/echo"), json={})

    assert raised.value.code == "scheme-not-allowed"
    assert server.requests == []


@pytest.mark.parametrize("address", ["10.0.0.7", "169.254.169.254", "127.0.0.1", "fd00::1"])
async def test_post_to_non_public_address_rejected(address: str) -> None:
    resolver = RecordingResolver(address)
    transport = PolicyTransport(OutboundPolicy(), resolve=resolver)

    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(FetchError) as raised:
            await client.post("https://backpack.example/oauth/token", data={"a": "b"})

    assert raised.value.code == "address-not-allowed"
    assert address in str(raised.value)
    assert resolver.queries == [("backpack.example", 443)]


async def test_redirect_not_followed(server: DocumentServer) -> None:
    server.routes["/moved"] = lambda request: Route(
        status=307, headers={"Location": "https://10.0.0.1/steal"}
    )

    async with peer_client(server) as client:
        response = await client.post(server.url("/moved"), content=b"secret")

    assert response.status_code == 307
    assert server.paths() == ["/moved"]


async def test_followed_redirect_checked_again(server: DocumentServer) -> None:
    server.routes["/moved"] = Route(status=302, headers={"Location": "https://10.0.0.1/doc"})
    policy = OutboundPolicy(loopback_peers=frozenset({f"127.0.0.1:{server.port}"}))

    async with httpx.AsyncClient(
        transport=PolicyTransport(policy), follow_redirects=True
    ) as client:
        with pytest.raises(FetchError) as raised:
            await client.get(server.url("/moved"))

    assert raised.value.code == "address-not-allowed"
    assert "10.0.0.1" in str(raised.value)


async def test_slow_answer_times_out(server: DocumentServer) -> None:
    server.routes["/slow"] = lambda request: Route(b"{" + b" " * 200 + b"}", drip_seconds=0.05)
    started = time.monotonic()

    async with peer_client(server, timeout_seconds=0.5) as client:
        with pytest.raises(FetchError) as raised:
            await client.post(server.url("/slow"), content=b"{}")

    assert raised.value.code == "timed-out"
    assert time.monotonic() - started < 5


async def test_large_answer_rejected(server: DocumentServer) -> None:
    server.routes["/big"] = lambda request: Route(b"[" + b"0," * 40_000 + b"0]")

    async with peer_client(server, max_bytes=16 * 1024) as client:
        with pytest.raises(FetchError) as raised:
            await client.post(server.url("/big"), content=b"{}")

    assert raised.value.code == "too-large"


async def test_undeclared_large_answer_rejected(server: DocumentServer) -> None:
    server.routes["/big"] = lambda request: Route(
        b"[" + b"0," * 40_000 + b"0]", declare_length=False
    )

    async with peer_client(server, max_bytes=16 * 1024) as client:
        with pytest.raises(FetchError) as raised:
            await client.post(server.url("/big"), content=b"{}")

    assert raised.value.code == "too-large"


async def test_compressed_answer_rejected(server: DocumentServer) -> None:
    server.routes["/gzip"] = lambda request: Route(
        b"\x1f\x8b", headers={"Content-Type": "application/json", "Content-Encoding": "gzip"}
    )

    async with peer_client(server) as client:
        with pytest.raises(FetchError) as raised:
            await client.post(server.url("/gzip"), content=b"{}")

    assert raised.value.code == "encoding-not-allowed"


async def test_connection_refused_reported(server: DocumentServer) -> None:
    port = server.port
    server.close()
    policy = OutboundPolicy(loopback_peers=frozenset({f"127.0.0.1:{port}"}))

    async with httpx.AsyncClient(transport=PolicyTransport(policy)) as client:
        with pytest.raises(FetchError) as raised:
            await client.post(f"http://127.0.0.1:{port}/echo", content=b"{}")

    assert raised.value.code == "connection-failed"
    assert f"POST http://127.0.0.1:{port}/echo failed" in str(raised.value)


class TestHttps:
    @pytest.fixture
    def tls_server(self, tmp_path: Path) -> Iterator[tuple[DocumentServer, LoopbackCertificate]]:
        certificate = LoopbackCertificate.create(tmp_path)
        document_server = DocumentServer(tls=certificate)
        document_server.routes["/echo"] = echo
        yield document_server, certificate
        document_server.close()

    async def test_post_pinned_to_checked_address(
        self, tls_server: tuple[DocumentServer, LoopbackCertificate]
    ) -> None:
        server, certificate = tls_server
        resolver = RecordingResolver("127.0.0.1")
        policy = OutboundPolicy(
            loopback_peers=frozenset({f"localhost:{server.port}"}),
            ca_file=str(certificate.certificate_file),
        )

        async with httpx.AsyncClient(transport=PolicyTransport(policy, resolve=resolver)) as client:
            response = await client.post(
                server.url("/echo", host="localhost"), content=b"header.payload.signature"
            )

        assert response.status_code == 201
        assert response.json()["body"] == "header.payload.signature"
        # The name went as Host and as TLS SNI, or the certificate check would have failed.
        assert server.requests[0].host == f"localhost:{server.port}"
        assert resolver.queries == [("localhost", server.port)]

    async def test_untrusted_certificate_rejected(
        self, tls_server: tuple[DocumentServer, LoopbackCertificate]
    ) -> None:
        server, _ = tls_server
        policy = OutboundPolicy(loopback_peers=frozenset({f"localhost:{server.port}"}))

        async with httpx.AsyncClient(transport=PolicyTransport(policy)) as client:
            with pytest.raises(FetchError) as raised:
                await client.post(server.url("/echo", host="localhost"), content=b"{}")

        assert raised.value.code == "tls-failed"
