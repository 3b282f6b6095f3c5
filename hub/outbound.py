"""Outbound HTTP fetches of documents named by foreign credentials and peer hubs.

Verification fetches documents that a stranger chose: did:web documents, status lists, Open
Badges 2.0 assertions and peer registries. Every fetch therefore follows these rules:

- HTTPS only. Plain HTTP, and loopback targets, only for ``host:port`` pairs configured as
  loopback peers (``HUB_OUTBOUND_LOOPBACK_PEERS``), which two hubs on one machine need in tests.
- The host name is resolved first, and every address must be public: private, loopback,
  link-local (such as the cloud metadata address 169.254.169.254), shared (100.64.0.0/10),
  multicast, reserved and unspecified addresses are rejected, also inside IPv4-mapped,
  6to4 and Teredo IPv6 addresses. The connection then goes to the address that was checked,
  with the host name sent as TLS SNI and ``Host`` header, so a second DNS answer cannot
  redirect it (DNS rebinding).
- Each redirect is checked again by the same rules, at most ``MAX_REDIRECTS`` of them.
- One deadline covers the whole fetch, redirects included, so a server that sends a byte a
  second cannot hold a request open. The body is read in chunks and the fetch stops as soon as
  it exceeds the size cap, before the whole body is read.
- Successful responses are cached in memory for ``cache_seconds``, per fetcher.

JSON-LD contexts are never fetched: verification only uses the bundled contexts.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
import ssl
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
import structlog

from hub.settings import Settings

log = structlog.get_logger(__name__)

MAX_REDIRECTS = 3
CACHE_ENTRIES = 512
USER_AGENT = "EUNICE-Badge-Hub verifier"
_CHUNK_BYTES = 64 * 1024

Resolve = Callable[[str, int], Awaitable[list[str]]]


class FetchError(Exception):
    """A fetch that was rejected or failed; ``str()`` names the URL and what went wrong.

    ``code`` is one of invalid-url, scheme-not-allowed, address-not-allowed, name-not-resolved,
    connection-failed, tls-failed, timed-out, too-large, http-status, too-many-redirects,
    not-json and (from :class:`PolicyTransport` only) encoding-not-allowed. ``status`` is the
    HTTP status for http-status.
    """

    def __init__(self, code: str, url: str, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.url = url
        self.status = status


@dataclass(frozen=True)
class FetchedDocument:
    """A successful (2xx) response, read to its end within the size cap."""

    url: str
    final_url: str
    status: int
    media_type: str
    body: bytes
    etag: str | None = None

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError, RecursionError) as error:
            # A body of deeply nested arrays exceeds the parser's recursion limit.
            raise FetchError(
                "not-json", self.final_url, f"{self.final_url} did not return JSON: {error}"
            ) from error


@dataclass(frozen=True)
class OutboundPolicy:
    """The limits of outbound fetches; see the module documentation for the rules."""

    loopback_peers: frozenset[str] = frozenset()
    timeout_seconds: float = 5.0
    max_bytes: int = 1024 * 1024
    ca_file: str | None = None
    cache_seconds: float = 300.0

    @classmethod
    def from_settings(cls, settings: Settings) -> OutboundPolicy:
        return cls(
            loopback_peers=frozenset(settings.outbound_loopback_peers),
            timeout_seconds=settings.outbound_timeout_seconds,
            max_bytes=settings.outbound_max_kb * 1024,
            ca_file=str(settings.outbound_ca_file) if settings.outbound_ca_file else None,
            cache_seconds=settings.outbound_cache_seconds,
        )


@dataclass(frozen=True)
class _Target:
    url: str
    scheme: str
    host: str
    port: int
    is_loopback_peer: bool


class Fetcher:
    """Fetches documents under an :class:`OutboundPolicy`, with a cache of successes.

    ``resolve`` maps a host name and port to IP address strings; tests pass their own to
    simulate DNS answers. The default uses the system resolver.
    """

    def __init__(self, policy: OutboundPolicy, *, resolve: Resolve | None = None) -> None:
        self.policy = policy
        self._resolve = resolve or _system_resolve
        self._cache: OrderedDict[tuple[str, str], tuple[float, FetchedDocument]] = OrderedDict()
        self._ssl_context = _ssl_context(policy.ca_file)

    async def fetch(
        self,
        url: str,
        *,
        accept: str = "application/json",
        max_bytes: int | None = None,
        use_cache: bool = True,
    ) -> FetchedDocument:
        """Fetch ``url`` under the policy; raise :class:`FetchError` on any rejection or failure.

        A final status outside 2xx raises ``FetchError`` with code http-status.
        """
        key = (url, accept)
        if use_cache:
            cached = self._cached(key)
            if cached is not None:
                return cached
        limit = max_bytes if max_bytes is not None else self.policy.max_bytes
        try:
            async with asyncio.timeout(self.policy.timeout_seconds):
                document = await self._fetch_following_redirects(url, accept, limit)
        except TimeoutError:
            seconds = f"{self.policy.timeout_seconds:g}"
            log.info("outbound_fetch_failed", url=url, code="timed-out")
            raise FetchError(
                "timed-out", url, f"fetching {url} timed out after {seconds} s"
            ) from None
        except FetchError as error:
            log.info("outbound_fetch_failed", url=url, code=error.code, status=error.status)
            raise
        if use_cache and self.policy.cache_seconds > 0:
            self._remember(key, document)
        return document

    async def fetch_json(
        self,
        url: str,
        *,
        accept: str = "application/json",
        max_bytes: int | None = None,
        use_cache: bool = True,
    ) -> Any:
        document = await self.fetch(url, accept=accept, max_bytes=max_bytes, use_cache=use_cache)
        return document.json()

    def clear_cache(self) -> None:
        self._cache.clear()

    async def _fetch_following_redirects(
        self, url: str, accept: str, max_bytes: int
    ) -> FetchedDocument:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            target = self._check_url(current)
            address = await self._checked_address(target)
            response = await self._request(target, address, accept, max_bytes)
            if isinstance(response, str):
                current = response
                continue
            return FetchedDocument(
                url=url,
                final_url=current,
                status=response[0],
                media_type=response[1],
                body=response[2],
                etag=response[3],
            )
        raise FetchError(
            "too-many-redirects",
            url,
            f"{url} redirected more than {MAX_REDIRECTS} times; this hub follows at most "
            f"{MAX_REDIRECTS} redirects",
        )

    def _check_url(self, url: str) -> _Target:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            raise FetchError("invalid-url", url, f"{url!r} is not a valid URL: {error}") from None
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower()
        if scheme not in ("https", "http") or not host:
            raise FetchError(
                "invalid-url", url, f"{url!r} is not an absolute https URL with a host name"
            )
        if parts.username is not None or parts.password is not None:
            raise FetchError(
                "invalid-url", url, f"{url} contains user credentials, which are never sent"
            )
        port = port or (443 if scheme == "https" else 80)
        is_loopback_peer = _host_port(host, port) in self.policy.loopback_peers
        if scheme == "http" and not is_loopback_peer:
            raise FetchError(
                "scheme-not-allowed",
                url,
                f"{url} uses plain HTTP; this hub fetches documents of other issuers over HTTPS "
                "only",
            )
        return _Target(url, scheme, host, port, is_loopback_peer)

    async def _checked_address(self, target: _Target) -> str:
        try:
            addresses = await self._resolve(target.host, target.port)
        except OSError as error:
            raise FetchError(
                "name-not-resolved",
                target.url,
                f"the host name {target.host} of {target.url} could not be resolved ({error})",
            ) from None
        if not addresses:
            raise FetchError(
                "name-not-resolved",
                target.url,
                f"the host name {target.host} of {target.url} has no address",
            )
        for address in addresses:
            problem = _address_problem(address, allow_loopback=target.is_loopback_peer)
            if problem is not None:
                raise FetchError(
                    "address-not-allowed",
                    target.url,
                    f"{target.url} resolves to {address}, {problem}, which this hub does not "
                    "fetch from",
                )
        return addresses[0]

    async def _request(
        self, target: _Target, address: str, accept: str, max_bytes: int
    ) -> str | tuple[int, str, bytes, str | None]:
        """Return the redirect location, or the status, media type, body and ETag."""
        pinned, host_header, extensions = _pinned(target, address)
        headers = {
            "Host": host_header,
            "Accept": accept,
            "Accept-Encoding": "identity",
            "User-Agent": USER_AGENT,
        }
        # A client per request: the connection pool is keyed by address, and a pooled connection
        # made for one SNI name must not serve another host on the same address. The deadline
        # of fetch() bounds the whole exchange, so httpx's own per-read timeouts stay off.
        async with httpx.AsyncClient(
            verify=self._ssl_context,
            trust_env=False,
            follow_redirects=False,
            timeout=None,  # noqa: S113
        ) as client:
            try:
                request = client.build_request(
                    "GET", pinned, headers=headers, extensions=extensions
                )
                response = await client.send(request, stream=True)
            except httpx.TransportError as error:
                raise _transport_failure(target.url, error) from None
            try:
                return await self._read(target, response, max_bytes)
            finally:
                await response.aclose()

    async def _read(
        self, target: _Target, response: httpx.Response, max_bytes: int
    ) -> str | tuple[int, str, bytes, str | None]:
        status = response.status_code
        if status in (301, 302, 303, 307, 308) and "location" in response.headers:
            return urljoin(target.url, response.headers["location"])
        if not 200 <= status < 300:
            raise FetchError(
                "http-status",
                target.url,
                f"{target.url} answered HTTP {status} {response.reason_phrase}".rstrip(),
                status=status,
            )
        body = await _read_body(target.url, response, max_bytes)
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        return status, media_type, body, response.headers.get("etag")

    def _cached(self, key: tuple[str, str]) -> FetchedDocument | None:
        entry = self._cache.get(key)
        if entry is None:
            return None
        stored_at, document = entry
        if time.monotonic() - stored_at > self.policy.cache_seconds:
            del self._cache[key]
            return None
        self._cache.move_to_end(key)
        return document

    def _remember(self, key: tuple[str, str], document: FetchedDocument) -> None:
        self._cache[key] = (time.monotonic(), document)
        self._cache.move_to_end(key)
        while len(self._cache) > CACHE_ENTRIES:
            self._cache.popitem(last=False)


class PolicyTransport(httpx.AsyncBaseTransport):
    """An httpx transport that sends requests of any method under an :class:`OutboundPolicy`.

    Each request gets the checks of :class:`Fetcher`: the URL rules, the check of every resolved
    address, and a connection pinned to the checked address with the host name as TLS SNI and
    ``Host`` header. One deadline covers the request and its response body, which is read
    within the size cap. The transport never follows redirects. A client that follows them sends
    each hop through this transport again, where the hop gets the same checks. Clients built on
    httpx, such as authlib's ``AsyncOAuth2Client(transport=...)``, can use it as their transport.
    """

    def __init__(self, policy: OutboundPolicy, *, resolve: Resolve | None = None) -> None:
        self.policy = policy
        # The URL and address checks are the fetcher's own, so both paths apply the same rules.
        self._checks = Fetcher(policy, resolve=resolve)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        try:
            async with asyncio.timeout(self.policy.timeout_seconds):
                return await self._send(request, url)
        except TimeoutError:
            seconds = f"{self.policy.timeout_seconds:g}"
            log.info("outbound_request_failed", method=request.method, url=url, code="timed-out")
            raise FetchError(
                "timed-out", url, f"{request.method} {url} timed out after {seconds} s"
            ) from None
        except FetchError as error:
            log.info(
                "outbound_request_failed",
                method=request.method,
                url=url,
                code=error.code,
                status=error.status,
            )
            raise

    async def _send(self, request: httpx.Request, url: str) -> httpx.Response:
        target = self._checks._check_url(url)
        address = await self._checks._checked_address(target)
        pinned_url, host_header, extensions = _pinned(target, address)
        headers = httpx.Headers(request.headers)
        headers["Host"] = host_header
        # A compressed body would be inflated after the size check, so none is accepted.
        headers["Accept-Encoding"] = "identity"
        pinned = httpx.Request(
            request.method,
            pinned_url,
            headers=headers,
            content=await request.aread(),
            extensions=extensions,
        )
        # A transport per request, for the reason given in Fetcher._request.
        async with httpx.AsyncHTTPTransport(
            verify=self._checks._ssl_context, trust_env=False
        ) as transport:
            try:
                response = await transport.handle_async_request(pinned)
            except httpx.TransportError as error:
                raise _transport_failure(url, error, f"{request.method} {url}") from None
            try:
                body = await self._read(url, response)
            finally:
                await response.aclose()
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            content=body,
            request=request,
            extensions={"reason_phrase": response.extensions.get("reason_phrase", b"")},
        )

    async def _read(self, url: str, response: httpx.Response) -> bytes:
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise FetchError(
                "encoding-not-allowed",
                url,
                f"{url} answered with Content-Encoding {encoding} although this hub asked for "
                "an uncompressed body",
            )
        return await _read_body(url, response, self.policy.max_bytes)


@cache
def fetcher_for(settings: Settings) -> Fetcher:
    """Return the fetcher of these settings, so that its cache lasts across requests."""
    return Fetcher(OutboundPolicy.from_settings(settings))


def _pinned(target: _Target, address: str) -> tuple[str, str, dict[str, Any]]:
    """Return the URL to the checked address, the ``Host`` header and the TLS SNI extension."""
    parts = urlsplit(target.url)
    ip_host = f"[{address}]" if ":" in address else address
    pinned = urlunsplit(
        (target.scheme, f"{ip_host}:{target.port}", parts.path or "/", parts.query, "")
    )
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    return pinned, parts.netloc.rsplit("@", 1)[-1], extensions


async def _read_body(url: str, response: httpx.Response, max_bytes: int) -> bytes:
    """Read a response body in chunks; stop with too-large as soon as it exceeds ``max_bytes``."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(url, max_bytes)
    body = bytearray()
    try:
        async for chunk in response.aiter_bytes(_CHUNK_BYTES):
            body.extend(chunk)
            if len(body) > max_bytes:
                raise _too_large(url, max_bytes)
    except httpx.TransportError as error:
        raise FetchError(
            "connection-failed",
            url,
            f"reading {url} failed: {type(error).__name__} {error}".rstrip(),
        ) from None
    return bytes(body)


