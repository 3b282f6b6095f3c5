"""OpenTelemetry traces: a server span per request, with the route and the tenant."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from litestar.plugins.opentelemetry import OpenTelemetryPlugin
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from hub import tracing
from hub.app import create_app
from hub.settings import Settings
from tests.factories import make_tenant

pytestmark = pytest.mark.integration


async def test_requests_become_server_spans(
    db: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(tracing, "tracer_provider", lambda: provider)
    await make_tenant(settings)
    app = create_app(replace(settings, tracing=True), db)

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=settings.public_url) as client:
        document = await client.get("/tenants/uphf/did.json")
        probe = await client.get("/health/live")

    assert document.status_code == 200
    assert probe.status_code == 200
    spans = [span for span in exporter.get_finished_spans() if span.kind == SpanKind.SERVER]
    assert len(spans) == 1
    assert spans[0].name == "GET /tenants/{slug}/did.json"
    attributes = dict(spans[0].attributes or {})
    assert attributes["http.route"] == "/tenants/{slug}/did.json"
    assert attributes["badgehub.tenant"] == "uphf"
    assert attributes["http.status_code"] == 200


async def test_tracing_is_off_by_default(db: str, settings: Settings) -> None:
    app = create_app(settings, db)

    assert not any(isinstance(plugin, OpenTelemetryPlugin) for plugin in app.plugins)
    assert Settings.from_env({"HUB_TRACING": "true"}).tracing is True
