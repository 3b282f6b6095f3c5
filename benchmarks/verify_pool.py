"""Benchmark: the public verifier under `badgehub serve`, over real HTTP on loopback.

One measurement without a server, then two against one server process started for the run:

0. The cost of the worker pool itself: ``VerificationPool.verify_credential`` against the
   in-process ``verify_credential`` on one small did:key credential, called directly.
1. Latency of ``POST /api/v1/verify`` for one credential issued by the hub (median and p90 of
   sequential requests, after a warm-up), and of the credential page, which verifies live.
2. A burst of parallel anonymous verifications of alignment-heavy credentials: each carries
   900-980 Alignment objects without ids (one blank node each, about 280 KB of JSON) and so has
   its own JSON-LD shape, which the template cache has never seen. ``/health/live`` is polled
   every 50 ms meanwhile, and the output shows its slowest response time.

    .venv/bin/python benchmarks/verify_pool.py [--burst 4] [--single 50] [--port 8765]

Uses HUB_DATABASE_URL when set, else an embedded PostgreSQL in a temporary folder. Sends
requests to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hub.credentials import dataintegrity, multikey
from hub.credentials.keys import DidKeyResolver
from hub.credentials.verifier import verify_credential
from hub.credentials.verifier.pool import VerificationPool
from hub.database import configure_engine, embedded_postgres, run_migrations
from hub.logs import configure_logging
from hub.settings import Settings
from tenants.scope import TenantScope
from tenants.services import (
    AchievementCreate,
    AwardCreate,
    TenantCreate,
    award_achievement,
    create_achievement,
    create_tenant,
)

BENCH_DATABASE = "badgehub_bench_verify"
VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
HEALTH_INTERVAL_SECONDS = 0.05


def alignment_heavy_credential(alignments: int, private_key: Ed25519PrivateKey) -> str:
    """Sign an OpenBadgeCredential whose achievement lists many Alignment objects without ids."""
    did = multikey.did_key_for(private_key.public_key())
    credential = {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": did, "type": ["Profile"], "name": "Benchmark University"},
        "validFrom": "2026-01-01T00:00:00Z",
        "name": "Alignment-heavy badge",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "id": "did:example:learner",
            "achievement": {
                "id": "https://badges.example.eu/achievements/alignment-heavy",
                "type": ["Achievement"],
                "name": "Alignment-heavy badge",
                "description": "An achievement aligned to many competencies.",
                "criteria": {"narrative": "Show each competency in a project."},
                "alignment": [_alignment(number) for number in range(alignments)],
            },
        },
    }
    method = f"{did}#{did.removeprefix(multikey.DID_KEY_PREFIX)}"
    signed = dataintegrity.sign_eddsa_rdfc_2022(
        credential, private_key, method, datetime(2026, 1, 1, tzinfo=UTC)
    )
    return json.dumps(signed, ensure_ascii=False)


def _alignment(number: int) -> dict[str, Any]:
    return {
        "type": ["Alignment"],
        "targetName": f"Competency {number} of the EUNICE framework",
        "targetUrl": f"https://competencies.example.eu/eunice/{number}",
        "targetDescription": f"Applies skill {number} in a project team of several universities.",
        "targetFramework": "EUNICE competency framework",
        "targetCode": f"EU-{number:04d}",
        "targetType": "ceasn:Competency",
    }


async def prepare_database(url: str, settings: Settings) -> tuple[str, str]:
    """Create a fresh database with one tenant; return its URL and one issued credential id."""
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    finally:
        await admin.close()
    bench_url = urlunsplit(urlsplit(url)._replace(path=f"/{BENCH_DATABASE}"))
    engine = configure_engine(bench_url)
    await run_migrations()
    await engine.start_connection_pool(min_size=1, max_size=2)
    try:
        award_id = await _issue_one(settings)
    finally:
        await engine.close_connection_pool()
    return bench_url, award_id


async def _issue_one(settings: Settings) -> str:
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
    scope = TenantScope(tenant)
    achievement = await create_achievement(
        scope,
        AchievementCreate(
            slug="cap-campus",
            name={"fr": "Cap Campus", "en": "Cap Campus"},
            description={"fr": "Accueil des nouveaux étudiants.", "en": "Welcome programme."},
            criteria={"fr": "Suivre la semaine d'accueil.", "en": "Attend welcome week."},
        ),
        actor="benchmark",
    )
    data = AwardCreate(
        achievement_id=achievement.id, recipient_email="ada@example.org", recipient_name="Ada"
    )
    result = await award_achievement(settings, scope, data, actor="benchmark")
    return str(result.award.id)


def start_server(settings: Settings, database_url: str) -> subprocess.Popen[bytes]:
    assert settings.key_encryption_key is not None
    environment = {
        **os.environ,
        "HUB_DATABASE_URL": database_url,
        "HUB_PUBLIC_URL": settings.public_url,
        "HUB_PORT": str(urlsplit(settings.public_url).port),
        "HUB_KEY_ENCRYPTION_KEY": base64.b64encode(settings.key_encryption_key).decode(),
        "HUB_LOG_LEVEL": "warning",
    }
    command = [str(Path(sys.executable).with_name("badgehub")), "serve"]
    return subprocess.Popen(command, env=environment)  # noqa: S603 - fixed command, loopback


async def wait_until_live(http: httpx.AsyncClient, server: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode}")
        try:
            if (await http.get("/health/live")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise SystemExit("the server did not respond to /health/live within 20 s")


@dataclass
class Timed:
    seconds: float
    status: int
    summary: str


async def timed_verify(http: httpx.AsyncClient, body: str | bytes) -> Timed:
    begin = time.perf_counter()
    response = await http.post("/api/v1/verify", content=body)
    seconds = time.perf_counter() - begin
    if response.status_code != 200:
        return Timed(seconds, response.status_code, response.json().get("code", "?"))
    report = response.json()
    failed = [check["check"] for check in report["checks"] if check["status"] == "failed"]
    return Timed(seconds, 200, f"valid={report['valid']} failed={failed}")


async def measure_single(http: httpx.AsyncClient, award_id: str, count: int) -> None:
    body = (await http.get(f"/credentials/{award_id}/credential.json")).content
    for _ in range(5):
        warm = await timed_verify(http, body)
        assert warm.status == 200, warm.summary
    api = [await timed_verify(http, body) for _ in range(count)]
    page = []
    for _ in range(count):
        begin = time.perf_counter()
        response = await http.get(f"/credentials/{award_id}", headers={"Accept": "text/html"})
        page.append(time.perf_counter() - begin)
        assert response.status_code == 200, response.text[:200]
    print(f"\nOne hub credential ({len(body):,} bytes), {count} sequential requests each:\n")
    print("| request                   | median ms | p90 ms |")
    print("|---------------------------|----------:|-------:|")
    print(_latency_row("POST /api/v1/verify", [timed.seconds for timed in api]))
    print(_latency_row("GET /credentials/{id}", page))
    print(f"\nreport: {api[-1].summary}")


async def measure_direct(body: str, count: int) -> None:
    """Time the same verification in this process and through a worker, without HTTP."""
    pool = VerificationPool(workers=1)
    resolver = DidKeyResolver()
    try:
        for _ in range(5):
            await verify_credential(body, resolver)
            await pool.verify_credential(body, resolver)
        timings: dict[str, list[float]] = {"in process": [], "worker pool": []}
        for _ in range(count):
            for name, verify in (
                ("in process", verify_credential),
                ("worker pool", pool.verify_credential),
            ):
                begin = time.perf_counter()
                await verify(body, resolver)
                timings[name].append(time.perf_counter() - begin)
    finally:
        pool.shutdown()
    print(f"\nOne did:key credential ({len(body):,} bytes), {count} direct calls each:\n")
    print("| verification              | median ms | p90 ms |")
    print("|---------------------------|----------:|-------:|")
    for name, seconds in timings.items():
        print(_latency_row(name, seconds))


def _latency_row(name: str, seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p90 = ordered[max(0, int(len(ordered) * 0.9) - 1)]
    return f"| {name:<25} | {statistics.median(seconds) * 1000:9.1f} | {p90 * 1000:6.1f} |"


async def measure_burst(http: httpx.AsyncClient, bodies: list[str]) -> None:
    health: list[tuple[float, float]] = []
    done = asyncio.Event()

    async def poll_health() -> None:
        while not done.is_set():
            begin = time.perf_counter()
            await http.get("/health/live")
            health.append((begin, time.perf_counter() - begin))
            await asyncio.sleep(HEALTH_INTERVAL_SECONDS)

    started = time.perf_counter()
    poller = asyncio.create_task(poll_health())
    results = await asyncio.gather(*(timed_verify(http, body) for body in bodies))
    finished = time.perf_counter()
    done.set()
    await poller
    during = [seconds for begin, seconds in health if begin < finished]
    print(f"\nBurst of {len(bodies)} parallel verifications (sizes in bytes):\n")
    print("| request | size    | seconds | status | outcome |")
    print("|--------:|--------:|--------:|-------:|---------|")
    for number, (body, result) in enumerate(zip(bodies, results, strict=True), 1):
        print(
            f"| {number:7} | {len(body):7,} | {result.seconds:7.2f} | {result.status:6} | "
            f"{result.summary} |"
        )
    print(
        f"\n/health/live during the burst ({finished - started:.2f} s): {len(during)} responses, "
        f"slowest {max(during) * 1000:.0f} ms, median {statistics.median(during) * 1000:.0f} ms"
    )


async def run_client(settings: Settings, award_id: str, burst: list[str], single: int) -> None:
    async with httpx.AsyncClient(base_url=settings.public_url, timeout=120) as http:
        await measure_single(http, award_id, single)
        await measure_burst(http, burst)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=4, help="parallel heavy verifications")
    parser.add_argument("--single", type=int, default=50, help="sequential light requests")
    parser.add_argument("--port", type=int, default=8765, help="loopback port of the server")
    options = parser.parse_args()
    configure_logging("console", "warning")
    settings = Settings(
        public_url=f"http://127.0.0.1:{options.port}", key_encryption_key=os.urandom(32)
    )
    key = Ed25519PrivateKey.generate()
    asyncio.run(measure_direct(alignment_heavy_credential(3, key), options.single * 4))
    print(f"\nsigning {options.burst} alignment-heavy credentials (a few seconds each) ...")
    # From 900 to 980 alignments: each count is a JSON-LD shape of its own.
    step = 80 // max(1, options.burst - 1)
    burst = [
        alignment_heavy_credential(900 + step * number, key) for number in range(options.burst)
    ]
    with tempfile.TemporaryDirectory() as folder:
        external = os.environ.get("HUB_DATABASE_URL")
        if external:
            _run(settings, external, burst, options.single)
        else:
            with embedded_postgres(Path(folder)) as url:
                _run(settings, url, burst, options.single)


def _run(settings: Settings, url: str, burst: list[str], single: int) -> None:
    bench_url, award_id = asyncio.run(prepare_database(url, settings))
    server = start_server(settings, bench_url)
    try:
        asyncio.run(_wait_and_measure(settings, server, award_id, burst, single))
    finally:
        server.terminate()
        server.wait(timeout=30)


async def _wait_and_measure(
    settings: Settings,
    server: subprocess.Popen[bytes],
    award_id: str,
    burst: list[str],
    single: int,
) -> None:
    async with httpx.AsyncClient(base_url=settings.public_url) as http:
        await wait_until_live(http, server)
    await run_client(settings, award_id, burst, single)


if __name__ == "__main__":
    main()
