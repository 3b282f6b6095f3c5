"""A scripted OpenID4VCI 1.0 wallet: it has its own key and speaks only the protocol."""

from __future__ import annotations

import html
import json
import re
import time
import warnings
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from joserfc import jwt
from joserfc.errors import SecurityWarning
from joserfc.jwk import ECKey, OKPKey

from hub.credentials import multikey

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
OFFER_LINK = re.compile(r'href="(openid-credential-offer://\?credential_offer=[^"]+)"')
TX_CODE = re.compile(r'id="tx-code"[^>]*>(\d+)<')


@dataclass(frozen=True)
class Offer:
    document: dict[str, Any]
    tx_code: str | None

    @property
    def code(self) -> str:
        grant: dict[str, Any] = self.document["grants"][PRE_AUTHORIZED_GRANT]
        return str(grant["pre-authorized_code"])

    @property
    def issuer(self) -> str:
        return str(self.document["credential_issuer"])


OFFER_BY_REFERENCE = re.compile(r'href="(openid-credential-offer://\?credential_offer_uri=[^"]+)"')


def read_offer_uri(page: str) -> str:
    """Read the ``credential_offer_uri`` of the wallet page's main link (the QR code's link)."""
    link = OFFER_BY_REFERENCE.search(page)
    assert link is not None, "the page shows no credential_offer_uri link"
    query = parse_qs(urlsplit(html.unescape(link.group(1))).query)
    return str(query["credential_offer_uri"][0])


def read_offer(page: str) -> Offer:
    """Read the by-value offer of the deep link and the transaction code off the wallet page."""
    link = OFFER_LINK.search(page)
    assert link is not None, "the page shows no openid-credential-offer:// link"
    query = parse_qs(urlsplit(html.unescape(link.group(1))).query)
    code = TX_CODE.search(page)
    return Offer(json.loads(query["credential_offer"][0]), code.group(1) if code else None)


@dataclass
class Wallet:
    """A wallet with an Ed25519 key named by did:key, or a P-256 key sent as a jwk header."""

    http: httpx.AsyncClient
    key: OKPKey | ECKey = field(default_factory=lambda: OKPKey.generate_key("Ed25519"))

    @property
    def did(self) -> str:
        if isinstance(self.key, OKPKey):
            public = self.key.get_op_key("verify")
            assert isinstance(public, Ed25519PublicKey)
            return multikey.did_key_for(public)
        raise AssertionError("a P-256 wallet names its key by jwk; the issuer derives a did:jwk")

    async def metadata(self, issuer: str) -> dict[str, Any]:
        path = urlsplit(issuer).path
        response = await self.http.get(f"/.well-known/openid-credential-issuer{path}")
        assert response.status_code == 200, response.text
        document: dict[str, Any] = response.json()
        return document

    async def token(self, offer: Offer, tx_code: str | None = None) -> httpx.Response:
        path = urlsplit(offer.issuer).path
        server = (await self.http.get(f"/.well-known/oauth-authorization-server{path}")).json()
        form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": offer.code}
        if tx_code is not None:
            form["tx_code"] = tx_code
        return await self.http.post(server["token_endpoint"], data=form)

    async def nonce(self, metadata: dict[str, Any]) -> str:
        response = await self.http.post(metadata["nonce_endpoint"])
        assert response.status_code == 200, response.text
        return str(response.json()["c_nonce"])

    def proof(self, audience: str, nonce: str | None, iat: float | None = None) -> str:
        header: dict[str, Any] = {"typ": "openid4vci-proof+jwt"}
        if isinstance(self.key, OKPKey):
            header |= {"alg": "EdDSA", "kid": f"{self.did}#{self.did.removeprefix('did:key:')}"}
        else:
            header |= {"alg": "ES256", "jwk": self.key.as_dict(private=False)}
        claims: dict[str, Any] = {"aud": audience, "iat": int(iat or time.time())}
        if nonce is not None:
            claims["nonce"] = nonce
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SecurityWarning)
            return jwt.encode(header, claims, self.key, algorithms=[header["alg"]])

    async def credential(
        self, metadata: dict[str, Any], access_token: str, body: dict[str, Any]
    ) -> httpx.Response:
        return await self.http.post(
            metadata["credential_endpoint"],
            json=body,
            headers={"Authorization": f"Bearer {access_token}"},
        )
