"""Sending a badge to another Open Badges 3.0 host, in the order of OB 3.0 §7.

The first send to a host discovers it and registers this hub as a client there; every later
send reuses that registration. An earner's first send to a host requests their consent in the
browser (authorization code with PKCE). When the host issued a refresh token, later sends
refresh the access token instead, and request consent again only when the refresh fails.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from hub.audit import record_event
from hub.auth.tables import User
from hub.errors import NotFoundError
from hub.ob_consumer import oauth
from hub.ob_consumer.badges import sendable_badge
from hub.ob_consumer.discovery import UPSERT_SCOPE, discover, discovery_url_of, host_label
from hub.ob_consumer.errors import SendError
from hub.ob_consumer.sealing import SendAttempt, open_secret, seal_secret
from hub.ob_consumer.tables import ObHostGrant, ObHostRegistration
from hub.ob_consumer.upsert import SendableCredential, UpsertRejectedError, upsert_credential
from hub.outbound import Fetcher, OutboundPolicy, PolicyTransport, Resolve
from hub.settings import Settings

log = structlog.get_logger(__name__)

# A client secret this close to its expiry is replaced by a new registration first.
SECRET_EXPIRY_MARGIN = timedelta(minutes=5)


@dataclass(frozen=True)
class SendRequest:
    """The earner's request: which badge, in which format, to which host (as typed)."""

    badge_kind: str
    badge_id: str
    credential_format: str
    host: str


@dataclass(frozen=True)
class SendResult:
    """A send the host accepted: ``created`` is False when it replaced a credential it held."""

    host_name: str
    host: str
    badge_name: str
    created: bool


@dataclass(frozen=True)
class AuthorizationRedirect:
    """The earner's consent is needed: send the browser to ``url`` with the sealed attempt."""

    url: str
    sealed_attempt: str


@dataclass(frozen=True)
class KnownHost:
    """A host the earner connected to before, offered again on the send page."""

    grant_id: int
    name: str
    host: str
    discovery_url: str
    last_sent_at: datetime | None


