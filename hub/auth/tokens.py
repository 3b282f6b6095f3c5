"""Local validation of the access tokens and ID tokens that the alliance Keycloak issues.

A Keycloak token is a JWT (RFC 7519) in JWS Compact Serialization (RFC 7515), signed with a key
from the realm's JSON Web Key Set (RFC 7517). The checks run in this order, and the first one that
fails raises a :class:`TokenError` whose ``code`` names it:

1. shape: three base64url segments whose header and payload are JSON objects (``invalid-token``);
2. ``alg`` is in the allow-list (``token-algorithm-not-allowed``). ``none`` and the HMAC
   algorithms never are, so a token "signed" with the realm's public key as an HMAC secret fails
   here, before any key is looked up;
3. ``kid`` names a signing key of the realm (``token-key-unknown``);
4. the signature verifies with that key (``token-signature-invalid``);
5. ``iss`` equals the realm's issuer exactly (``token-wrong-issuer``);
6. Keycloak's ``typ`` claim is ``Bearer`` for access tokens and ``ID`` for ID tokens
   (``token-wrong-type``);
7. ``exp``, ``nbf`` and ``iat`` hold within the leeway (``token-expired``, ``token-not-yet-valid``);
8. access tokens: ``aud`` contains the hub's API audience (``token-wrong-audience``) and ``azp`` is
   an allowed client (``token-wrong-client``). ID tokens: ``aud`` and ``azp`` as OpenID Connect
   Core 1.0 §3.1.3.7 requires (``token-wrong-audience``), and the ``nonce``
   (``token-nonce-mismatch``).

HTTP status follows the error codes of RFC 6750 §3.1. Every rejection is ``invalid_token`` (401),
including a wrong audience, because such a token was issued for another service and is no
credential for this one. The exception is ``token-wrong-client``, which is ``insufficient_scope``
(403): the token is genuine and meant for this API, but the client it was issued to may not call
the API, so signing in again through the same client cannot help.
"""

from __future__ import annotations

import asyncio
import binascii
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, ClassVar, TypeAlias

import httpx
import structlog
from joserfc import jws
from joserfc.errors import BadSignatureError, InvalidKeyCurveError, JoseError, KeyParameterError
from joserfc.jwk import ECKey, RSAKey
from joserfc.util import urlsafe_b64decode

from hub.errors import (
    AuthenticationError,
    HubError,
    PermissionDeniedError,
    ServiceUnavailableError,
)
from hub.settings import Settings, SettingsError

log = structlog.get_logger(__name__)

# Values of Keycloak's typ claim, which are not secrets.
ACCESS_TOKEN_TYPE = "Bearer"  # noqa: S105
ID_TOKEN_TYPE = "ID"  # noqa: S105
# Keycloak's typ claim values, with a description and the member of the token response
# (RFC 6749 §5.1, OpenID Connect Core 1.0 §3.1.3.3) that carries that kind of token.
TOKEN_KINDS = {
    ACCESS_TOKEN_TYPE: ("an access token", "access_token"),
    ID_TOKEN_TYPE: ("an ID token", "id_token"),
    "Refresh": ("a refresh token", "refresh_token"),
}
# Asymmetric JWS algorithms of RFC 7518 §3.1 that Keycloak can sign with. HMAC and "none" are
# excluded because an HMAC check needs a secret shared with Keycloak, and realm keys are public.
SUPPORTED_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
)
# Well above the few KiB of a Keycloak access token with many roles and organizations (an
# estimate), and below joserfc's payload limit, so an oversized token fails before decoding.
MAX_TOKEN_CHARS = 64 * 1024
# Values copied from a rejected token into a message are cut to this length.
MAX_SHOWN_CHARS = 80
# NumericDates (RFC 7519 §2) are accepted from 1970 up to the end of year 9999, the range that
# datetime can show. NaN and infinity fall outside it, so they cannot slip past comparisons.
MAX_NUMERIC_DATE = 253_402_300_800

VerificationKey: TypeAlias = RSAKey | ECKey
Clock: TypeAlias = Callable[[], float]


