"""Benchmark: export a tenant's audit log as CSV and page through it; time and peak memory.

Inserts --count events (default 200,000) for one tenant, and a tenth as many for a second
tenant, then measures:

- the full CSV export through the console route, with the ASGI app called directly and a
  receiver that counts the body and drops it, so that only the server side keeps memory;
- the same export restricted to about the first tenth of the events (a ``to`` time), to show
  that peak memory does not grow with the number of rows;
- single pages of 50 events: the first, the middle and the last one (keyset cursors), and a
  page with a filter that matches one event in 97.

Each export runs twice: once for the time, and once under tracemalloc, whose peak counts the
allocations made through Python's allocator (asyncpg records, csv buffers, response chunks).
tracemalloc slows Python down, so its run is not timed.

    .venv/bin/python benchmarks/audit_export.py [--count 200000]

Uses HUB_DATABASE_URL when set, else an embedded PostgreSQL in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg

from hub.app import create_app
from hub.audit_log.query import Cursor, FilterInput, Position, list_events, parse_filter
from hub.auth import login
from hub.auth.principal import SESSION_COOKIE
from hub.auth.tables import TenantRole, User
from hub.database import configure_engine, embedded_postgres, run_migrations
from hub.logs import configure_logging
from hub.settings import Settings
from tenants.services import TenantCreate, create_tenant

BENCH_DATABASE = "badgehub_bench_audit"
START = datetime(2026, 1, 1, tzinfo=UTC)
# Events are spaced this far apart, with every seventh sharing its neighbour's timestamp, so
# that pages cross runs of equal times.
SPACING = timedelta(seconds=7)
PAGE_REPEATS = 20
# The target of one event in 97: a cell the CSV export must neutralise, and a selective filter.
FORMULA_TARGET = '=HYPERLINK("http://evil.example")'

# Rows built by PostgreSQL itself, so inserting 200,000 events takes seconds, not minutes.
INSERT_EVENTS = """
INSERT INTO audit_event (tenant_slug, actor, action, target, details, created_at)
SELECT $1,
       'user:' || md5((n % 40)::text),
       (ARRAY['credential:issued', 'credential:issued', 'credential:issued',
              'achievement:created', 'role:granted', 'credential:revoked'])[1 + n % 6],
       CASE WHEN n % 97 = 0 THEN $5 ELSE md5(n::text) END,
       jsonb_build_object('reason', 'Motif n°' || n || ', "entre guillemets"',
                          'purpose', 'revocation', 'n', n),
       $2::timestamptz + ((n - (n % 7 = 0)::int) * $3::interval)
