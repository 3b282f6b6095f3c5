"""Service discovery of an Open Badges 3.0 host (OB 3.0 §6.3 and §7.1.1.1).

The host's Service Description Document (SDD) is an OpenAPI 3.0 document at
``{base URL}/ims/ob/v3p0/discovery``. Its security scheme ``OAuth2ACG`` names the registration,
authorization, token and refresh URLs; ``servers[0].url`` is the base of the API.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import structlog

from hub.ob_consumer.errors import SendError
from hub.outbound import Fetcher, FetchError, OutboundPolicy

log = structlog.get_logger(__name__)

DISCOVERY_PATH = "/ims/ob/v3p0/discovery"
UPSERT_SCOPE = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert"
# RFC 8414 §3: authorization server metadata, where a host may publish revocation_endpoint.
SERVER_METADATA_PATH = "/.well-known/oauth-authorization-server"
MAX_NAME_CHARS = 255
# The length of the URL columns of ObHostRegistration.
MAX_URL_CHARS = 2048
# How much of an unusable host address the error page repeats.
MAX_SHOWN_CHARS = 200


@dataclass(frozen=True)
class ServiceDescription:
    """The parts of a host's SDD that sending a credential needs, as absolute URLs."""

    discovery_url: str
    name: str
    api_base: str
    registration_url: str
    authorization_url: str
    token_url: str
    refresh_url: str
    revocation_url: str | None = None


def discovery_url_of(value: str) -> str:
    """Return the discovery URL of the host the earner typed.

    The earner may type the host's base URL (``https://backpack.example.org``, with or without
    the scheme) or the discovery URL itself. A URL without a scheme gets ``https://``.
    """
    text = value.strip()
    if "://" not in text and text:
        text = f"https://{text}"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        parts = None
    if (
        parts is None
        or not _is_plain_web_url(parts)
        or len(text) > MAX_URL_CHARS - len(DISCOVERY_PATH)
    ):
        # The typed text is shown and logged, so a very long one is cut.
        shown = value if len(value) <= MAX_SHOWN_CHARS else f"{value[:MAX_SHOWN_CHARS]}…"
        raise SendError(
            "host-url-invalid",
            f"{shown!r} is not the address of a backpack; type its https:// address",
            host=shown,
        )
    path = parts.path.rstrip("/")
    if not path.endswith(DISCOVERY_PATH):
        path += DISCOVERY_PATH
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, "", ""))


def host_label(discovery_url: str) -> str:
    """Return the host and port of a discovery URL, as the earner's pages show it."""
    return urlsplit(discovery_url).netloc


async def discover(
    fetcher: Fetcher, policy: OutboundPolicy, discovery_url: str
) -> ServiceDescription:
    """Fetch and read the host's SDD, then look for a revocation endpoint (RFC 8414)."""
    host = host_label(discovery_url)
    try:
        document = await fetcher.fetch_json(discovery_url, use_cache=False)
    except FetchError as error:
        raise fetch_failure(error, host) from None
    description = parse_service_description(document, discovery_url, policy)
    return replace(description, revocation_url=await _revocation_endpoint(fetcher, discovery_url))


def parse_service_description(
    document: Any, discovery_url: str, policy: OutboundPolicy
) -> ServiceDescription:
    """Read the OAuth2ACG scheme and the API base; raise SendError naming what is missing."""
    host = host_label(discovery_url)
    scheme = _object_at(document, "components", "securitySchemes", "OAuth2ACG")
    flow = _object_at(scheme, "flows", "authorizationCode")
    if not scheme or not flow:
        raise _invalid(
            host, "it has no authorizationCode flow in components.securitySchemes.OAuth2ACG"
        )
    scopes = flow.get("scopes")
    if isinstance(scopes, dict) and UPSERT_SCOPE not in scopes:
        raise SendError(
            "host-cannot-receive",
            f"{host} does not offer the scope {UPSERT_SCOPE}, so it cannot receive badges",
            host=host,
        )
    token_url = _url_field(flow, "tokenUrl", discovery_url, host)
    authorization_url = _url_field(flow, "authorizationUrl", discovery_url, host)
    _check_browser_url(authorization_url, policy, host)
    return ServiceDescription(
        discovery_url=discovery_url,
        name=_host_name(document, scheme, host),
        api_base=_api_base(document, discovery_url, host),
        registration_url=_url_field(scheme, "x-imssf-registrationUrl", discovery_url, host),
        authorization_url=authorization_url,
        token_url=token_url,
        refresh_url=(
            _url_field(flow, "refreshUrl", discovery_url, host)
            if flow.get("refreshUrl")
            else token_url
        ),
    )


