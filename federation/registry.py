"""The alliance's trust registry: a versioned list of members, signed by the alliance.

Each version is a W3C Verifiable Credential (VC Data Model 2.0) issued by the alliance's did:web
and signed with its Ed25519 key as a Data Integrity proof (eddsa-rdfc-2022, see
:mod:`hub.credentials.dataintegrity`). The credential subject is the alliance, of type
``TrustRegistry``, and each ``member`` is an Open Badges 3.0 ``Profile`` (``id`` is the member's
DID, with ``name``, ``url``, ``address.addressCountryCode`` and ``image``). Open Badges 3.0 has no
term for a membership's status or start date, so ``membershipStatus``, ``memberSince``,
``registryVersion``, ``member`` and the two types come from the hub's own bundled context
(:data:`REGISTRY_CONTEXT`, pinned by SHA-256 in ``hub/credentials/contexts/index.json``).

A new version is signed in the transaction of every membership change, so the stored versions
form the history of the alliance's membership and the latest one always matches the table.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import structlog

from federation.tables import Membership, RegistryVersion
from hub.audit import record_event
from hub.credentials import dataintegrity
from hub.credentials.report import Check, CheckId, CheckStatus
from hub.credentials.verifier import VC_V2_CONTEXT
from hub.credentials.verifier.content import OB_CONTEXT
from hub.errors import NotFoundError
from hub.settings import Settings
from tenants import identity
from tenants.services import load_keyring
from tenants.tables import Tenant

log = structlog.get_logger(__name__)

# NOTE: The hub never fetches JSON-LD contexts, so this URL is only an identifier. It names a
# path on the alliance's own domain, which should serve the same file as ``CONTEXT_PATH`` does
# on every hub. Changing the file needs a new URL, because its SHA-256 is pinned.
REGISTRY_CONTEXT = "https://eunice-university.eu/ns/trust-registry/v1"
REGISTRY_CREDENTIAL_TYPE = "TrustRegistryCredential"
REGISTRY_SUBJECT_TYPE = "TrustRegistry"
WELL_KNOWN_PATH = "/.well-known/eunice-registry.json"
CONTEXT_PATH = "/federation/contexts/trust-registry-v1.jsonld"
ACTIVE, SUSPENDED = "active", "suspended"


def registry_url(settings: Settings) -> str:
    """Return the URL of the latest version, the address that relying parties use."""
    return f"{settings.base_url}{WELL_KNOWN_PATH}"


def version_url(settings: Settings, version: int) -> str:
    return f"{settings.base_url}/federation/registry/versions/{version}.json"


def logo_url(settings: Settings, slug: str) -> str:
    return f"{settings.base_url}/federation/members/{slug}/logo.svg"


@dataclass(frozen=True)
class RegistryMember:
    """One member as the registry lists it."""

    did: str
    name: str
    url: str
    country: str
    status: str
    member_since: str
    image: str | None = None

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE


@dataclass(frozen=True)
class TrustRegistry:
    """The content of one signed registry version, read back from its JSON."""

    alliance_did: str
    alliance_name: str
    version: int
    valid_from: str
    members: tuple[RegistryMember, ...]

    def member(self, did: str) -> RegistryMember | None:
        return next((member for member in self.members if member.did == did), None)

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> TrustRegistry:
        """Read a registry document this hub signed; raises KeyError or TypeError otherwise."""
        subject = document["credentialSubject"]
        members = tuple(_member_from_json(entry) for entry in subject.get("member", []))
        return cls(
            alliance_did=document["issuer"]["id"],
            alliance_name=document["issuer"]["name"],
            version=int(subject["registryVersion"]),
            valid_from=document["validFrom"],
            members=members,
        )


def _member_from_json(entry: dict[str, Any]) -> RegistryMember:
    image = entry.get("image")
    return RegistryMember(
        did=entry["id"],
        name=entry["name"],
        url=entry["url"],
        country=entry["address"]["addressCountryCode"],
        status=entry["membershipStatus"],
        member_since=entry["memberSince"],
        image=image["id"] if isinstance(image, dict) else None,
    )


@dataclass(frozen=True)
class RegistrySource:
    """A registry and the URL it was published at: this hub's own, or a peer hub's."""

    registry: TrustRegistry
    url: str


async def get_alliance() -> Tenant:
    """Return the hub's alliance: the oldest tenant of kind ``alliance``."""
    alliance = (
        await Tenant.objects()
        .output(load_json=True)
        .where(Tenant.kind == "alliance")
        .order_by(Tenant.id)
        .first()
    )
    if alliance is None:
        raise NotFoundError(
            "this hub has no alliance tenant, so it publishes no trust registry; create a "
            "tenant of kind 'alliance' (the demo seed creates EUNICE)",
            code="alliance-not-found",
        )
    return alliance