class TokenError(HubError):
    """A bearer or ID token was rejected. ``code`` names the check that failed.

    Raise a subclass, because the problem mapper maps those to 401 and 403. ``status`` is the
    HTTP status and ``oauth_error`` the RFC 6750 §3.1 error code.
    """

    code = "invalid-token"
    status: ClassVar[int] = 401
    oauth_error: ClassVar[str] = "invalid_token"

    @property
    def www_authenticate(self) -> str:
        """The RFC 6750 §3 ``WWW-Authenticate`` header value for this rejection."""
        # RFC 6750 §3 allows only printable ASCII except '"' and '\' in error_description.
        description = "".join(
            char if " " <= char <= "~" and char not in '"\\' else "?" for char in self.message
        )
        return (
            f'Bearer realm="badgehub", error="{self.oauth_error}", '
            f'error_description="{description}"'
        )


class InvalidTokenError(TokenError, AuthenticationError):
    """401 ``invalid_token``: the token is malformed, forged, expired or meant for another use."""


class TokenClientNotAllowedError(TokenError, PermissionDeniedError):
    """403 ``insufficient_scope``: a valid token of a client that may not call the API."""

    code = "token-wrong-client"
    status = 403
    oauth_error = "insufficient_scope"


class KeycloakUnavailableError(ServiceUnavailableError):
    """503: the realm's signing keys cannot be fetched, so no token can be checked."""

    code = "keycloak-unavailable"


@dataclass(frozen=True)
class AccessTokenClaims:
    """The caller described by a validated access token."""

    subject: str
    username: str | None
    email: str | None = field(repr=False)
    email_verified: bool
    name: str | None
    realm_roles: tuple[str, ...]
    # Aliases of the Keycloak organizations the caller belongs to, sorted.
    organizations: tuple[str, ...]
    client_id: str
    expires_at: datetime
    raw: Mapping[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class IdTokenClaims:
    """The person described by a validated ID token of the web login.

    Keycloak adds ``realm_access`` to ID tokens only when the realm's ``roles`` scope mapper has
    "Add to ID token" enabled, so ``realm_roles`` may be empty even for an alliance admin.
    """

    subject: str
    username: str | None
    email: str | None = field(repr=False)
    email_verified: bool
    name: str | None
    realm_roles: tuple[str, ...]
    organizations: tuple[str, ...]
    session_id: str | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)


def realm_issuer(settings: Settings) -> str:
    """Return the realm's issuer, raising :class:`SettingsError` when SSO is not configured."""
    issuer = settings.keycloak_issuer
    if issuer is None:
        raise SettingsError(
            "HUB_KEYCLOAK_URL is not set, so Keycloak tokens cannot be validated; set it to the "
            "base URL of the alliance Keycloak, e.g. https://sso.example.eu"
        )
    return issuer