FROM generate_series(1, $4) AS n
"""


@dataclass
class Measure:
    name: str
    rows: int
    seconds: float
    size_bytes: int
    peak_bytes: int | None = None

    def row(self) -> str:
        peak = f"{self.peak_bytes / 2**20:8.1f}" if self.peak_bytes is not None else "       -"
        rate = self.rows / self.seconds if self.seconds else 0.0
        return (
            f"| {self.name:<34} | {self.rows:>9,} | {self.seconds:8.2f} | {rate:>10,.0f} | "
            f"{self.size_bytes / 2**20:8.1f} | {peak} |"
        )


async def prepare(url: str, settings: Settings, count: int) -> tuple[str, str]:
    """Create a fresh database with two tenants, their events and an admin.

    Returns the database URL and the admin's session cookie.
    """
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    finally:
        await admin.close()
    bench_url = urlunsplit(urlsplit(url)._replace(path=f"/{BENCH_DATABASE}"))
    engine = configure_engine(bench_url)
    await run_migrations()
    await engine.start_connection_pool(min_size=1, max_size=4)
    tenants = {}
    for slug, country in (("uphf", "FR"), ("btu", "DE")):
        tenants[slug] = await create_tenant(
            settings,
            TenantCreate(
                slug=slug,
                name=slug.upper(),
                name_en=slug.upper(),
                country=country,
                home_page=f"https://www.{slug}.example",
            ),
            actor="benchmark",
        )
    connection = await asyncpg.connect(bench_url)
    try:
        await connection.execute(INSERT_EVENTS, "uphf", START, SPACING, count, FORMULA_TARGET)
        await connection.execute(INSERT_EVENTS, "btu", START, SPACING, count // 10, FORMULA_TARGET)
        await connection.execute("ANALYZE audit_event")
    finally:
        await connection.close()
    user = User(
        subject="benchmark-admin", email="admin@uphf.example", name="Admin", created_at=START
    )
    await user.save()
    await TenantRole(
        user=user.id, tenant=tenants["uphf"].id, role="tenant-admin", created_at=START
    ).save()
    return bench_url, await login.open_session(settings, user, None)


async def get_streamed(app: Any, path: str, query: str, cookie: str) -> tuple[int, int, int]:
    """Send one GET to the ASGI app and keep no body.

    Returns the status, the body size and the number of CRLF line ends.
    """
    finished = asyncio.Event()
    state = {"status": 0, "size": 0, "lines": 0}
    requested = False

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await finished.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            state["status"] = message["status"]
        elif message["type"] == "http.response.body":
            body = message.get("body", b"")
            state["size"] += len(body)
            state["lines"] += body.count(b"\r\n")
            if not message.get("more_body", False):
                finished.set()

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"cookie", f"{SESSION_COOKIE}={cookie}".encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    await app(scope, receive, send)
    return state["status"], state["size"], state["lines"]


async def export(app: Any, cookie: str, name: str, query: str) -> list[Measure]:
    path = "/console/tenants/uphf/audit.csv"
    started = time.perf_counter()
    status, size, lines = await get_streamed(app, path, query, cookie)
    seconds = time.perf_counter() - started
    if status != 200:
        raise SystemExit(f"export {name!r} returned status {status}; the benchmark is void")
    tracemalloc.start()
    try:
        await get_streamed(app, path, query, cookie)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Every line ends in CRLF, no cell of this data contains one, and the first is the header.
    return [Measure(name, lines - 1, seconds, size, peak)]


async def page_at(offset: int | None, filters: FilterInput) -> float:
    """Return the median time of one page of 50 that starts after the ``offset``-th event."""
    audit_filter = parse_filter(filters, tenant="uphf")
    cursor = None
    if offset is not None:
        from hub.tables import AuditEvent

        rows = await AuditEvent.raw(
            "SELECT created_at, id FROM audit_event WHERE tenant_slug = 'uphf' "
            "ORDER BY created_at DESC, id DESC OFFSET {} LIMIT 1",
            offset,
        )
        cursor = Cursor(Position(rows[0]["created_at"], rows[0]["id"]))
    durations = []
    for _ in range(PAGE_REPEATS):
        started = time.perf_counter()
        page = await list_events(audit_filter, cursor=cursor)
        durations.append(time.perf_counter() - started)
    if not page.events:
        raise SystemExit(f"the page after event {offset} is empty; the benchmark is void")
    return statistics.median(durations)


async def run(url: str, count: int) -> None:
    settings = Settings(public_url="http://127.0.0.1:8000", key_encryption_key=os.urandom(32))
    bench_url, cookie = await prepare(url, settings, count)
    app = create_app(settings, bench_url)
    tenth_end = (START + SPACING * (count // 10)).isoformat().replace("+00:00", "Z")
    measures = await export(app, cookie, "CSV export, whole tenant", "")
    measures += await export(
        app, cookie, "CSV export, about a tenth (to=)", f"to={quote(tenth_end)}"
    )
    pages = {
        "first page": await page_at(None, FilterInput()),
        "middle page": await page_at(count // 2, FilterInput()),
        "last page": await page_at(count - 10, FilterInput()),
        "page filtered to 1 in 97": await page_at(None, FilterInput(target=FORMULA_TARGET)),
    }
    print(f"\n{count:,} events in tenant uphf, {count // 10:,} in tenant btu\n")
    print(
        "| export                             |      rows |        s |     rows/s |      MiB |"
        " peak MiB |"
    )
    print(
        "|------------------------------------|----------:|---------:|-----------:|---------:|"
        "---------:|"
    )
    for measure in measures:
        print(measure.row())
    print("\n| page of 50 events          | median ms |")
    print("|----------------------------|----------:|")
    for name, seconds in pages.items():
        print(f"| {name:<26} | {seconds * 1000:9.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000, help="events in the main tenant")
    arguments = parser.parse_args()
    configure_logging("console", "warning")
    external = os.environ.get("HUB_DATABASE_URL")
    if external:
        asyncio.run(run(external, arguments.count))
        return
    with tempfile.TemporaryDirectory() as folder, embedded_postgres(Path(folder)) as url:
        asyncio.run(run(url, arguments.count))


if __name__ == "__main__":
    main()
