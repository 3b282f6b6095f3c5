"""The credential read back from the hub's baked PNG and SVG verifies in JavaScript."""

from __future__ import annotations

import asyncio
import json

import pytest
from httpx import AsyncClient

from hub.credentials.baking import unbake
from hub.settings import Settings
from tenants import identity
from tenants.services import published_keys
from tests.factories import make_achievement, make_award, make_tenant

from .jsverifier import verify_with_digitalbazaar
from .test_hub_credentials import status_lists

pytestmark = [pytest.mark.interop, pytest.mark.integration]


@pytest.mark.parametrize("suffix", ["png", "svg"])
async def test_unbaked_download_verifies_in_javascript(
    client: AsyncClient, settings: Settings, suffix: str
) -> None:
    tenant = await make_tenant(settings)
    award = (await make_award(settings, tenant, await make_achievement(tenant))).award
    response = await client.get(f"/credentials/{award.id}/badge.{suffix}")
    credential = json.loads(unbake(response.content).text)
    did_document = identity.did_document(settings, tenant, await published_keys(tenant))
    documents = {did_document["id"]: did_document, **await status_lists(settings, tenant)}

    result = await asyncio.to_thread(verify_with_digitalbazaar, credential, documents)

    assert result.errors == ()
    assert result.verified is True
