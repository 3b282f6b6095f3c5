"""Keycloak organizations for tenants, through the Keycloak 26 Admin REST API.

Each university tenant has one organization in the alliance realm whose alias is the tenant's
slug and whose domains are its e-mail domains. ``KeycloakOrganizationDirectory`` uses
python-keycloak's ``KeycloakAdmin`` (7.1) with the provisioning client's service account,
which needs the ``realm-management`` roles ``manage-organizations`` and ``view-organizations``.

The tenant row is the source of truth and is saved first. When Keycloak is unreachable or
rejects the change, ``ProvisioningError`` reports it and names the command that retries it.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

import structlog
from keycloak import KeycloakAdmin, KeycloakOpenIDConnection
from keycloak.exceptions import (
    KeycloakAuthenticationError,
    KeycloakConnectionError,
    KeycloakError,
    KeycloakPostError,
)

from hub.errors import HubError
from hub.settings import Settings, SettingsError
from tenants.tables import Tenant

log = structlog.get_logger(__name__)

REQUEST_TIMEOUT_SECONDS = 10
HTTP_CONFLICT = 409


class ProvisioningError(HubError):
    """Keycloak did not take a tenant's organization; ``retry_command`` repeats the attempt.

    ``code`` is ``keycloak-unavailable`` when Keycloak could not be reached or failed on its
    side (retry later), and ``keycloak-provisioning-failed`` when it rejected the request.
    """

    code = "keycloak-provisioning-failed"

    def __init__(self, message: str, *, code: str, slug: str) -> None:
        retry_command = f"badgehub tenant sync {slug}"
        super().__init__(message, code=code, slug=slug, retry_command=retry_command)
        self.slug = slug
        self.retry_command = retry_command


class OrganizationDirectory(Protocol):
    """The store of tenants' organizations: Keycloak in production, a fake in unit tests."""

    async def ensure_organization(self, slug: str, name: str, domains: list[str]) -> str:
        """Create or update the organization with alias ``slug`` and return its id.

        Idempotent: an existing organization with that alias is kept, and its name and
        domains are updated when they differ.
        """
        ...


class KeycloakOrganizationDirectory:
    """``OrganizationDirectory`` on a Keycloak realm, as the provisioning service account."""

    def __init__(self, settings: Settings, *, timeout: int = REQUEST_TIMEOUT_SECONDS) -> None:
        if settings.keycloak_url is None or settings.provisioning_client_secret is None:
            raise SettingsError(
                "Keycloak provisioning needs HUB_KEYCLOAK_URL and "
                "HUB_PROVISIONING_CLIENT_SECRET; set both, or leave provisioning off"
            )
        self._server_url = settings.keycloak_url.rstrip("/") + "/"
        self._realm = settings.keycloak_realm
        self._client_id = settings.provisioning_client_id
        self._client_secret = settings.provisioning_client_secret
        self._timeout = timeout

    async def ensure_organization(self, slug: str, name: str, domains: list[str]) -> str:
        connection = self._connect()
        try:
            await connection.a_get_token()
            admin = KeycloakAdmin(connection=connection)
            organization_id = await self._create_or_update(admin, slug, name, domains)
        except KeycloakError as error:
            raise self._provisioning_error(error, slug) from error
        finally:
            await _close(connection)
        log.debug("keycloak_organization_ensured", tenant=slug, organization_id=organization_id)
        return organization_id

    def _connect(self) -> KeycloakOpenIDConnection:
        return KeycloakOpenIDConnection(
            server_url=self._server_url,
            realm_name=self._realm,
            client_id=self._client_id,
            client_secret_key=self._client_secret,
            grant_type="client_credentials",
            timeout=self._timeout,
        )

    async def _create_or_update(
        self, admin: KeycloakAdmin, slug: str, name: str, domains: list[str]
    ) -> str:
        existing = await _find_by_alias(admin, slug)
        if existing is None:
            try:
                return await _create(admin, slug, name, domains)
            except KeycloakPostError as error:
                # Another hub process may have created it since the lookup; otherwise the name
                # or a domain belongs to another organization, which the caller must resolve.
                existing = await _find_by_alias(admin, slug)
                if error.response_code != HTTP_CONFLICT or existing is None:
                    raise
        if _differs(existing, name, domains):
            await admin.a_update_organization(
                existing["id"], _representation(existing, name, domains)
            )
            log.info("keycloak_organization_updated", tenant=slug, organization_id=existing["id"])
        return str(existing["id"])

    def _provisioning_error(self, error: KeycloakError, slug: str) -> ProvisioningError:
        retry = f"run `badgehub tenant sync {slug}`"
        status = error.response_code
        if isinstance(error, KeycloakConnectionError) or (status is not None and status >= 500):
            reason = "unreachable" if status is None else f"failing (HTTP {status})"
            message = (
                f"Keycloak at {self._server_url} is {reason}, so the organization of tenant "
                f"{slug!r} was not created or updated; {retry} when Keycloak is back"
            )
            log.warning(
                "keycloak_unavailable",
                tenant=slug,
                status=status,
                error=str(error.__cause__ or error),
            )
            return ProvisioningError(message, code="keycloak-unavailable", slug=slug)
        message = (
            f"Keycloak rejected the organization of tenant {slug!r}: "
            f"{self._explain(error)}; fix that, then {retry}"
        )
        log.warning("keycloak_provisioning_failed", tenant=slug, status=status)
        return ProvisioningError(message, code="keycloak-provisioning-failed", slug=slug)

    def _explain(self, error: KeycloakError) -> str:
        if isinstance(error, KeycloakAuthenticationError) or error.response_code == 401:
            return (
                f"client {self._client_id!r} could not sign in to realm {self._realm!r} "
                "(check HUB_PROVISIONING_CLIENT_ID and HUB_PROVISIONING_CLIENT_SECRET)"
            )
        if error.response_code == 403:
            return (
                f"the service account of {self._client_id!r} lacks the realm-management roles "
                "manage-organizations and view-organizations"
            )
        return f"HTTP {error.response_code}: {_keycloak_message(error)}"


