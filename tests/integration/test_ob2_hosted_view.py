"""The Open Badges 2.0 hosted view of an issued credential verifies as an OB 2.0 assertion."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from hub import verification
from hub.outbound import FetchedDocument, FetchError
from hub.settings import Settings
from tenants import status
from tenants.scope import TenantScope
from tenants.services import get_tenant
from tenants.tables import Award
from tests.factories import make_achievement, make_award, make_tenant

pytestmark = pytest.mark.integration


class AppFetcher:
    """Fetch the hub's own URLs through the app instead of the network."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.requested: list[str] = []

    async def fetch(
        self,
        url: str,
        *,
        accept: str = "application/json",
        max_bytes: int | None = None,
        use_cache: bool = True,
    ) -> FetchedDocument:
        self.requested.append(url)
        response = await self.client.get(url, headers={"accept": accept})
        if response.status_code != 200:
            raise FetchError("http-status", url, f"{url} returned HTTP {response.status_code}")
        media_type = response.headers["content-type"].split(";")[0]
        return FetchedDocument(url, url, 200, media_type, response.content)


async def issue(settings: Settings) -> Award:
    tenant = await make_tenant(settings)
    return (await make_award(settings, tenant, await make_achievement(tenant))).award


async def test_hosted_assertion_verifies(client: httpx.AsyncClient, settings: Settings) -> None:
    award = await issue(settings)
    url = f"http://127.0.0.1:8000/credentials/{award.id}/ob2"
    fetcher = AppFetcher(client)

    report = await verification.verify(settings, url, recipient="ada@example.org", fetcher=fetcher)

    assert report.format == "ob2_hosted"
    assert report.valid, report.to_dict()
    assert report.summary.achievement_name == "Cap Campus"
    assert f"{url}/badge" in fetcher.requested
    assert f"{url}/issuer" in fetcher.requested


async def test_hosted_assertion_hides_address(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    award = await issue(settings)

    response = await client.get(f"/credentials/{award.id}/ob2")
    recipient = response.json()["recipient"]

    assert "ada@example.org" not in response.text
    assert recipient["hashed"] is True
    expected = hashlib.sha256(("ada@example.org" + recipient["salt"]).encode()).hexdigest()
    assert recipient["identity"] == f"sha256${expected}"


async def test_revoked_hosted_assertion_fails(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    award = await issue(settings)
    tenant = await get_tenant("uphf")
    await status.revoke(TenantScope(tenant), award.id, "Issued by mistake", "test")
    url = f"http://127.0.0.1:8000/credentials/{award.id}/ob2"

    document = (await client.get(url)).json()
    report = await verification.verify(settings, url, fetcher=AppFetcher(client))

    assert document["revoked"] is True
    assert document["revocationReason"] == "Issued by mistake"
    assert report.valid is False
