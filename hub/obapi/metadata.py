"""Rules for the metadata a client registers with (RFC 7591), on top of authlib's checks.

Registration needs no credential (OB 3.0 §7.1.1), so these rules keep what one anonymous request
can store small. They also keep the consent page honest. The client's name has no invisible
characters, and each redirect URI has a plain ASCII host, so the host the page names is where
the browser goes.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from authlib.common.urls import is_valid_url
from authlib.oauth2.rfc6749 import scope_to_list
from authlib.oauth2.rfc7591 import ClientMetadataClaims
from authlib.oauth2.rfc7591.errors import InvalidClientMetadataError, InvalidRedirectURIError
from joserfc.errors import InvalidClaimError

from hub.obapi.scopes import OB_SCOPES, SUPPORTED_SCOPES

AUTH_METHOD = "client_secret_basic"
GRANT_TYPES = ("authorization_code", "refresh_token")
MAX_METADATA_CHARS = 2048
MAX_REDIRECT_URIS = 10
MAX_CONTACTS = 10
MAX_CONTACT_CHARS = 320
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
# Unicode categories that render as nothing or reorder text: controls, format characters (such
# as the right-to-left override and zero-width spaces), line and paragraph separators. A client
# name made of them could show the earner one name and mean another.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
DNS_NAME = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.?$")
DISPLAYED_URIS = ("client_uri", "logo_uri", "tos_uri", "policy_uri")
TEXT_FIELDS = ("client_name", "software_id", "software_version", "scope", "jwks_uri")


class OpenBadgesClientClaims(ClientMetadataClaims):
    """RFC 7591 metadata with the rules of this hub on top of authlib's checks."""

    def validate(self, now: Any = None, leeway: int = 0) -> None:
        # The hub's checks come first because their messages name the fix.
        self._validate_for_hub()
        super().validate(now, leeway)

    def _validate_uri(self, key: str, uri: str | None = None) -> None:
        """Accept a fragment in informational URLs, such as a terms page's #section.

        RFC 7591 forbids fragments only in redirect URIs, which authlib and the hub check.
        """
        if key == "redirect_uris":
            super()._validate_uri(key, uri)
            return
        value = self.get(key) if uri is None else uri
        if value and not is_valid_url(value, fragments_allowed=True):
            raise InvalidClaimError(key)

    def _validate_for_hub(self) -> None:
        for name in ("client_name", "client_uri", "redirect_uris", "scope"):
            if not self.get(name):
                raise InvalidClientMetadataError(
                    f"'{name}' is required: the earner sees the client's name and web page "
                    "before allowing it, and the hub needs the redirect URIs and scopes"
                )
        _check_texts(self)
        _check_contacts(self.get("contacts"))
        _check_flows(self.get("grant_types"), self.get("response_types"))

        uris = self["redirect_uris"]
        if not isinstance(uris, list) or not 1 <= len(uris) <= MAX_REDIRECT_URIS:
            raise InvalidRedirectURIError(
                f"'redirect_uris' must list 1 to {MAX_REDIRECT_URIS} URIs"
            )
        for uri in uris:
            _check_redirect_uri(uri)

        unknown = [item for item in scope_to_list(self["scope"]) if item not in SUPPORTED_SCOPES]
        if unknown:
            raise InvalidClientMetadataError(
                f"unknown scope {_quoted(unknown[0])}; ask for the Open Badges scopes "
                f"({', '.join(OB_SCOPES)}) and optionally offline_access"
            )
        method = self.get("token_endpoint_auth_method", AUTH_METHOD)
        if method != AUTH_METHOD:
            raise InvalidClientMetadataError(
                f"token_endpoint_auth_method {_quoted(method)} is not supported; use {AUTH_METHOD}"
            )


def _check_texts(metadata: ClientMetadataClaims) -> None:
    """Check the length and characters of every text field, and the scheme of displayed URLs."""
    for name in (*TEXT_FIELDS, *DISPLAYED_URIS):
        value = metadata.get(name)
        if value is not None and not _is_plain_text(value):
            raise InvalidClientMetadataError(
                f"'{name}' must be text of at most {MAX_METADATA_CHARS} characters without "
                "control characters or invisible ones such as right-to-left overrides"
            )
    for name in DISPLAYED_URIS:
        value = metadata.get(name)
        if value is not None and not value.startswith(("https://", "http://")):
            raise InvalidClientMetadataError(f"'{name}' must be an http or https URL")


