"""Audit events: a fixed vocabulary of state changes, stored in ``audit_event``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hub.tables import AuditEvent

# Every action the hub records. A new kind of state change adds its name here first.
ACTIONS = frozenset(
    {
        "tenant:created",
        "tenant:key:created",
        "tenant:key:rotated",
        "tenant:imported",
        "achievement:created",
        "achievement:updated",
        "achievement:image-updated",
        "achievement:submitted",
        "achievement:withdrawn",
        "achievement:approved",
        "achievement:changes-requested",
        "achievement:published",
        "achievement:archived",
        "achievement:reopened",
        "tenant:settings-updated",
        "credential:issued",
        "credential:revoked",
        "credential:suspended",
        "credential:reinstated",
        "api-token:created",
        "api-token:revoked",
        "membership:created",
        "membership:suspended",
        "membership:reinstated",
        "trust-registry:published",
        "peer-hub:registered",
        "peer-hub:removed",
        "peer-hub:registry-updated",
        "award-right:granted",
        "award-right:revoked",
        "role:granted",
        "role:revoked",
        "user:signed-in",
        "tenant:provisioned",
        "audit:exported",
        "credential:claimed",
        "credential:offered",
        "credential:delivered",
        "credential:sent",
        "credential:received",
        "application:authorized",
        "application:access-withdrawn",
        "application:removed",
        "mail-template:updated",
        "mail-template:reset",
        "certificate:updated",
        "bulk-award:validated",
        "bulk-award:queued",
        "bulk-award:started",
        "bulk-award:batch",
        "bulk-award:finished",
        "bulk-award:failed",
    }
)


async def record_event(
    action: str,
    *,
    actor: str,
    tenant: str | None = None,
    target: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    """Store one audit event; callers run it inside the transaction of the change it records."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; add it to hub.audit.ACTIONS")
    await AuditEvent(
        tenant_slug=tenant,
        actor=actor,
        action=action,
        target=target,
        details=details or {},
        created_at=datetime.now(UTC),
    ).save()
