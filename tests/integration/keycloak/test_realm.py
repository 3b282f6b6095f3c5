"""The development realm: the file agrees with the code, and a real Keycloak imports it.

Observed with Keycloak 26.7.3 (the ``organization`` claim, from the built-in
``oidc-organization-membership-mapper`` of the ``organization`` client scope):

- the claim is a JSON array of organization aliases, e.g. ``["unican", "uphf"]``, in the
  access token and the ID token; it is absent for a user in no organization;
- with ``organization`` as a default client scope, or requested as ``scope=organization``, a
  member of one organization gets ``["uphf"]``. A member of several gets no claim from the
  password grant, and the browser login stops at "Select an organization to proceed";
- ``scope=organization:*`` lists every membership without asking, and
  ``scope=organization:<alias>`` only that one.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from hub.auth.keycloak_dev import DEV_CLIENT_SECRETS, DEV_USERS, dev_user
from hub.auth.realm import (
    ALLIANCE_ADMIN_ROLE,
    API_AUDIENCE,
    LOGIN_CALLBACK_PATH,
    OTHER_CLIENT_ID,
    PROVISIONING_CLIENT_ID,
    REALM_FILE,
    TEST_CLIENT_ID,
    WEB_CLIENT_ID,
    render_realm,
)
from tenants.seed_data import TENANTS
from tests.keycloak_fixtures import KeycloakTestServer

SERVICE_ACCOUNT = f"service-account-{PROVISIONING_CLIENT_ID}"


def realm_file() -> dict[str, Any]:
    content: dict[str, Any] = json.loads(REALM_FILE.read_text(encoding="utf-8"))
    return content


def claims(token: str) -> dict[str, Any]:
    """Decode a JWT payload without checking it; these tests look at what Keycloak issued."""
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


def audiences(token_claims: dict[str, Any]) -> list[str]:
    # Keycloak writes `aud` as a string when there is one audience, as a list otherwise.
    audience = token_claims.get("aud", [])
    return [audience] if isinstance(audience, str) else list(audience)


# The realm file and the code that describes it -----------------------------------------------


def test_realm_file_users_match_dev_users() -> None:
    realm = realm_file()
    users = {u["username"]: u for u in realm["users"] if u["username"] != SERVICE_ACCOUNT}
    members = {
        org["alias"]: {m["username"] for m in org.get("members", [])}
        for org in realm["organizations"]
    }

    assert set(users) == {user.username for user in DEV_USERS}
    for user in DEV_USERS:
        stored = users[user.username]
        assert stored["email"] == user.email
        assert stored["emailVerified"] is True
        assert (stored["firstName"], stored["lastName"]) == (user.given_name, user.family_name)
        assert stored["credentials"] == [
            {"type": "password", "value": user.password, "temporary": False}
        ]
        assert set(stored["realmRoles"]) - {"default-roles-eunice"} == set(user.realm_roles)
        joined = {alias for alias, usernames in members.items() if user.username in usernames}
        assert joined == set(user.organizations), user.username


def test_realm_file_has_one_organization_per_tenant() -> None:
    organizations = {org["alias"]: org for org in realm_file()["organizations"]}

    assert set(organizations) == {tenant.slug for tenant in TENANTS}
    for tenant in TENANTS:
        organization = organizations[tenant.slug]
        assert organization["name"] == tenant.name
        assert [d["name"] for d in organization["domains"]] == [tenant.email_domain]


def test_realm_file_client_secrets_match_code() -> None:
    clients = {client["clientId"]: client for client in realm_file()["clients"]}

    for client_id, secret in DEV_CLIENT_SECRETS.items():
        assert clients[client_id]["secret"] == secret
    assert clients[TEST_CLIENT_ID]["publicClient"] is True
    assert "secret" not in clients[TEST_CLIENT_ID]


def test_render_realm_registers_exact_hub_urls() -> None:
    realm = render_realm(["http://127.0.0.1:8000", "http://127.0.0.1:43123/"])
    web = next(c for c in realm["clients"] if c["clientId"] == WEB_CLIENT_ID)

    assert web["redirectUris"] == [
        "http://127.0.0.1:8000/auth/callback",
        "http://127.0.0.1:43123/auth/callback",
    ]
    assert web["webOrigins"] == ["http://127.0.0.1:8000", "http://127.0.0.1:43123"]
    assert web["attributes"]["post.logout.redirect.uris"] == (
        "http://127.0.0.1:8000/##http://127.0.0.1:43123/"
    )


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/hub", "ftp://127.0.0.1", "127.0.0.1:80"])
def test_render_realm_rejects_non_origin(url: str) -> None:
    with pytest.raises(ValueError, match="hub URL"):
        render_realm([url])


# The realm as Keycloak imported it ----------------------------------------------------------


@pytest.mark.keycloak
def test_imported_organizations_match_tenants(keycloak: KeycloakTestServer) -> None:
    listed = keycloak.organizations()

    # Provisioning tests add organizations to the same Keycloak, so only the seeded ones count.
    organizations = {org["alias"]: org for org in listed}
    assert {tenant.slug for tenant in TENANTS} <= set(organizations)
    for tenant in TENANTS:
        assert organizations[tenant.slug]["name"] == tenant.name
        assert [d["name"] for d in organizations[tenant.slug]["domains"]] == [tenant.email_domain]


@pytest.mark.keycloak
def test_imported_organization_members(keycloak: KeycloakTestServer) -> None:
    organizations = keycloak.organizations()

    members = {}
    for org in organizations:
        listed = keycloak.admin_api("GET", f"/organizations/{org['id']}/members").json()
        members[org["alias"]] = {member["username"] for member in listed}
    assert members["uphf"] == {"alliance.admin", "uphf.admin", "two.campus"}
    assert members["btu"] == {"btu.issuer"}
    assert members["unican"] == {"two.campus"}
    assert all(not members[alias] for alias in members.keys() - {"uphf", "btu", "unican"})


@pytest.mark.keycloak
def test_imported_clients(keycloak: KeycloakTestServer) -> None:
    web = keycloak.client_representation(WEB_CLIENT_ID)
    provisioning = keycloak.client_representation(PROVISIONING_CLIENT_ID)
    tests_client = keycloak.client_representation(TEST_CLIENT_ID)
    other = keycloak.client_representation(OTHER_CLIENT_ID)

    assert web["publicClient"] is False
    assert web["standardFlowEnabled"] is True
    assert web["directAccessGrantsEnabled"] is False
    assert web["implicitFlowEnabled"] is False
    assert web["attributes"]["pkce.code.challenge.method"] == "S256"
    assert set(web["redirectUris"]) == {
        keycloak.hub_url + LOGIN_CALLBACK_PATH,
        keycloak.browser_hub_url + LOGIN_CALLBACK_PATH,
    }
    assert {"organization", "badgehub-api-audience"} <= set(web["defaultClientScopes"])
    assert provisioning["serviceAccountsEnabled"] is True
    assert provisioning["standardFlowEnabled"] is False
    assert tests_client["publicClient"] is True
    assert tests_client["directAccessGrantsEnabled"] is True
    assert "badgehub-api-audience" not in other["defaultClientScopes"]


@pytest.mark.keycloak
def test_builtin_clients_keep_default_scopes(keycloak: KeycloakTestServer) -> None:
    # A realm file with clientScopes stops Keycloak from adding its built-in scopes to the
    # clients it creates itself. The file therefore declares those clients too.
    for client_id in ("account", "account-console", "security-admin-console", "admin-cli"):
        scopes = set(keycloak.client_representation(client_id)["defaultClientScopes"])

        assert {"basic", "roles", "profile", "email"} <= scopes, client_id


@pytest.mark.keycloak
def test_imported_realm_role(keycloak: KeycloakTestServer) -> None:
    response = keycloak.admin_api("GET", f"/roles/{ALLIANCE_ADMIN_ROLE}")

    assert response.status_code == 200
    holders = keycloak.admin_api("GET", f"/roles/{ALLIANCE_ADMIN_ROLE}/users").json()
    assert [user["username"] for user in holders] == ["alliance.admin"]


@pytest.mark.keycloak
def test_provisioning_service_account_roles(keycloak: KeycloakTestServer) -> None:
    token = claims(keycloak.client_credentials_token()["access_token"])

    roles = set(token["resource_access"]["realm-management"]["roles"])
    assert {"manage-organizations", "view-organizations", "manage-users", "view-users"} <= roles
    assert "realm-admin" not in roles


# Tokens -------------------------------------------------------------------------------------


@pytest.mark.keycloak
def test_two_campus_token_lists_both_organizations(keycloak: KeycloakTestServer) -> None:
    response = keycloak.password_token("two.campus", scope="openid organization:*")

    access = claims(response["access_token"])
    assert access["iss"] == keycloak.issuer
    assert access["azp"] == TEST_CLIENT_ID
    assert access["typ"] == "Bearer"
    assert API_AUDIENCE in audiences(access)
    assert sorted(access["organization"]) == ["unican", "uphf"]
    assert sorted(claims(response["id_token"])["organization"]) == ["unican", "uphf"]


@pytest.mark.keycloak
def test_default_scope_organization_claim(keycloak: KeycloakTestServer) -> None:
    single = claims(keycloak.password_token("uphf.admin")["access_token"])
    several = claims(keycloak.password_token("two.campus")["access_token"])
    none = claims(keycloak.password_token("exchange.student")["access_token"])

    assert single["organization"] == ["uphf"]
    assert "organization" not in several
    assert "organization" not in none
    assert API_AUDIENCE in audiences(none)


@pytest.mark.keycloak
def test_other_app_token_lacks_audience(keycloak: KeycloakTestServer) -> None:
    response = keycloak.password_token("two.campus", client_id=OTHER_CLIENT_ID)

    access = claims(response["access_token"])
    assert access["azp"] == OTHER_CLIENT_ID
    assert API_AUDIENCE not in audiences(access)


@pytest.mark.keycloak
def test_alliance_admin_token_has_realm_role(keycloak: KeycloakTestServer) -> None:
    admin = claims(keycloak.password_token("alliance.admin")["access_token"])
    tenant_admin = claims(keycloak.password_token("uphf.admin")["access_token"])

    assert ALLIANCE_ADMIN_ROLE in admin["realm_access"]["roles"]
    assert ALLIANCE_ADMIN_ROLE not in tenant_admin.get("realm_access", {}).get("roles", [])


@pytest.mark.keycloak
def test_wrong_password_is_rejected(keycloak: KeycloakTestServer) -> None:
    response = httpx.post(
        keycloak.token_url,
        data={
            "grant_type": "password",
            "client_id": TEST_CLIENT_ID,
            "username": "uphf.admin",
            "password": "not-the-password",
        },
        trust_env=False,
    )

    # RFC 6749 section 5.2: invalid_grant is a 400 (Keycloak before 26 answered 401).
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


# The web client's authorization code flow ---------------------------------------------------


class BrowserLogin:
    """Drive Keycloak's login pages with httpx, as a browser would with PKCE S256."""

    def __init__(self, keycloak: KeycloakTestServer, redirect_uri: str) -> None:
        self.keycloak = keycloak
        self.redirect_uri = redirect_uri
        self.verifier = secrets.token_urlsafe(48)
        self.http = httpx.Client(trust_env=False, event_hooks={"response": [self._keep_cookies]})

    def _keep_cookies(self, _response: httpx.Response) -> None:
        # Keycloak marks its login cookies Secure. Browsers send those to http://127.0.0.1,
        # Python's cookie jar only over https, so they are unmarked here.
        for cookie in self.http.cookies.jar:
            cookie.secure = False

    def authorize(self, scope: str = "openid", *, pkce: bool = True) -> httpx.Response:
        challenge = hashlib.sha256(self.verifier.encode()).digest()
        params = {
            "client_id": WEB_CLIENT_ID,
            "response_type": "code",
            "redirect_uri": self.redirect_uri,
            "scope": scope,
            "state": secrets.token_urlsafe(16),
        }
        if pkce:
            params["code_challenge"] = base64.urlsafe_b64encode(challenge).rstrip(b"=").decode()
            params["code_challenge_method"] = "S256"
        return self.http.get(f"{self.keycloak.issuer}/protocol/openid-connect/auth", params=params)

    def sign_in(self, page: httpx.Response, username: str, password: str) -> httpx.Response:
        # With Organizations enabled, Keycloak asks for the username first, then the password.
        for field, value in (("username", username), ("password", password)):
            action = re.search(r'<form[^>]*action="([^"]+)"', page.text)
            assert action is not None, f"no login form where {field} was expected"
            page = self.http.post(html.unescape(action.group(1)), data={field: value})
        return page

    def redeem(self, callback: httpx.Response) -> dict[str, Any]:
        query = parse_qs(urlsplit(callback.headers["location"]).query)
        response = self.http.post(
            f"{self.keycloak.issuer}/protocol/openid-connect/token",
            data={
                "grant_type": "authorization_code",
                "code": query["code"][0],
                "redirect_uri": self.redirect_uri,
                "client_id": WEB_CLIENT_ID,
                "client_secret": DEV_CLIENT_SECRETS[WEB_CLIENT_ID],
                "code_verifier": self.verifier,
            },
        )
        assert response.status_code == 200, response.text
        tokens: dict[str, Any] = response.json()
        return tokens