class JwksCache:
    """The realm's signing keys, fetched from its JWKS endpoint and cached.

    Keys are reused for ``cache_seconds``. A token whose ``kid`` is not cached causes one fetch,
    but fetches of any cause start at most once per ``refetch_cooldown_seconds``, so a flood of
    tokens with made-up kids cannot turn into a flood of requests to Keycloak. When a scheduled
    fetch fails, the previous keys stay in use until ``max_stale_seconds`` after they were
    fetched, so a Keycloak restart does not reject every request.

    With ``discover``, the JWKS URL is the ``jwks_uri`` of the realm's OpenID Provider metadata
    (OpenID Connect Discovery 1.0 §4). Otherwise it is Keycloak's fixed certs endpoint.
    """

    def __init__(
        self,
        issuer: str,
        *,
        discover: bool = False,
        http_client: httpx.AsyncClient | None = None,
        cache_seconds: float = 300.0,
        refetch_cooldown_seconds: float = 10.0,
        max_stale_seconds: float = 3600.0,
        timeout_seconds: float = 5.0,
        max_bytes: int = 256 * 1024,
        monotonic: Clock = time.monotonic,
    ) -> None:
        if not 0 < cache_seconds <= max_stale_seconds:
            raise ValueError("cache_seconds must be positive and at most max_stale_seconds")
        self.issuer = issuer
        self._jwks_url = None if discover else f"{issuer}/protocol/openid-connect/certs"
        self._http_client = http_client
        self._cache_seconds = cache_seconds
        self._cooldown_seconds = refetch_cooldown_seconds
        self._max_stale_seconds = max_stale_seconds
        self._timeout_seconds = timeout_seconds
        self._max_bytes = max_bytes
        self._monotonic = monotonic
        self._lock = asyncio.Lock()
        self._keys: dict[str, tuple[VerificationKey, ...]] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._last_error: KeycloakUnavailableError | None = None

    async def get_keys(self, kid: str) -> tuple[VerificationKey, ...]:
        """Return the realm's signing keys with this ``kid``, fetching the JWKS when needed.

        Raises :class:`InvalidTokenError` ``token-key-unknown`` when the realm does not publish
        the kid, and :class:`KeycloakUnavailableError` when no usable keys could be fetched.
        """
        keys = await self._current_keys()
        if kid not in keys:
            keys = await self._refetch_for(kid)
        found = keys.get(kid)
        if found is None:
            raise InvalidTokenError(
                f"the token names signing key {_shown(kid)}, which realm {self.issuer} does not "
                "publish; the key may have been rotated out, so sign in again for a new token",
                code="token-key-unknown",
            )
        return found

    async def _current_keys(self) -> Mapping[str, tuple[VerificationKey, ...]]:
        if self._is_fresh():
            return self._keys
        async with self._lock:
            if not self._is_fresh():
                await self._refresh()
            return self._keys

    async def _refetch_for(self, kid: str) -> Mapping[str, tuple[VerificationKey, ...]]:
        async with self._lock:
            # Another task may have fetched the keys while this one waited for the lock.
            if kid not in self._keys:
                await self._refresh()
            return self._keys

    def _is_fresh(self) -> bool:
        return self._age() < self._cache_seconds

    def _has_usable_keys(self) -> bool:
        return self._age() < self._max_stale_seconds

    def _age(self) -> float:
        if self._fetched_at is None:
            return float("inf")
        return self._monotonic() - self._fetched_at

    def _may_fetch(self) -> bool:
        if self._attempted_at is None:
            return True
        return self._monotonic() - self._attempted_at >= self._cooldown_seconds

    async def _refresh(self) -> None:
        """Fetch the JWKS unless the cool-down forbids it. On failure, keep usable old keys."""
        if not self._may_fetch():
            if self._last_error is not None and not self._has_usable_keys():
                raise self._last_error
            return

        self._attempted_at = self._monotonic()
        try:
            keys = await self._fetch_keys()
        except KeycloakUnavailableError as error:
            self._last_error = error
            if not self._has_usable_keys():
                raise
            log.warning("jwks_fetch_failed_using_cached_keys", issuer=self.issuer, error=str(error))
            return

        if set(keys) != set(self._keys):
            log.info("jwks_keys_loaded", issuer=self.issuer, kids=sorted(keys))
        self._keys, self._fetched_at, self._last_error = keys, self._attempted_at, None

    async def _fetch_keys(self) -> dict[str, tuple[VerificationKey, ...]]:
        url = self._jwks_url or await self._discover_jwks_url()
        document = await self._get_json(url)
        entries = document.get("keys")
        if not isinstance(entries, list):
            raise self._unavailable(f"{url} returned JSON without a 'keys' array, not a JWKS")
        return index_signing_keys(entries)

    async def _discover_jwks_url(self) -> str:
        url = f"{self.issuer}/.well-known/openid-configuration"
        metadata = await self._get_json(url)
        # OpenID Connect Discovery 1.0 §4.3: the metadata must name the issuer it was fetched for.
        if metadata.get("issuer") != self.issuer:
            raise self._unavailable(
                f"{url} names issuer {_shown(metadata.get('issuer'))}, not {self.issuer}; set "
                "HUB_KEYCLOAK_URL to the URL that Keycloak uses in its tokens (its hostname option)"
            )
        jwks_uri = metadata.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
            raise self._unavailable(f"{url} has no http(s) jwks_uri (found {_shown(jwks_uri)})")
        self._jwks_url = jwks_uri
        return jwks_uri

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            async with asyncio.timeout(self._timeout_seconds):
                body = await self._read_capped(url)
        except TimeoutError:
            raise self._unavailable(
                f"{url} did not respond within {self._timeout_seconds:g} s"
            ) from None
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            raise self._unavailable(
                f"the request to {url} failed ({type(error).__name__}: {error})"
            ) from error
        try:
            document = json.loads(body)
        except ValueError:
            raise self._unavailable(f"{url} returned a body that is not JSON") from None
        if not isinstance(document, dict):
            raise self._unavailable(f"{url} returned JSON that is not an object")
        return document

    async def _read_capped(self, url: str) -> bytes:
        async with (
            self._client() as client,
            client.stream("GET", url, headers={"Accept": "application/json"}) as response,
        ):
            if response.status_code != 200:
                raise self._unavailable(f"{url} returned HTTP {response.status_code}")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > self._max_bytes:
                    raise self._unavailable(f"{url} returned more than {self._max_bytes} bytes")
            return bytes(body)

    @asynccontextmanager
    async def _client(self) -> AsyncIterator[httpx.AsyncClient]:
        if self._http_client is not None:
            yield self._http_client
            return
        async with httpx.AsyncClient(timeout=self._timeout_seconds) as client:
            yield client

    def _unavailable(self, reason: str) -> KeycloakUnavailableError:
        log.warning("jwks_fetch_failed", issuer=self.issuer, reason=reason)
        return KeycloakUnavailableError(
            f"the signing keys of Keycloak realm {self.issuer} cannot be fetched: {reason}. "
            "Check that Keycloak is running and reachable from the hub at HUB_KEYCLOAK_URL"
        )


