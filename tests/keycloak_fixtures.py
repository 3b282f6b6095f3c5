"""pytest plugin: one real Keycloak 26.7.3 per test session, on free loopback ports.

Tests that take the ``keycloak`` fixture carry ``@pytest.mark.keycloak``. The fixture needs
Java 17+ and, until the distribution is cached, Maven (see ``hub.auth.keycloak_dev``). Without
them it skips with the reason; when ``CI=true`` it fails instead, because CI must run them.

Redirect URIs are exact. The realm registers the web client for two hub URLs:
``TEST_HUB_URL`` (the ``settings`` fixture's public URL) and ``keycloak.browser_hub_url``, a
loopback port that was free at session start, where a browser test serves its hub. A test that
needs another URL calls ``keycloak.register_hub_url(url)`` before it signs in.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest

from hub.auth.keycloak_dev import (
    DEV_CLIENT_SECRETS,
    DEV_USERS,
    KeycloakServer,
    KeycloakToolMissingError,
    default_cache_dir,
    dev_user,
    ensure_distribution,
    free_port,
    missing_requirements,
)
from hub.auth.realm import (
    LOGIN_CALLBACK_PATH,
    POST_LOGOUT_PATH,
    PROVISIONING_CLIENT_ID,
    REALM_NAME,
    TEST_CLIENT_ID,
    WEB_CLIENT_ID,
    DevUser,
    hub_origin,
)
from hub.settings import Settings

TEST_HUB_URL = "http://127.0.0.1:8000"


@dataclasses.dataclass
class KeycloakTestServer:
    """The session's Keycloak, with helpers to obtain real tokens and call the Admin API."""

    server: KeycloakServer
    hub_url: str
    browser_hub_url: str

    realm = REALM_NAME
    client_secrets = DEV_CLIENT_SECRETS
    users: tuple[DevUser, ...] = DEV_USERS
    _admin_token_cache: tuple[str, float] | None = dataclasses.field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def issuer(self) -> str:
        return self.server.issuer

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/token"

    @property
    def admin_username(self) -> str:
        return self.server.admin_username

    @property
    def admin_password(self) -> str:
        return self.server.admin_password

    def password_token(
        self,
        username: str,
        password: str | None = None,
        client_id: str = TEST_CLIENT_ID,
        scope: str | None = None,
    ) -> dict[str, Any]:
        """Return the token response of a password grant (the user's dev password by default)."""
        form = {
            "grant_type": "password",
            "client_id": client_id,
            "username": username,
            "password": password if password is not None else dev_user(username).password,
        }
        if scope is not None:
            form["scope"] = scope
        if client_id in DEV_CLIENT_SECRETS:
            form["client_secret"] = DEV_CLIENT_SECRETS[client_id]
        return self._token(form)

    def client_credentials_token(self, client_id: str = PROVISIONING_CLIENT_ID) -> dict[str, Any]:
        form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": DEV_CLIENT_SECRETS[client_id],
        }
        return self._token(form)

    def _token(self, form: dict[str, str]) -> dict[str, Any]:
        response = httpx.post(self.token_url, data=form, trust_env=False)
        assert response.status_code == 200, f"token request failed: {response.text}"
        token: dict[str, Any] = response.json()
        return token

    def admin_api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Call ``/admin/realms/eunice{path}`` as the bootstrap admin of the master realm."""
        url = f"{self.base_url}/admin/realms/{self.realm}{path}"
        headers = {"Authorization": f"Bearer {self._admin_token()}"}
        return httpx.request(method, url, headers=headers, trust_env=False, **kwargs)

    def _admin_token(self) -> str:
        # Master realm access tokens live 60 s; one is reused for half of that.
        if self._admin_token_cache is None or time.monotonic() > self._admin_token_cache[1]:
            response = httpx.post(
                f"{self.base_url}/realms/master/protocol/openid-connect/token",
                data={
                    "grant_type": "password",
                    "client_id": "admin-cli",
                    "username": self.admin_username,
                    "password": self.admin_password,
                },
                trust_env=False,
            )
            self._admin_token_cache = (response.json()["access_token"], time.monotonic() + 30)
        return self._admin_token_cache[0]

    def client_representation(self, client_id: str) -> dict[str, Any]:
        found = self.admin_api("GET", "/clients", params={"clientId": client_id}).json()
        assert len(found) == 1, f"client {client_id!r} not found in realm {self.realm}"
        client: dict[str, Any] = found[0]
        return client

    def organizations(self) -> list[dict[str, Any]]:
        """Return the realm's organizations (up to 1000) with their domains."""
        # Without `max`, Keycloak 26.7.3 returned only the first 10 organizations.
        params = {"briefRepresentation": "false", "first": "0", "max": "1000"}
        listed: list[dict[str, Any]] = self.admin_api("GET", "/organizations", params=params).json()
        return listed

    def register_hub_url(self, url: str) -> None:
        """Add ``url`` to the web client's redirect URIs, post-logout URIs and web origins."""
        origin = hub_origin(url)
        client = self.client_representation(WEB_CLIENT_ID)
        client["redirectUris"] = [*client["redirectUris"], origin + LOGIN_CALLBACK_PATH]
        client["webOrigins"] = [*client["webOrigins"], origin]
        attributes = client["attributes"]
        logout_uris = attributes.get("post.logout.redirect.uris", "")
        attributes["post.logout.redirect.uris"] = "##".join(
            filter(None, [logout_uris, origin + POST_LOGOUT_PATH])
        )
        response = self.admin_api("PUT", f"/clients/{client['id']}", json=client)
        assert response.status_code == 204, f"updating {WEB_CLIENT_ID} failed: {response.text}"

    def hub_settings(self, settings: Settings) -> Settings:
        """Return ``settings`` pointed at this Keycloak with the development client secrets."""
        return dataclasses.replace(
            settings,
            keycloak_url=self.base_url,
            keycloak_realm=self.realm,
            oidc_client_secret=DEV_CLIENT_SECRETS[WEB_CLIENT_ID],
            provisioning_client_secret=DEV_CLIENT_SECRETS[PROVISIONING_CLIENT_ID],
        )


def skip_without_keycloak(reason: str) -> NoReturn:
    """Skip the calling test because Keycloak cannot run here; fail instead when CI=true."""
    reason = f"no Keycloak on this machine: {reason}"
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"CI=true requires the Keycloak tests to run, but {reason}", pytrace=False)
    pytest.skip(reason)


def distinct_free_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


@pytest.fixture(scope="session")
def keycloak_distribution() -> Path:
    """The unpacked Keycloak distribution, fetched into the user's cache on first use."""
    cache_dir = default_cache_dir()
    problems = missing_requirements(cache_dir)
    if problems:
        skip_without_keycloak("; ".join(problems))
    try:
        return ensure_distribution(cache_dir)
    except KeycloakToolMissingError as error:
        skip_without_keycloak(str(error))


@pytest.fixture(scope="session")
def keycloak(keycloak_distribution: Path) -> Iterator[KeycloakTestServer]:
    """A Keycloak started from the repository's realm file, stopped at the end of the session."""
    http_port, management_port, browser_port = distinct_free_ports(3)
    browser_hub_url = f"http://127.0.0.1:{browser_port}"
    server = KeycloakServer(
        keycloak_distribution,
        hub_urls=(TEST_HUB_URL, browser_hub_url),
        http_port=http_port,
        management_port=management_port,
        admin_password=secrets.token_urlsafe(18),
    )
    server.start()
    try:
        yield KeycloakTestServer(server, TEST_HUB_URL, browser_hub_url)
    finally:
        server.stop()
