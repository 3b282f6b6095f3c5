"""Benchmark: issue N credentials for one tenant with eddsa-rdfc-2022, store them, verify them.

Runs in one process on one thread, so throughputs are per core (PostgreSQL runs in its own
process). Prints a table with the median cost per credential, the throughput and the share of
time spent in JSON-LD processing (``jsonld.canonicalize``).

    .venv/bin/python benchmarks/issue_and_verify.py [--count 2000] [--pyld]

``--pyld`` swaps the cached canonicalizer for plain pyld, to compare against the baseline.
Uses HUB_DATABASE_URL when set, else an embedded PostgreSQL in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from hub.credentials import jsonld
from hub.credentials.verifier import verify_credential
from hub.database import configure_engine, embedded_postgres, run_migrations
from hub.logs import configure_logging
from hub.settings import Settings
from hub.verification import key_resolver
from tenants.scope import TenantScope
from tenants.services import (
    AchievementCreate,
    TenantCreate,
    create_achievement,
    create_tenant,
    sign_award,
)
from tenants.tables import Award

BENCH_DATABASE = "badgehub_bench"
INSERT_BATCH = 500


@dataclass
class JsonLdTimer:
    """Wraps ``jsonld.canonicalize`` to add up the time spent inside it."""

    total: float = 0.0
    original: Callable[..., str] = field(default=jsonld.canonicalize)

    def __call__(self, document: Any) -> str:
        start = time.perf_counter()
        try:
            return self.original(document)
        finally:
            self.total += time.perf_counter() - start


@contextmanager
def timed_canonicalize(use_pyld: bool) -> Iterator[JsonLdTimer]:
    original = jsonld.canonicalize
    timer = JsonLdTimer(original=jsonld.canonicalize_with_pyld if use_pyld else original)
    jsonld.canonicalize = timer  # type: ignore[assignment]
    try:
        yield timer
    finally:
        jsonld.canonicalize = original  # type: ignore[assignment]


@dataclass
class Phase:
    name: str
    durations: list[float]
    wall: float
    jsonld_seconds: float | None = None

    def row(self) -> str:
        median_ms = statistics.median(self.durations) * 1000
        p95_ms = sorted(self.durations)[int(len(self.durations) * 0.95) - 1] * 1000
        rate = len(self.durations) / self.wall
        share = (
            f"{100 * self.jsonld_seconds / self.wall:5.1f} %"
            if self.jsonld_seconds is not None
            else "    -"
        )
        return f"| {self.name:<26} | {median_ms:8.3f} | {p95_ms:8.3f} | {rate:10.0f} | {share:>8} |"


async def prepare(url: str, settings: Settings) -> tuple[Any, Any]:
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    finally:
        await admin.close()
    from urllib.parse import urlsplit, urlunsplit

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
    achievement = await create_achievement(
        TenantScope(tenant),
        AchievementCreate(
            slug="cap-campus",
            name={"fr": "Cap Campus", "en": "Cap Campus"},
            description={"fr": "Accueil des nouveaux étudiants.", "en": "Welcome programme."},
            criteria={"fr": "Suivre la semaine d'accueil.", "en": "Attend welcome week."},
        ),
        actor="benchmark",
    )
    return tenant, achievement


async def issue(
    settings: Settings, tenant: Any, achievement: Any, count: int, use_pyld: bool
) -> tuple[Phase, list[Award]]:
    awards: list[Award] = []
    durations: list[float] = []
    with timed_canonicalize(use_pyld) as timer:
        started = time.perf_counter()
        for number in range(count):
            begin = time.perf_counter()
            award = await sign_award(
                settings,
                tenant,
                achievement,
                f"student{number}@example.org",
                f"Étudiant·e n°{number}",
                "fr",
                datetime.now(UTC),
            )
            award.request_fingerprint = secrets.token_hex(32)
            awards.append(award)
            durations.append(time.perf_counter() - begin)
        wall = time.perf_counter() - started
    return Phase("issue (build + sign)", durations, wall, timer.total), awards


async def store(awards: list[Award]) -> Phase:
    durations: list[float] = []
    started = time.perf_counter()
    for offset in range(0, len(awards), INSERT_BATCH):
        batch = awards[offset : offset + INSERT_BATCH]
        begin = time.perf_counter()
        await Award.insert(*batch)
        durations.extend([(time.perf_counter() - begin) / len(batch)] * len(batch))
    return Phase("store (batched INSERT)", durations, time.perf_counter() - started)


async def verify(settings: Settings, awards: list[Award], use_pyld: bool) -> Phase:
    resolver = key_resolver(settings)
    durations: list[float] = []
    invalid = 0
    with timed_canonicalize(use_pyld) as timer:
        started = time.perf_counter()
        for award in awards:
            begin = time.perf_counter()
            report = await verify_credential(award.credential_text, resolver)
            durations.append(time.perf_counter() - begin)
            invalid += not report.valid
        wall = time.perf_counter() - started
    if invalid:
        raise SystemExit(f"{invalid} credentials failed verification; the benchmark is void")
    return Phase("verify (full report)", durations, wall, timer.total)


async def run(url: str, count: int, use_pyld: bool) -> None:
    settings = Settings(public_url="http://127.0.0.1:8000", key_encryption_key=os.urandom(32))
    tenant, achievement = await prepare(url, settings)
    issued, awards = await issue(settings, tenant, achievement, count, use_pyld)
    stored = await store(awards)
    verified = await verify(settings, awards, use_pyld)
    total = issued.wall + stored.wall
    canonicalizer = "pyld (baseline)" if use_pyld else "cached fast path"
    print(f"\n{count} credentials, one tenant, one process, canonicalizer: {canonicalizer}\n")
    print("| phase                      | median ms |   p95 ms | per second | JSON-LD |")
    print("|----------------------------|----------:|---------:|-----------:|--------:|")
    for phase in (issued, stored, verified):
        print(phase.row())
    print(
        f"\nissue + store end to end: {count / total:.0f} credentials/s ({total:.2f} s for {count})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="credentials to issue")
    parser.add_argument("--pyld", action="store_true", help="canonicalize with plain pyld")
    arguments = parser.parse_args()
    configure_logging("console", "warning")
    external = os.environ.get("HUB_DATABASE_URL")
    if external:
        asyncio.run(run(external, arguments.count, arguments.pyld))
        return
    with tempfile.TemporaryDirectory() as folder, embedded_postgres(Path(folder)) as url:
        asyncio.run(run(url, arguments.count, arguments.pyld))


if __name__ == "__main__":
    main()
