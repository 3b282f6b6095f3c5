"""Another alliance's hub, imitated by a loopback document server: its signed trust registry and
the did:web documents of the alliance and its members, with keys made for the test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from federation.registry import (
    REGISTRY_CONTEXT,
    REGISTRY_CREDENTIAL_TYPE,
    REGISTRY_SUBJECT_TYPE,
    WELL_KNOWN_PATH,
)
from hub.credentials import dataintegrity, multikey
from hub.credentials.verifier import OB_CONTEXT, VC_V2_CONTEXT
from tests.document_server import DocumentServer, Route

VC_MEDIA_TYPE = {"Content-Type": "application/vc"}


@dataclass
class ForeignIssuer:
    slug: str
    did: str
    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    @property
    def verification_method(self) -> str:
        return f"{self.did}#{multikey.encode_public_key(self.key.public_key())}"

    def did_document(self) -> dict[str, Any]:
        method = self.verification_method
        return {
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": self.did,
            "verificationMethod": [
                {
                    "id": method,
                    "type": "Multikey",
                    "controller": self.did,
                    "publicKeyMultibase": method.partition("#")[2],
                }
            ],
            "assertionMethod": [method],
        }


class ForeignAlliance:
    """Serves a registry at ``registry_url`` and DID documents at their did:web locations."""

    def __init__(self, server: DocumentServer, name: str = "Other Alliance") -> None:
        self.server = server
        self.name = name
        self.base_url = f"http://127.0.0.1:{server.port}"
        self.alliance = self.issuer("alliance")
        self.members: dict[str, ForeignIssuer] = {}
        self.serve_documents(self.alliance)

    @property
    def registry_url(self) -> str:
        return f"{self.base_url}{WELL_KNOWN_PATH}"

    def issuer(self, slug: str) -> ForeignIssuer:
        return ForeignIssuer(slug, f"did:web:127.0.0.1%3A{self.server.port}:tenants:{slug}")

    def add_member(self, slug: str) -> ForeignIssuer:
        member = self.issuer(slug)
        self.members[slug] = member
        self.serve_documents(member)
        return member

    def serve_documents(self, issuer: ForeignIssuer) -> None:
        body = json.dumps(issuer.did_document()).encode()
        self.server.routes[f"/tenants/{issuer.slug}/did.json"] = Route(body)

    def registry(self, version: int, statuses: dict[str, str]) -> dict[str, Any]:
        """Sign a registry version listing the members with the given statuses."""
        created = datetime.now(UTC).replace(microsecond=0)
        unsigned = {
            "@context": [VC_V2_CONTEXT, OB_CONTEXT, REGISTRY_CONTEXT],
            "id": f"{self.base_url}/federation/registry/versions/{version}.json",
            "type": ["VerifiableCredential", REGISTRY_CREDENTIAL_TYPE],
            "name": f"{self.name} trust registry, version {version}",
            "issuer": {
                "id": self.alliance.did,
                "type": ["Profile"],
                "name": self.name,
                "url": "https://alliance.example",
            },
            "validFrom": dataintegrity.format_created(created),
            "credentialSubject": {
                "id": self.alliance.did,
                "type": [REGISTRY_SUBJECT_TYPE],
                "registryVersion": version,
                "member": [self._profile(slug, status) for slug, status in statuses.items()],
            },
        }
        return dataintegrity.sign_eddsa_rdfc_2022(
            unsigned, self.alliance.key, self.alliance.verification_method, created=created
        )

    def _profile(self, slug: str, status: str) -> dict[str, Any]:
        return {
            "id": self.members[slug].did,
            "type": ["Profile"],
            "name": f"University {slug.upper()}",
            "url": f"https://www.{slug}.example",
            "address": {"type": ["Address"], "addressCountryCode": "DE"},
            "membershipStatus": status,
            "memberSince": "2024-01-01",
        }

    def publish(self, document: dict[str, Any] | bytes, **route: Any) -> None:
        body = document if isinstance(document, bytes) else json.dumps(document).encode()
        self.server.routes[WELL_KNOWN_PATH] = Route(body, headers=dict(VC_MEDIA_TYPE), **route)
