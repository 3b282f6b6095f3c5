"""Keycloak organizations for tenants, against the real Keycloak (and a closed port)."""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

import pytest
from structlog.testing import capture_logs

from hub.auth.keycloak_dev import DEV_CLIENT_SECRETS, free_port
from hub.auth.realm import PROVISIONING_CLIENT_ID
from hub.settings import Settings
from tenants.provisioning import (
    KeycloakOrganizationDirectory,
    ProvisioningError,
    organization_directory,
    provision_tenant_organization,
)
from tests.factories import make_tenant
from tests.keycloak_fixtures import KeycloakTestServer

SECRET = DEV_CLIENT_SECRETS[PROVISIONING_CLIENT_ID]


def new_alias() -> str:
    # One Keycloak serves the whole session, so each test provisions its own tenant.
    return f"t{secrets.token_hex(4)}"


def organizations_with_alias(keycloak: KeycloakTestServer, alias: str) -> list[dict[str, Any]]:
    return [org for org in keycloak.organizations() if org["alias"] == alias]


class RecordingDirectory:
    """An in-memory ``OrganizationDirectory`` that remembers what it was asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, list[str]]] = []

    async def ensure_organization(self, slug: str, name: str, domains: list[str]) -> str:
        self.calls.append((slug, name, domains))
        return f"id-{slug}"


@pytest.fixture
def directory(keycloak: KeycloakTestServer, settings: Settings) -> KeycloakOrganizationDirectory:
    return KeycloakOrganizationDirectory(keycloak.hub_settings(settings))


@pytest.mark.keycloak
async def test_ensure_organization_creates_it(
    keycloak: KeycloakTestServer, directory: KeycloakOrganizationDirectory
) -> None:
    alias = new_alias()

    organization_id = await directory.ensure_organization(
        alias, "Université de Test", [f"{alias}.example.org"]
    )

    [stored] = organizations_with_alias(keycloak, alias)
    assert stored["id"] == organization_id
    assert stored["name"] == "Université de Test"
    assert stored["enabled"] is True
    assert [d["name"] for d in stored["domains"]] == [f"{alias}.example.org"]


@pytest.mark.keycloak
async def test_ensure_organization_twice_is_idempotent(
    keycloak: KeycloakTestServer, directory: KeycloakOrganizationDirectory
) -> None:
    alias = new_alias()
    domains = [f"{alias}.example.org"]

    first = await directory.ensure_organization(alias, "Twice University", domains)
    second = await directory.ensure_organization(alias, "Twice University", domains)

    assert second == first
    assert len(organizations_with_alias(keycloak, alias)) == 1


@pytest.mark.keycloak
async def test_ensure_organization_updates_name_and_domains(
    keycloak: KeycloakTestServer, directory: KeycloakOrganizationDirectory
) -> None:
    alias = new_alias()
    first = await directory.ensure_organization(alias, "Old Name", [f"old-{alias}.example.org"])

    second = await directory.ensure_organization(
        alias, "New Name", [f"new-{alias}.example.org", f"{alias}.example.net"]
    )

    [stored] = organizations_with_alias(keycloak, alias)
    assert second == first
    assert stored["name"] == "New Name"
    assert sorted(d["name"] for d in stored["domains"]) == [
        f"new-{alias}.example.org",
        f"{alias}.example.net",
    ]


@pytest.mark.keycloak
async def test_ensure_organization_returns_seeded_one(
    keycloak: KeycloakTestServer, directory: KeycloakOrganizationDirectory
) -> None:
    [seeded] = organizations_with_alias(keycloak, "btu")

    organization_id = await directory.ensure_organization("btu", seeded["name"], ["b-tu.de"])

    assert organization_id == seeded["id"]
    assert organizations_with_alias(keycloak, "btu") == [seeded]


@pytest.mark.keycloak
@pytest.mark.integration
async def test_provision_tenant_organization_uses_tenant(
    db: str,
    settings: Settings,
    keycloak: KeycloakTestServer,
    directory: KeycloakOrganizationDirectory,
) -> None:
    alias = new_alias()
    created = await make_tenant(settings, alias, email_domain=f"{alias}.example.org")

    organization_id = await provision_tenant_organization(directory, created)

    [stored] = organizations_with_alias(keycloak, alias)
    assert stored["id"] == organization_id
    assert stored["name"] == created.name
    assert [d["name"] for d in stored["domains"]] == [f"{alias}.example.org"]


@pytest.mark.keycloak
async def test_domain_of_another_organization_fails(
    directory: KeycloakOrganizationDirectory,
) -> None:
    alias = new_alias()

    with pytest.raises(ProvisioningError) as raised:
        await directory.ensure_organization(alias, "Domain Thief", ["uphf.fr"])

    assert raised.value.code == "keycloak-provisioning-failed"
    assert "uphf.fr is already linked" in raised.value.message
    assert f"badgehub tenant sync {alias}" in raised.value.message


@pytest.mark.keycloak
async def test_wrong_client_secret_fails(keycloak: KeycloakTestServer, settings: Settings) -> None:
    wrong = "not-the-provisioning-secret"
    configured = dataclasses.replace(
        keycloak.hub_settings(settings), provisioning_client_secret=wrong
    )

    with capture_logs() as logs, pytest.raises(ProvisioningError) as raised:
        await KeycloakOrganizationDirectory(configured).ensure_organization("uphf", "UPHF", [])

    assert raised.value.code == "keycloak-provisioning-failed"
    assert "HUB_PROVISIONING_CLIENT_SECRET" in raised.value.message
    assert raised.value.retry_command == "badgehub tenant sync uphf"
    assert wrong not in raised.value.message
    assert wrong not in repr(logs)


async def test_unreachable_keycloak_names_retry(settings: Settings) -> None:
    closed_port = free_port()  # Nothing listens there once free_port has closed its socket.
    configured = dataclasses.replace(
        settings,
        keycloak_url=f"http://127.0.0.1:{closed_port}",
        provisioning_client_secret=SECRET,
    )

    with capture_logs() as logs, pytest.raises(ProvisioningError) as raised:
        await KeycloakOrganizationDirectory(configured).ensure_organization(
            "uphf", "Université Polytechnique Hauts-de-France", ["uphf.fr"]
        )

    assert raised.value.code == "keycloak-unavailable"
    assert "unreachable" in raised.value.message
    assert "run `badgehub tenant sync uphf` when Keycloak is back" in raised.value.message
    assert raised.value.extra["retry_command"] == "badgehub tenant sync uphf"
    assert [entry["event"] for entry in logs] == ["keycloak_unavailable"]
    assert SECRET not in repr(logs)


@pytest.mark.integration
async def test_alliance_tenant_gets_no_organization(db: str, settings: Settings) -> None:
    recording = RecordingDirectory()
    alliance = await make_tenant(settings, "eunice", kind="alliance", email_domain="")

    result = await provision_tenant_organization(recording, alliance)

    assert result is None
    assert recording.calls == []


@pytest.mark.integration
async def test_university_without_domain_gets_no_domains(db: str, settings: Settings) -> None:
    recording = RecordingDirectory()
    university = await make_tenant(settings, "newu", email_domain="")

    result = await provision_tenant_organization(recording, university)

    assert result == "id-newu"
    assert recording.calls == [("newu", university.name, [])]


def test_directory_needs_keycloak_settings(settings: Settings) -> None:
    configured = dataclasses.replace(settings, keycloak_url="http://127.0.0.1:8080")

    assert organization_directory(settings) is None
    assert organization_directory(configured) is None
    assert (
        organization_directory(dataclasses.replace(configured, provisioning_client_secret=SECRET))
        is not None
    )
