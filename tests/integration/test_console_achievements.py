"""Console achievement pages: a draft goes to publication with a second person's approval."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest

from hub.app import create_app
from hub.settings import Settings
from tenants.seed import seed_alliance
from tenants.tables import Achievement, Award
from tests.integration.test_console import csrf_token, sign_in

pytestmark = pytest.mark.integration

AUTHOR = "camille.lefebvre@example.org"
APPROVER = "thomas.girard@example.org"
STUDENT = "ines.marchand@example.org"

FORM = {
    "slug": "cap-campus-2027",
    "name.fr": "Cap Campus 2027",
    "name.en": "Cap Campus 2027",
    "description.fr": "Accueil des nouveaux étudiants.",
    "description.en": "Welcome for new students.",
    "criteria.fr": "Suivre les ateliers de la semaine d'accueil.",
    "criteria.en": "Attend the welcome-week workshops.",
    "achievement_type": "Badge",
    "tags": "welcome, campus",
    "level.0.id": "participant",
    "level.0.name.fr": "Participant",
    "level.0.name.en": "Participant",
    "level.1.id": "ambassador",
    "level.1.name.fr": "Ambassadeur",
    "level.1.name.en": "Ambassador",
    "alignment.0.target_name": "adapt to change",
    "alignment.0.target_url": "http://data.europa.eu/esco/skill/5d9e1a6f-2b5c-4d1e-9a8b-1c2d3e4f5a6b",
    "alignment.0.target_framework": "ESCO",
    "credits_available": "1,5",
    "eqf_level": "6",
}


@pytest.fixture
async def hub(db: str, settings: Settings) -> tuple[Settings, str]:
    demo = dataclasses.replace(settings, demo=True, dev_login=True)
    await seed_alliance(demo)
    return demo, db


@pytest.fixture
async def person(hub: tuple[Settings, str]) -> AsyncIterator[object]:
    """Open one cookie-keeping client per person, like separate browsers."""
    settings, db = hub
    app = create_app(settings, db)
    clients: list[httpx.AsyncClient] = []

    async def open_as(email: str) -> httpx.AsyncClient:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url=settings.public_url,
            headers={"accept": "text/html"},
        )
        clients.append(client)
        await sign_in(client, email)
        return client

    yield open_as
    for client in clients:
        await client.aclose()


async def post(client: httpx.AsyncClient, url: str, data: dict[str, str]) -> httpx.Response:
    return await client.post(url, data={**data, "_csrf_token": await csrf_token(client)})


async def test_cap_campus_goes_live_with_approval(person) -> None:  # type: ignore[no-untyped-def]
    author = await person(AUTHOR)
    approver = await person(APPROVER)

    created = await post(author, "/console/tenants/uphf/achievements/new", FORM)
    page = created.headers["location"]
    submitted = await post(author, f"{page.split('?')[0]}/transition", {"action": "submit"})
    self_approval = await post(author, f"{page.split('?')[0]}/transition", {"action": "approve"})
    approved = await post(approver, f"{page.split('?')[0]}/transition", {"action": "approve"})
    published = await post(author, f"{page.split('?')[0]}/transition", {"action": "publish"})

    row = (
        await Achievement.objects()
        .output(load_json=True)
        .where(Achievement.slug == "cap-campus-2027")
        .first()
    )
    assert created.status_code == 303, created.text
    assert submitted.status_code == 303
    assert self_approval.status_code == 403
    assert "another person" in self_approval.text
    assert approved.status_code == 303
    assert published.status_code == 303
    assert row is not None
    assert row.status == "published"
    assert row.credits_available == 1.5
    assert row.tags == ["welcome", "campus"]

    catalogue = await approver.get("/tenants/uphf?lang=en")
    assert "Cap Campus 2027" in catalogue.text

    awarded = await post(
        author,
        f"{page.split('?')[0]}/award",
        {
            "recipient_name": "Inès Marchand",
            "recipient_email": STUDENT,
            "level": "ambassador",
            "language": "fr",
            "submission": "form-1",
        },
    )
    repeated = await post(
        author,
        f"{page.split('?')[0]}/award",
        {
            "recipient_name": "Inès Marchand",
            "recipient_email": STUDENT,
            "level": "ambassador",
            "language": "fr",
            "submission": "form-1",
        },
    )
    assert awarded.status_code == 303, awarded.text
    assert repeated.headers["location"] == awarded.headers["location"]
    assert await Award.count().where(Award.achievement == row.id) == 1


async def test_invalid_form_keeps_input(person) -> None:  # type: ignore[no-untyped-def]
    author = await person(AUTHOR)

    response = await post(
        author, "/console/tenants/uphf/achievements/new", {**FORM, "eqf_level": "12"}
    )

    assert response.status_code == 400
    assert "eqf_level 12 is invalid" in response.text
    assert "Suivre les ateliers de la semaine d&#39;accueil." in response.text
    assert await Achievement.count().where(Achievement.slug == "cap-campus-2027") == 0


async def test_add_language_shows_new_fields(person) -> None:  # type: ignore[no-untyped-def]
    author = await person(AUTHOR)

    response = await post(
        author,
        "/console/tenants/uphf/achievements/new",
        {**FORM, "intent": "add-language", "add_language": "pl"},
    )

    assert response.status_code == 200
    assert 'name="name.pl"' in response.text
    assert await Achievement.count().where(Achievement.slug == "cap-campus-2027") == 0


async def test_student_cannot_open_editor(person) -> None:  # type: ignore[no-untyped-def]
    student = await person(STUDENT)

    response = await student.get("/console/tenants/uphf/achievements/new")

    assert response.status_code == 403


async def test_every_submitted_row_is_counted(person) -> None:  # type: ignore[no-untyped-def]
    author = await person(AUTHOR)
    rows = {
        f"alignment.{index}.{key}": value
        for index in range(25)
        for key, value in (("target_name", f"skill {index}"), ("target_url", "https://x.example"))
    }

    response = await post(author, "/console/tenants/uphf/achievements/new", {**FORM, **rows})

    assert response.status_code == 400
    assert "25 alignments given" in response.text
