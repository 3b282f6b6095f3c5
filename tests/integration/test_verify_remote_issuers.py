"""Verification of credentials whose did:web issuer points at addresses the hub never fetches.

The hosts are IP literals, so the system resolver returns them without a DNS query. The outbound
rules reject them before any connection. Each ends in a failed issuer-key check that names the URL
and the rule, in bounded time.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hub.credentials import dataintegrity, multikey
from tests.unit.credentials.conftest import OB_IMPL_GUIDE, read_vector_json

pytestmark = pytest.mark.integration


def credential_from(did: str) -> dict[str, Any]:
    credential: dict[str, Any] = read_vector_json(f"{OB_IMPL_GUIDE}/unsigned.json")
    credential["issuer"]["id"] = did
    created = datetime.now(UTC) - timedelta(days=1)
    return dataintegrity.sign_eddsa_rdfc_2022(
        credential, Ed25519PrivateKey.generate(), f"{did}#key-1", created
    )


@pytest.mark.parametrize(
    ("did", "url", "kind"),
    [
        ("did:web:127.0.0.1", "https://127.0.0.1/.well-known/did.json", "a loopback address"),
        ("did:web:10.0.0.1:issuers:x", "https://10.0.0.1/issuers/x/did.json", "a private address"),
        (
            "did:web:169.254.169.254",
            "https://169.254.169.254/.well-known/did.json",
            "a link-local address",
        ),
        (
            "did:web:192.168.1.20%3A8443",
            "https://192.168.1.20:8443/.well-known/did.json",
            "a private address",
        ),
    ],
)
async def test_blocked_issuer_fails_issuer_key(
    client: httpx.AsyncClient, did: str, url: str, kind: str
) -> None:
    started = time.monotonic()
    response = await client.post("/api/v1/verify", json=credential_from(did))
    elapsed = time.monotonic() - started

    report = response.json()
    issuer_key = next(check for check in report["checks"] if check["check"] == "issuer-key")
    assert response.status_code == 200
    assert report["valid"] is False
    assert issuer_key["status"] == "failed"
    assert (
        f"the DID document of {did} could not be fetched (address-not-allowed)"
        in (issuer_key["message"])
    )
    assert f"{url} resolves to" in issuer_key["message"]
    assert kind in issuer_key["message"]
    assert elapsed < 10


async def test_plain_http_status_list_fails(client: httpx.AsyncClient) -> None:
    """A remote status list over plain HTTP is rejected, so the status check fails."""
    credential: dict[str, Any] = read_vector_json(f"{OB_IMPL_GUIDE}/unsigned.json")
    key = Ed25519PrivateKey.generate()
    did = multikey.did_key_for(key.public_key())
    credential["issuer"]["id"] = did
    credential["credentialStatus"] = {
        "id": "http://status.example/lists/1#7",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": "http://status.example/lists/1",
    }
    created = datetime.now(UTC) - timedelta(days=1)
    signed = dataintegrity.sign_eddsa_rdfc_2022(
        credential, key, f"{did}#{did.removeprefix('did:key:')}", created
    )

    response = await client.post("/api/v1/verify", json=signed)

    status = next(check for check in response.json()["checks"] if check["check"] == "status")
    assert status["status"] == "failed"
    assert "(scheme-not-allowed)" in status["message"]
    assert "http://status.example/lists/1" in status["message"]