def index_signing_keys(entries: Iterable[object]) -> dict[str, tuple[VerificationKey, ...]]:
    """Index the RSA and EC signing keys of a JWKS ``keys`` array by ``kid``.

    Keys for encryption (``use: enc``, which Keycloak publishes beside its signing keys), keys
    without a ``kid`` and key types other than RSA and EC are skipped, as RFC 7517 §5 allows.
    """
    keys: dict[str, list[VerificationKey]] = {}
    for entry in entries:
        key = _import_signing_key(entry)
        if key is not None and key.kid is not None:
            keys.setdefault(key.kid, []).append(key)
    return {kid: tuple(found) for kid, found in keys.items()}


def _import_signing_key(entry: object) -> VerificationKey | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
        return None
    if entry.get("use", "sig") != "sig":
        return None
    try:
        if entry.get("kty") == "RSA":
            return RSAKey.import_key(entry)
        if entry.get("kty") == "EC":
            return ECKey.import_key(entry)
    except (JoseError, ValueError, TypeError) as error:
        log.warning("jwks_key_skipped", kid=entry["kid"], error=str(error))
    return None


class SignedTokenVerifier:
    """Checks that access tokens and ID tokens share.

    They cover shape, alg, key, signature, ``iss``, ``typ`` and the validity window of
    RFC 7519 §4.1.4 to §4.1.6.
    """

    def __init__(
        self,
        issuer: str,
        jwks: JwksCache,
        allowed_algorithms: Iterable[str],
        leeway_seconds: float,
        clock: Clock,
    ) -> None:
        self.issuer = issuer
        self.algorithms = _checked_algorithms(allowed_algorithms)
        self.leeway_seconds = leeway_seconds
        self._jwks = jwks
        self._clock = clock

    async def verify(self, token: str, token_type: str) -> dict[str, Any]:
        """Return the claims of a token that passed every shared check, or raise TokenError."""
        header, claims = parse_compact(token)
        alg = self._check_algorithm(header)
        keys = await self._jwks.get_keys(_kid(header))
        verify_signature(token, alg, keys)

        check_issuer(claims, self.issuer)
        check_type(claims, token_type)
        self._check_validity_window(claims)
        return claims

    def _check_algorithm(self, header: Mapping[str, Any]) -> str:
        alg = header.get("alg")
        if isinstance(alg, str) and alg in self.algorithms:
            return alg
        reason = ""
        if alg == "none" or (isinstance(alg, str) and alg.startswith("HS")):
            reason = " Unsigned and shared-secret (HMAC) tokens are never accepted."
        raise InvalidTokenError(
            f"the token header has alg {_shown(alg)}, which this hub does not accept; allowed: "
            f"{', '.join(self.algorithms)}.{reason} Send a token signed by the Keycloak realm, "
            "or set the realm's default signature algorithm to one of the allowed ones",
            code="token-algorithm-not-allowed",
        )

    def _check_validity_window(self, claims: Mapping[str, Any]) -> None:
        now = self._clock()
        expires = _numeric_date(claims, "exp")
        if expires is None:
            raise InvalidTokenError(
                "the token has no exp claim; the hub accepts only tokens that expire",
                code="invalid-token",
            )
        if now >= expires + self.leeway_seconds:
            raise InvalidTokenError(
                f"the token expired at {_iso(expires)}, {now - expires:.0f} s ago (leeway "
                f"{self.leeway_seconds:g} s); refresh the token or sign in again",
                code="token-expired",
            )
        for name in ("nbf", "iat"):
            moment = _numeric_date(claims, name)
            if moment is not None and moment > now + self.leeway_seconds:
                raise InvalidTokenError(
                    f"the token's {name} is {_iso(moment)}, {moment - now:.0f} s in the future "
                    f"(leeway {self.leeway_seconds:g} s); synchronise the clocks of the hub and "
                    "Keycloak (NTP)",
                    code="token-not-yet-valid",
                )


