"""Service Consumer pieces without a network: host URLs, the SDD, PKCE, status info, sealing."""

from __future__ import annotations

import copy
import json
import secrets
import time
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest

from hub.ob_consumer import oauth
from hub.ob_consumer.discovery import (
    UPSERT_SCOPE,
    discovery_url_of,
    parse_service_description,
)
from hub.ob_consumer.errors import SendError
from hub.ob_consumer.sealing import SendAttempt, open_secret, seal_secret
from hub.ob_consumer.upsert import status_info_description
from hub.outbound import OutboundPolicy
from hub.settings import Settings
from tests.conftest import shared_vectors

DISCOVERY = "https://backpack.example.org/ims/ob/v3p0/discovery"
OB_SPEC = Path("1EdTech__openbadges-specification")
# RFC 7636 Appendix B: this code verifier has this S256 code challenge.
RFC7636_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
RFC7636_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def spec_openapi() -> dict[str, Any]:
    """The OpenAPI file of Open Badges 3.0, which a host profiles into its SDD."""
    path = shared_vectors() / OB_SPEC / "openapi" / "openapi.json"
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def profiled_sdd() -> dict[str, Any]:
    """The specification's OpenAPI file with a host's own URLs, as a host would serve it."""
    document = copy.deepcopy(spec_openapi())
    document["servers"] = [{"url": "https://backpack.example.org/ims/ob/v3p0"}]
    scheme = document["components"]["securitySchemes"]["OAuth2ACG"]
    scheme["x-imssf-registrationUrl"] = "https://auth.example.org/connect/register"
    flow = scheme["flows"]["authorizationCode"]
    flow["authorizationUrl"] = "https://auth.example.org/authorize"
    flow["tokenUrl"] = "/token"
    flow["refreshUrl"] = "https://auth.example.org/refresh"
    return document


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("https://backpack.example.org", DISCOVERY),
        ("https://backpack.example.org/", DISCOVERY),
        ("backpack.example.org", DISCOVERY),
        ("  https://Backpack.Example.ORG ", DISCOVERY),
        (DISCOVERY, DISCOVERY),
        (DISCOVERY + "/", DISCOVERY),
        (
            "https://hub.example/tenant",
            "https://hub.example/tenant/ims/ob/v3p0/discovery",
        ),
        ("http://127.0.0.1:8001", "http://127.0.0.1:8001/ims/ob/v3p0/discovery"),
    ],
)
def test_discovery_url_of_typed_host(typed: str, expected: str) -> None:
    assert discovery_url_of(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "ftp://backpack.example.org",
        "https://user:secret@backpack.example.org",
        "https://backpack.example.org/?next=1",
        "https://backpack.example.org/#top",
        "https://backpack.example.org:99999",
        "my backpack",
    ],
)
def test_discovery_url_of_rejects(typed: str) -> None:
    with pytest.raises(SendError) as raised:
        discovery_url_of(typed)

    assert raised.value.code == "host-url-invalid"


@pytest.mark.vectors
def test_profiled_spec_openapi_read() -> None:
    description = parse_service_description(profiled_sdd(), DISCOVERY, OutboundPolicy())

    assert description.api_base == "https://backpack.example.org/ims/ob/v3p0"
    assert description.registration_url == "https://auth.example.org/connect/register"
    assert description.authorization_url == "https://auth.example.org/authorize"
    assert description.token_url == "https://backpack.example.org/token"
    assert description.refresh_url == "https://auth.example.org/refresh"
    assert description.name == spec_openapi()["info"]["title"]


@pytest.mark.vectors
def test_unprofiled_spec_openapi_rejected() -> None:
    # The specification's own file has placeholder URLs and no registration URL.
    with pytest.raises(SendError) as raised:
        parse_service_description(spec_openapi(), DISCOVERY, OutboundPolicy())

    assert raised.value.code == "host-discovery-invalid"


@pytest.mark.vectors
def test_sdd_fallbacks() -> None:
    document = profiled_sdd()
    del document["servers"]
    del document["components"]["securitySchemes"]["OAuth2ACG"]["flows"]["authorizationCode"][
        "refreshUrl"
    ]
    document["components"]["securitySchemes"]["OAuth2ACG"]["x-imssf-name"] = "Example Backpack"

    description = parse_service_description(document, DISCOVERY, OutboundPolicy())

    assert description.api_base == "https://backpack.example.org/ims/ob/v3p0"
    assert description.refresh_url == description.token_url
    assert description.name == "Example Backpack"


@pytest.mark.vectors
@pytest.mark.parametrize(
    ("change", "code", "named"),
    [
        ("no-scheme", "host-discovery-invalid", "OAuth2ACG"),
        ("no-registration", "host-discovery-invalid", "x-imssf-registrationUrl"),
        ("no-token-url", "host-discovery-invalid", "tokenUrl"),
        ("relative-placeholder", "host-discovery-invalid", "authorizationUrl"),
        ("http-authorization", "host-discovery-invalid", "authorizationUrl"),
        ("no-upsert-scope", "host-cannot-receive", UPSERT_SCOPE),
    ],
)
def test_unusable_sdd_rejected(change: str, code: str, named: str) -> None:
    document = profiled_sdd()
    scheme = document["components"]["securitySchemes"]["OAuth2ACG"]
    flow = scheme["flows"]["authorizationCode"]
    if change == "no-scheme":
        del document["components"]["securitySchemes"]
    elif change == "no-registration":
        del scheme["x-imssf-registrationUrl"]
    elif change == "no-token-url":
        del flow["tokenUrl"]
    elif change == "relative-placeholder":
        flow["authorizationUrl"] = "provider.example.com/auth"
    elif change == "http-authorization":
        flow["authorizationUrl"] = "http://auth.example.org/authorize"
    else:
        del flow["scopes"][UPSERT_SCOPE]

    with pytest.raises(SendError) as raised:
        parse_service_description(document, DISCOVERY, OutboundPolicy())

    assert raised.value.code == code
    assert named in str(raised.value)