@pytest.mark.keycloak
def test_web_login_issues_hub_tokens(keycloak: KeycloakTestServer) -> None:
    login = BrowserLogin(keycloak, keycloak.hub_url + LOGIN_CALLBACK_PATH)

    callback = login.sign_in(
        login.authorize("openid organization:*"), "two.campus", dev_user("two.campus").password
    )
    tokens = login.redeem(callback)

    assert callback.status_code == 302
    assert callback.headers["location"].startswith(keycloak.hub_url + LOGIN_CALLBACK_PATH + "?")
    access = claims(tokens["access_token"])
    assert access["azp"] == WEB_CLIENT_ID
    assert API_AUDIENCE in audiences(access)
    assert sorted(access["organization"]) == ["unican", "uphf"]


@pytest.mark.keycloak
def test_web_login_asks_multi_member_for_organization(keycloak: KeycloakTestServer) -> None:
    login = BrowserLogin(keycloak, keycloak.hub_url + LOGIN_CALLBACK_PATH)
    page = login.authorize("openid organization")

    action = re.search(r'<form[^>]*action="([^"]+)"', page.text)
    assert action is not None
    choice = login.http.post(html.unescape(action.group(1)), data={"username": "two.campus"})

    assert choice.status_code == 200
    assert 'name="kc.org" value="uphf"' in choice.text
    assert 'name="kc.org" value="unican"' in choice.text


