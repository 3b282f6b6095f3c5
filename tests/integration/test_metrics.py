"""Prometheus metrics at /metrics, the health probes, and request ids in JSON logs."""

from __future__ import annotations

import json
from dataclasses import replace

import httpx
import pytest
from litestar import Litestar, get
from prometheus_client.parser import text_string_to_metric_families

from hub.app import create_app, request_context_middleware
from hub.logs import configure_logging
from hub.settings import Settings
from tenants.tables import Tenant
from tests.factories import make_achievement, make_tenant, make_token

pytestmark = pytest.mark.integration

AWARD_ROUTE = "/api/v1/tenants/{slug}/awards"


async def scrape(client: httpx.AsyncClient, **headers: str) -> dict[tuple[str, tuple], float]:
    """Return every sample of /metrics keyed by name and sorted labels."""
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def sample(samples: dict[tuple[str, tuple], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_issue_and_verify_are_counted(client: httpx.AsyncClient, settings: Settings) -> None:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant)
    token = await make_token(tenant)
    before = await scrape(client)

    issued = await client.post(
        "/api/v1/tenants/uphf/awards",
        json={
            "achievement_id": str(achievement.id),
            "recipient_email": "ada@example.org",
            "recipient_name": "Ada Lovelace",
            "send_email": False,
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    credential = issued.json()["credential"]
    valid = await client.post("/api/v1/verify", json=credential)
    tampered = await client.post("/api/v1/verify", json={**credential, "name": "Forged"})
    unreadable = await client.post("/api/v1/verify", content=b"not a credential")
    after = await scrape(client)

    assert issued.status_code == 201, issued.text
    assert valid.json()["valid"] is True
    assert tampered.json()["valid"] is False
    assert unreadable.status_code == 400

    def delta(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert delta("badgehub_credentials_issued_total", tenant="uphf", channel="single") == 1
    assert delta("badgehub_verifications_total", result="valid") == 1
    assert delta("badgehub_verifications_total", result="invalid") == 1
    assert delta("badgehub_verifications_total", result="unreadable") == 1
    award_request = {"method": "POST", "route": AWARD_ROUTE, "status": "201", "tenant": "uphf"}
    assert delta("badgehub_http_requests_total", **award_request) == 1
    verify_request = {"method": "POST", "route": "/api/v1/verify", "tenant": ""}
    assert delta("badgehub_http_requests_total", status="200", **verify_request) == 2
    assert delta("badgehub_http_requests_total", status="400", **verify_request) == 1
    duration = {"method": "POST", "route": AWARD_ROUTE}
    assert delta("badgehub_http_request_duration_seconds_count", **duration) == 1


async def test_queue_depth_is_read_at_scrape(client: httpx.AsyncClient) -> None:
    insert = (
        "INSERT INTO procrastinate_jobs (queue_name, task_name, status) "
        "VALUES ('depth-test', 'probe', 'todo'), ('depth-test', 'probe', 'todo'), "
        "('depth-test', 'probe', 'doing'), ('depth-test', 'probe', 'succeeded')"
    )
    await Tenant.raw(insert)

    filled = await scrape(client)
    await Tenant.raw("DELETE FROM procrastinate_jobs WHERE queue_name = 'depth-test'")
    emptied = await scrape(client)

    assert sample(filled, "badgehub_queue_jobs", queue="depth-test", status="todo") == 2
    assert sample(filled, "badgehub_queue_jobs", queue="depth-test", status="doing") == 1
    assert sample(emptied, "badgehub_queue_jobs", queue="depth-test", status="todo") == 0
    assert sample(emptied, "badgehub_queue_jobs", queue="depth-test", status="doing") == 0


async def test_metrics_token_is_required_when_set(db: str, settings: Settings) -> None:
    app = create_app(replace(settings, metrics_token="scrape-secret-1"), db)
    transport = httpx.ASGITransport(app=app)

    async with httpx.AsyncClient(transport=transport, base_url=settings.public_url) as client:
        missing = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer scrape-secret-2"})
        right = await scrape(client, authorization="Bearer scrape-secret-1")

    assert missing.status_code == 401
    assert missing.json()["code"] == "invalid-metrics-token"
    assert wrong.status_code == 401
    denied = {"method": "GET", "route": "/metrics", "status": "401", "tenant": ""}
    assert sample(right, "badgehub_http_requests_total", **denied) >= 2


async def test_probes_answer(client: httpx.AsyncClient) -> None:
    live = await client.get("/health/live")
    ready = await client.get("/health/ready")

    assert live.status_code == 200
    assert live.json() == {"status": "ok"}
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok"}


@get("/tenants/{slug:str}/probe", opt={"access": "public"})
async def logging_probe(slug: str) -> dict[str, str]:
    import structlog

    structlog.get_logger("test").info("probe_logged")
    return {"slug": slug}


async def test_json_logs_carry_request_and_tenant(capsys: pytest.CaptureFixture[str]) -> None:
    app = Litestar([logging_probe], middleware=[request_context_middleware], logging_config=None)
    configure_logging("json", "info")
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
            response = await client.get("/tenants/uphf/probe")
    finally:
        # Bind the logger to the real stderr again, not to this test's captured one.
        with capsys.disabled():
            configure_logging("console", "info")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if "{" in line]

    events = [line for line in lines if line.get("event") == "probe_logged"]
    assert len(events) == 1, lines
    assert events[0]["request_id"] == response.headers["x-request-id"]
    assert events[0]["tenant"] == "uphf"
    assert events[0]["level"] == "info"