class AccessTokenValidator:
    """Validates Keycloak access tokens sent as ``Authorization: Bearer`` to the hub's API."""

    def __init__(
        self,
        issuer: str,
        audience: str,
        allowed_clients: Iterable[str],
        jwks: JwksCache,
        allowed_algorithms: Iterable[str] = ("RS256",),
        leeway_seconds: float = 30,
        clock: Clock = time.time,
    ) -> None:
        self.audience = audience
        self.allowed_clients = tuple(allowed_clients)
        if not self.allowed_clients:
            raise SettingsError(
                "no client may call the API, so every token would be rejected; list the allowed "
                "client ids in HUB_API_ALLOWED_CLIENTS"
            )
        self._verifier = SignedTokenVerifier(
            issuer, jwks, allowed_algorithms, leeway_seconds, clock
        )

    @classmethod
    def from_settings(cls, settings: Settings, jwks: JwksCache) -> AccessTokenValidator:
        return cls(
            realm_issuer(settings), settings.api_audience, settings.api_allowed_clients, jwks
        )

    async def validate(self, token: str) -> AccessTokenClaims:
        """Return the caller of a valid access token, or raise :class:`TokenError`."""
        claims = await self._verifier.verify(token, ACCESS_TOKEN_TYPE)
        check_audience(claims, self.audience)
        self._check_client(claims)
        return AccessTokenClaims(
            subject=_subject(claims),
            username=_optional_string(claims, "preferred_username"),
            email=_optional_string(claims, "email"),
            email_verified=claims.get("email_verified") is True,
            name=_optional_string(claims, "name"),
            realm_roles=realm_roles(claims),
            organizations=organization_aliases(claims),
            client_id=claims["azp"],
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
            raw=MappingProxyType(claims),
        )

    def _check_client(self, claims: Mapping[str, Any]) -> None:
        client = claims.get("azp")
        if isinstance(client, str) and client in self.allowed_clients:
            return
        raise TokenClientNotAllowedError(
            f"the token was issued to client {_shown(client)} (azp), which may not call this API; "
            f"request the token through one of {', '.join(self.allowed_clients)}, or add the "
            "client to HUB_API_ALLOWED_CLIENTS"
        )


class IdTokenValidator:
    """Validates the ID token of the web login (OpenID Connect Core 1.0 §3.1.3.7)."""

    def __init__(
        self,
        issuer: str,
        client_id: str,
        jwks: JwksCache,
        allowed_algorithms: Iterable[str] = ("RS256",),
        leeway_seconds: float = 30,
        clock: Clock = time.time,
    ) -> None:
        self.client_id = client_id
        self._verifier = SignedTokenVerifier(
            issuer, jwks, allowed_algorithms, leeway_seconds, clock
        )

    @classmethod
    def from_settings(cls, settings: Settings, jwks: JwksCache) -> IdTokenValidator:
        return cls(realm_issuer(settings), settings.oidc_client_id, jwks)

    async def validate(self, token: str, *, nonce: str) -> IdTokenClaims:
        """Return the person of a valid ID token, or raise :class:`TokenError`.

        ``nonce`` is the value this login sent in its authentication request.
        """
        if not nonce:
            raise ValueError("the expected nonce is empty; pass the nonce of this login")
        claims = await self._verifier.verify(token, ID_TOKEN_TYPE)
        self._check_audience(claims)
        check_nonce(claims, nonce)
        return IdTokenClaims(
            subject=_subject(claims),
            username=_optional_string(claims, "preferred_username"),
            email=_optional_string(claims, "email"),
            email_verified=claims.get("email_verified") is True,
            name=_optional_string(claims, "name"),
            realm_roles=realm_roles(claims),
            organizations=organization_aliases(claims),
            session_id=_optional_string(claims, "sid"),
            raw=MappingProxyType(claims),
        )

    def _check_audience(self, claims: Mapping[str, Any]) -> None:
        audiences = check_audience(claims, self.client_id)
        party = claims.get("azp")
        # §3.1.3.7 items 4 and 5: azp must name this client when present, and must be present
        # when the token has several audiences.
        if party is None and len(audiences) == 1:
            return
        if party is None:
            raise InvalidTokenError(
                f"the ID token has several audiences {_shown(audiences)} but no azp, so it does "
                f"not show that it was issued to {self.client_id!r}; sign in again",
                code="token-wrong-audience",
            )
        if party != self.client_id:
            raise InvalidTokenError(
                f"the ID token's azp is {_shown(party)}, not this hub's client "
                f"{self.client_id!r}, so it was issued to another application; sign in again",
                code="token-wrong-audience",
            )


