"""The storage of the OAuth server: clients, codes and tokens as authlib's models see them.

These coroutines run on the event loop; authlib's worker thread calls them through
``hub.obapi.oauth``. Single use is enforced here, in the database: redeeming a code or rotating
a refresh token marks the old one used in the same transaction that stores the new tokens, and
only if no concurrent request marked it first.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from authlib.oauth2.rfc6749 import (
    ClientMixin,
    InvalidGrantError,
    TokenMixin,
    list_to_scope,
    scope_to_list,
)

from hub.auth.tables import User
from hub.obapi.metadata import AUTH_METHOD, GRANT_TYPES
from hub.obapi.scopes import OB_SCOPES
from hub.obapi.tables import ObApiClient, ObApiCode, ObApiToken

log = structlog.get_logger(__name__)

CODE_LIFETIME = timedelta(minutes=5)
REFRESH_TOKEN_LIFETIME = timedelta(days=180)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


# --- Models: the client, code and token interfaces authlib requires ----------------------


@dataclass(frozen=True)
class RegisteredClient(ClientMixin):
    row_id: int
    client_id: str
    secret_sha256: str
    metadata: dict[str, Any]

    @classmethod
    def of(cls, row: ObApiClient) -> RegisteredClient:
        """Build from a row read with ``output(load_json=True)``, or one built in memory."""
        return cls(row.id, row.client_id, row.secret_sha256, dict(row.client_metadata))

    @property
    def name(self) -> str:
        return str(self.metadata.get("client_name") or self.client_id)

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        uris = self.metadata.get("redirect_uris") or []
        return uris[0] if len(uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return ""
        allowed = set(scope_to_list(self.metadata.get("scope") or list_to_scope(OB_SCOPES)))
        return list_to_scope([item for item in scope_to_list(scope) if item in allowed])

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in (self.metadata.get("redirect_uris") or [])

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(digest(client_secret), self.secret_sha256)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == AUTH_METHOD

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in (self.metadata.get("grant_types") or GRANT_TYPES)


@dataclass(frozen=True)
class StoredCode:
    row_id: int
    code_sha256: str
    client_row: int
    user_id: int
    redirect_uri: str
    scope: str
    code_challenge: str
    code_challenge_method: str

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


@dataclass(frozen=True)
class StoredToken(TokenMixin):
    """One row of ob_api_token; ``matched`` names which of its two tokens was presented."""

    row_id: int
    client_row: int
    user_id: int
    scope: str
    grant_sha256: str
    access_expires_at: datetime
    refresh_expires_at: datetime | None
    access_revoked: bool
    refresh_revoked: bool
    matched: str

    @classmethod
    def of(cls, row: dict[str, Any], matched: str) -> StoredToken:
        return cls(
            row_id=row["id"],
            client_row=row["client"],
            user_id=row["user"],
            scope=row["scope"],
            grant_sha256=row["grant_sha256"],
            access_expires_at=row["access_expires_at"],
            refresh_expires_at=row["refresh_expires_at"],
            access_revoked=row["access_revoked_at"] is not None,
            refresh_revoked=row["refresh_revoked_at"] is not None,
            matched=matched,
        )

    def check_client(self, client: RegisteredClient) -> bool:
        return self.client_row == client.row_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return max(0, int((self.access_expires_at - datetime.now(UTC)).total_seconds()))

    def is_expired(self) -> bool:
        now = datetime.now(UTC)
        if self.matched == "refresh_token":
            return self.refresh_expires_at is None or self.refresh_expires_at <= now
        return self.access_expires_at <= now

    def is_revoked(self) -> bool:
        return self.refresh_revoked if self.matched == "refresh_token" else self.access_revoked

    def get_user(self) -> int:
        return self.user_id

    def get_client(self) -> Any:
        return self.client_row


# --- Storage, async, called through _run ----------------------------------------------------


async def load_client(client_id: str) -> RegisteredClient | None:
    row = (
        await ObApiClient.objects()
        .where(ObApiClient.client_id == client_id)
        .output(load_json=True)
        .first()
    )
    return RegisteredClient.of(row) if row is not None else None


async def load_user(user_id: int) -> User | None:
    return await User.objects().where(User.id == user_id).first()


async def save_code(
    client: RegisteredClient, user: User, code: str, payload: Any, scope: str
) -> None:
    now = datetime.now(UTC)
    await ObApiCode(
        code_sha256=digest(code),
        client=client.row_id,
        user=user.id,
        redirect_uri=payload.redirect_uri or "",
        scope=scope,
        code_challenge=payload.data.get("code_challenge", ""),
        code_challenge_method=payload.data.get("code_challenge_method", ""),
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    ).save()


async def find_code(code: str, client: RegisteredClient) -> StoredCode | None:
    """Return this client's code if unused and unexpired; a replayed code revokes its tokens."""
    hashed = digest(code)
    row = await ObApiCode.objects().where(ObApiCode.code_sha256 == hashed).first()
    if row is None or row.client != client.row_id:
        return None
    if row.used_at is not None:
        revoked = await revoke_grant(hashed)
        log.warning("obapi_code_replayed", client=client.client_id, tokens_revoked=revoked)
        return None
    if row.expires_at <= datetime.now(UTC):
        return None
    return StoredCode(
        row_id=row.id,
        code_sha256=hashed,
        client_row=row.client,
        user_id=row.user,
        redirect_uri=row.redirect_uri,
        scope=row.scope,
        code_challenge=row.code_challenge,
        code_challenge_method=row.code_challenge_method,
    )