def test_http_authorization_url_of_loopback_peer_accepted() -> None:
    document = {
        "components": {
            "securitySchemes": {
                "OAuth2ACG": {
                    "x-imssf-registrationUrl": "/register",
                    "flows": {
                        "authorizationCode": {"authorizationUrl": "/auth", "tokenUrl": "/token"}
                    },
                }
            }
        }
    }
    discovery = "http://127.0.0.1:8001/ims/ob/v3p0/discovery"
    policy = OutboundPolicy(loopback_peers=frozenset({"127.0.0.1:8001"}))

    description = parse_service_description(document, discovery, policy)

    assert description.authorization_url == "http://127.0.0.1:8001/auth"
    assert description.api_base == "http://127.0.0.1:8001/ims/ob/v3p0"
    assert description.name == "127.0.0.1:8001"


async def test_authorization_url_uses_pkce_s256(settings: Settings) -> None:
    client = oauth.oauth_client(
        None,  # type: ignore[arg-type] - building the URL sends nothing
        settings,
        oauth.ClientCredentials("client-1", "secret-1", "client_secret_basic"),
    )

    url = oauth.authorization_url(
        client, "https://auth.example.org/authorize?tenant=a", "state-1", RFC7636_VERIFIER
    )
    query = parse_qs(urlsplit(url).query)

    assert url.startswith("https://auth.example.org/authorize?")
    assert query["code_challenge"] == [RFC7636_CHALLENGE]
    assert query["code_challenge_method"] == ["S256"]
    assert query["response_type"] == ["code"]
    assert query["client_id"] == ["client-1"]
    assert query["redirect_uri"] == ["http://127.0.0.1:8000/backpack/send/callback"]
    assert query["scope"] == [UPSERT_SCOPE]
    assert query["state"] == ["state-1"]
    assert query["tenant"] == ["a"]


def test_registration_request_names_client(settings: Settings) -> None:
    body = oauth.registration_request(settings)

    assert body["redirect_uris"] == ["http://127.0.0.1:8000/backpack/send/callback"]
    assert body["grant_types"] == ["authorization_code", "refresh_token"]
    assert body["response_types"] == ["code"]
    assert body["token_endpoint_auth_method"] == "client_secret_basic"
    assert body["scope"] == UPSERT_SCOPE
    for field in ("client_name", "client_uri", "tos_uri", "policy_uri", "software_version"):
        assert body[field], field


@pytest.mark.vectors
def test_status_info_description_read() -> None:
    schema = json.loads(
        (shared_vectors() / OB_SPEC / "schema" / "imsx_statusinfo.json").read_text()
    )
    body = {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": "The credential subject does not match the account",
        "imsx_codeMinor": {
            "imsx_codeMinorField": [
                {"imsx_codeMinorFieldName": "backpack", "imsx_codeMinorFieldValue": "invalid_data"}
            ]
        },
    }
    jsonschema.validate(body, schema)

    assert status_info_description(body) == (
        "The credential subject does not match the account (invalid_data)"
    )


@pytest.mark.parametrize("body", [None, "text", {"imsx_codeMajor": "failure"}, []])
def test_status_info_without_description(body: Any) -> None:
    assert status_info_description(body) == ""


def test_secret_opens_only_in_its_context(settings: Settings) -> None:
    sealed = seal_secret(settings, "refresh-1", "ob-refresh-token 1 2")

    assert b"refresh-1" not in sealed
    assert open_secret(settings, sealed, "ob-refresh-token 1 2") == "refresh-1"
    with pytest.raises(ValueError, match="does not decrypt"):
        open_secret(settings, sealed, "ob-refresh-token 1 3")


def attempt() -> SendAttempt:
    return SendAttempt.start(7, 3, "award", "badge-1", "json")


def test_send_attempt_round_trip(settings: Settings) -> None:
    started = attempt()

    assert SendAttempt.unseal(settings, started.seal(settings)) == started


@pytest.mark.parametrize("case", ["missing", "tampered", "other-kek", "expired"])
def test_send_attempt_rejected(settings: Settings, case: str) -> None:
    sealed = attempt().seal(settings)
    if case == "missing":
        sealed = ""
    elif case == "tampered":
        sealed = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    elif case == "other-kek":
        settings = replace(settings, key_encryption_key=secrets.token_bytes(32))
    else:
        sealed = replace(attempt(), expires=time.time() - 1).seal(settings)

    with pytest.raises(SendError) as raised:
        SendAttempt.unseal(settings, sealed)

    assert raised.value.code == "send-expired"
