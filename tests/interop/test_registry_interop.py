"""The alliance's signed trust registry verifies with Digital Bazaar's JavaScript stack."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from federation import memberships
from federation.registry import require_latest_version
from hub.settings import Settings
from tenants import identity
from tenants.services import published_keys
from tests.factories import make_tenant

from .jsverifier import verify_with_digitalbazaar

pytestmark = [pytest.mark.interop, pytest.mark.integration]


async def signed_registry(settings: Settings) -> tuple[dict[str, Any], dict[str, Any]]:
    """Sign a registry with one member; return it with the alliance's DID document."""
    alliance = await make_tenant(settings, "eunice", kind="alliance", name_en="EUNICE")
    await make_tenant(settings, "uphf")
    await memberships.add_member(settings, alliance, "uphf", "test")
    row = await require_latest_version(alliance)
    did_document = identity.did_document(settings, alliance, await published_keys(alliance))
    return json.loads(row.document_text), {did_document["id"]: did_document}


async def test_registry_verifies_in_javascript(db: str, settings: Settings) -> None:
    document, documents = await signed_registry(settings)

    result = await asyncio.to_thread(verify_with_digitalbazaar, document, documents)

    assert result.verified is True, result.errors


async def test_tampered_registry_fails_in_javascript(db: str, settings: Settings) -> None:
    document, documents = await signed_registry(settings)
    document["credentialSubject"]["member"][0]["membershipStatus"] = "suspended"

    result = await asyncio.to_thread(verify_with_digitalbazaar, document, documents)

    assert result.verified is False
    assert any("signature" in error.lower() for error in result.errors), result.errors
