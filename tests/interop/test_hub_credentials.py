"""Credentials issued by the hub verify with Digital Bazaar's independent JavaScript stack."""

from __future__ import annotations

import asyncio
import copy
import json
from typing import Any

import pytest

from hub.settings import Settings
from tenants import identity
from tenants.services import published_keys
from tests.factories import make_achievement, make_award, make_tenant

from .jsverifier import verify_with_digitalbazaar

pytestmark = [pytest.mark.interop, pytest.mark.integration]


async def issue(settings: Settings) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(
        tenant,
        name={"fr": "Gérer un projet « agile »", "en": 'Managing a "project"\n'},
    )
    award = (await make_award(settings, tenant, achievement, language="fr")).award
    did_document = identity.did_document(settings, tenant, await published_keys(tenant))
    return json.loads(award.credential_text), {did_document["id"]: did_document}


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
