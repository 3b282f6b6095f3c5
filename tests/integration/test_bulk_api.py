"""Bulk awards over HTTP: the API with a tenant token, and the console with a session."""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from hub import queue
from hub.app import create_app
from hub.auth import login
from hub.auth.principal import SESSION_COOKIE
from hub.auth.tables import TenantRole, User
from hub.bulk import tasks
from hub.settings import Settings
from tenants.tables import Achievement, Award, BulkAward, Tenant
from tests.factories import make_achievement, make_tenant, make_token

pytestmark = pytest.mark.integration

INTAKE = (
    "email,name,narrative\n"
    "ada@example.org,Ada Lovelace,Atelier suivi\n"
    "grace@example.org,Grace Hopper,\n"
    "=HYPERLINK(1),Alan Turing,\n"
)


@dataclasses.dataclass
class Hub:
    client: httpx.AsyncClient
    tenant: Tenant
    achievement: Achievement
    token: str

    @property
    def upload_url(self) -> str:
        return f"/api/v1/tenants/uphf/achievements/{self.achievement.id}/bulk-awards"

    def auth(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}


@pytest.fixture
async def hub(db: str, settings: Settings) -> AsyncIterator[Hub]:
    small = dataclasses.replace(settings, bulk_max_file_mb=1, bulk_signing_processes=0)
    tenant = await make_tenant(small)
    achievement = await make_achievement(tenant)
    token = await make_token(tenant)
    app = create_app(small, db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=small.public_url) as client:
        yield Hub(client, tenant, achievement, token)


async def run_queue(db: str, settings: Settings) -> None:
    tasks.configure(dataclasses.replace(settings, bulk_signing_processes=0))
    try:
        await queue.run_worker(db, wait=False)
    finally:
        tasks.shutdown()


def csv_file(text: str, name: str = "intake.csv") -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, text.encode("utf-8"), "text/csv")}


async def upload(hub: Hub, text: str = INTAKE, **fields: str) -> httpx.Response:
    return await hub.client.post(
        hub.upload_url, files=csv_file(text), data=fields, headers=hub.auth()
    )


# API -------------------------------------------------------------------------------------------


async def test_api_dry_run_returns_row_errors(hub: Hub) -> None:
    response = await upload(hub)

    body = response.json()
    assert response.status_code == 201
    assert response.headers["location"] == body["url"]
    assert body["status"] == "validated"
    assert body["counts"]["pending"] == 2
    assert body["counts"]["invalid"] == 1
    assert body["errors"] == [
        {
            "row": 4,
            "code": "invalid-email",
            "message": (
                '"=HYPERLINK(1)" is not a valid e-mail address; write it as name@domain.tld.'
            ),
            "email": "=HYPERLINK(1)",
            "name": "Alan Turing",
        }
    ]
    assert await Award.count() == 0


async def test_api_start_then_worker_awards(hub: Hub, db: str, settings: Settings) -> None:
    bulk_id = (await upload(hub)).json()["id"]

    started = await hub.client.post(
        f"/api/v1/tenants/uphf/bulk-awards/{bulk_id}/start", headers=hub.auth()
    )
    await run_queue(db, settings)
    finished = await hub.client.get(
        f"/api/v1/tenants/uphf/bulk-awards/{bulk_id}", headers=hub.auth()
    )

    assert started.status_code == 202
    assert started.json()["status"] == "queued"
    assert finished.json()["status"] == "done"
    assert finished.json()["awarded"] == 2
    assert finished.json()["percent"] == 100
    assert await Award.count() == 2


async def test_api_upload_without_dry_run_starts(hub: Hub, db: str, settings: Settings) -> None:
    response = await upload(hub, dry_run="false", send_email="false")

    await run_queue(db, settings)

    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    assert response.json()["send_email"] is False
    assert await Award.count() == 2


async def test_api_start_twice_conflicts(hub: Hub) -> None:
    bulk_id = (await upload(hub)).json()["id"]
    url = f"/api/v1/tenants/uphf/bulk-awards/{bulk_id}/start"
    await hub.client.post(url, headers=hub.auth())

    again = await hub.client.post(url, headers=hub.auth())

    assert again.status_code == 409
    assert again.json()["code"] == "bulk-award-not-startable"


async def test_api_rows_of_one_state(hub: Hub) -> None:
    bulk_id = (await upload(hub)).json()["id"]

    response = await hub.client.get(
        f"/api/v1/tenants/uphf/bulk-awards/{bulk_id}/rows",
        params={"state": "pending", "limit": 1, "offset": 1},
        headers=hub.auth(),
    )

    rows = response.json()["rows"]
    assert response.status_code == 200
    assert [row["email"] for row in rows] == ["grace@example.org"]
    assert rows[0]["state"] == "pending"


