"""Tables of the hub app: the audit log shared by every domain."""

from __future__ import annotations

from piccolo.columns import JSONB, Timestamptz, Varchar
from piccolo.table import Table


class AuditEvent(Table):
    """One admin or issuing action. ``action`` is from a fixed vocabulary (``hub.audit``)."""

    tenant_slug = Varchar(length=63, null=True, default=None, index=True)
    actor = Varchar(length=255)
    action = Varchar(length=64, index=True)
    target = Varchar(length=255, default="")
    details = JSONB(default={})
    created_at = Timestamptz()
