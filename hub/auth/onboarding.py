"""Adding a university: the tenant with its keys, then its Keycloak organization.

The tenant is committed first, so a Keycloak outage never loses it; the organization's state is
recorded in ``TenantOrganization`` and ``sync_tenant`` (``badgehub tenant sync``) retries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import structlog

from hub.audit import record_event
from hub.auth.tables import TenantOrganization
from hub.settings import Settings
from tenants.provisioning import (
    ProvisioningError,
    organization_directory,
    provision_tenant_organization,
)
from tenants.services import TenantCreate, create_tenant
from tenants.tables import Tenant

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class OnboardingResult:
    tenant: Tenant
    status: str
    message: str

    @property
    def is_complete(self) -> bool:
        return self.status in ("provisioned", "not-configured")


async def onboard_tenant(settings: Settings, data: TenantCreate, actor: str) -> OnboardingResult:
    """Create the tenant (idempotent by slug), then provision its Keycloak organization."""
    tenant = await create_tenant(settings, data, actor)
    return await sync_tenant(settings, tenant, actor)


async def sync_tenant(settings: Settings, tenant: Tenant, actor: str) -> OnboardingResult:
    """Create or update the tenant's Keycloak organization and record the outcome."""
    directory = organization_directory(settings)
    if directory is None:
        message = "Keycloak provisioning is not configured (HUB_PROVISIONING_CLIENT_SECRET)"
        return await _record(tenant, "not-configured", None, message)
    try:
        organization_id = await provision_tenant_organization(directory, tenant)
    except ProvisioningError as error:
        log.warning("tenant_provisioning_pending", tenant=tenant.slug, code=error.code)
        return await _record(tenant, "pending", None, error.message)
    await record_event(
        "tenant:provisioned", actor=actor, tenant=tenant.slug, target=organization_id or ""
    )
    return await _record(tenant, "provisioned", organization_id, "")


async def _record(
    tenant: Tenant, status: str, organization_id: str | None, message: str
) -> OnboardingResult:
    await TenantOrganization.raw(
        "INSERT INTO tenant_organization (tenant, organization_id, status, message, updated_at) "
        "VALUES ({}, {}, {}, {}, {}) ON CONFLICT (tenant) DO UPDATE SET "
        "organization_id = COALESCE(EXCLUDED.organization_id, tenant_organization.organization_id),"
        " status = EXCLUDED.status, message = EXCLUDED.message, updated_at = EXCLUDED.updated_at",
        tenant.id,
        organization_id,
        status,
        message,
        datetime.now(UTC),
    )
    return OnboardingResult(tenant, status, message)


async def pending_tenants() -> list[Tenant]:
    rows = await TenantOrganization.select(TenantOrganization.tenant).where(
        TenantOrganization.status == "pending"
    )
    ids = [row["tenant"] for row in rows]
    if not ids:
        return []
    return list(await Tenant.objects().output(load_json=True).where(Tenant.id.is_in(ids)))
