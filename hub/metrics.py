"""Prometheus metrics: HTTP requests, issuance, verification and the job queue, per tenant.

The web process serves them at ``/metrics`` in the Prometheus text format; a worker serves its
own on ``badgehub worker --metrics-port``. Counters live in one registry per process, so every
pod reports its own totals and Prometheus sums them. The queue depth is read from PostgreSQL at
scrape time, so every web pod reports the same, cluster-wide number.
"""

from __future__ import annotations

import hmac
import time
from typing import Any

from litestar import Response, get
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from hub.errors import AuthenticationError

REGISTRY = CollectorRegistry()

HTTP_REQUESTS = Counter(
    "badgehub_http_requests",
    "HTTP requests answered, by route template, status code and tenant slug.",
    ["method", "route", "status", "tenant"],
    registry=REGISTRY,
)
HTTP_DURATION = Histogram(
    "badgehub_http_request_duration_seconds",
    "Time from the request to the end of the response body, by route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
CREDENTIALS_ISSUED = Counter(
    "badgehub_credentials_issued",
    "Signed OpenBadgeCredentials stored, by tenant and channel (single or bulk).",
    ["tenant", "channel"],
    registry=REGISTRY,
)
VERIFICATIONS = Counter(
    "badgehub_verifications",
    "Verifications through the API and the credential pages, by result "
    "(valid, invalid, unreadable).",
    ["result"],
    registry=REGISTRY,
)
QUEUE_JOBS = Gauge(
    "badgehub_queue_jobs",
    "Background jobs waiting (todo) or running (doing), by queue; read at scrape time.",
    ["queue", "status"],
    registry=REGISTRY,
)

QUEUE_STATUSES = ("todo", "doing")
QUEUE_DEPTH_SQL = """
    SELECT queue_name, status::text AS status, count(*) AS jobs
    FROM procrastinate_jobs
    WHERE status IN ('todo', 'doing')
    GROUP BY queue_name, status
"""


def count_issued(tenant: str, channel: str, count: int = 1) -> None:
    if count > 0:
        CREDENTIALS_ISSUED.labels(tenant=tenant, channel=channel).inc(count)


def count_verification(result: str) -> None:
    VERIFICATIONS.labels(result=result).inc()


def request_metrics_middleware(app: ASGIApp) -> ASGIApp:
    """Count each routed request and time it, labelled by its route template, not its path.

    Litestar runs app middleware after routing, so unknown paths (404 before routing) are not
    counted and cannot blow up the number of label values.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_with_status)
        finally:
            route = scope.get("path_template") or "unrouted"
            method = scope["method"]
            tenant = str(scope.get("path_params", {}).get("slug", ""))
            HTTP_REQUESTS.labels(method, route, str(status), tenant).inc()
            HTTP_DURATION.labels(method, route).observe(time.perf_counter() - started)

    return middleware


async def refresh_queue_depth() -> None:
    from tenants.tables import Tenant

    rows = await Tenant.raw(QUEUE_DEPTH_SQL)
    counts = {(row["queue_name"], row["status"]): row["jobs"] for row in rows}
    queues = {queue for queue, _ in counts} | {queue for queue, _ in _known_queue_series()}
    for queue in queues:
        for status in QUEUE_STATUSES:
            QUEUE_JOBS.labels(queue=queue, status=status).set(counts.get((queue, status), 0))


def _known_queue_series() -> list[tuple[str, str]]:
    # A queue that emptied since the last scrape must drop to 0, not keep its old value.
    samples = next(iter(QUEUE_JOBS.collect())).samples
    return [(sample.labels["queue"], sample.labels["status"]) for sample in samples]


def require_metrics_token(
    connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler
) -> None:
    """Ask for ``Authorization: Bearer <HUB_METRICS_TOKEN>`` when that setting is set."""
    expected = connection.app.state.settings.metrics_token
    if expected is None:
        return
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip(), expected):
        raise AuthenticationError(
            "/metrics needs `Authorization: Bearer <token>` with the value of "
            "HUB_METRICS_TOKEN; configure it as the scrape job's bearer token",
            code="invalid-metrics-token",
        )


@get("/metrics", opt={"access": "public"}, guards=[require_metrics_token], include_in_schema=False)
async def metrics_endpoint() -> Response[bytes]:
    """Serve every metric of this process in the Prometheus text format."""
    await refresh_queue_depth()
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


def serve_worker_metrics(port: int) -> None:
    """Serve this worker's metrics on ``port`` from a background thread."""
    from prometheus_client import start_http_server

    start_http_server(port, registry=REGISTRY)