async def test_api_rows_reject_unknown_state(hub: Hub) -> None:
    bulk_id = (await upload(hub)).json()["id"]

    response = await hub.client.get(
        f"/api/v1/tenants/uphf/bulk-awards/{bulk_id}/rows",
        params={"state": "lost"},
        headers=hub.auth(),
    )

    assert response.status_code == 400
    assert "lost" in response.json()["detail"]


async def test_api_errors_csv_guards_formulas(hub: Hub) -> None:
    bulk_id = (await upload(hub)).json()["id"]

    response = await hub.client.get(
        f"/api/v1/tenants/uphf/bulk-awards/{bulk_id}/errors.csv", headers=hub.auth()
    )

    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="errors-intake.csv"' in response.headers["content-disposition"]
    assert rows[0] == ["row", "email", "name", "code", "error"]
    assert rows[1][:4] == ["4", "'=HYPERLINK(1)", "Alan Turing", "invalid-email"]


async def test_api_list_uploads(hub: Hub) -> None:
    await upload(hub)

    response = await hub.client.get("/api/v1/tenants/uphf/bulk-awards", headers=hub.auth())

    assert response.status_code == 200
    assert [item["filename"] for item in response.json()] == ["intake.csv"]


async def test_api_unusable_file_is_400_with_code(hub: Hub) -> None:
    response = await upload(hub, "email,name,evidance_url\na@example.org,A,x\n")

    assert response.status_code == 400
    assert response.json()["code"] == "unknown-columns"
    assert "'evidance_url'" in response.json()["detail"]
    assert await BulkAward.count() == 0


async def test_api_missing_file(hub: Hub) -> None:
    response = await hub.client.post(
        hub.upload_url,
        files={"notes": ("notes.txt", b"hello", "text/plain")},
        headers=hub.auth(),
    )

    assert response.status_code == 400
    assert response.json()["code"] == "missing-file"


async def test_api_bad_flag(hub: Hub) -> None:
    response = await upload(hub, dry_run="maybe")

    assert response.status_code == 400
    assert "dry_run 'maybe'" in response.json()["detail"]


