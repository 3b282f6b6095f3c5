"""Benchmark: bulk award N generated CSV rows end to end, through the real service and job.

For each size, a fresh child process uploads a generated CSV file, which ``validate_upload``
parses, checks and stores. It starts the upload on the real procrastinate queue and runs a
worker until the queue is empty, so ``bulk.award`` allocates status entries, signs, stores the
awards and queues the e-mails. Each size runs in its own process so that its peak RSS is its
own. Prints a table with
the seconds per phase, the rows per second end to end, and the peak RSS of the process and of
its signing processes.

    .venv/bin/python benchmarks/bulk_award.py [--rows 1000 10000 50000] [--processes 2]
    .venv/bin/python benchmarks/bulk_award.py --profile 10000

``--profile N`` runs one size under cProfile and prints the 40 functions with the most own time,
then the bulk code's functions by cumulative time (the main process only: signing runs in the
signing processes, and cProfile counts coroutines only while they run).
Uses HUB_DATABASE_URL when set, else an embedded PostgreSQL in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

BENCH_DATABASE = "badgehub_bench_bulk"
DEFAULT_SIZES = (1_000, 10_000, 50_000)


@dataclass
class Timer:
    """Adds up the wall time spent in one wrapped coroutine function."""

    original: Callable[..., Any]
    seconds: float = 0.0
    calls: int = field(default=0)

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return await self.original(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - start
            self.calls += 1


def write_csv(path: Path, rows: int) -> None:
    """Write an intake file as a registrar exports it: semicolons, French headers, accents."""
    with path.open("w", encoding="utf-8", newline="") as file:
        file.write("courriel;prénom;nom;preuve;commentaire;date\n")
        for number in range(rows):
            file.write(
                f"etudiant.{number}@etu.example.org;Élise;Étudiante n°{number};"
                f"https://portfolio.example.org/{number};Atelier suivi en entier;15/09/2025\n"
            )


async def prepare(url: str, processes: int) -> tuple[str, Any, Any, Any]:
    from hub.database import configure_engine, run_migrations
    from hub.settings import Settings
    from tests.factories import make_achievement, make_tenant

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
    settings = Settings(
        public_url="http://127.0.0.1:8000",
        key_encryption_key=os.urandom(32),
        bulk_signing_processes=processes,
    )
    tenant = await make_tenant(settings, "uphf")
    achievement = await make_achievement(tenant)
    return bench_url, settings, tenant, achievement


async def measure(url: str, rows: int, processes: int) -> dict[str, Any]:
    from hub import queue
    from hub.bulk import batches, reading, service, tasks
    from hub.bulk.service import BulkLimits
    from tenants.scope import TenantScope
    from tenants.tables import Award, OutboundEmail

    bench_url, settings, tenant, achievement = await prepare(url, processes)
    # As in a worker that has been running: its signing processes started with it.
    tasks.configure(settings)
    pool_started = time.perf_counter()
    await tasks.current()[1].wait_started()
    pool_seconds = time.perf_counter() - pool_started
    prepare_timer = Timer(batches.prepare)
    signing = Timer(batches.sign)
    storing = Timer(batches.store)
    emails = Timer(batches.enqueue_award_emails)
    batches.prepare = prepare_timer  # type: ignore[assignment]
    batches.sign = signing  # type: ignore[assignment]
    batches.store = storing  # type: ignore[assignment]
    batches.enqueue_award_emails = emails  # type: ignore[assignment]
    scope = TenantScope(tenant)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "intake.csv"
        write_csv(path, rows)
        started = time.perf_counter()
        with path.open("rb") as file:
            summary = await service.validate_upload(
                scope, achievement.id, file, path.name, "benchmark", "fr", True,
                BulkLimits(max_rows=100_000, max_file_bytes=200 * 1024 * 1024),
            )  # fmt: skip
    validated = time.perf_counter()
    await service.start(scope, summary.bulk.id, "benchmark", tasks.ProcrastinateJobQueue(bench_url))
    await queue.run_worker(bench_url, wait=False)
    finished = time.perf_counter()
    bulk = await reading.get_bulk(scope, summary.bulk.id)
    if bulk.status != "done" or bulk.awarded != rows or await Award.count() != rows:
        raise SystemExit(f"the job ended {bulk.status} with {bulk.awarded} of {rows} awarded")
    emails_queued = await OutboundEmail.count()
    tasks.shutdown()
    return {
        "rows": rows,
        "store_rows": validated - started,
        "prepare": prepare_timer.seconds,
        "sign": signing.seconds,
        "store_awards": storing.seconds,
        "emails": emails.seconds,
        "job": finished - validated,
        "total": finished - started,
        "pool_start": pool_seconds,
        "processes": processes,
        "emails_queued": emails_queued,
        # ru_maxrss is in kibibytes on Linux; the children are the signing processes.
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "signing_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def run_child(url: str, rows: int, processes: int) -> dict[str, Any]:
    # The command is this script with arguments it builds itself.
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            __file__,
            "--child",
            str(rows),
            "--url",
            url,
            "--processes",
            str(processes),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"the run with {rows} rows failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def print_table(results: list[dict[str, Any]]) -> None:
    print(
        "\n| rows | check + store rows s | skip + status entries s | sign s | store awards s "
        "| of which e-mails s | job s | total s | rows/s | peak RSS MiB | signer RSS MiB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['rows']:,} | {r['store_rows']:.2f} | {r['prepare']:.2f} | {r['sign']:.2f} "
            f"| {r['store_awards']:.2f} | {r['emails']:.2f} | {r['job']:.2f} | {r['total']:.2f} "
            f"| {r['rows'] / r['total']:,.0f} | {r['peak_rss_mb']:.0f} "
            f"| {r['signing_rss_mb']:.0f} |"
        )
    first = results[0]
    print(
        f"\n{first['processes']} signing processes, started before the clock "
        f"({first['pool_start']:.1f} s). Signing overlaps storing, so the phases add up to more "
        "than the job."
    )


def with_server(action: Callable[[str], None]) -> None:
    external = os.environ.get("HUB_DATABASE_URL")
    if external:
        action(external)
        return
    from hub.database import embedded_postgres

    with tempfile.TemporaryDirectory() as folder, embedded_postgres(Path(folder)) as url:
        action(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--profile", type=int, help="profile one run of this many rows")
    parser.add_argument(
        "--processes", type=int, default=1, help="signing processes (HUB_BULK_SIGNING_PROCESSES)"
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from hub.logs import configure_logging

    configure_logging("console", "warning")
    if arguments.child:
        print(json.dumps(asyncio.run(measure(arguments.url, arguments.child, arguments.processes))))
        return
    if arguments.profile:

        def profile(url: str) -> None:
            profiler = cProfile.Profile()
            profiler.enable()
            result = asyncio.run(measure(url, arguments.profile, arguments.processes))
            print(json.dumps(result))
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(40)
            stats.sort_stats("cumulative").print_stats("bulk|status.py|outbox|audit", 40)

        with_server(profile)
        return

    def table(url: str) -> None:
        print_table([run_child(url, rows, arguments.processes) for rows in arguments.rows])

    with_server(table)
    python = sys.version.split()[0]
    print(f"\nPython {python}, {os.cpu_count()} CPUs; PostgreSQL runs in its own process.")


if __name__ == "__main__":
    main()
