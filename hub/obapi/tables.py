"""Storage of the Open Badges 3.0 API: registered clients, codes, tokens and earner profiles.

Secrets are never stored: client secrets, authorization codes, access tokens and refresh tokens
are kept as their SHA-256 digests, so a copy of the database cannot be replayed against the hub.
"""

from __future__ import annotations

from piccolo.columns import JSONB, ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from hub.auth.tables import User


class ObApiClient(Table):
    """A client registered through RFC 7591; ``client_metadata`` is the validated metadata."""

    client_id = Varchar(length=64, unique=True)
    secret_sha256 = Varchar(length=64)
    client_metadata = JSONB()
    issued_at = Timestamptz()


class ObApiCode(Table):
    """An authorization code: single use, short-lived, bound to its PKCE challenge."""

    code_sha256 = Varchar(length=64, unique=True)
    client = ForeignKey(references=ObApiClient, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    redirect_uri = Varchar(length=2048)
    scope = Text()
    code_challenge = Varchar(length=128)
    code_challenge_method = Varchar(length=8)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class ObApiToken(Table):
    """An access token and its refresh token, issued to one client for one earner.

    ``grant_sha256`` is the digest of the authorization code the chain of tokens started from,
    so a replayed code revokes every token of that grant (RFC 6749 §4.1.2).
    """

    client = ForeignKey(references=ObApiClient, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    access_sha256 = Varchar(length=64, unique=True)
    refresh_sha256 = Varchar(length=64, null=True, default=None, unique=True)
    grant_sha256 = Varchar(length=64, index=True)
    scope = Text()
    issued_at = Timestamptz()
    access_expires_at = Timestamptz()
    refresh_expires_at = Timestamptz(null=True, default=None)
    access_revoked_at = Timestamptz(null=True, default=None)
    refresh_revoked_at = Timestamptz(null=True, default=None)


class EarnerProfile(Table):
    """The profile fields an earner set through ``PUT /ims/ob/v3p0/profile``."""

    user = ForeignKey(references=User, on_delete=OnDelete.cascade, unique=True)
    fields = JSONB()
    updated_at = Timestamptz()