def _quoted(value: Any, limit: int = 100) -> str:
    """Quote a client's value for an error_description.

    RFC 6749 §5.2 allows only printable ASCII without ``"`` and ``\\`` there, and authlib raises
    ValueError (a 500) on anything else, so other characters become ``?``.
    """
    text = str(value)
    printable = "".join(char if is_description_char(char) else "?" for char in text[:limit])
    return f"'{printable}'" + ("..." if len(text) > limit else "")


def is_description_char(char: str) -> bool:
    """Return whether RFC 6749 §5.2 allows ``char`` in an error_description."""
    return " " <= char <= "~" and char not in '"\\'


def _is_plain_text(value: Any) -> bool:
    return (
        isinstance(value, str)
        and len(value) <= MAX_METADATA_CHARS
        and not any(unicodedata.category(char) in INVISIBLE_CATEGORIES for char in value)
    )


def _check_contacts(contacts: Any) -> None:
    if contacts is None:
        return
    if (
        not isinstance(contacts, list)
        or len(contacts) > MAX_CONTACTS
        or not all(
            isinstance(item, str) and 0 < len(item) <= MAX_CONTACT_CHARS for item in contacts
        )
    ):
        raise InvalidClientMetadataError(
            f"'contacts' must list at most {MAX_CONTACTS} e-mail addresses of at most "
            f"{MAX_CONTACT_CHARS} characters each"
        )


def _check_flows(grant_types: Any, response_types: Any) -> None:
    """Only the authorization code flow with refresh tokens exists here (OB 3.0 §7)."""
    if grant_types is not None and (
        not isinstance(grant_types, list)
        or "authorization_code" not in grant_types
        or not set(grant_types) <= set(GRANT_TYPES)
    ):
        raise InvalidClientMetadataError(
            "'grant_types' must include authorization_code and may add refresh_token; "
            "no other grant is supported"
        )
    if response_types is not None and response_types != ["code"]:
        raise InvalidClientMetadataError(
            "'response_types' must be ['code']: only the authorization code flow is supported"
        )


def _check_redirect_uri(uri: Any) -> None:
    """HTTPS, or HTTP on a loopback address (RFC 8252 §7.3); a plain host; no fragment.

    The host must be an IP address or an ASCII DNS name, so the consent page shows the earner
    exactly where the browser goes: no user name before an ``@``, and internationalized names
    only in their ``xn--`` form.
    """
    if (
        not isinstance(uri, str)
        or len(uri) > MAX_METADATA_CHARS
        or not all(is_description_char(char) and char != " " for char in uri)
    ):
        raise InvalidRedirectURIError(
            f"each redirect URI must be a URI of at most {MAX_METADATA_CHARS} printable ASCII "
            "characters without spaces, quotes or backslashes; percent-encode any other "
            "character and write an internationalized host name in its xn-- form"
        )
    try:
        parts = urlsplit(uri)
        host = parts.hostname
        parts.port  # noqa: B018 - parsing the port raises ValueError when it is not a number
    except ValueError:
        raise InvalidRedirectURIError(f"{_quoted(uri)} is not a valid URL") from None
    secure = parts.scheme == "https" or (parts.scheme == "http" and host in LOOPBACK_HOSTS)
    if not secure or not host:
        raise InvalidRedirectURIError(
            f"redirect URI {_quoted(uri)} must use https (plain http only for a loopback address)"
        )
    if "@" in parts.netloc:
        raise InvalidRedirectURIError(f"redirect URI {_quoted(uri)} must not contain a user name")
    if not _is_host(host):
        raise InvalidRedirectURIError(
            f"the host of redirect URI {_quoted(uri)} must be an IP address or a DNS name"
        )
    if parts.fragment or "#" in uri:
        raise InvalidRedirectURIError(f"redirect URI {_quoted(uri)} must not contain a fragment")


def _is_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return bool(DNS_NAME.match(host))
    return True


def redirect_host(uri: str | None) -> str:
    """Return the host and port of a redirect URI for the consent page, without a user name."""
    parts = urlsplit(uri or "")
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{parts.port}" if parts.port else host
