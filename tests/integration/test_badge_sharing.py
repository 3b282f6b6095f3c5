"""Sharing a credential page: Open Graph tags, the LinkedIn link, and badges their earner hid."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from hub.settings import Settings
from tenants.services import get_tenant
from tenants.tables import Award
from tests.factories import make_achievement, make_award, make_tenant
from tests.integration.mail_support import make_user, sign_in

pytestmark = pytest.mark.integration


class HeadReader(HTMLParser):
    """Collect the page's ``<meta property>`` values and the hrefs of its links."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta" and values.get("property"):
            self.meta[values["property"] or ""] = values.get("content") or ""
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")


def read_page(text: str) -> HeadReader:
    reader = HeadReader()
    reader.feed(text)
    return reader


async def issue(settings: Settings) -> Award:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant, name={"fr": "Cap Campus", "en": "Cap Campus"})
    return (await make_award(settings, tenant, achievement)).award


async def test_credential_page_has_open_graph_tags(
    browser: httpx.AsyncClient, settings: Settings
) -> None:
    award = await issue(settings)
    url = f"http://127.0.0.1:8000/credentials/{award.id}"

    page = read_page((await browser.get(f"/credentials/{award.id}")).text)

    assert page.meta["og:url"] == url
    assert page.meta["og:title"] == "Cap Campus"
    assert page.meta["og:image"] == f"{url}/badge.png"
    assert page.meta["og:type"] == "website"
    assert "Ada Lovelace" in page.meta["og:description"]


async def test_linkedin_link_names_the_certification(
    browser: httpx.AsyncClient, settings: Settings
) -> None:
    award = await issue(settings)
    issued = award.issued_at

    page = read_page((await browser.get(f"/credentials/{award.id}")).text)

    links = [link for link in page.links if link.startswith("https://www.linkedin.com/")]
    assert len(links) == 1
    parts = urlsplit(links[0])
    assert parts.path == "/profile/add"
    assert parse_qs(parts.query) == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": ["Cap Campus"],
        "organizationName": ["University UPHF"],
        "issueYear": [str(issued.year)],
        "issueMonth": [str(issued.month)],
        "certUrl": [f"http://127.0.0.1:8000/credentials/{award.id}"],
        "certId": [str(award.id)],
    }


async def test_hidden_badge_page_is_not_found_for_public(
    browser: httpx.AsyncClient, settings: Settings
) -> None:
    award = await issue(settings)
    await Award.update({Award.hidden: True}).where(Award.id == award.id)

    page = await browser.get(f"/credentials/{award.id}")
    as_json = await browser.get(
        f"/credentials/{award.id}", headers={"accept": "application/ld+json"}
    )

    assert page.status_code == 404
    assert "hidden it from public view" in page.text
    # A verifier that has the credential still reads it at its URL.
    assert as_json.status_code == 200
    assert as_json.text == award.credential_text


@pytest.mark.parametrize(("name", "role"), [("ada", None), ("iris", "issuer")])
async def test_hidden_badge_page_open_to_earner_and_staff(
    browser: httpx.AsyncClient, settings: Settings, name: str, role: str | None
) -> None:
    award = await issue(settings)
    await Award.update({Award.hidden: True}).where(Award.id == award.id)
    tenant = await get_tenant("uphf")
    await sign_in(browser, settings, await make_user(tenant, name, role=role))

    page = await browser.get(f"/credentials/{award.id}")

    assert page.status_code == 200


async def test_hidden_badge_page_closed_to_other_person(
    browser: httpx.AsyncClient, settings: Settings
) -> None:
    award = await issue(settings)
    await Award.update({Award.hidden: True}).where(Award.id == award.id)
    await sign_in(browser, settings, await make_user(await get_tenant("uphf"), "grace", None))

    page = await browser.get(f"/credentials/{award.id}")

    assert page.status_code == 404


@pytest.mark.parametrize(("name", "shown"), [("ada", True), ("grace", False), (None, False)])
async def test_wallet_link_only_for_earner(
    browser: httpx.AsyncClient, settings: Settings, name: str | None, shown: bool
) -> None:
    award = await issue(settings)
    if name is not None:
        await sign_in(browser, settings, await make_user(await get_tenant("uphf"), name, None))

    page = await browser.get(f"/credentials/{award.id}")

    assert page.status_code == 200
    assert (f"/credentials/{award.id}/wallet" in read_page(page.text).links) is shown