def parse_compact(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Decode the header and claims of a JWS Compact Serialization without verifying it."""
    if len(token) > MAX_TOKEN_CHARS:
        raise InvalidTokenError(
            f"the token has {len(token)} characters, more than the {MAX_TOKEN_CHARS} accepted",
            code="invalid-token",
        )
    segments = token.split(".")
    if len(segments) != 3:
        raise InvalidTokenError(
            f"the token has {len(segments)} segment(s), but a signed JWT has three base64url "
            "segments separated by '.'; send the token exactly as Keycloak issued it",
            code="invalid-token",
        )
    return _decode_segment(segments[0], "header"), _decode_segment(segments[1], "payload")


def _decode_segment(segment: str, name: str) -> dict[str, Any]:
    try:
        value = json.loads(urlsafe_b64decode(segment.encode("ascii")))
    except (binascii.Error, ValueError, RecursionError):
        raise InvalidTokenError(
            f"the token's {name} is not base64url-encoded JSON; send the token exactly as "
            "Keycloak issued it",
            code="invalid-token",
        ) from None
    if not isinstance(value, dict):
        raise InvalidTokenError(
            f"the token's {name} is JSON but not an object", code="invalid-token"
        )
    return value


def _kid(header: Mapping[str, Any]) -> str:
    kid = header.get("kid")
    if isinstance(kid, str) and kid:
        return kid
    raise InvalidTokenError(
        "the token header has no kid, so its signing key cannot be chosen; Keycloak always "
        "sets one, so send a token issued by the realm",
        code="token-key-unknown",
    )


def verify_signature(token: str, alg: str, keys: tuple[VerificationKey, ...]) -> None:
    """Verify the JWS signature with the key meant for ``alg`` (RFC 7515 §5.2)."""
    key = next((key for key in keys if key.alg == alg), None)
    key = key or next((key for key in keys if key.alg is None), keys[0])
    registry = jws.JWSRegistry(algorithms=[alg])
    try:
        jws.deserialize_compact(token, key, registry=registry)
    except BadSignatureError:
        raise InvalidTokenError(
            f"the token's {alg} signature does not match its header and claims: the token was "
            "changed after Keycloak signed it, or another key signed it; request a new token",
            code="token-signature-invalid",
        ) from None
    except (KeyParameterError, InvalidKeyCurveError) as error:
        raise InvalidTokenError(
            f"the realm's key {_shown(key.kid)} cannot verify an {alg} signature "
            f"({error.description}); request a new token from the realm",
            code="token-signature-invalid",
        ) from None
    except JoseError as error:
        raise InvalidTokenError(
            f"the token is not a valid JWS ({error.description or type(error).__name__})",
            code="invalid-token",
        ) from None


def check_issuer(claims: Mapping[str, Any], issuer: str) -> None:
    found = claims.get("iss")
    if found == issuer:
        return
    raise InvalidTokenError(
        f"the token was issued by {_shown(found)}, but this hub accepts only tokens of "
        f"{issuer!r}, compared character by character; request the token from that realm, or "
        "make HUB_KEYCLOAK_URL match the URL that Keycloak writes into its tokens",
        code="token-wrong-issuer",
    )


def check_type(claims: Mapping[str, Any], expected: str) -> None:
    found = claims.get("typ")
    if found == expected:
        return
    kind = TOKEN_KINDS.get(found) if isinstance(found, str) else None
    wanted = TOKEN_KINDS[expected]
    guess = f" It is {kind[0]}." if kind else ""
    raise InvalidTokenError(
        f"the token has typ {_shown(found)}, but Keycloak gives {wanted[0]} typ {expected!r}."
        f"{guess} Send the {wanted[1]} member of Keycloak's token response",
        code="token-wrong-type",
    )


def check_audience(claims: Mapping[str, Any], audience: str) -> list[str]:
    """Check that ``aud`` (a string or a list, RFC 7519 §4.1.3) contains the audience."""
    found = claims.get("aud")
    audiences: list[Any] = []
    if isinstance(found, str):
        audiences = [found]
    elif isinstance(found, list):
        audiences = found
    if audience in audiences:
        return audiences
    raise InvalidTokenError(
        f"the token's aud is {_shown(found)}, which does not contain {audience!r}, so it was "
        f"issued for another service. In Keycloak, add an audience mapper for {audience!r} to "
        "the client or its client scope, then request a new token",
        code="token-wrong-audience",
    )


def check_nonce(claims: Mapping[str, Any], expected: str) -> None:
    found = claims.get("nonce")
    if isinstance(found, str) and hmac.compare_digest(found.encode(), expected.encode()):
        return
    reason = "has no nonce" if found is None else "has a nonce that differs from this login's"
    raise InvalidTokenError(
        f"the ID token {reason}, so it may be replayed from another login; sign in again",
        code="token-nonce-mismatch",
    )


def realm_roles(claims: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the realm roles from Keycloak's ``realm_access.roles`` claim, sorted."""
    access = claims.get("realm_access", {})
    roles = access.get("roles", []) if isinstance(access, dict) else None
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise InvalidTokenError(
            "the token's realm_access claim is not an object with a list of role names",
            code="invalid-token",
        )
    return tuple(sorted(set(roles)))


def organization_aliases(claims: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the aliases in Keycloak's ``organization`` claim, sorted.

    Keycloak 26's organization membership mapper emits a list of aliases by default, an object
    keyed by alias with JSON type or when it adds organization ids or attributes, and a single
    alias when it is not multivalued.
    """
    found = claims.get("organization", [])
    aliases: list[Any] | None = None
    if isinstance(found, str):
        aliases = [found]
    elif isinstance(found, dict | list):
        aliases = list(found)
    if aliases is None or not all(isinstance(alias, str) for alias in aliases):
        raise InvalidTokenError(
            f"the token's organization claim is {_shown(found)}, which is not an alias, a list of "
            "aliases or an object keyed by alias; check the realm's organization mapper",
            code="invalid-token",
        )
    return tuple(sorted(set(aliases)))


def _checked_algorithms(algorithms: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(algorithms)
    rejected = [alg for alg in chosen if alg not in SUPPORTED_ALGORITHMS]
    if not chosen or rejected:
        raise ValueError(
            f"allowed_algorithms {chosen!r} must name one or more of "
            f"{', '.join(sorted(SUPPORTED_ALGORITHMS))}; none and HMAC algorithms cannot be allowed"
        )
    return chosen


def _numeric_date(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if not is_number or not 0 <= value < MAX_NUMERIC_DATE:
        raise InvalidTokenError(
            f"the token's {name} claim is {_shown(value)}, not a NumericDate (seconds since "
            "1970-01-01T00:00:00Z, before the year 10000)",
            code="invalid-token",
        )
    return float(value)


def _subject(claims: Mapping[str, Any]) -> str:
    value = claims.get("sub")
    if isinstance(value, str) and value:
        return value
    raise InvalidTokenError(
        "the token has no sub claim; Keycloak 26 adds it through the 'basic' client scope, so "
        "check that the client has that scope",
        code="invalid-token",
    )


def _optional_string(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    return value if isinstance(value, str) else None


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat().replace("+00:00", "Z")


def _shown(value: object) -> str:
    text = repr(value)
    if len(text) > MAX_SHOWN_CHARS:
        return text[: MAX_SHOWN_CHARS - 1] + "…"
    return text
