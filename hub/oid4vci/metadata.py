"""Credential Issuer metadata (OpenID4VCI 1.0 §12.2), authorisation server metadata (RFC 8414)
and credential offers (§4.1) of one tenant."""

from __future__ import annotations

from typing import Any

from hub.credentials.ob3 import CREDENTIAL_CONTEXT
from hub.oid4vci.proofs import PROOF_ALGORITHMS
from hub.settings import Settings
from tenants import identity
from tenants.tables import Tenant

JWT_VC_JSON = "jwt_vc_json"
LDP_VC = "ldp_vc"
# Credential configuration id -> format; every offer lists both, the wallet picks one.
CONFIGURATIONS = {
    "OpenBadgeCredential_jwt_vc_json": JWT_VC_JSON,
    "OpenBadgeCredential_ldp_vc": LDP_VC,
}
CREDENTIAL_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
BINDING_METHODS = ["did:key", "did:jwk", "jwk"]


def issuer_id(settings: Settings, slug: str) -> str:
    """The Credential Issuer identifier of a tenant, which is also its authorisation server."""
    return identity.tenant_url(settings, slug)


# The maximum number of key proofs, so of bound copies, in one credential request.
BATCH_SIZE = 5


def endpoint(settings: Settings, slug: str, name: str) -> str:
    return f"{issuer_id(settings, slug)}/oid4vci/{name}"


def offer_document(
    settings: Settings, slug: str, code: str, *, has_tx_code: bool
) -> dict[str, Any]:
    grant: dict[str, Any] = {"pre-authorized_code": code}
    if has_tx_code:
        grant["tx_code"] = {
            "input_mode": "numeric",
            "length": 6,
            "description": "Code shown beside the QR code / Code affiché à côté du QR code",
        }
    return {
        "credential_issuer": issuer_id(settings, slug),
        "credential_configuration_ids": list(CONFIGURATIONS),
        "grants": {PRE_AUTHORIZED_GRANT: grant},
    }


def issuer_metadata(settings: Settings, tenant: Tenant) -> dict[str, Any]:
    display = [
        {"name": tenant.name, "locale": "fr"},
        {"name": tenant.name_en or tenant.name, "locale": "en"},
    ]
    return {
        "credential_issuer": issuer_id(settings, tenant.slug),
        "credential_endpoint": endpoint(settings, tenant.slug, "credential"),
        "nonce_endpoint": endpoint(settings, tenant.slug, "nonce"),
        # Up to this many copies per request, each bound to its own wallet key (§12.2.4).
        "batch_credential_issuance": {"batch_size": BATCH_SIZE},
        "display": display,
        "credential_configurations_supported": {
            configuration_id: _configuration(credential_format)
            for configuration_id, credential_format in CONFIGURATIONS.items()
        },
    }


def _configuration(credential_format: str) -> dict[str, Any]:
    definition: dict[str, Any] = {"type": CREDENTIAL_TYPES}
    if credential_format == LDP_VC:
        definition = {"@context": list(CREDENTIAL_CONTEXT), "type": CREDENTIAL_TYPES}
    return {
        "format": credential_format,
        "cryptographic_binding_methods_supported": BINDING_METHODS,
        "credential_signing_alg_values_supported": (
            ["RS256"] if credential_format == JWT_VC_JSON else ["eddsa-rdfc-2022"]
        ),
        "proof_types_supported": {
            "jwt": {"proof_signing_alg_values_supported": list(PROOF_ALGORITHMS)}
        },
        "credential_definition": definition,
        "credential_metadata": {
            "display": [
                {"name": "Open Badge", "locale": "en"},
                {"name": "Open Badge", "locale": "fr"},
            ]
        },
    }


def authorization_server_metadata(settings: Settings, slug: str) -> dict[str, Any]:
    return {
        "issuer": issuer_id(settings, slug),
        "token_endpoint": endpoint(settings, slug, "token"),
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "pre-authorized_grant_anonymous_access_supported": True,
        "response_types_supported": [],
    }