async def revoke_grant(grant_sha256: str) -> int:
    now = datetime.now(UTC)
    rows = await ObApiToken.raw(
        "UPDATE ob_api_token SET access_revoked_at = coalesce(access_revoked_at, {}), "
        "refresh_revoked_at = coalesce(refresh_revoked_at, {}) WHERE grant_sha256 = {} "
        "RETURNING id",
        now,
        now,
        grant_sha256,
    )
    return len(rows)


async def store_token(token: dict[str, Any], request: Any) -> None:
    """Mark the code or refresh token used and store the new tokens, in one transaction."""
    now = datetime.now(UTC)
    client: RegisteredClient = request.client
    user: User = request.user
    code: StoredCode | None = getattr(request, "authorization_code", None)
    parent: StoredToken | None = getattr(request, "refresh_token", None)
    refresh = token.get("refresh_token")
    async with ObApiToken._meta.db.transaction():
        if code is not None:
            spent = await ObApiCode.raw(
                "UPDATE ob_api_code SET used_at = {} WHERE id = {} AND used_at IS NULL "
                "RETURNING id",
                now,
                code.row_id,
            )
            grant = code.code_sha256
        elif parent is not None:
            spent = await ObApiToken.raw(
                "UPDATE ob_api_token SET refresh_revoked_at = {} WHERE id = {} AND "
                "refresh_revoked_at IS NULL RETURNING id",
                now,
                parent.row_id,
            )
            grant = parent.grant_sha256
        else:  # pragma: no cover - only the two grants above are registered
            raise InvalidGrantError("this grant cannot issue tokens")
        if not spent:
            raise InvalidGrantError(
                "this code or refresh token was already used; start the authorization again"
            )
        await ObApiToken(
            client=client.row_id,
            user=user.id,
            access_sha256=digest(token["access_token"]),
            refresh_sha256=digest(refresh) if refresh else None,
            grant_sha256=grant,
            scope=token.get("scope", ""),
            issued_at=now,
            access_expires_at=now + timedelta(seconds=int(token["expires_in"])),
            refresh_expires_at=now + REFRESH_TOKEN_LIFETIME if refresh else None,
        ).save()
    log.info("obapi_token_issued", client=client.client_id, user=user.id)


async def find_token(token: str, hint: str | None = None) -> StoredToken | None:
    hashed = digest(token)
    kinds = ["access_token", "refresh_token"]
    if hint == "refresh_token":
        kinds.reverse()
    for kind in kinds:
        column = ObApiToken.access_sha256 if kind == "access_token" else ObApiToken.refresh_sha256
        row = await ObApiToken.select().where(column == hashed).first()
        if row is not None:
            return StoredToken.of(row, kind)
    return None


async def revoke_stored_token(token: StoredToken) -> None:
    if token.matched == "refresh_token":
        # RFC 7009 §2.1: revoking a refresh token also ends the access tokens of its grant.
        await revoke_grant(token.grant_sha256)
    else:
        await ObApiToken.update({ObApiToken.access_revoked_at: datetime.now(UTC)}).where(
            (ObApiToken.id == token.row_id) & ObApiToken.access_revoked_at.is_null()
        )
    # Not "token=": the log processor blanks that key, and a row id is no secret.
    log.info("obapi_token_revoked", kind=token.matched, token_row=token.row_id)


async def save_client(info: dict[str, Any], metadata: dict[str, Any]) -> RegisteredClient:
    row = ObApiClient(
        client_id=info["client_id"],
        secret_sha256=digest(info["client_secret"]),
        client_metadata=metadata,
        issued_at=datetime.fromtimestamp(info["client_id_issued_at"], UTC),
    )
    await row.save()
    log.info("obapi_client_registered", client=row.client_id)
    return RegisteredClient.of(row)
