"""Adding a university: tenant first, then its Keycloak organization, retried after outages."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from hub.auth.keycloak_dev import free_port
from hub.auth.onboarding import onboard_tenant, pending_tenants, sync_tenant
from hub.auth.tables import TenantOrganization
from hub.settings import Settings
from tenants.services import TenantCreate
from tenants.tables import IssuerKey, Tenant

pytestmark = pytest.mark.integration

VAASA = TenantCreate(
    slug="uwasa",
    name="Vaasan yliopisto",
    name_en="University of Vaasa",
    country="FI",
    home_page="https://www.uwasa.fi",
    city="Vaasa",
    email_domain="uwasa.fi",
)


async def test_without_provisioning_settings(db: str, settings: Settings) -> None:
    result = await onboard_tenant(settings, VAASA, actor="test")

    assert result.status == "not-configured"
    assert result.is_complete
    assert await IssuerKey.count().where(IssuerKey.tenant == result.tenant.id) == 2


async def test_keycloak_down_keeps_tenant_pending(db: str, settings: Settings) -> None:
    down = dataclasses.replace(
        settings,
        keycloak_url=f"http://127.0.0.1:{free_port()}",
        provisioning_client_secret="unused",
    )

    result = await onboard_tenant(down, VAASA, actor="test")

    assert result.status == "pending"
    assert "badgehub tenant sync uwasa" in result.message
    assert await Tenant.count().where(Tenant.slug == "uwasa") == 1
    assert [tenant.slug for tenant in await pending_tenants()] == ["uwasa"]


@pytest.mark.keycloak
async def test_sync_after_outage_provisions(db: str, settings: Settings, keycloak: Any) -> None:
    down = dataclasses.replace(
        settings,
        keycloak_url=f"http://127.0.0.1:{free_port()}",
        provisioning_client_secret="unused",
    )
    # Keycloak keeps organization names and domains unique, so the test tenant has its own.
    test_tenant = dataclasses.replace(
        VAASA, slug="vaasa-test", name="Vaasa test", email_domain="vaasa-test.example"
    )
    pending = await onboard_tenant(down, test_tenant, "test")

    synced = await sync_tenant(keycloak.hub_settings(settings), pending.tenant, actor="test")
    again = await sync_tenant(keycloak.hub_settings(settings), pending.tenant, actor="test")

    assert pending.status == "pending"
    assert synced.status == "provisioned"
    assert again.status == "provisioned"
    row = (
        await TenantOrganization.objects()
        .where(TenantOrganization.tenant == pending.tenant.id)
        .first()
    )
    aliases = [org["alias"] for org in keycloak.organizations()]
    assert aliases.count("vaasa-test") == 1
    assert row.organization_id
    assert await pending_tenants() == []