class CredentialSender:
    """Sends earners' badges to other hosts under the outbound policy of the settings."""

    def __init__(self, settings: Settings, *, resolve: Resolve | None = None) -> None:
        self.settings = settings
        self.policy = OutboundPolicy.from_settings(settings)
        self.fetcher = Fetcher(self.policy, resolve=resolve)
        self.transport = PolicyTransport(self.policy, resolve=resolve)

    async def start(self, user: User, send: SendRequest) -> SendResult | AuthorizationRedirect:
        """Send right away with a stored grant, or return where the earner must consent."""
        credential = await sendable_badge(
            self.settings, user, send.badge_kind, send.badge_id, send.credential_format
        )
        registration = await self._registration(discovery_url_of(send.host))
        grant = await _grant_of(_user_id(user), registration.id)
        if grant is not None and grant.refresh_token_sealed is not None:
            result = await self._send_with_refresh(user, registration, grant, credential)
            if result is not None:
                return result
        attempt = SendAttempt.start(
            _user_id(user), registration.id, send.badge_kind, send.badge_id, send.credential_format
        )
        async with self._oauth(registration) as client:
            url = oauth.authorization_url(
                client, registration.authorization_url, attempt.state, attempt.code_verifier
            )
        return AuthorizationRedirect(url, attempt.seal(self.settings))

    async def finish(
        self,
        user: User,
        attempt: SendAttempt,
        state: str,
        code: str,
        error: str | None = None,
        error_description: str | None = None,
    ) -> SendResult:
        """Handle the host's response to the authorization request, then send the badge."""
        if attempt.user_id != _user_id(user) or not hmac.compare_digest(
            attempt.state.encode(), state.encode()
        ):
            raise SendError(
                "send-state-mismatch",
                "the answer of the other host does not belong to the send started in this "
                "browser (state mismatch); send the badge again",
            )
        registration = await _registration_by_id(attempt.registration_id)
        host = host_label(registration.discovery_url)
        if error or not code:
            detail = f"{error}: {error_description}" if error_description else (error or "no code")
            raise SendError(
                "authorization-denied",
                f"{host} did not authorize the send: {detail}",
                host=host,
                detail=detail[: oauth.MAX_DETAIL_CHARS],
            )
        credential = await sendable_badge(
            self.settings, user, attempt.badge_kind, attempt.badge_id, attempt.credential_format
        )
        async with self._oauth(registration) as client:
            token = await oauth.redeem_code(
                client, registration.token_url, code, attempt.code_verifier, host
            )
            # Kept before the upsert: the consent stays valid even when the host refuses the badge.
            await self._store_grant(user, registration, token)
            created = await self._upsert(client, user, registration, credential)
        return _result(registration, credential, created)

    async def known_hosts(self, user: User) -> list[KnownHost]:
        """Return the hosts ``user`` connected to, most recently used first."""
        grants: Sequence[ObHostGrant] = await ObHostGrant.objects().where(
            ObHostGrant.user == _user_id(user)
        )
        registrations = {
            row.id: row
            for row in await ObHostRegistration.objects().where(
                ObHostRegistration.id.is_in([grant.registration for grant in grants] or [0])
            )
        }
        hosts = [_known_host(grant, registrations[grant.registration]) for grant in grants]
        oldest = datetime.min.replace(tzinfo=UTC)
        return sorted(hosts, key=lambda host: host.last_sent_at or oldest, reverse=True)

    async def forget(self, user: User, grant_id: int) -> str:
        """Revoke the earner's refresh token at the host when it can, then delete the grant."""
        grant = (
            await ObHostGrant.objects()
            .where((ObHostGrant.id == grant_id) & (ObHostGrant.user == _user_id(user)))
            .first()
        )
        if grant is None:
            raise NotFoundError(
                f"you have no connection {grant_id} to another backpack", code="host-not-connected"
            )
        registration = await _registration_by_id(grant.registration)
        if grant.refresh_token_sealed is not None and registration.revocation_url:
            refresh_token = self._open_refresh_token(grant)
            if refresh_token is not None:
                async with self._oauth(registration) as client:
                    await oauth.revoke_token(client, registration.revocation_url, refresh_token)
        await ObHostGrant.delete().where(ObHostGrant.id == grant.id)
        log.info(
            "ob_host_forgotten", user=_user_id(user), host=host_label(registration.discovery_url)
        )
        return host_label(registration.discovery_url)

    async def _registration(self, discovery_url: str) -> ObHostRegistration:
        """Return this hub's registration at the host, registering first when it has none."""
        row = (
            await ObHostRegistration.objects()
            .where(ObHostRegistration.discovery_url == discovery_url)
            .first()
        )
        if row is not None and self._is_usable(row):
            return row
        description = await discover(self.fetcher, self.policy, discovery_url)
        client = await oauth.register_client(self.transport, self.settings, description)
        fields: dict[str, Any] = {
            "name": description.name,
            "api_base": description.api_base,
            "authorization_url": description.authorization_url,
            "token_url": description.token_url,
            "refresh_url": description.refresh_url,
            "revocation_url": description.revocation_url,
            "client_id": client.client_id,
            "client_secret_sealed": self._seal_client_secret(client.client_secret, discovery_url),
            "token_endpoint_auth_method": client.token_endpoint_auth_method,
            "client_secret_expires_at": client.client_secret_expires_at,
            "registered_at": datetime.now(UTC),
        }
        if row is not None:
            await ObHostRegistration.update(**fields).where(ObHostRegistration.id == row.id)
        else:
            # Two first sends at once both register; the second row is dropped, the first kept.
            await ObHostRegistration.insert(
                ObHostRegistration(discovery_url=discovery_url, **fields)
            ).on_conflict(target=ObHostRegistration.discovery_url, action="DO NOTHING")
        log.info("ob_host_registered", host=host_label(discovery_url))
        return await _registration_by_url(discovery_url)

    def _is_usable(self, row: ObHostRegistration) -> bool:
        expires = row.client_secret_expires_at
        if expires is not None and expires <= datetime.now(UTC) + SECRET_EXPIRY_MARGIN:
            return False
        try:
            self._client_of(row)
        except ValueError:
            log.warning("ob_client_secret_unreadable", host=host_label(row.discovery_url))
            return False
        return True

    async def _send_with_refresh(
        self,
        user: User,
        registration: ObHostRegistration,
        grant: ObHostGrant,
        credential: SendableCredential,
    ) -> SendResult | None:
        """Send with a refreshed access token; return None when the earner must consent again."""
        refresh_token = self._open_refresh_token(grant)
        if refresh_token is None:
            return None
        host = host_label(registration.discovery_url)
        async with self._oauth(registration) as client:
            try:
                token = await oauth.refresh_tokens(
                    client, registration.refresh_url, refresh_token, host
                )
            except oauth.TokenRejectedError:
                await _drop_refresh_token(grant.id)
                return None
            await self._store_grant(user, registration, token)
            created = await self._upsert(client, user, registration, credential)
        return _result(registration, credential, created)

    async def _upsert(
        self,
        client: Any,
        user: User,
        registration: ObHostRegistration,
        credential: SendableCredential,
    ) -> bool:
        host = host_label(registration.discovery_url)
        try:
            created = await upsert_credential(client, registration.api_base, credential, host)
        except UpsertRejectedError as error:
            if error.http_status in (401, 403):
                # The host no longer honours the grant, so the next send requests consent again.
                await _drop_refresh_token_of(_user_id(user), registration.id)
            raise
        await ObHostGrant.update({ObHostGrant.last_sent_at: datetime.now(UTC)}).where(
            (ObHostGrant.user == _user_id(user)) & (ObHostGrant.registration == registration.id)
        )
        log.info("ob_credential_sent", user=_user_id(user), host=host, created=created)
        await record_event(
            "credential:sent",
            actor=f"user:{user.subject}",
            target=host,
            details={"badge": credential.name, "created": created},
        )
        return created

    async def _store_grant(
        self, user: User, registration: ObHostRegistration, token: dict[str, Any]
    ) -> None:
        refresh_token = token.get("refresh_token")
        sealed = (
            seal_secret(
                self.settings, refresh_token, _refresh_context(_user_id(user), registration.id)
            )
            if isinstance(refresh_token, str) and refresh_token
            else None
        )
        scope = token.get("scope")
        grant = ObHostGrant(
            user=_user_id(user),
            registration=registration.id,
            refresh_token_sealed=sealed,
            scope=scope if isinstance(scope, str) else UPSERT_SCOPE,
            created_at=datetime.now(UTC),
        )
        await ObHostGrant.insert(grant).on_conflict(
            target=(ObHostGrant.user, ObHostGrant.registration),
            action="DO UPDATE",
            values=[ObHostGrant.refresh_token_sealed, ObHostGrant.scope],
        )

    def _oauth(self, registration: ObHostRegistration) -> Any:
        return oauth.oauth_client(self.transport, self.settings, self._client_of(registration))

    def _client_of(self, registration: ObHostRegistration) -> oauth.ClientCredentials:
        secret = None
        if registration.client_secret_sealed is not None:
            secret = open_secret(
                self.settings,
                registration.client_secret_sealed,
                _client_secret_context(registration.discovery_url),
            )
        return oauth.ClientCredentials(
            registration.client_id, secret, registration.token_endpoint_auth_method
        )

    def _seal_client_secret(self, secret: str | None, discovery_url: str) -> bytes | None:
        if secret is None:
            return None
        return seal_secret(self.settings, secret, _client_secret_context(discovery_url))

    def _open_refresh_token(self, grant: ObHostGrant) -> str | None:
        if grant.refresh_token_sealed is None:
            return None
        try:
            return open_secret(
                self.settings,
                grant.refresh_token_sealed,
                _refresh_context(grant.user, grant.registration),
            )
        except ValueError:
            log.warning("ob_refresh_token_unreadable", grant=grant.id)
            return None


