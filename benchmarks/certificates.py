"""Benchmark: render PDF certificates with WeasyPrint, alone, in threads, and over HTTP.

Prints one table row per phase. The columns are the median and 95th percentile wall time per
PDF, and the CPU time per PDF of the whole process, which other load on the machine does not
inflate. Then come the PDFs per second and, while PDFs render, the 95th percentile delay of a
10 ms timer on the event loop ("loop p95", in ms). The last column is the peak resident memory
of the process so far. The certificate is a real signed award of a tenant with a logo, signatory and
wording.

    .venv/bin/python benchmarks/certificates.py [--count 40]

Uses HUB_DATABASE_URL when set, else an embedded PostgreSQL in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

from hub.app import create_app
from hub.badge_image import render_badge_svg
from hub.certificates import services
from hub.certificates.content import build_content
from hub.certificates.render import render_pdf
from hub.database import configure_engine, embedded_postgres, run_migrations
from hub.logs import configure_logging
from hub.settings import Settings
from tenants.scope import TenantScope
from tenants.services import (
    AchievementCreate,
    TenantCreate,
    create_achievement,
    create_tenant,
    sign_award,
)
from tenants.tables import Award, Tenant

BENCH_DATABASE = "badgehub_bench_certificates"
DESIGN = {
    "primary_color": "#1d3557",
    "accent_color": "#b8860b",
    "signatory_name": "Abdelhakim Artiba",
    "signatory_title_fr": "Président de l'université",
    "signatory_title_en": "President of the university",
    "wording_fr": "Ce badge atteste la participation active aux ateliers de la semaine d'accueil.",
    "wording_en": "This badge recognises active participation in the welcome-week workshops.",
}


@dataclass
class Phase:
    name: str
    durations: list[float]
    wall: float
    cpu_seconds: float
    peak_rss_kib: int
    loop_delays: list[float] | None = None

    def row(self) -> str:
        median_ms = statistics.median(self.durations) * 1000
        p95_ms = percentile(self.durations, 0.95) * 1000
        cpu_ms = 1000 * self.cpu_seconds / len(self.durations)
        rate = len(self.durations) / self.wall
        peak_mib = self.peak_rss_kib / 1024
        delay = "-"
        if self.loop_delays:
            delay = f"{percentile(self.loop_delays, 0.95) * 1000:.1f}"
        return (
            f"| {self.name:<32} | {median_ms:9.2f} | {p95_ms:8.2f} | {cpu_ms:6.1f} "
            f"| {rate:7.1f} | {delay:>8} | {peak_mib:8.0f} |"
        )


def percentile(values: list[float], fraction: float) -> float:
    return sorted(values)[max(0, int(len(values) * fraction) - 1)]


def peak_rss_kib() -> int:
    # On Linux ru_maxrss is in kibibytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def timed(name: str, count: int, step: Callable[[], Awaitable[Any]]) -> Phase:
    durations = []
    started, cpu_started = time.perf_counter(), time.process_time()
    for _ in range(count):
        begin = time.perf_counter()
        await step()
        durations.append(time.perf_counter() - begin)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return Phase(name, durations, wall, cpu, peak_rss_kib())


async def concurrent(name: str, count: int, step: Callable[[], Awaitable[Any]]) -> Phase:
    """Start ``count`` steps at once; each duration includes its wait for a rendering slot.

    Meanwhile a 10 ms timer runs on the event loop, and how late it fires shows how free the
    loop stays for other requests.
    """
    delays: list[float] = []
    is_running = True

    async def tick() -> None:
        while is_running:
            begin = time.perf_counter()
            await asyncio.sleep(0.01)
            delays.append(time.perf_counter() - begin - 0.01)

    async def measured() -> float:
        begin = time.perf_counter()
        await step()
        return time.perf_counter() - begin

    ticker = asyncio.create_task(tick())
    started, cpu_started = time.perf_counter(), time.process_time()
    durations = await asyncio.gather(*(measured() for _ in range(count)))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    is_running = False
    await ticker
    return Phase(name, list(durations), wall, cpu, peak_rss_kib(), delays)


async def prepare(url: str, settings: Settings) -> tuple[str, Tenant, Any, Award]:
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

    tenant = await create_tenant(
        settings,
        TenantCreate(
            slug="uphf",
            name="Université Polytechnique Hauts-de-France",
            name_en="Polytechnic University of Hauts-de-France",
            country="FR",
            home_page="https://www.uphf.fr",
        ),
        actor="benchmark",
    )
    logo = render_badge_svg("UPHF", "Valenciennes", "#1d3557", "#e9c46a", "UPHF").encode()
    await services.update_design(tenant, {**DESIGN, "layout": "classic"}, logo, False, "bench")
    achievement = await create_achievement(
        TenantScope(tenant),
        AchievementCreate(
            slug="cap-campus",
            name={"fr": "Cap Campus", "en": "Cap Campus"},
            description={"fr": "Accueil des nouveaux étudiants.", "en": "Welcome programme."},
            criteria={"fr": "Suivre la semaine d'accueil.", "en": "Attend welcome week."},
            valid_for_months=24,
        ),
        actor="benchmark",
    )
    award = await sign_award(
        settings, tenant, achievement, "ada@example.org", "Ada Lovelace", "fr", datetime.now(UTC)
    )
    award.request_fingerprint = "benchmark"
    await award.save()
    stored = await Tenant.objects().output(load_json=True).where(Tenant.id == tenant.id).first()
    assert stored is not None
    return bench_url, stored, achievement, award


async def run(url: str, count: int) -> None:
    settings = Settings(public_url="http://127.0.0.1:8000", key_encryption_key=os.urandom(32))
    bench_url, tenant, achievement, award = await prepare(url, settings)
    content = build_content(settings, tenant, achievement, award, "fr")
    baseline_mib = peak_rss_kib() / 1024
    pdf = render_pdf(content, award.credential_text)  # The first rendering loads fonts.
    loop = asyncio.get_running_loop()
    two_threads = ThreadPoolExecutor(max_workers=2)

    phases = [
        await timed(
            "render, one thread",
            count,
            lambda: asyncio.to_thread(render_pdf, content, award.credential_text),
        ),
        await concurrent(
            "render, 2 threads, all at once",
            count,
            lambda: loop.run_in_executor(two_threads, render_pdf, content, award.credential_text),
        ),
        await concurrent(
            "render_in_thread, all at once",
            count,
            lambda: services.render_in_thread(content, award.credential_text),
        ),
    ]
    two_threads.shutdown()
    app = create_app(settings, bench_url)
    path = f"/credentials/{award.id}/certificate.pdf"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=settings.public_url
    ) as client:

        async def uncached() -> None:
            services.pdf_cache.clear()
            response = await client.get(path)
            response.raise_for_status()

        async def cached() -> None:
            response = await client.get(path)
            response.raise_for_status()

        phases.append(await timed("HTTP GET, cache miss", count, uncached))
        await cached()
        phases.append(await timed("HTTP GET, cache hit", count * 10, cached))

    print(f"\n{count} PDFs per phase, {len(pdf) / 1024:.0f} KiB each, WeasyPrint PDF/A-3b")
    print(f"peak resident memory before the first rendering: {baseline_mib:.0f} MiB\n")
    print(
        "| phase                            | median ms |   p95 ms | CPU ms |  PDFs/s "
        "| loop p95 | peak MiB |"
    )
    print(
        "|----------------------------------|----------:|---------:|-------:|--------:"
        "|---------:|---------:|"
    )
    for phase in phases:
        print(phase.row())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40, help="PDFs to render per phase")
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
