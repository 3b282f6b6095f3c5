"""An inline context appended to a credential the hub issued makes the verify API fail it."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from hub.settings import Settings
from tests.factories import make_achievement, make_award, make_tenant

pytestmark = pytest.mark.integration


async def issued_credential(settings: Settings) -> dict[str, Any]:
    tenant = await make_tenant(settings)
    award = (await make_award(settings, tenant, await make_achievement(tenant))).award
    credential: dict[str, Any] = json.loads(award.credential_text)
    return credential


def checks_of(response: httpx.Response) -> dict[str, dict[str, str]]:
    return {check["check"]: check for check in response.json()["checks"]}


@pytest.mark.parametrize(
    ("inline", "added", "named"),
    [
        ({"recipientDisplayName": None}, {"recipientDisplayName": "Mallory"}, "defines"),
        ({"@vocab": "https://evil.example/"}, {"grade": "A+"}, "sets @vocab"),
        ({"@base": "https://evil.example/"}, {}, "sets @base"),
    ],
    ids=["term mapped to null", "@vocab", "@base"],
)
async def test_appended_inline_context_fails(
    client: httpx.AsyncClient,
    settings: Settings,
    inline: dict[str, Any],
    added: dict[str, str],
    named: str,
) -> None:
    credential = await issued_credential(settings)
    credential["@context"].append(inline)
    credential["credentialSubject"].update(added)

    response = await client.post("/api/v1/verify", content=json.dumps(credential))

    assert response.status_code == 200
    checks = checks_of(response)
    assert response.json()["valid"] is False
    assert checks["context"]["status"] == "failed"
    assert f"/@context/2 (an inline context that {named}" in checks["context"]["message"]


async def test_issued_credential_passes_context(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    credential = await issued_credential(settings)

    response = await client.post("/api/v1/verify", content=json.dumps(credential))

    assert checks_of(response)["context"]["status"] == "passed"
    assert response.json()["valid"] is True
