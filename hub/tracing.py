"""Optional OpenTelemetry traces: one server span per HTTP request, exported over OTLP/HTTP.

``HUB_TRACING=true`` turns them on. The exporter reads the standard OpenTelemetry variables
(``OTEL_EXPORTER_OTLP_ENDPOINT``, ``OTEL_EXPORTER_OTLP_HEADERS``, ``OTEL_SERVICE_NAME``,
``OTEL_RESOURCE_ATTRIBUTES``), so a collector is configured as for any other service. Probes and
the metrics endpoint make no spans.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin
from litestar.types import ASGIApp, Receive, Scope, Send
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.semconv.attributes.http_attributes import HTTP_ROUTE

from hub.settings import Settings

DEFAULT_SERVICE_NAME = "badgehub"
UNTRACED_PATHS = ["/health", "/metrics"]


@cache
def tracer_provider() -> TracerProvider:
    """Build this process's provider once; its batch processor exports in the background."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    attributes = {}
    if "OTEL_SERVICE_NAME" not in os.environ:
        attributes["service.name"] = DEFAULT_SERVICE_NAME
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def request_span_name(scope: Any) -> tuple[str, dict[str, str]]:
    """Name the span by the method alone: the route is not known before routing."""
    return str(scope.get("method", "HTTP")), {}


def route_span_middleware(app: ASGIApp) -> ASGIApp:
    """Rename the request's span to ``METHOD /route/{template}`` and add the tenant slug.

    Litestar runs this after routing, inside the span that the OpenTelemetry middleware opened,
    so span names stay as few as the routes instead of one per URL.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        span = trace.get_current_span()
        route = scope.get("path_template")
        if route and span.is_recording():
            span.update_name(f"{scope.get('method', 'HTTP')} {route}")
            span.set_attribute(HTTP_ROUTE, route)
            slug = scope.get("path_params", {}).get("slug")
            if slug:
                span.set_attribute("badgehub.tenant", str(slug))
        await app(scope, receive, send)

    return middleware


def tracing_plugins(settings: Settings) -> list[OpenTelemetryPlugin]:
    """Return the OpenTelemetry plugin when tracing is on; ``route_span_middleware`` names spans."""
    if not settings.tracing:
        return []
    config = OpenTelemetryConfig(
        tracer_provider=tracer_provider(),
        exclude=UNTRACED_PATHS,
        scope_span_details_extractor=request_span_name,
        exclude_spans=["receive", "send"],
    )
    return [OpenTelemetryPlugin(config)]
