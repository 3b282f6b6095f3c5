"""The development realm ``eunice`` for Keycloak 26.7.3: its file, clients, users and URLs.

``eunice-realm.json`` is in Keycloak's realm import format (``kc.sh start-dev --import-realm``).
The constants here name what the file contains, so code and tests need not parse it; a test
checks that both agree. ``README.md`` beside the file describes the realm and what a
production realm must change.
"""

# The passwords and client secrets below are published development values, on purpose.
# ruff: noqa: S106

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REALM_NAME = "eunice"
REALM_FILE = Path(__file__).resolve().parent / "eunice-realm.json"
DEFAULT_HUB_URL = "http://127.0.0.1:8000"
# The web client's exact redirect targets, relative to each hub URL (see hub.auth.login).
LOGIN_CALLBACK_PATH = "/auth/callback"
POST_LOGOUT_PATH = "/"

WEB_CLIENT_ID = "badgehub-web"
API_AUDIENCE = "badgehub-api"
PROVISIONING_CLIENT_ID = "badgehub-provisioning"
TEST_CLIENT_ID = "badgehub-tests"
OTHER_CLIENT_ID = "other-app"
ALLIANCE_ADMIN_ROLE = "alliance-admin"

# Secrets of the confidential clients in the realm file; `badgehub-tests` is public.
DEV_CLIENT_SECRETS: Mapping[str, str] = {
    WEB_CLIENT_ID: "badgehub-web-dev-secret",
    PROVISIONING_CLIENT_ID: "badgehub-provisioning-dev-secret",
    OTHER_CLIENT_ID: "other-app-dev-secret",
}


@dataclass(frozen=True)
class DevUser:
    """A fictional user of the development realm; the realm file contains the same users."""

    username: str
    password: str
    given_name: str
    family_name: str
    email: str
    organizations: tuple[str, ...] = ()
    """Aliases of the Keycloak organizations (tenant slugs) the user is a member of."""
    realm_roles: tuple[str, ...] = ()


# Users who also appear in tenants.seed_data.DEMO_PEOPLE share that person's e-mail address,
# so signing in through Keycloak finds the person's demo data.
DEV_USERS: tuple[DevUser, ...] = (
    DevUser(
        username="alliance.admin",
        password="alliance-admin-dev",
        given_name="Élise",
        family_name="Vandamme",
        email="elise.vandamme@example.org",
        organizations=("uphf",),
        realm_roles=(ALLIANCE_ADMIN_ROLE,),
    ),
    DevUser(
        username="uphf.admin",
        password="uphf-admin-dev",
        given_name="Camille",
        family_name="Lefebvre",
        email="camille.lefebvre@example.org",
        organizations=("uphf",),
    ),
    DevUser(
        username="btu.issuer",
        password="btu-issuer-dev",
        given_name="Jonas",
        family_name="Becker",
        email="jonas.becker@example.org",
        organizations=("btu",),
    ),
    DevUser(
        username="two.campus",
        password="two-campus-dev",
        given_name="Inès",
        family_name="Marchand",
        email="ines.marchand@example.org",
        organizations=("uphf", "unican"),
    ),
    DevUser(
        username="exchange.student",
        password="exchange-student-dev",
        given_name="Mateo",
        family_name="Rossi",
        email="mateo.rossi@example.org",
    ),
)


def dev_user(username: str) -> DevUser:
    for user in DEV_USERS:
        if user.username == username:
            return user
    raise KeyError(f"no development user {username!r}; known: {[u.username for u in DEV_USERS]}")


def render_realm(
    hub_urls: Sequence[str] = (DEFAULT_HUB_URL,),
    *,
    callback_path: str = LOGIN_CALLBACK_PATH,
    post_logout_path: str = POST_LOGOUT_PATH,
) -> dict[str, Any]:
    """Return the realm file's content with ``hub_urls`` registered on the web client.

    Each URL adds one exact redirect URI, one post-logout redirect URI and one web origin.
    """
    if not hub_urls:
        raise ValueError("at least one hub URL is needed for the web client's redirect URIs")
    origins = [hub_origin(url) for url in hub_urls]
    realm: dict[str, Any] = json.loads(REALM_FILE.read_text(encoding="utf-8"))
    web = next(c for c in realm["clients"] if c["clientId"] == WEB_CLIENT_ID)
    web["rootUrl"] = origins[0]
    web["redirectUris"] = [origin + callback_path for origin in origins]
    web["webOrigins"] = origins
    # Keycloak stores several post-logout redirect URIs in one attribute, separated by "##".
    web["attributes"]["post.logout.redirect.uris"] = "##".join(
        origin + post_logout_path for origin in origins
    )
    return realm


def hub_origin(url: str) -> str:
    """Return ``scheme://host[:port]`` of a hub URL, rejecting URLs with a path or query."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"hub URL {url!r} is not an http(s) URL such as {DEFAULT_HUB_URL}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"hub URL {url!r} must be an origin without path, e.g. {DEFAULT_HUB_URL}")
    return f"{parts.scheme}://{parts.netloc}"