async def _find_by_alias(admin: KeycloakAdmin, alias: str) -> dict[str, Any] | None:
    # Keycloak 26 searches organizations by name or domain, not by alias, so this lists them
    # all. An alliance has tens of members, and python-keycloak fetches the list in pages.
    organizations: list[dict[str, Any]] = await admin.a_get_organizations(
        {"briefRepresentation": False}
    )
    return next((org for org in organizations if org.get("alias") == alias), None)


async def _create(admin: KeycloakAdmin, slug: str, name: str, domains: list[str]) -> str:
    payload = {
        "alias": slug,
        "name": name,
        "enabled": True,
        "domains": [{"name": domain} for domain in domains],
    }
    organization_id = await admin.a_create_organization(payload)
    if organization_id is None:
        # Keycloak responds 201 with a Location header. Without one, look the new id up.
        created = await _find_by_alias(admin, slug)
        if created is None:
            raise KeycloakPostError(error_message=b"created organization not found")
        organization_id = created["id"]
    log.info("keycloak_organization_created", tenant=slug, organization_id=organization_id)
    return str(organization_id)


def _differs(existing: dict[str, Any], name: str, domains: list[str]) -> bool:
    current = {domain["name"] for domain in existing.get("domains", [])}
    return bool(existing.get("name") != name or current != set(domains))


def _representation(existing: dict[str, Any], name: str, domains: list[str]) -> dict[str, Any]:
    """Return ``existing`` with ``name`` and exactly ``domains``, keeping verified flags."""
    current = existing.get("domains", [])
    verified = {domain["name"]: domain.get("verified", False) for domain in current}
    return {
        **existing,
        "name": name,
        "domains": [{"name": d, "verified": verified.get(d, False)} for d in domains],
    }


def _keycloak_message(error: KeycloakError) -> str:
    raw = error.error_message
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else str(raw)
    try:
        body = json.loads(text)
    except ValueError:
        return text
    if isinstance(body, dict):
        for key in ("errorMessage", "error_description", "error"):
            if isinstance(body.get(key), str):
                return str(body[key])
    return text


async def _close(connection: KeycloakOpenIDConnection) -> None:
    # The token request runs on a second HTTP client inside KeycloakOpenID; close both.
    await connection.aclose()
    openid = getattr(connection, "_keycloak_openid", None)
    if openid is not None:
        await openid.connection.aclose()


def organization_directory(settings: Settings) -> OrganizationDirectory | None:
    """Return the Keycloak directory, or None when provisioning is not configured."""
    if settings.keycloak_url is None or settings.provisioning_client_secret is None:
        return None
    return KeycloakOrganizationDirectory(settings)


async def provision_tenant_organization(
    directory: OrganizationDirectory, tenant: Tenant
) -> str | None:
    """Ensure the organization of a university tenant; return its id.

    The alliance tenant gets none: its administrators hold the realm role ``alliance-admin``.
    """
    if tenant.kind != "university":
        return None
    domains = [tenant.email_domain] if tenant.email_domain else []
    return await directory.ensure_organization(tenant.slug, tenant.name, domains)
