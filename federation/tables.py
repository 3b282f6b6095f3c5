"""Tables of the federation app: which tenants belong to which alliance."""

from __future__ import annotations

from piccolo.columns import Date, ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from tenants.tables import Tenant


class Membership(Table):
    """A university's membership of an alliance (itself a tenant of kind ``alliance``)."""

    alliance = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    member = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    status = Varchar(length=16, default="active")
    member_since = Date()
    created_at = Timestamptz()
