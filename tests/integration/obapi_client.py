"""A scripted Open Badges 3.0 API client, written from the specification (OB 3.0 §6 and §7).

It reads everything it needs from the discovery document, registers dynamically, runs the
authorization code flow with PKCE S256 in a cookie-keeping HTTP client that plays the
earner's browser, and calls the resource endpoints. Tests drive it against the hub, in process
or through the real Keycloak sign-in.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

OB = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
READ = OB + "credential.readonly"
UPSERT = OB + "credential.upsert"
PROFILE_READ = OB + "profile.readonly"
PROFILE_UPDATE = OB + "profile.update"
ALL_SCOPES = f"{READ} {UPSERT} {PROFILE_READ} {PROFILE_UPDATE}"
REDIRECT_URI = "https://backpack-client.example.org/callback"
HIDDEN_FIELD = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


def registration_request(scope: str = ALL_SCOPES, **changes: Any) -> dict[str, Any]:
    """The registration body of OB 3.0 §7.1.1.2, for a client at backpack-client.example.org."""
    body: dict[str, Any] = {
        "client_name": "Scripted Backpack",
        "client_uri": "https://backpack-client.example.org/",
        "logo_uri": "https://backpack-client.example.org/logo.png",
        "tos_uri": "https://backpack-client.example.org/terms",
        "policy_uri": "https://backpack-client.example.org/privacy",
        "software_id": "0b2a3d6e-8c1f-4a57-9e62-7d0c5b1f4e93",
        "software_version": "1.0",
        "redirect_uris": [REDIRECT_URI],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": scope,
    }
    body.update(changes)
    return body


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


@dataclass
class ScriptedClient:
    """One registered client; ``http`` talks to the hub, ``browser`` is the earner's browser."""

    http: httpx.AsyncClient
    discovery_url: str
    service: dict[str, Any] = field(default_factory=dict)
    client_id: str = ""
    client_secret: str = ""
    redirect_uri: str = REDIRECT_URI

    @property
    def flows(self) -> dict[str, Any]:
        scheme = self.service["components"]["securitySchemes"]["OAuth2ACG"]
        flow: dict[str, Any] = scheme["flows"]["authorizationCode"]
        return flow

    @property
    def api_base(self) -> str:
        return str(self.service["servers"][0]["url"])

    async def discover(self) -> dict[str, Any]:
        response = await self.http.get(self.discovery_url)
        assert response.status_code == 200, response.text
        self.service = response.json()
        return self.service

    async def register(self, body: dict[str, Any] | None = None) -> httpx.Response:
        scheme = self.service["components"]["securitySchemes"]["OAuth2ACG"]
        response = await self.http.post(
            scheme["x-imssf-registrationUrl"], json=body or registration_request()
        )
        if response.status_code == 201:
            self.client_id = response.json()["client_id"]
            self.client_secret = response.json()["client_secret"]
        return response

    def authorization_url(self, scope: str, state: str, challenge: str, **extra: str) -> str:
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": scope,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            **extra,
        }
        return f"{self.flows['authorizationUrl']}?{urlencode(query)}"

    @staticmethod
    async def consent(
        browser: httpx.AsyncClient, page: httpx.Response, decision: str = "allow"
    ) -> httpx.Response:
        """Submit a decision on the hub's authorization page; return the redirect to the client."""
        assert page.status_code == 200, page.text
        actions = [html.unescape(action) for action in FORM_ACTION.findall(page.text)]
        assert "/oauth/authorize" in actions, f"no authorization form on the page: {actions}"
        fields = [
            (html.unescape(name), html.unescape(value))
            for name, value in HIDDEN_FIELD.findall(page.text)
        ]
        csrf = browser.cookies.get("badgehub_csrf") or ""
        fields.append(("_csrf_token", csrf))
        fields.append(("decision", decision))
        return await browser.post(
            "/oauth/authorize",
            content=urlencode(fields),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

    @staticmethod
    def callback_query(redirect: httpx.Response) -> dict[str, str]:
        assert redirect.status_code == 302, redirect.text
        location = redirect.headers["location"]
        assert location.startswith(REDIRECT_URI + "?"), location
        return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}

    def _basic(self) -> tuple[str, str]:
        return (self.client_id, self.client_secret)

    async def redeem(self, code: str, verifier: str, **extra: str) -> httpx.Response:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": verifier,
            **extra,
        }
        return await self.http.post(self.flows["tokenUrl"], data=form, auth=self._basic())

    async def refresh(self, refresh_token: str, scope: str | None = None) -> httpx.Response:
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        if scope:
            form["scope"] = scope
        return await self.http.post(self.flows["refreshUrl"], data=form, auth=self._basic())

    async def revoke(self, token: str, hint: str | None = None) -> httpx.Response:
        metadata = await self.http.get("/.well-known/oauth-authorization-server")
        form = {"token": token, **({"token_type_hint": hint} if hint else {})}
        return await self.http.post(
            metadata.json()["revocation_endpoint"], data=form, auth=self._basic()
        )

    async def credentials(self, access_token: str, url: str | None = None) -> httpx.Response:
        return await self.http.get(
            url or f"{self.api_base}/credentials", headers=bearer(access_token)
        )

    async def upsert(self, access_token: str, body: str, media_type: str) -> httpx.Response:
        return await self.http.post(
            f"{self.api_base}/credentials",
            content=body.encode("utf-8"),
            headers={**bearer(access_token), "Content-Type": media_type},
        )

    async def profile(self, access_token: str) -> httpx.Response:
        return await self.http.get(f"{self.api_base}/profile", headers=bearer(access_token))

    async def put_profile(self, access_token: str, profile: Any) -> httpx.Response:
        return await self.http.put(
            f"{self.api_base}/profile", json=profile, headers=bearer(access_token)
        )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}


def links(response: httpx.Response) -> dict[str, str]:
    """Parse an RFC 8288 Link header into {rel: URL}."""
    found = re.findall(r'<([^>]+)>;\s*rel="(\w+)"', response.headers.get("link", ""))
    return {rel: url for url, rel in found}
