"""A loopback HTTP(S) server of canned documents, for tests of outbound fetches.

Each route is a path with a status, headers and a body. A route can also send its body slowly
(one chunk per ``drip_seconds``) or declare a false Content-Length. A route may instead be a
function that builds the response from the request, which small fake services use; only such
routes respond to POST. Every request's path and ``Host`` header are recorded, with its method,
headers (names in lower case) and body, so tests can count requests and check what was sent.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    drip_seconds: float = 0.0
    drip_chunk: int = 1
    # False sends no Content-Length: the body then ends when the connection closes.
    declare_length: bool = True


@dataclass(frozen=True)
class Request:
    path: str
    host: str | None
    accept: str | None
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


Responder = Callable[[Request], Route]


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore clients that hang up early, as timeout and size-cap tests do."""


class DocumentServer:
    """Serves ``routes`` on 127.0.0.1; with ``tls`` set, over HTTPS with a test certificate."""

    def __init__(self, tls: LoopbackCertificate | None = None) -> None:
        self.routes: dict[str, Route | Responder] = {}
        self.requests: list[Request] = []
        self._httpd = _QuietServer(("127.0.0.1", 0), self._handler_class())
        if tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(tls.certificate_file, tls.key_file)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self.scheme = "https" if tls is not None else "http"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def paths(self) -> list[str]:
        return [request.path for request in self.requests]

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer(b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self._answer(self.rfile.read(length))

            def _answer(self, body: bytes) -> None:
                request = Request(
                    self.path,
                    self.headers.get("Host"),
                    self.headers.get("Accept"),
                    self.command,
                    {name.lower(): value for name, value in self.headers.items()},
                    body,
                )
                server.requests.append(request)
                found = server.routes.get(self.path.split("?", 1)[0])
                if callable(found):
                    route = found(request)
                elif found is not None and self.command == "GET":
                    route = found
                else:
                    route = Route(b'{"error": "not found"}', status=404)
                self.send_response(route.status)
                headers = dict(route.headers)
                if route.declare_length:
                    headers = {"Content-Length": str(len(route.body)), **headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if route.drip_seconds:
                    for start in range(0, len(route.body), route.drip_chunk):
                        self.wfile.write(route.body[start : start + route.drip_chunk])
                        self.wfile.flush()
                        time.sleep(route.drip_seconds)
                else:
                    self.wfile.write(route.body)

            def log_message(self, format: str, *args: Any) -> None:
                """Keep test output free of access logs."""

        return Handler


@dataclass(frozen=True)
class LoopbackCertificate:
    """A self-signed CA certificate for ``localhost`` and 127.0.0.1, written to PEM files."""

    certificate_file: Path
    key_file: Path

    @classmethod
    def create(cls, folder: Path, names: tuple[str, ...] = ("localhost",)) -> LoopbackCertificate:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
        now = datetime.datetime.now(datetime.UTC)
        alternative_names: list[x509.GeneralName] = [x509.DNSName(name) for name in names]
        alternative_names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(alternative_names), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        certificate_file = folder / "certificate.pem"
        key_file = folder / "key.pem"
        certificate_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return cls(certificate_file, key_file)
