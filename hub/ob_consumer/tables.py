"""This hub's client registrations at other Open Badges 3.0 hosts, and earners' grants there."""

from __future__ import annotations

from piccolo.columns import Bytea, ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from hub.auth.tables import User


class ObHostRegistration(Table):
    """The hub's OAuth client at one host (RFC 7591), shared by every earner who sends there.

    ``discovery_url`` identifies the host. The endpoints come from its service description at
    registration time. ``client_secret_sealed`` is the client secret encrypted with AES-GCM under
    a key derived from the KEK; it is null for a public client (``token_endpoint_auth_method``
    ``none``).
    """

    id = Serial(primary_key=True)
    discovery_url = Varchar(length=2048, unique=True)
    name = Varchar(length=255)
    api_base = Varchar(length=2048)
    authorization_url = Varchar(length=2048)
    token_url = Varchar(length=2048)
    refresh_url = Varchar(length=2048)
    revocation_url = Varchar(length=2048, null=True, default=None)
    client_id = Text()
    client_secret_sealed = Bytea(null=True, default=None)
    token_endpoint_auth_method = Varchar(length=32)
    client_secret_expires_at = Timestamptz(null=True, default=None)
    registered_at = Timestamptz()


class ObHostGrant(Table):
    """An earner's authorization at one host, kept so that a later send needs no new consent.

    ``refresh_token_sealed`` is the host's refresh token, encrypted like the client secret. It
    is null when the host issued none, so the earner then authorizes each send. There is one row
    per earner and host (unique together).
    """

    id = Serial(primary_key=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    registration = ForeignKey(references=ObHostRegistration, on_delete=OnDelete.cascade)
    refresh_token_sealed = Bytea(null=True, default=None)
    scope = Text(default="")
    created_at = Timestamptz()
    last_sent_at = Timestamptz(null=True, default=None)