async def test_api_50_mb_upload_is_413(hub: Hub) -> None:
    body = b"email,name\n" + b"someone@example.org,Some One\n" * (50 * 1024 * 1024 // 29)

    response = await hub.client.post(
        hub.upload_url, files={"file": ("big.csv", body, "text/csv")}, headers=hub.auth()
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "upload-too-large"
    assert "1 MiB (1,048,576 bytes)" in response.json()["detail"]
    assert await BulkAward.count() == 0


async def test_api_file_just_over_limit_is_413(hub: Hub) -> None:
    body = b"email,name\n" + b"someone@example.org,Some One\n" * (1024 * 1024 // 29 + 100)

    response = await hub.client.post(
        hub.upload_url, files={"file": ("big.csv", body, "text/csv")}, headers=hub.auth()
    )

    assert len(body) < 1024 * 1024 + 64 * 1024
    assert response.status_code == 413
    assert response.json()["code"] == "upload-too-large"


async def test_api_other_tenant_upload_not_found(hub: Hub, settings: Settings) -> None:
    other = await make_tenant(settings, "btu", country="DE")
    other_token = await make_token(other)
    bulk_id = (await upload(hub)).json()["id"]

    response = await hub.client.get(
        f"/api/v1/tenants/btu/bulk-awards/{bulk_id}",
        headers={"authorization": f"Bearer {other_token}"},
    )

    assert response.status_code == 404
    assert response.json()["code"] == "bulk-award-not-found"


# Console ---------------------------------------------------------------------------------------


async def sign_in_as(hub: Hub, settings: Settings, role: str) -> str:
    user = User(
        subject=f"test:{role}",
        email=f"{role}@example.org",
        name=role,
        is_alliance_admin=False,
        created_at=hub.tenant.created_at,
    )
    await user.save()
    await TenantRole(
        user=user.id, tenant=hub.tenant.id, role=role, source="granted", created_at=user.created_at
    ).save()
    hub.client.cookies.set(SESSION_COOKIE, await login.open_session(settings, user, None))
    await hub.client.get("/console")
    return hub.client.cookies.get("badgehub_csrf") or ""


async def console_upload(
    hub: Hub, csrf: str, text: str = INTAKE, lang: str = "en"
) -> httpx.Response:
    return await hub.client.post(
        f"/console/tenants/uphf/bulk-awards?lang={lang}",
        files=csv_file(text),
        data={
            "_csrf_token": csrf,
            "achievement_id": str(hub.achievement.id),
            "language": "fr",
            "send_email": ["false", "true"],
        },
        headers={"accept": "text/html"},
    )


async def test_console_upload_shows_dry_run(hub: Hub, settings: Settings) -> None:
    csrf = await sign_in_as(hub, settings, "issuer")

    response = await console_upload(hub, csrf)
    page = await hub.client.get(response.headers["location"], params={"lang": "fr"})

    assert response.status_code == 303
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "« =HYPERLINK(1) » n'est pas une adresse e-mail valide" in text
    assert "Attribuer le badge à 2 personnes" in text
    assert "UTF-8, séparateur virgule" in text
    assert await BulkAward.count() == 1


async def test_console_upload_keeps_email_choice(hub: Hub, settings: Settings) -> None:
    csrf = await sign_in_as(hub, settings, "issuer")

    await console_upload(hub, csrf)

    bulk = await BulkAward.objects().first()
    assert bulk is not None
    assert bulk.send_email is True
    assert bulk.language == "fr"


async def test_console_bad_file_shows_message_in_page(hub: Hub, settings: Settings) -> None:
    csrf = await sign_in_as(hub, settings, "issuer")

    response = await console_upload(hub, csrf, "email\nada@example.org\n", lang="fr")

    assert response.status_code == 400
    assert "L'en-tête n'a pas de colonne pour name" in html.unescape(response.text)
    assert await BulkAward.count() == 0


async def test_console_start_and_progress(hub: Hub, settings: Settings, db: str) -> None:
    csrf = await sign_in_as(hub, settings, "issuer")
    detail = (await console_upload(hub, csrf)).headers["location"]

    started = await hub.client.post(
        f"{detail}/start", data={"_csrf_token": csrf}, headers={"accept": "text/html"}
    )
    queued = (await hub.client.get(f"{detail}/progress")).json()
    await run_queue(db, settings)
    done = (await hub.client.get(f"{detail}/progress")).json()
    page = await hub.client.get(detail)

    assert started.status_code == 303
    assert started.headers["location"] == f"{detail}?started=true"
    assert queued["status"] == "queued"
    assert queued["percent"] == 0
    assert done["status"] == "done"
    assert done["percent"] == 100
    assert done["awarded"] == 2
    assert 'data-status="done"' in page.text


async def test_console_start_without_csrf_is_refused(hub: Hub, settings: Settings) -> None:
    csrf = await sign_in_as(hub, settings, "issuer")
    detail = (await console_upload(hub, csrf)).headers["location"]

    response = await hub.client.post(f"{detail}/start", data={})

    assert response.status_code == 403
    assert (await BulkAward.objects().first()).status == "validated"


async def test_console_oversize_upload_is_413_page(hub: Hub, settings: Settings) -> None:
    csrf = await sign_in_as(hub, settings, "issuer")
    body = b"email,name\n" + b"someone@example.org,Some One\n" * (3 * 1024 * 1024 // 29)

    response = await hub.client.post(
        "/console/tenants/uphf/bulk-awards?lang=fr",
        files={"file": ("big.csv", body, "text/csv")},
        data={"_csrf_token": csrf, "achievement_id": str(hub.achievement.id)},
        headers={"accept": "text/html"},
    )

    assert response.status_code == 413
    assert "text/html" in response.headers["content-type"]
    assert "Le fichier dépasse 1 Mio" in response.text


async def test_console_errors_download_in_page_language(hub: Hub, settings: Settings) -> None:
    csrf = await sign_in_as(hub, settings, "issuer")
    detail = (await console_upload(hub, csrf)).headers["location"]

    response = await hub.client.get(f"{detail}/errors.csv", params={"lang": "fr"})

    assert response.status_code == 200
    assert "n'est pas une adresse e-mail valide" in response.content.decode("utf-8-sig")


async def test_console_index_lists_uploads_and_badges(hub: Hub, settings: Settings) -> None:
    csrf = await sign_in_as(hub, settings, "issuer")
    await console_upload(hub, csrf)

    page = await hub.client.get("/console/tenants/uphf/bulk-awards", params={"lang": "en"})

    assert page.status_code == 200
    assert f'<option value="{hub.achievement.id}">Cap Campus</option>' in page.text
    assert "intake.csv" in page.text
    assert "checked, not started" in page.text


async def test_console_tenant_page_links_bulk_awards_for_issuers(
    hub: Hub, settings: Settings
) -> None:
    await sign_in_as(hub, settings, "issuer")

    page = await hub.client.get("/console/tenants/uphf")

    assert 'href="/console/tenants/uphf/bulk-awards"' in page.text


async def test_console_tenant_page_hides_bulk_awards_from_editors(
    hub: Hub, settings: Settings
) -> None:
    await sign_in_as(hub, settings, "badge-editor")

    page = await hub.client.get("/console/tenants/uphf")
    denied = await hub.client.get("/console/tenants/uphf/bulk-awards")

    assert page.status_code == 200
    assert 'href="/console/tenants/uphf/bulk-awards"' not in page.text
    assert denied.status_code == 403


async def test_console_unknown_upload_is_404(hub: Hub, settings: Settings) -> None:
    await sign_in_as(hub, settings, "issuer")

    response = await hub.client.get(f"/console/tenants/uphf/bulk-awards/{uuid.uuid4()}")

    assert response.status_code == 404
