"""Public identity documents of a tenant: did:web DID document, JWKS and OB 3.0 Profile.

did:web (W3C CCG DID Method "web", §3.2): ``did:web:HOST:tenants:SLUG`` resolves to
``https://HOST/tenants/SLUG/did.json``. Every key that is not revoked stays listed, retired ones
included, so rotating a key never breaks credentials it signed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hub.credentials.ob3 import IssuerProfile
from hub.settings import Settings
from tenants.tables import IssuerKey, Tenant

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
JWK_CONTEXT = "https://w3id.org/security/jwk/v1"


def tenant_did(settings: Settings, slug: str) -> str:
    return f"did:web:{settings.did_web_host}:tenants:{slug}"


def tenant_url(settings: Settings, slug: str) -> str:
    return f"{settings.base_url}/tenants/{slug}"


def verification_method_id(settings: Settings, slug: str, fragment: str) -> str:
    return f"{tenant_did(settings, slug)}#{fragment}"


def issuer_profile(settings: Settings, tenant: Tenant, language: str = "en") -> IssuerProfile:
    name = tenant.name if language != "en" or not tenant.name_en else tenant.name_en
    description = (tenant.description or {}).get(language) or (tenant.description or {}).get("en")
    return IssuerProfile(
        id=tenant_did(settings, tenant.slug),
        name=name,
        url=tenant.home_page,
        description=description,
    )


def verification_method(settings: Settings, slug: str, key: IssuerKey) -> dict[str, Any]:
    did = tenant_did(settings, slug)
    method: dict[str, Any] = {
        "id": f"{did}#{key.fragment}",
        "controller": did,
    }
    if key.algorithm == "Ed25519":
        method["type"] = "Multikey"
        method["publicKeyMultibase"] = key.fragment
    else:
        method["type"] = "JsonWebKey"
        method["publicKeyJwk"] = {k: v for k, v in key.public_jwk.items() if k != "kid"}
    return method


def did_document(settings: Settings, tenant: Tenant, keys: Sequence[IssuerKey]) -> dict[str, Any]:
    did = tenant_did(settings, tenant.slug)
    methods = [verification_method(settings, tenant.slug, key) for key in keys]
    method_ids = [method["id"] for method in methods]
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT, JWK_CONTEXT],
        "id": did,
        "alsoKnownAs": [tenant_url(settings, tenant.slug)],
        "verificationMethod": methods,
        "assertionMethod": method_ids,
        "authentication": method_ids,
        "service": [
            {
                "id": f"{did}#profile",
                "type": "LinkedDomains",
                "serviceEndpoint": tenant.home_page,
            }
        ],
    }


def jwks(keys: Sequence[IssuerKey], settings: Settings, slug: str) -> dict[str, Any]:
    """RFC 7517 key set; each ``kid`` is the DID URL that VC-JWT headers carry."""
    entries = []
    for key in keys:
        jwk = dict(key.public_jwk)
        jwk["kid"] = verification_method_id(settings, slug, key.fragment)
        jwk["use"] = "sig"
        jwk["alg"] = "EdDSA" if key.algorithm == "Ed25519" else "RS256"
        entries.append(jwk)
    return {"keys": entries}


def profile_document(settings: Settings, tenant: Tenant) -> dict[str, Any]:
    """Build the OB 3.0 issuer Profile as a JSON-LD document, served at the tenant URL."""
    profile = issuer_profile(settings, tenant).to_json()
    profile["@context"] = [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    profile["address"] = {
        "type": ["Address"],
        "addressCountryCode": tenant.country,
        "addressLocality": tenant.city,
    }
    return profile
