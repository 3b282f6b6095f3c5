"""Importing Open Badges 2.0 badges: a hosted assertion by URL, and a third-party baked PNG."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.backpack import importing
from hub.backpack.tables import ImportedBadge
from hub.credentials import baking
from hub.settings import Settings
from tests.factories import make_achievement, make_award, make_tenant
from tests.integration.mail_support import make_user, sign_in
from tests.integration.test_ob2_hosted_view import AppFetcher
from tests.ob2_hosting import OB20, SampleFetcher

pytestmark = pytest.mark.integration


def use_fetcher(monkeypatch: pytest.MonkeyPatch, fetcher: Any) -> None:
    """Serve the documents that verification fetches from ``fetcher``, not the network."""
    monkeypatch.setattr(importing, "fetcher_for", lambda settings: fetcher)
    monkeypatch.setattr("hub.verification.fetcher_for", lambda settings: fetcher)


async def test_hosted_ob2_assertion_imported_by_url(
    browser: httpx.AsyncClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await make_tenant(settings)
    award = (await make_award(settings, tenant, await make_achievement(tenant))).award
    csrf = await sign_in(browser, settings, await make_user(tenant, "ada", role=None))
    url = f"http://127.0.0.1:8000/credentials/{award.id}/ob2"
    use_fetcher(monkeypatch, AppFetcher(browser))

    response = await browser.post("/backpack/import", data={"_csrf_token": csrf, "url": url})
    stored = await ImportedBadge.objects().first()

    assert response.status_code == 303, response.text
    assert stored is not None
    assert stored.credential_format == "ob2_hosted"
    assert stored.source == url
    assert stored.name == "Cap Campus"


@pytest.mark.skipif(not OB20.is_dir(), reason=f"the shared vectors are not at {OB20}")
async def test_third_party_ob2_png_of_other_earner_rejected(
    browser: httpx.AsyncClient,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    png = (OB20 / "simple-badge.png").read_bytes()
    hosted = tmp_path / "assertion.json"
    hosted.write_text(baking.unbake(png).text, "utf-8")
    use_fetcher(
        monkeypatch, SampleFetcher(hosted={"https://example.org/beths-robotics-badge.json": hosted})
    )
    tenant = await make_tenant(settings)
    csrf = await sign_in(browser, settings, await make_user(tenant, "ada", role=None))

    response = await browser.post(
        "/backpack/import",
        data={"_csrf_token": csrf},
        files={"file": ("simple-badge.png", png, "image/png")},
    )

    assert response.status_code == 422
    assert "issued to another e-mail address" in response.text
    assert await ImportedBadge.count() == 0