@pytest.mark.keycloak
def test_web_login_requires_pkce(keycloak: KeycloakTestServer) -> None:
    login = BrowserLogin(keycloak, keycloak.hub_url + LOGIN_CALLBACK_PATH)

    response = login.authorize(pkce=False)

    assert response.status_code == 302
    assert "error=invalid_request" in response.headers["location"]
    assert "code_challenge_method" in response.headers["location"]


@pytest.mark.keycloak
def test_web_login_rejects_unregistered_redirect(keycloak: KeycloakTestServer) -> None:
    # Same origin as a registered URI, another path: redirect URIs must match exactly.
    login = BrowserLogin(keycloak, keycloak.hub_url + "/other/callback")

    response = login.authorize()

    assert response.status_code == 400
    assert "Invalid parameter: redirect_uri" in response.text


@pytest.mark.keycloak
def test_browser_hub_url_is_registered(keycloak: KeycloakTestServer) -> None:
    login = BrowserLogin(keycloak, keycloak.browser_hub_url + LOGIN_CALLBACK_PATH)

    response = login.authorize()

    assert response.status_code == 200
    assert 'name="username"' in response.text


@pytest.mark.keycloak
def test_register_hub_url_allows_its_callback(keycloak: KeycloakTestServer) -> None:
    url = "http://127.0.0.1:1"
    login = BrowserLogin(keycloak, url + LOGIN_CALLBACK_PATH)

    keycloak.register_hub_url(url)
    callback = login.sign_in(login.authorize(), "uphf.admin", dev_user("uphf.admin").password)

    assert callback.status_code == 302
    assert callback.headers["location"].startswith(url + LOGIN_CALLBACK_PATH + "?")
    assert "access_token" in login.redeem(callback)