def fetch_failure(error: FetchError, host: str) -> SendError:
    """Translate a rejected or failed outbound request into the earner's error."""
    if error.code in ("invalid-url", "scheme-not-allowed", "address-not-allowed"):
        return SendError(
            "host-not-allowed",
            f"this hub does not connect to {host}: {error}",
            host=host,
            detail=str(error),
        )
    if error.code == "http-status" and error.status == 404:
        return _invalid(host, f"{error.url} answered 404, so it offers no Open Badges 3.0 API")
    if error.code == "not-json":
        return _invalid(host, str(error))
    return SendError(
        "host-unreachable", f"{host} could not be reached: {error}", host=host, detail=str(error)
    )


def _is_plain_web_url(parts: Any) -> bool:
    return (
        parts.scheme.lower() in ("https", "http")
        and bool(parts.hostname)
        and not any(character.isspace() for character in parts.netloc)
        and parts.username is None
        and parts.password is None
        and not parts.query
        and not parts.fragment
    )


def _object_at(document: Any, *keys: str) -> dict[str, Any]:
    current = document
    for key in keys:
        current = current.get(key) if isinstance(current, dict) else None
    return current if isinstance(current, dict) else {}


def _url_field(container: dict[str, Any], key: str, discovery_url: str, host: str) -> str:
    value = container.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _invalid(host, f"it has no {key}")
    # An absolute path is resolved against the host. A value such as "provider.example.com/auth"
    # (the placeholder style of the specification's examples) would resolve to a path under
    # the discovery URL, so it is rejected.
    if not value.strip().startswith(("https://", "http://", "/")):
        raise _invalid(host, f"its {key} {value!r} is not an absolute https URL")
    url = urljoin(discovery_url, value.strip())
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise _invalid(host, f"its {key} {value!r} is not an absolute https URL")
    if len(url) > MAX_URL_CHARS:
        raise _invalid(host, f"its {key} is longer than {MAX_URL_CHARS} characters")
    return url


def _api_base(document: Any, discovery_url: str, host: str) -> str:
    servers = document.get("servers") if isinstance(document, dict) else None
    if isinstance(servers, list) and servers and isinstance(servers[0], dict):
        return _url_field(servers[0], "url", discovery_url, host).rstrip("/")
    return discovery_url.removesuffix("/discovery")


def _host_name(document: dict[str, Any], scheme: dict[str, Any], host: str) -> str:
    info = _object_at(document, "info")
    for value in (scheme.get("x-imssf-name"), info.get("title")):
        if isinstance(value, str) and value.strip():
            return value.strip()[:MAX_NAME_CHARS]
    return host


def _check_browser_url(url: str, policy: OutboundPolicy, host: str) -> None:
    """The earner's browser goes to the authorization URL, which must be https.

    Plain http is accepted only for a configured loopback peer, as for the hub's own requests.
    """
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if parts.scheme == "http" and f"{parts.hostname}:{port}" not in policy.loopback_peers:
        raise _invalid(host, f"its authorizationUrl {url} is not https")


async def _revocation_endpoint(fetcher: Fetcher, discovery_url: str) -> str | None:
    """Return the host's RFC 7009 revocation endpoint, or None when it publishes none."""
    parts = urlsplit(discovery_url)
    metadata_url = urlunsplit((parts.scheme, parts.netloc, SERVER_METADATA_PATH, "", ""))
    try:
        metadata = await fetcher.fetch_json(metadata_url, use_cache=False)
    except FetchError as error:
        # Revocation is optional: without it, forgetting a host only deletes the stored token.
        log.info("ob_host_metadata_unavailable", url=metadata_url, code=error.code)
        return None
    endpoint = metadata.get("revocation_endpoint") if isinstance(metadata, dict) else None
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
        return None
    if len(endpoint) > MAX_URL_CHARS:
        log.info("ob_host_revocation_url_too_long", url=metadata_url)
        return None
    return endpoint


def _invalid(host: str, problem: str) -> SendError:
    return SendError(
        "host-discovery-invalid",
        f"the Open Badges service description of {host} is unusable: {problem}",
        host=host,
        detail=problem,
    )