async def memberships_of(alliance: Tenant) -> list[Membership]:
    """Return the alliance's memberships with their member tenants, ordered by member slug."""
    rows = (
        await Membership.objects(Membership.member)
        .output(load_json=True)
        .where(Membership.alliance == alliance.id)
    )
    return sorted(rows, key=lambda row: row.member.slug)


def member_profile(settings: Settings, membership: Membership) -> dict[str, Any]:
    """Describe one member as an Open Badges 3.0 Profile with its membership terms."""
    tenant: Tenant = membership.member
    profile: dict[str, Any] = {
        "id": identity.tenant_did(settings, tenant.slug),
        "type": ["Profile"],
        "name": tenant.name_en or tenant.name,
        "url": tenant.home_page,
        "address": {"type": ["Address"], "addressCountryCode": tenant.country},
        "membershipStatus": membership.status,
        "memberSince": _iso_date(membership.member_since),
    }
    if tenant.logo_svg:
        profile["image"] = {"id": logo_url(settings, tenant.slug), "type": "Image"}
    return profile


def _iso_date(value: date | datetime) -> str:
    return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()


def registry_subject(
    settings: Settings, alliance: Tenant, memberships: list[Membership], version: int
) -> dict[str, Any]:
    return {
        "id": identity.tenant_did(settings, alliance.slug),
        "type": [REGISTRY_SUBJECT_TYPE],
        "registryVersion": version,
        "member": [member_profile(settings, membership) for membership in memberships],
    }


def registry_document(
    settings: Settings, alliance: Tenant, subject: dict[str, Any], created: datetime
) -> dict[str, Any]:
    """Build the unsigned registry credential around a subject from :func:`registry_subject`."""
    version = subject["registryVersion"]
    issuer = identity.issuer_profile(settings, alliance).to_json()
    return {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT, REGISTRY_CONTEXT],
        "id": version_url(settings, version),
        "type": ["VerifiableCredential", REGISTRY_CREDENTIAL_TYPE],
        "name": f"{alliance.name_en or alliance.name} trust registry, version {version}",
        "issuer": issuer,
        "validFrom": dataintegrity.format_created(created),
        "credentialSubject": subject,
    }


async def publish_registry_version(
    settings: Settings, alliance: Tenant, actor: str
) -> RegistryVersion:
    """Sign and store the next registry version from the memberships as they are now.

    Runs in the caller's transaction when there is one, so the version commits or rolls back
    with the membership change it records. The alliance row stays locked until then, which
    serialises concurrent changes and keeps version numbers gapless.
    """
    async with RegistryVersion._meta.db.transaction():
        await Tenant.raw("SELECT id FROM tenant WHERE id = {} FOR UPDATE", alliance.id)
        latest = await latest_version(alliance)
        number = 1 if latest is None else latest.version + 1
        subject = registry_subject(settings, alliance, await memberships_of(alliance), number)
        row = await _sign_and_store(settings, alliance, subject, actor)
        await record_event(
            "trust-registry:published",
            actor=actor,
            tenant=alliance.slug,
            target=str(number),
            details={"members": len(subject["member"])},
        )
    log.info("trust_registry_published", tenant=alliance.slug, version=number)
    return row


