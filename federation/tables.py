"""Tables of the federation app: which tenants belong to which alliance."""

from __future__ import annotations

from piccolo.columns import Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from tenants.tables import Achievement, Tenant


class Membership(Table):
    """A university's membership of an alliance (itself a tenant of kind ``alliance``)."""

    alliance = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    member = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    status = Varchar(length=16, default="active")
    member_since = Date()
    created_at = Timestamptz()


class RegistryVersion(Table):
    """One signed version of an alliance's trust registry, stored as the exact signed text.

    The membership services sign a new version in the transaction of each change, so the latest
    version lists the memberships as they are. The demo seed creates memberships directly and
    then signs one version for all of them.
    """

    alliance = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    version = Integer()
    document_text = Text()
    created_at = Timestamptz()
    created_by = Varchar(length=255)


class AwardRight(Table):
    """The right of one member university to award one alliance achievement as its issuer.

    The alliance stays the achievement's creator. A pair (achievement, member) is unique, so
    granting twice changes nothing.
    """

    achievement = ForeignKey(references=Achievement, on_delete=OnDelete.cascade, index=True)
    member = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    granted_by = Varchar(length=255)
    granted_at = Timestamptz()
