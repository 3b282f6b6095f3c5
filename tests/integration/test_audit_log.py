"""The audit log through the console, the CSV export and the API, on a real PostgreSQL."""

from __future__ import annotations

import codecs
import csv
import html
import io
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from joserfc.jwk import RSAKey

from hub.app import create_app
from hub.audit_log.query import AuditFilter, FilterInput, list_events, parse_filter
from hub.auth import login
from hub.auth.principal import SESSION_COOKIE
from hub.auth.tables import TenantRole, User
from hub.auth.tokens import AccessTokenValidator, JwksCache
from hub.settings import Settings
from hub.tables import AuditEvent
from tenants.tables import Tenant
from tests.factories import make_tenant, make_token
from tests.unit.auth.test_tokens import (
    AUDIENCE,
    CLIENT,
    NOW,
    JwksServer,
    access_claims,
    mint,
    public_jwk,
    rsa_signing_key,
)

pytestmark = pytest.mark.integration

DAY = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
ADMIN_SUBJECT = "5b0c7c1e-0000-4c1e-9d51-1f1c0a2b3c4d"


@dataclass
class Hub:
    """Two tenants, their people, and a client that calls the app in the test's event loop."""

    client: httpx.AsyncClient
    settings: Settings
    app: Any
    uphf: Tenant
    btu: Tenant
    people: dict[str, User]

    async def as_person(self, name: str) -> dict[str, str]:
        token = await login.open_session(self.settings, self.people[name], None)
        return {"cookie": f"{SESSION_COOKIE}={token}", "accept": "text/html"}


async def add_person(name: str, tenant: Tenant | None, role: str | None, **fields: Any) -> User:
    user = User(
        subject=fields.pop("subject", f"subject-{name}"),
        email=f"{name}@example.org",
        name=name.replace("-", " ").title(),
        is_alliance_admin=fields.pop("is_alliance_admin", False),
        created_at=DAY,
    )
    await user.save()
    if tenant is not None and role is not None:
        await TenantRole(
            user=user.id, tenant=tenant.id, role=role, source="granted", created_at=DAY
        ).save()
    return user


@pytest.fixture
async def hub(db: str, settings: Settings) -> AsyncIterator[Hub]:
    uphf = await make_tenant(settings, "uphf")
    btu = await make_tenant(settings, "btu", country="DE")
    people = {
        "uphf-admin": await add_person("uphf-admin", uphf, "tenant-admin", subject=ADMIN_SUBJECT),
        "uphf-issuer": await add_person("uphf-issuer", uphf, "issuer"),
        "btu-admin": await add_person("btu-admin", btu, "tenant-admin"),
        "alliance-admin": await add_person("alliance-admin", None, None, is_alliance_admin=True),
    }
    app = create_app(settings, db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=settings.public_url) as client:
        yield Hub(client, settings, app, uphf, btu, people)


async def store(
    tenant: str | None,
    action: str,
    *,
    actor: str = "user:someone",
    target: str = "",
    details: dict[str, Any] | None = None,
    at: datetime = DAY,
) -> AuditEvent:
    event = AuditEvent(
        tenant_slug=tenant,
        actor=actor,
        action=action,
        target=target,
        details=details or {},
        created_at=at,
    )
    await event.save()
    return event


