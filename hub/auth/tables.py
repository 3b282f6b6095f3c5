"""Tables of people, their roles in tenants, and console sessions."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from tenants.tables import Tenant


class User(Table, tablename="hub_user"):
    """A person known through Keycloak (``subject`` is the token's ``sub``)."""

    subject = Varchar(length=255, unique=True, index=True)
    email = Varchar(length=320, index=True)
    name = Varchar(length=255, default="")
    is_alliance_admin = Boolean(default=False)
    created_at = Timestamptz()
    last_login_at = Timestamptz(null=True, default=None)


class TenantRole(Table):
    """One role of a user in a tenant.

    ``member`` comes from the ``organization`` claim at sign-in (``source`` ``organization``);
    the other roles are granted in the console or the API (``source`` ``granted``).
    """

    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    tenant = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    role = Varchar(length=32)
    source = Varchar(length=16, default="granted")
    granted_by = Varchar(length=255, default="")
    created_at = Timestamptz()


class WebSession(Table):
    """A signed-in console session. Only the SHA-256 of the session cookie is stored.

    The session ends ``session_idle_minutes`` after ``last_seen_at`` or at ``expires_at``
    (``session_max_hours`` after sign-in), whichever comes first.
    """

    token_sha256 = Varchar(length=64, unique=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    id_token = Text(null=True, default=None)
    created_at = Timestamptz()
    last_seen_at = Timestamptz()
    expires_at = Timestamptz(index=True)


class TenantOrganization(Table):
    """Whether a tenant's Keycloak organization exists.

    ``status`` is ``provisioned``, ``pending`` (Keycloak failed; ``message`` contains the reason
    and what to retry) or ``not-configured`` (no provisioning client in settings).
    """

    tenant = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, unique=True)
    organization_id = Varchar(length=64, null=True, default=None)
    status = Varchar(length=16)
    message = Text(default="")
    updated_at = Timestamptz()
