"""Outbound fetch rules: schemes, address checks, redirects, deadlines, size caps and cache."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.outbound import Fetcher, FetchError, OutboundPolicy
from tests.document_server import DocumentServer, LoopbackCertificate, Route

DOCUMENT = {"id": "did:web:issuer.example", "hello": "world"}


@pytest.fixture
def server() -> Iterator[DocumentServer]:
    document_server = DocumentServer()
    document_server.routes["/doc.json"] = Route(json.dumps(DOCUMENT).encode())
    yield document_server
    document_server.close()


def peer_fetcher(server: DocumentServer, **limits: float) -> Fetcher:
    policy = OutboundPolicy(loopback_peers=frozenset({f"127.0.0.1:{server.port}"}), **limits)
    return Fetcher(policy)


class RecordingResolver:
    """Answers every DNS query with fixed addresses, as a hostile DNS server could."""

    def __init__(self, *addresses: str) -> None:
        self.addresses = list(addresses)
        self.queries: list[tuple[str, int]] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.queries.append((host, port))
        return self.addresses


async def test_loopback_peer_fetched(server: DocumentServer) -> None:
    document = await peer_fetcher(server).fetch(server.url("/doc.json"))
    assert document.json() == DOCUMENT
    assert document.status == 200
    assert document.media_type == "application/json"
    assert server.requests[0].host == f"127.0.0.1:{server.port}"


async def test_loopback_not_configured_rejected(server: DocumentServer) -> None:
    with pytest.raises(FetchError) as raised:
        await Fetcher(OutboundPolicy()).fetch(server.url("/doc.json"))
    assert raised.value.code == "scheme-not-allowed"
    assert server.requests == []


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "reserved"),
        ("0.0.0.0", "private"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("fe80::1", "link-local"),
        ("fd00::1", "private"),
        ("2002:7f00:1::", "loopback"),
        ("224.0.0.1", "multicast"),
    ],
)
async def test_non_public_address_rejected(address: str, kind: str) -> None:
    resolver = RecordingResolver(address)
    fetcher = Fetcher(OutboundPolicy(timeout_seconds=2), resolve=resolver)
    with pytest.raises(FetchError) as raised:
        await fetcher.fetch("https://issuer.example/.well-known/did.json")
    assert raised.value.code == "address-not-allowed"
    assert kind in str(raised.value)
    assert address in str(raised.value)
    assert resolver.queries == [("issuer.example", 443)]


async def test_any_private_answer_rejects_host() -> None:
    # A public first address must not hide a private second one.
    fetcher = Fetcher(OutboundPolicy(), resolve=RecordingResolver("93.184.215.14", "10.0.0.1"))
    with pytest.raises(FetchError) as raised:
        await fetcher.fetch("https://issuer.example/did.json")
    assert raised.value.code == "address-not-allowed"


async def test_literal_metadata_address_rejected() -> None:
    with pytest.raises(FetchError) as raised:
        await Fetcher(OutboundPolicy()).fetch("https://169.254.169.254/latest/meta-data/")
    assert raised.value.code == "address-not-allowed"
    assert "link-local" in str(raised.value)


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://issuer.example/did.json", "scheme-not-allowed"),
        ("ftp://issuer.example/did.json", "invalid-url"),
        ("file:///etc/passwd", "invalid-url"),
        ("https:///no-host", "invalid-url"),
        ("https://user:secret@issuer.example/", "invalid-url"),
        ("https://issuer.example:99999/", "invalid-url"),
    ],
)
async def test_bad_url_rejected(url: str, code: str) -> None:
    resolver = RecordingResolver("93.184.215.14")
    with pytest.raises(FetchError) as raised:
        await Fetcher(OutboundPolicy(), resolve=resolver).fetch(url)
    assert raised.value.code == code
    assert resolver.queries == []


async def test_redirect_to_private_rejected(server: DocumentServer) -> None:
    server.routes["/moved"] = Route(status=302, headers={"Location": "https://10.0.0.1/doc.json"})
    with pytest.raises(FetchError) as raised:
        await peer_fetcher(server).fetch(server.url("/moved"))
    assert raised.value.code == "address-not-allowed"
    assert "10.0.0.1" in str(raised.value)


async def test_redirect_followed(server: DocumentServer) -> None:
    server.routes["/moved"] = Route(status=301, headers={"Location": "/doc.json"})
    document = await peer_fetcher(server).fetch(server.url("/moved"))
    assert document.json() == DOCUMENT
    assert document.final_url == server.url("/doc.json")


async def test_redirect_loop_stops(server: DocumentServer) -> None:
    server.routes["/loop"] = Route(status=302, headers={"Location": "/loop"})
    with pytest.raises(FetchError) as raised:
        await peer_fetcher(server).fetch(server.url("/loop"))
    assert raised.value.code == "too-many-redirects"
    assert len(server.requests) == 4


async def test_slow_server_times_out(server: DocumentServer) -> None:
    server.routes["/slow"] = Route(b"{" + b" " * 200 + b"}", drip_seconds=0.05)
    started = time.monotonic()
    with pytest.raises(FetchError) as raised:
        await peer_fetcher(server, timeout_seconds=0.5).fetch(server.url("/slow"))
    elapsed = time.monotonic() - started
    assert raised.value.code == "timed-out"
    # The deadline covers the whole body, not each read: 200 drips would take 10 s.
    assert elapsed < 5


async def test_declared_large_body_rejected(server: DocumentServer) -> None:
    server.routes["/big"] = Route(b"{}", headers={"Content-Length": str(10 * 1024 * 1024)})
    with pytest.raises(FetchError) as raised:
        await peer_fetcher(server, max_bytes=1024 * 1024).fetch(server.url("/big"))
    assert raised.value.code == "too-large"
    assert "1024 KiB" in str(raised.value)


async def test_undeclared_large_body_rejected(server: DocumentServer) -> None:
    server.routes["/big"] = Route(
        b"[" + b"0," * (5 * 1024 * 1024) + b"0]",
        declare_length=False,
    )
    with pytest.raises(FetchError) as raised:
        await peer_fetcher(server, max_bytes=64 * 1024).fetch(server.url("/big"))
    assert raised.value.code == "too-large"


async def test_gone_reports_status(server: DocumentServer) -> None:
    server.routes["/gone"] = Route(b"", status=410)
    with pytest.raises(FetchError) as raised:
        await peer_fetcher(server).fetch(server.url("/gone"))
    assert raised.value.code == "http-status"
    assert raised.value.status == 410
    assert "410" in str(raised.value)


async def test_not_json_reported(server: DocumentServer) -> None:
    server.routes["/page"] = Route(b"<html></html>", headers={"Content-Type": "text/html"})
    document = await peer_fetcher(server).fetch(server.url("/page"))
    with pytest.raises(FetchError) as raised:
        document.json()
    assert raised.value.code == "not-json"


async def test_cache_serves_repeat(server: DocumentServer) -> None:
    fetcher = peer_fetcher(server)
    await fetcher.fetch(server.url("/doc.json"))
    await fetcher.fetch(server.url("/doc.json"))
    assert server.paths() == ["/doc.json"]
    fresh = await fetcher.fetch(server.url("/doc.json"), use_cache=False)
    assert fresh.json() == DOCUMENT
    assert server.paths() == ["/doc.json", "/doc.json"]


async def test_cache_expires(server: DocumentServer) -> None:
    fetcher = peer_fetcher(server, cache_seconds=0.05)
    await fetcher.fetch(server.url("/doc.json"))
    await asyncio.sleep(0.1)
    await fetcher.fetch(server.url("/doc.json"))
    assert len(server.requests) == 2


async def test_failures_not_cached(server: DocumentServer) -> None:
    fetcher = peer_fetcher(server)
    server.routes["/flaky"] = Route(b"", status=503)
    with pytest.raises(FetchError):
        await fetcher.fetch(server.url("/flaky"))
    server.routes["/flaky"] = Route(b"{}")
    assert (await fetcher.fetch(server.url("/flaky"))).json() == {}


async def test_connection_refused_reported(server: DocumentServer) -> None:
    port = server.port
    server.close()
    fetcher = Fetcher(OutboundPolicy(loopback_peers=frozenset({f"127.0.0.1:{port}"})))
    with pytest.raises(FetchError) as raised:
        await fetcher.fetch(f"http://127.0.0.1:{port}/doc.json")
    assert raised.value.code == "connection-failed"


class TestHttps:
    @pytest.fixture
    def tls_server(self, tmp_path: Path) -> Iterator[tuple[DocumentServer, LoopbackCertificate]]:
        certificate = LoopbackCertificate.create(tmp_path)
        document_server = DocumentServer(tls=certificate)
        document_server.routes["/doc.json"] = Route(json.dumps(DOCUMENT).encode())
        yield document_server, certificate
        document_server.close()

    async def test_host_name_pinned_to_checked_address(
        self, tls_server: tuple[DocumentServer, LoopbackCertificate]
    ) -> None:
        server, certificate = tls_server
        resolver = RecordingResolver("127.0.0.1")
        policy = OutboundPolicy(
            loopback_peers=frozenset({f"localhost:{server.port}"}),
            ca_file=str(certificate.certificate_file),
        )
        document = await Fetcher(policy, resolve=resolver).fetch(
            server.url("/doc.json", host="localhost")
        )
        assert document.json() == DOCUMENT
        # The request went to the resolved address with the name as Host (and as TLS SNI,
        # or the certificate check for "localhost" would have failed).
        assert server.requests[0].host == f"localhost:{server.port}"
        assert resolver.queries == [("localhost", server.port)]

    async def test_untrusted_certificate_rejected(
        self, tls_server: tuple[DocumentServer, LoopbackCertificate]
    ) -> None:
        server, _ = tls_server
        policy = OutboundPolicy(loopback_peers=frozenset({f"localhost:{server.port}"}))
        with pytest.raises(FetchError) as raised:
            await Fetcher(policy).fetch(server.url("/doc.json", host="localhost"))
        assert raised.value.code == "tls-failed"

    async def test_https_to_loopback_needs_peer(
        self, tls_server: tuple[DocumentServer, LoopbackCertificate]
    ) -> None:
        server, certificate = tls_server
        policy = OutboundPolicy(ca_file=str(certificate.certificate_file))
        with pytest.raises(FetchError) as raised:
            await Fetcher(policy).fetch(server.url("/doc.json", host="localhost"))
        assert raised.value.code == "address-not-allowed"
        assert server.requests == []