def read_csv(response: httpx.Response) -> list[dict[str, str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


async def count_events(tenant: str) -> int:
    return int(await AuditEvent.count().where(AuditEvent.tenant_slug == tenant))


# Tenant isolation


async def test_page_shows_own_tenant_only(hub: Hub) -> None:
    await store("uphf", "credential:issued", target="uphf-award-1")
    await store("btu", "credential:issued", target="btu-award-1")

    response = await hub.client.get(
        "/console/tenants/uphf/audit", headers=await hub.as_person("uphf-admin")
    )

    assert response.status_code == 200
    assert "uphf-award-1" in response.text
    assert "btu-award-1" not in response.text


async def test_csv_lists_own_tenant_only(hub: Hub) -> None:
    await store("uphf", "credential:issued", target="uphf-award-1")
    await store("btu", "credential:issued", target="btu-award-1")
    await store(None, "user:signed-in", target="hub-wide")
    expected = await count_events("uphf")

    response = await hub.client.get(
        "/console/tenants/uphf/audit.csv", headers=await hub.as_person("uphf-admin")
    )
    rows = read_csv(response)

    assert response.status_code == 200
    targets = {row["target"] for row in rows}
    assert "uphf-award-1" in targets
    assert "btu-award-1" not in targets
    assert "hub-wide" not in targets
    # The export stores its own audit:exported event before the first row is read.
    assert len(rows) == expected + 1


async def test_other_tenant_admin_is_denied(hub: Hub) -> None:
    await store("uphf", "credential:issued", target="uphf-award-1")
    headers = await hub.as_person("btu-admin")

    page = await hub.client.get("/console/tenants/uphf/audit", headers=headers)
    export = await hub.client.get("/console/tenants/uphf/audit.csv", headers=headers)

    assert page.status_code == 403
    assert "uphf-award-1" not in page.text
    assert export.status_code == 403
    assert await AuditEvent.count().where(AuditEvent.action == "audit:exported") == 0


async def test_issuer_cannot_read_log(hub: Hub) -> None:
    response = await hub.client.get(
        "/console/tenants/uphf/audit", headers=await hub.as_person("uphf-issuer")
    )

    assert response.status_code == 403


async def test_api_token_cannot_read_log(hub: Hub) -> None:
    headers = {"authorization": f"Bearer {await make_token(hub.uphf)}"}

    listing = await hub.client.get("/api/v1/tenants/uphf/audit", headers=headers)
    export = await hub.client.get("/api/v1/tenants/uphf/audit.csv", headers=headers)

    assert listing.status_code == 403
    assert listing.json()["code"] == "permission-denied"
    assert export.status_code == 403


async def test_alliance_page_shows_every_tenant(hub: Hub) -> None:
    await store("uphf", "credential:issued", target="uphf-award-1")
    await store("btu", "credential:issued", target="btu-award-1")
    await store(None, "user:signed-in", actor="user:hub-wide-person")
    headers = await hub.as_person("alliance-admin")

    everything = await hub.client.get("/console/audit", headers=headers)
    btu_only = await hub.client.get("/console/audit?tenant=btu", headers=headers)
    tenant_admin = await hub.client.get("/console/audit", headers=await hub.as_person("uphf-admin"))

    assert everything.status_code == 200
    assert "uphf-award-1" in everything.text
    assert "btu-award-1" in everything.text
    assert "user:hub-wide-person" in everything.text
    assert "btu-award-1" in btu_only.text
    assert "uphf-award-1" not in btu_only.text
    assert tenant_admin.status_code == 403


async def test_alliance_csv_has_tenant_column(hub: Hub) -> None:
    await store("btu", "credential:issued", target="btu-award-1")
    await store(None, "user:signed-in", actor="user:hub-wide-person")

    response = await hub.client.get(
        "/console/audit.csv", headers=await hub.as_person("alliance-admin")
    )
    rows = read_csv(response)

    assert list(rows[0]) == ["time", "tenant", "actor", "action", "target", "details"]
    by_target = {row["target"]: row for row in rows}
    assert by_target["btu-award-1"]["tenant"] == "btu"
    hub_wide = next(row for row in rows if row["actor"] == "user:hub-wide-person")
    assert hub_wide["tenant"] == ""
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="audit-all-tenants-'
    )


# Filters


@pytest.fixture
async def filtered(hub: Hub) -> Hub:
    """Only these events, whose targets name what each filter should keep."""
    await AuditEvent.delete(force=True)
    await store("uphf", "achievement:created", actor="user:ana", target="a1", at=DAY)
    await store("uphf", "achievement:created", actor="user:ben", target="a2", at=DAY)
    await store("uphf", "credential:issued", actor="user:ana", target="c1", at=DAY)
    await store(
        "uphf", "credential:revoked", actor="user:ana", target="c2", at=DAY + timedelta(days=1)
    )
    await store("uphf", "role:granted", actor="user:ben", target="r1", at=DAY + timedelta(days=2))
    await store("btu", "achievement:created", actor="user:ana", target="other-tenant", at=DAY)
    return hub


FILTER_CASES = [
    (FilterInput(action="achievement:"), {"a1", "a2"}),
    (FilterInput(action="credential:"), {"c1", "c2"}),
    (FilterInput(action="credential:issued"), {"c1"}),
    (FilterInput(actor="user:ana"), {"a1", "c1", "c2"}),
    (FilterInput(actor="user:ana", action="achievement:"), {"a1"}),
    (FilterInput(target="r1"), {"r1"}),
    (FilterInput(date_from="2026-11-03", date_to="2026-11-03"), {"c2"}),
    (FilterInput(date_from="2026-11-03"), {"c2", "r1"}),
    (FilterInput(date_to="2026-11-02"), {"a1", "a2", "c1"}),
    (FilterInput(date_from="2026-11-03T09:30:00Z", date_to="2026-11-03T09:30:00Z"), {"c2"}),
    (FilterInput(date_from="2026-11-03T09:30:00.000001+00:00", date_to="2026-11-30"), {"r1"}),
]


@pytest.mark.parametrize(("filters", "expected"), FILTER_CASES)
async def test_filter_narrows_events(
    filtered: Hub, filters: FilterInput, expected: set[str]
) -> None:
    page = await list_events(parse_filter(filters, tenant="uphf"), limit=100)

    assert {event.target for event in page.events} == expected


async def test_csv_applies_filters(filtered: Hub) -> None:
    response = await filtered.client.get(
        "/console/tenants/uphf/audit.csv",
        params={"action": "credential:", "actor": "user:ana", "from": "2026-11-03"},
        headers=await filtered.as_person("uphf-admin"),
    )

    assert [row["target"] for row in read_csv(response)] == ["c2"]


async def test_page_applies_filters(filtered: Hub) -> None:
    response = await filtered.client.get(
        "/console/tenants/uphf/audit",
        params={"action": "achievement:"},
        headers=await filtered.as_person("uphf-admin"),
    )

    assert response.status_code == 200
    assert ">a1<" in response.text
    assert ">a2<" in response.text
    assert ">c1<" not in response.text
    assert "other-tenant" not in response.text


# Pagination


async def walk_forward(audit_filter: AuditFilter, limit: int) -> list[list[int]]:
    pages = []
    page = await list_events(audit_filter, limit=limit)
    pages.append([event.id for event in page.events])
    while page.next is not None:
        page = await list_events(audit_filter, limit=limit, cursor=page.next)
        pages.append([event.id for event in page.events])
    return pages


async def test_pages_visit_each_event_once(hub: Hub) -> None:
    # 23 events in one microsecond, plus neighbours before and after, so that page boundaries
    # fall inside the run of equal timestamps.
    for index in range(23):
        await store("uphf", "credential:issued", target=f"same-{index}", at=DAY)
    for index in range(4):
        await store("uphf", "credential:issued", target=f"before-{index}", at=DAY - timedelta(1))
        await store("uphf", "credential:issued", target=f"after-{index}", at=DAY + timedelta(1))
    audit_filter = parse_filter(FilterInput(action="credential:issued"), tenant="uphf")
    stored = await AuditEvent.select(AuditEvent.id).where(
        AuditEvent.tenant_slug == "uphf", AuditEvent.action == "credential:issued"
    )

    pages = await walk_forward(audit_filter, limit=5)
    visited = [event_id for page in pages for event_id in page]

    assert len(stored) == 31
    assert len(visited) == len(set(visited))
    assert sorted(visited) == sorted(row["id"] for row in stored)
    assert [len(page) for page in pages] == [5, 5, 5, 5, 5, 5, 1]


async def test_pages_are_newest_first(hub: Hub) -> None:
    for index in range(6):
        await store("uphf", "credential:issued", target=f"t{index}", at=DAY)
    for index in range(3):
        await store("uphf", "credential:issued", target=f"old{index}", at=DAY - timedelta(1))
    audit_filter = parse_filter(FilterInput(action="credential:issued"), tenant="uphf")

    rows = []
    page = await list_events(audit_filter, limit=4)
    rows += page.events
    while page.next is not None:
        page = await list_events(audit_filter, limit=4, cursor=page.next)
        rows += page.events

    keys = [(event.created_at, event.id) for event in rows]
    assert keys == sorted(keys, reverse=True)


async def test_previous_pages_mirror_next_pages(hub: Hub) -> None:
    for index in range(17):
        await store("uphf", "credential:issued", target=f"same-{index}", at=DAY)
    audit_filter = parse_filter(FilterInput(action="credential:issued"), tenant="uphf")
    forward = await walk_forward(audit_filter, limit=5)
    page = await list_events(audit_filter, limit=5)
    while page.next is not None:
        page = await list_events(audit_filter, limit=5, cursor=page.next)

    backward = [[event.id for event in page.events]]
    while page.previous is not None:
        page = await list_events(audit_filter, limit=5, cursor=page.previous)
        backward.append([event.id for event in page.events])

    assert backward[::-1] == forward
    assert page.previous is None


async def test_console_pages_link_older_and_newer(hub: Hub) -> None:
    for index in range(60):
        await store("uphf", "credential:issued", target=f"event-{index:02d}", at=DAY)
    headers = await hub.as_person("uphf-admin")

    first = await hub.client.get(
        "/console/tenants/uphf/audit?action=credential:issued", headers=headers
    )
    older = first.text.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = await hub.client.get(older.replace("&amp;", "&"), headers=headers)

    assert first.status_code == 200
    assert 'rel="prev"' not in first.text
    assert "event-59" in first.text
    assert "event-09" not in first.text
    assert second.status_code == 200
    assert "event-09" in second.text
    assert "event-59" not in second.text
    assert 'rel="prev"' in second.text
    assert 'rel="next"' not in second.text


# CSV format


async def test_csv_round_trips_details(hub: Hub) -> None:
    details = {
        "reason": 'Plagiat, "copie" constatée;\nsecond line',
        "nested": {"list": [1, 2.5, None, True], "émoji": "🎓"},
        "empty": "",
    }
    await store("uphf", "credential:revoked", target="c-details", details=details)

    response = await hub.client.get(
        "/console/tenants/uphf/audit.csv", headers=await hub.as_person("uphf-admin")
    )
    rows = read_csv(response)
    row = next(row for row in rows if row["target"] == "c-details")

    assert json.loads(row["details"]) == details
    assert row["action"] == "credential:revoked"
    assert row["time"] == "2026-11-02T09:30:00.000000Z"


async def test_csv_is_excel_friendly(hub: Hub) -> None:
    await store("uphf", "credential:issued", target="c1")

    response = await hub.client.get(
        "/console/tenants/uphf/audit.csv", headers=await hub.as_person("uphf-admin")
    )

    assert response.content.startswith(codecs.BOM_UTF8)
    assert response.content.startswith(codecs.BOM_UTF8 + b'"time","actor","action","target",')
    lines = response.content.split(b"\r\n")
    assert lines[-1] == b""
    assert all(b"\n" not in line for line in lines)
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-disposition"].startswith('attachment; filename="audit-uphf-')


FORMULAS = ['=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


async def test_csv_neutralises_formulas(hub: Hub) -> None:
    for index, formula in enumerate(FORMULAS):
        await store("uphf", "credential:revoked", actor=formula, target=f"f{index}")
    await store("uphf", "credential:revoked", actor="user:plain", target=FORMULAS[0])

    response = await hub.client.get(
        "/console/tenants/uphf/audit.csv",
        params={"action": "credential:revoked"},
        headers=await hub.as_person("uphf-admin"),
    )
    rows = read_csv(response)
    actors = {row["target"]: row["actor"] for row in rows}
    plain = next(row for row in rows if row["actor"] == "user:plain")

    for index, formula in enumerate(FORMULAS):
        assert actors[f"f{index}"] == "'" + formula
    assert plain["target"] == "'" + FORMULAS[0]


async def test_export_is_audited(hub: Hub) -> None:
    admin = hub.people["uphf-admin"]

    response = await hub.client.get(
        "/console/tenants/uphf/audit.csv",
        params={"action": "credential:", "from": "2026-11-01"},
        headers=await hub.as_person("uphf-admin"),
    )
    events = (
        await AuditEvent.objects()
        .output(load_json=True)
        .where(AuditEvent.action == "audit:exported")
    )

    assert response.status_code == 200
    assert len(events) == 1
    assert events[0].tenant_slug == "uphf"
    assert events[0].actor == f"user:{admin.subject}"
    assert events[0].details["filter"] == {
        "tenant": "uphf",
        "action": "credential:",
        "since": "2026-11-01T00:00:00.000000Z",
    }


# Console rendering


async def test_page_in_french(hub: Hub) -> None:
    await store("uphf", "credential:issued", actor=f"user:{ADMIN_SUBJECT}", target="c-fr")

    response = await hub.client.get(
        "/console/tenants/uphf/audit?lang=fr", headers=await hub.as_person("uphf-admin")
    )

    text = html.unescape(response.text)

    assert response.status_code == 200
    assert "Journal d'audit" in text
    assert "Attestation délivrée" in text
    assert "2 nov. 2026 à 09:30:00 UTC" in text
    assert '<time datetime="2026-11-02T09:30:00Z">2026-11-02T09:30:00Z</time>' in text
    assert "Uphf Admin" in text


async def test_page_in_english(hub: Hub) -> None:
    await store("uphf", "role:granted", target=f"user:{hub.people['uphf-issuer'].id}")

    response = await hub.client.get(
        "/console/tenants/uphf/audit?lang=en", headers=await hub.as_person("uphf-admin")
    )

    assert "Audit log" in response.text
    assert "Role granted" in response.text
    assert "2 Nov 2026, 09:30:00 UTC" in response.text
    assert "Uphf Issuer" in response.text


async def test_long_details_are_summarised(hub: Hub) -> None:
    await store("uphf", "credential:revoked", target="long", details={"reason": "x" * 400})

    response = await hub.client.get(
        "/console/tenants/uphf/audit", headers=await hub.as_person("uphf-admin")
    )

    assert "reason: " + "x" * 100 in response.text
    assert "<details>" in response.text
    assert '"reason": "' + "x" * 400 in html.unescape(response.text)


async def test_details_are_escaped(hub: Hub) -> None:
    await store(
        "uphf", "credential:revoked", target="xss", details={"reason": "<script>x</script>"}
    )

    response = await hub.client.get(
        "/console/tenants/uphf/audit", headers=await hub.as_person("uphf-admin")
    )

    assert "<script>x</script>" not in response.text
    assert "&lt;script&gt;" in response.text


async def test_links_from_tenant_and_dashboard(hub: Hub) -> None:
    admin = await hub.as_person("uphf-admin")
    issuer = await hub.as_person("uphf-issuer")

    tenant_page = await hub.client.get("/console/tenants/uphf", headers=admin)
    dashboard = await hub.client.get("/console", headers=admin)
    issuer_page = await hub.client.get("/console/tenants/uphf", headers=issuer)
    alliance = await hub.client.get("/console", headers=await hub.as_person("alliance-admin"))

    assert 'href="/console/tenants/uphf/audit"' in tenant_page.text
    assert 'href="/console/tenants/uphf/audit"' in dashboard.text
    assert 'href="/console/tenants/uphf/audit"' not in issuer_page.text
    assert 'href="/console/audit"' in alliance.text
    assert 'href="/console/audit"' not in dashboard.text


# Bad input


BAD_QUERIES = [
    ({"from": "2026-13-45"}, "invalid-audit-filter", "from '2026-13-45'"),
    ({"to": "yesterday"}, "invalid-audit-filter", "to 'yesterday'"),
    ({"from": "2026-11-05", "to": "2026-11-01"}, "invalid-audit-filter", "earlier date"),
    ({"action": "credential"}, "invalid-audit-filter", "action 'credential'"),
    ({"action": "nothing:"}, "invalid-audit-filter", "credential:"),
    ({"actor": "a" * 256}, "invalid-audit-filter", "at most 255"),
    ({"cursor": "n1764000000000000.5.AAAAAAAAAAAAAAAAAAAAAA"}, "invalid-cursor", "altered"),
    ({"cursor": "garbage"}, "invalid-cursor", "altered"),
]


@pytest.mark.parametrize(("query", "code", "fragment"), BAD_QUERIES)
async def test_bad_console_query_is_400(
    hub: Hub, query: dict[str, str], code: str, fragment: str
) -> None:
    headers = await hub.as_person("uphf-admin")

    page = await hub.client.get("/console/tenants/uphf/audit", params=query, headers=headers)

    assert page.status_code == 400
    assert fragment in html.unescape(page.text)
    assert '<form method="get"' in page.text


@pytest.mark.parametrize(
    ("query", "code", "fragment"), [case for case in BAD_QUERIES if "cursor" not in case[0]]
)
async def test_bad_csv_query_is_400(
    hub: Hub, query: dict[str, str], code: str, fragment: str
) -> None:
    headers = {**await hub.as_person("uphf-admin"), "accept": "*/*"}

    export = await hub.client.get("/console/tenants/uphf/audit.csv", params=query, headers=headers)

    assert export.status_code == 400
    assert export.json()["code"] == code
    assert fragment in export.json()["detail"]
    assert await AuditEvent.count().where(AuditEvent.action == "audit:exported") == 0


# The API, with Keycloak-style access tokens validated against a JWKS on loopback


@pytest.fixture
def signing_key() -> RSAKey:
    return rsa_signing_key("audit-tests")


@pytest.fixture
def jwks_server(signing_key: RSAKey) -> Iterator[JwksServer]:
    server = JwksServer([public_jwk(signing_key)])
    yield server
    server.close()


@pytest.fixture
def api_token(hub: Hub, jwks_server: JwksServer, signing_key: RSAKey) -> dict[str, str]:
    """A bearer token of the uphf admin, accepted by the hub's real token validator."""
    validator = AccessTokenValidator(
        jwks_server.issuer, AUDIENCE, (CLIENT,), JwksCache(jwks_server.issuer), clock=lambda: NOW
    )
    hub.app.state.access_token_validator = validator
    claims = access_claims(jwks_server.issuer)
    claims.update(sub=ADMIN_SUBJECT, realm_access={"roles": []}, organization=[])
    return {"authorization": f"Bearer {mint(signing_key, claims)}"}


async def test_api_pages_with_cursor(hub: Hub, api_token: dict[str, str]) -> None:
    for index in range(9):
        await store("uphf", "credential:issued", target=f"api-{index}", at=DAY)
    await store("btu", "credential:issued", target="btu-award", at=DAY)

    seen: list[str] = []
    url = "/api/v1/tenants/uphf/audit"
    query = {"action": "credential:issued", "limit": "4"}
    response = await hub.client.get(url, params=query, headers=api_token)
    pages = [response.json()]
    while pages[-1]["next_cursor"]:
        response = await hub.client.get(
            url, params={**query, "cursor": pages[-1]["next_cursor"]}, headers=api_token
        )
        pages.append(response.json())
    for page in pages:
        seen += [event["target"] for event in page["events"]]

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert [len(page["events"]) for page in pages] == [4, 4, 1]
    assert sorted(seen) == sorted(f"api-{index}" for index in range(9))
    assert pages[0]["previous_cursor"] is None
    assert pages[1]["previous_cursor"] is not None
    assert pages[0]["events"][0]["tenant"] == "uphf"
    assert pages[0]["events"][0]["time"] == "2026-11-02T09:30:00.000000Z"


async def test_api_csv_export(hub: Hub, api_token: dict[str, str]) -> None:
    await store("uphf", "credential:issued", target="api-csv", details={"n": 1})

    response = await hub.client.get(
        "/api/v1/tenants/uphf/audit.csv?target=api-csv", headers=api_token
    )
    rows = read_csv(response)

    assert response.status_code == 200
    assert [row["target"] for row in rows] == ["api-csv"]
    assert json.loads(rows[0]["details"]) == {"n": 1}


async def test_api_other_tenant_denied(hub: Hub, api_token: dict[str, str]) -> None:
    response = await hub.client.get("/api/v1/tenants/btu/audit", headers=api_token)

    assert response.status_code == 403


API_BAD_QUERIES = [
    ({"limit": "0"}, "invalid-limit"),
    ({"limit": "10000"}, "invalid-limit"),
    ({"limit": "many"}, "invalid-request"),
    ({"from": "2026-02-30"}, "invalid-audit-filter"),
    ({"to": "2026-11-02T25:00"}, "invalid-audit-filter"),
    ({"cursor": "n1764000000000000.5.AAAAAAAAAAAAAAAAAAAAAA"}, "invalid-cursor"),
]


@pytest.mark.parametrize(("query", "code"), API_BAD_QUERIES)
async def test_bad_api_query_is_400(
    hub: Hub, api_token: dict[str, str], query: dict[str, str], code: str
) -> None:
    response = await hub.client.get("/api/v1/tenants/uphf/audit", params=query, headers=api_token)

    assert response.status_code == 400
    assert response.json()["code"] == code


async def test_api_rejects_altered_cursor(hub: Hub, api_token: dict[str, str]) -> None:
    for index in range(3):
        await store("uphf", "credential:issued", target=f"c{index}")
    first = await hub.client.get("/api/v1/tenants/uphf/audit?limit=1", headers=api_token)
    cursor = first.json()["next_cursor"]
    direction, rest = cursor[0], cursor[1:]
    micros, event_id, tag = rest.split(".")
    altered = [
        f"b{micros}.{event_id}.{tag}",
        f"{direction}{micros}.{int(event_id) + 1}.{tag}",
        f"{direction}{int(micros) - 1}.{event_id}.{tag}",
        cursor[:-1] + ("A" if cursor[-1] != "A" else "B"),
    ]

    responses = [
        await hub.client.get(
            "/api/v1/tenants/uphf/audit", params={"cursor": text}, headers=api_token
        )
        for text in altered
    ]
    intact = await hub.client.get(
        "/api/v1/tenants/uphf/audit", params={"cursor": cursor}, headers=api_token
    )

    assert [response.status_code for response in responses] == [400, 400, 400, 400]
    assert all(response.json()["code"] == "invalid-cursor" for response in responses)
    assert intact.status_code == 200