async def _sign_and_store(
    settings: Settings, alliance: Tenant, subject: dict[str, Any], actor: str
) -> RegistryVersion:
    created = datetime.now(UTC).replace(microsecond=0)
    unsigned = registry_document(settings, alliance, subject, created)
    keyring = await load_keyring(settings, alliance)
    signed = dataintegrity.sign_eddsa_rdfc_2022(
        unsigned,
        keyring.ed25519.private_key,
        keyring.ed25519.verification_method,
        created=created,
    )
    row = RegistryVersion(
        alliance=alliance.id,
        version=subject["registryVersion"],
        document_text=json.dumps(signed, ensure_ascii=False, separators=(",", ":")),
        created_at=created,
        created_by=actor,
    )
    await row.save()
    return row


async def ensure_current_registry(
    settings: Settings, alliance: Tenant, actor: str
) -> RegistryVersion:
    """Return the latest version, signing a new one first when the memberships differ from it.

    The seed calls this after creating memberships directly; services that change a membership
    call :func:`publish_registry_version` instead.
    """
    latest = await latest_version(alliance)
    if latest is not None:
        listed = json.loads(latest.document_text)["credentialSubject"]["member"]
        current = [member_profile(settings, row) for row in await memberships_of(alliance)]
        if listed == current:
            return latest
    return await publish_registry_version(settings, alliance, actor)


async def latest_version(alliance: Tenant) -> RegistryVersion | None:
    return (
        await RegistryVersion.objects()
        .where(RegistryVersion.alliance == alliance.id)
        .order_by(RegistryVersion.version, ascending=False)
        .first()
    )


async def get_version(alliance: Tenant, version: int) -> RegistryVersion:
    row = (
        await RegistryVersion.objects()
        .where(RegistryVersion.alliance == alliance.id, RegistryVersion.version == version)
        .first()
    )
    if row is None:
        raise NotFoundError(
            f"the trust registry of {alliance.slug!r} has no version {version}; the latest "
            f"version is at {WELL_KNOWN_PATH}",
            code="registry-version-not-found",
        )
    return row


async def require_latest_version(alliance: Tenant) -> RegistryVersion:
    latest = await latest_version(alliance)
    if latest is None:
        raise NotFoundError(
            f"the alliance {alliance.slug!r} has not published a trust registry yet; add a "
            "member or run the seed to sign the first version",
            code="registry-not-published",
        )
    return latest


async def list_versions(alliance: Tenant) -> list[dict[str, Any]]:
    """Return the number, date and author of every version, newest first."""
    rows: list[dict[str, Any]] = (
        await RegistryVersion.select(
            RegistryVersion.version, RegistryVersion.created_at, RegistryVersion.created_by
        )
        .where(RegistryVersion.alliance == alliance.id)
        .order_by(RegistryVersion.version, ascending=False)
    )
    return rows


async def latest_registries() -> list[TrustRegistry]:
    """Return the latest registry of every alliance of this hub."""
    rows = await RegistryVersion.raw(
        "SELECT DISTINCT ON (alliance) document_text FROM registry_version "
        "ORDER BY alliance, version DESC"
    )
    return [TrustRegistry.from_document(json.loads(row["document_text"])) for row in rows]


def is_registry_document(document: Mapping[str, Any]) -> bool:
    types = document.get("type")
    return REGISTRY_CREDENTIAL_TYPE in (types if isinstance(types, list) else [types])


def registry_type_check(document: Mapping[str, Any]) -> Check:
    """Check the types and context of a trust registry, in place of the Open Badges type check."""
    types = document.get("type")
    names = types if isinstance(types, list) else [types]
    contexts = document.get("@context")
    required = ("VerifiableCredential", REGISTRY_CREDENTIAL_TYPE)
    missing = [name for name in required if name not in names]
    if missing:
        message = (
            f"type {names} is missing {', '.join(missing)}; a trust registry has the types "
            f"{' and '.join(required)}"
        )
        return Check(CheckId.TYPE, CheckStatus.FAILED, message)
    if not isinstance(contexts, list) or REGISTRY_CONTEXT not in contexts:
        message = f"the @context does not include {REGISTRY_CONTEXT}, which defines the registry"
        return Check(CheckId.TYPE, CheckStatus.FAILED, message)
    return Check(CheckId.TYPE, CheckStatus.PASSED, f"type {REGISTRY_CREDENTIAL_TYPE}")