def _user_id(user: User) -> int:
    return int(user.id)  # type: ignore[attr-defined]


def _client_secret_context(discovery_url: str) -> str:
    return f"ob-client-secret {discovery_url}"


def _refresh_context(user_id: int, registration_id: int) -> str:
    return f"ob-refresh-token {registration_id} {user_id}"


def _result(
    registration: ObHostRegistration, credential: SendableCredential, created: bool
) -> SendResult:
    return SendResult(
        host_name=registration.name,
        host=host_label(registration.discovery_url),
        badge_name=credential.name,
        created=created,
    )


def _known_host(grant: ObHostGrant, registration: ObHostRegistration) -> KnownHost:
    return KnownHost(
        grant_id=grant.id,
        name=registration.name,
        host=host_label(registration.discovery_url),
        discovery_url=registration.discovery_url,
        last_sent_at=grant.last_sent_at,
    )


async def _grant_of(user_id: int, registration_id: int) -> ObHostGrant | None:
    grant: ObHostGrant | None = (
        await ObHostGrant.objects()
        .where((ObHostGrant.user == user_id) & (ObHostGrant.registration == registration_id))
        .first()
    )
    return grant


async def _registration_by_id(registration_id: int) -> ObHostRegistration:
    row = await ObHostRegistration.objects().where(ObHostRegistration.id == registration_id).first()
    if row is None:
        raise SendError(
            "send-expired", "the other backpack's registration was removed; send the badge again"
        )
    return row


async def _registration_by_url(discovery_url: str) -> ObHostRegistration:
    row = (
        await ObHostRegistration.objects()
        .where(ObHostRegistration.discovery_url == discovery_url)
        .first()
    )
    assert row is not None  # inserted or updated just before
    return row


async def _drop_refresh_token(grant_id: int) -> None:
    await ObHostGrant.update({ObHostGrant.refresh_token_sealed: None}).where(
        ObHostGrant.id == grant_id
    )


async def _drop_refresh_token_of(user_id: int, registration_id: int) -> None:
    await ObHostGrant.update({ObHostGrant.refresh_token_sealed: None}).where(
        (ObHostGrant.user == user_id) & (ObHostGrant.registration == registration_id)
    )