def _transport_failure(url: str, error: httpx.TransportError, action: str = "") -> FetchError:
    """Turn an httpx transport error into a FetchError; ``action`` names the request."""
    action = action or f"fetching {url}"
    if isinstance(error, httpx.ConnectError):
        code, reason = _connect_failure(error)
        return FetchError(code, url, f"{action} failed: {reason}")
    return FetchError(
        "connection-failed", url, f"{action} failed: {type(error).__name__} {error}".rstrip()
    )


def _host_port(host: str, port: int) -> str:
    return f"{host}:{port}"


def _address_problem(address: str, *, allow_loopback: bool) -> str | None:
    """Name the kind of a non-public address, or return None for a public one."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            ip = embedded
    if ip.is_loopback:
        return None if allow_loopback else "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private:
        return "a private address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_unspecified or ip.is_reserved or not ip.is_global:
        return "a reserved address"
    return None


def _connect_failure(error: httpx.ConnectError) -> tuple[str, str]:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return "tls-failed", f"TLS failed ({cause.reason or cause})"
        cause = cause.__cause__ or cause.__context__
    return "connection-failed", f"could not connect ({error})"


def _too_large(url: str, max_bytes: int) -> FetchError:
    return FetchError(
        "too-large",
        url,
        f"{url} returned more than {max_bytes // 1024} KiB, the maximum this hub reads from "
        "another server",
    )


def _ssl_context(ca_file: str | None) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if ca_file is not None:
        context.load_verify_locations(cafile=ca_file)
    return context


async def _system_resolve(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in addresses:
            addresses.append(address)
    return addresses
