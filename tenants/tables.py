"""Tables of the tenants app: universities (and the alliance), their keys, badges and awards.

Every tenant-owned row carries ``tenant``; reads of tenant data go through
``tenants.scope.TenantScope`` so every query applies the filter.
"""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    UUID,
    Bytea,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class Tenant(Table):
    """An issuing organisation: a member university, or the alliance itself (``kind``)."""

    slug = Varchar(length=63, unique=True, index=True)
    kind = Varchar(length=16, default="university")
    name = Varchar(length=255)
    name_en = Varchar(length=255)
    country = Varchar(length=2)
    city = Varchar(length=120, default="")
    home_page = Varchar(length=255)
    email_domain = Varchar(length=255, default="")
    description = JSONB(default={})
    status = Varchar(length=16, default="active")
    created_at = Timestamptz()


class IssuerKey(Table):
    """A signing key of a tenant. The private part is AES-256-GCM ciphertext.

    ``retired_at`` stops new signatures while the key stays in did.json so old credentials
    still verify; ``revoked_at`` removes it from did.json (compromise).
    """

    tenant = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    fragment = Varchar(length=128)
    algorithm = Varchar(length=16)
    public_jwk = JSONB()
    private_key_encrypted = Bytea()
    kek_id = Varchar(length=16)
    created_at = Timestamptz()
    retired_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class Achievement(Table):
    """An Open Badges 3.0 Achievement (badge class) with localised texts (``{"fr": …}``)."""

    id = UUID(primary_key=True)
    tenant = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    slug = Varchar(length=80)
    achievement_type = Varchar(length=40, default="Badge")
    name = JSONB()
    description = JSONB()
    criteria = JSONB()
    tags = JSONB(default=[])
    image_svg = Text()
    status = Varchar(length=16, default="draft")
    valid_for_months = Integer(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Award(Table):
    """One issued OpenBadgeCredential.

    ``credential_text`` is the exact signed text: proofs cover it, so it is never rebuilt from
    the ``credential`` jsonb copy, which exists only for queries.
    """

    id = UUID(primary_key=True)
    tenant = ForeignKey(references=Tenant, on_delete=OnDelete.restrict, index=True)
    achievement = ForeignKey(references=Achievement, on_delete=OnDelete.restrict, index=True)
    recipient_email = Varchar(length=320)
    recipient_name = Varchar(length=255)
    idempotency_key = Varchar(length=255, null=True, default=None)
    request_fingerprint = Varchar(length=64)
    credential_text = Text()
    credential = JSONB()
    jwt = Text(null=True, default=None)
    issued_at = Timestamptz()


class ApiToken(Table):
    """A tenant-scoped bearer token for the issuing API; only its SHA-256 is stored."""

    tenant = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=120)
    token_sha256 = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


class StatusList(Table):
    """One W3C Bitstring Status List of a tenant for one purpose (revocation or suspension).

    ``bitstring`` holds one bit per entry, entry 0 in the most significant bit of the first byte.
    ``version`` grows with every change of a bit; ``signed_text`` caches the signed
    BitstringStatusListCredential of ``signed_version`` so an unchanged list is not signed again.
    """

    tenant = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    purpose = Varchar(length=16)
    number = Integer()
    size = Integer()
    allocated = Integer(default=0)
    bitstring = Bytea()
    version = Integer(default=1)
    updated_at = Timestamptz()
    signed_text = Text(null=True, default=None)
    signed_version = Integer(default=0)
    signed_at = Timestamptz(null=True, default=None)


class AwardStatus(Table):
    """The entry of one award in one status list, with its current state and why it changed.

    ``award`` is the award's id without a foreign key: the entry is allocated before signing,
    because the credential names it, and so before the award row exists. An award that is never
    stored leaves an entry whose bit never changes.
    """

    tenant = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    award = UUID(index=True)
    purpose = Varchar(length=16)
    status_list = ForeignKey(references=StatusList, on_delete=OnDelete.restrict, index=True)
    status_index = Integer()
    state = Varchar(length=16, default="active")
    reason = Text(default="")
    changed_at = Timestamptz(null=True, default=None)
    changed_by = Varchar(length=255, default="")
