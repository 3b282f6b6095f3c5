"""Credentials issued by the hub verify with Digital Bazaar's independent JavaScript stack."""

from __future__ import annotations

import asyncio
import copy
import json
import uuid
from typing import Any

import pytest

from hub.settings import Settings
from tenants import identity, status
from tenants.scope import TenantScope
from tenants.services import get_tenant, published_keys
from tenants.status_publishing import published_status_list
from tenants.tables import StatusList, Tenant
from tests.factories import make_achievement, make_award, make_tenant

from .jsverifier import verify_with_digitalbazaar

pytestmark = [pytest.mark.interop, pytest.mark.integration]


async def issue(settings: Settings) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Issue one credential; return it with the DID document and status lists it refers to."""
    tenant = await make_tenant(settings)
    achievement = await make_achievement(
        tenant,
        name={"fr": "Gérer un projet « agile »", "en": 'Managing a "project"\n'},
        levels=[
            {"id": "practitioner", "name": {"fr": "Praticien", "en": "Practitioner"}},
            {"id": "expert", "name": {"fr": "Expert", "en": "Expert"}},
        ],
        alignments=[
            {
                "target_name": "manage a project",
                "target_url": "http://data.europa.eu/esco/skill/example",
                "target_framework": "ESCO",
                "target_type": "ceasn:Competency",
            }
        ],
        credits_available=2.5,
        eqf_level=6,
        evidence={"fr": "Rapport de projet.", "en": "Project report."},
    )
    award = (
        await make_award(
            settings,
            tenant,
            achievement,
            language="fr",
            level="expert",
            evidence_url="https://portfolio.example.org/ada/project",
            narrative="A mené le projet de bout en bout.",
        )
    ).award
    did_document = identity.did_document(settings, tenant, await published_keys(tenant))
    credential = json.loads(award.credential_text)
    return credential, {did_document["id"]: did_document, **await status_lists(settings, tenant)}


async def status_lists(settings: Settings, tenant: Tenant) -> dict[str, dict[str, Any]]:
    """The tenant's published status list credentials, by URL, as they are served now."""
    documents = {}
    for row in await StatusList.objects().where(StatusList.tenant == tenant.id):
        url = status.list_url(settings, tenant.slug, row.purpose, row.number)
        published = await published_status_list(settings, tenant, row.purpose, row.number)
        documents[url] = json.loads(published.text)
    return documents


async def revoke(settings: Settings, credential: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Revoke the credential; return the status lists as published afterwards."""
    tenant = await get_tenant("uphf")
    award_id = uuid.UUID(credential["id"].rsplit("/", 1)[1])
    await status.revoke(TenantScope(tenant), award_id, "Issued to the wrong person", "test")
    return await status_lists(settings, tenant)


async def test_hub_credential_verifies_in_javascript(db: str, settings: Settings) -> None:
    credential, documents = await issue(settings)

    result = await asyncio.to_thread(verify_with_digitalbazaar, credential, documents)

    assert result.errors == ()
    assert result.verified is True


async def test_tampered_hub_credential_fails_in_javascript(db: str, settings: Settings) -> None:
    credential, documents = await issue(settings)
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["identifier"][1]["identityHash"] = "Ada Lovelacf"

    result = await asyncio.to_thread(verify_with_digitalbazaar, tampered, documents)

    assert result.verified is False
    assert result.errors


async def test_hub_credential_needs_issuer_key(db: str, settings: Settings) -> None:
    credential, _ = await issue(settings)

    result = await asyncio.to_thread(verify_with_digitalbazaar, credential, {})

    assert result.verified is False
    assert any("did:web:127.0.0.1%3A8000:tenants:uphf" in error for error in result.errors)


async def test_status_lists_verify_in_javascript(db: str, settings: Settings) -> None:
    credential, documents = await issue(settings)
    urls = [entry["statusListCredential"] for entry in credential["credentialStatus"]]

    result = await asyncio.to_thread(verify_with_digitalbazaar, credential, documents)

    assert [entry["statusPurpose"] for entry in credential["credentialStatus"]] == [
        "revocation",
        "suspension",
    ]
    assert all(url in documents for url in urls)
    assert result.errors == ()
    assert result.verified is True


async def test_changed_status_list_fails_in_javascript(db: str, settings: Settings) -> None:
    credential, documents = await issue(settings)
    url = credential["credentialStatus"][0]["statusListCredential"]
    revoked = (await revoke(settings, credential))[url]
    # The list from before the revocation, with the new bits but the old proof.
    documents[url]["credentialSubject"]["encodedList"] = revoked["credentialSubject"]["encodedList"]

    result = await asyncio.to_thread(verify_with_digitalbazaar, credential, documents)

    assert result.verified is False
    assert any("BitstringStatusListCredential" in error for error in result.errors)


async def test_revoked_hub_credential_fails_in_javascript(db: str, settings: Settings) -> None:
    credential, documents = await issue(settings)
    documents.update(await revoke(settings, credential))

    result = await asyncio.to_thread(verify_with_digitalbazaar, credential, documents)

    assert result.verified is False
