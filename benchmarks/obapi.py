"""Benchmark: the Open Badges 3.0 API host, for an earner with many badges.

For each backpack size the script copies one signed award to reach that many badges held by one
earner, then times, in process through the ASGI app (no network):

- ``GET /ims/ob/v3p0/credentials?limit=50`` (first page) and the page at the last offset;
- the authorization code exchange at ``/oauth/token`` and a refresh, each a full HTTP request
  that runs authlib in a worker thread.

Uses HUB_DATABASE_URL when set, else an embedded PostgreSQL in a temporary folder.

    .venv/bin/python benchmarks/obapi.py [--badges 10 100 1000 5000] [--repeats 20]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import logging
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

from hub.app import create_app
from hub.auth.tables import User
from hub.database import configure_engine, embedded_postgres, run_migrations
from hub.logs import configure_logging
from hub.obapi.store import digest
from hub.obapi.tables import ObApiClient, ObApiCode, ObApiToken
from hub.settings import Settings
from tests.factories import make_achievement, make_award, make_tenant

BENCH_DATABASE = "badgehub_bench_obapi"
DEFAULT_SIZES = (10, 100, 1000, 5000)
EMAIL = "ines@example.org"
SCOPE = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly"
REDIRECT = "https://client.example.org/cb"


async def copy_award(url: str, award_id: str, copies: int) -> None:
    """Insert ``copies`` rows that repeat the award with new ids; listing reads only the text."""
    connection = await asyncpg.connect(url)
    try:
        columns = [
            row["column_name"]
            for row in await connection.fetch(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'award' "
                "AND column_name NOT IN ('id', 'idempotency_key') ORDER BY ordinal_position"
            )
        ]
        listed = ", ".join(columns)
        await connection.execute(
            f"INSERT INTO award (id, {listed}) SELECT gen_random_uuid(), {listed} "  # noqa: S608
            "FROM award, generate_series(1, $2) WHERE id = $1",
            award_id,
            copies,
        )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


async def timed(action: Callable[[], Awaitable[object]], repeats: int) -> list[float]:
    durations = []
    for _ in range(repeats):
        started = time.perf_counter()
        await action()
        durations.append(time.perf_counter() - started)
    return durations


def basic(client_id: str, secret: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


async def new_code(client: ObApiClient, user: User, verifier: str) -> str:
    code = secrets.token_urlsafe(32)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    now = datetime.now(UTC)
    await ObApiCode(
        code_sha256=digest(code),
        client=client.id,
        user=user.id,
        redirect_uri=REDIRECT,
        scope=SCOPE,
        code_challenge=challenge.rstrip(b"=").decode(),
        code_challenge_method="S256",
        created_at=now,
        expires_at=now + timedelta(minutes=5),
    ).save()
    return code


async def measure(url: str, size: int, repeats: int) -> None:
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
    settings = Settings(public_url="http://127.0.0.1:8000", key_encryption_key=os.urandom(32))
    tenant = await make_tenant(settings, "uphf")
    award = await make_award(settings, tenant, await make_achievement(tenant), email=EMAIL)
    await copy_award(bench_url, str(award.award.id), size - 1)
    user = User(subject="bench:ines", email=EMAIL, name="Ines", created_at=datetime.now(UTC))
    await user.save()
    secret = secrets.token_urlsafe(32)
    client = ObApiClient(
        client_id="bench-client",
        secret_sha256=digest(secret),
        client_metadata={"client_name": "Bench", "redirect_uris": [REDIRECT], "scope": SCOPE},
        issued_at=datetime.now(UTC),
    )
    await client.save()
    access = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    await ObApiToken(
        client=client.id,
        user=user.id,
        access_sha256=digest(access),
        grant_sha256=digest("bench"),
        scope=SCOPE,
        issued_at=now,
        access_expires_at=now + timedelta(hours=1),
    ).save()

    app = create_app(settings, bench_url)
    transport = httpx.ASGITransport(app=app)
    bearer = {"Authorization": f"Bearer {access}"}
    last_offset = (size - 1) // 50 * 50
    async with httpx.AsyncClient(transport=transport, base_url=settings.public_url) as http:

        async def first_page() -> None:
            response = await http.get("/ims/ob/v3p0/credentials?limit=50", headers=bearer)
            assert response.status_code == 200, response.text

        async def last_page() -> None:
            response = await http.get(
                f"/ims/ob/v3p0/credentials?limit=50&offset={last_offset}", headers=bearer
            )
            assert response.status_code == 200, response.text

        refresh_tokens: list[str] = []

        async def exchange() -> None:
            verifier = secrets.token_urlsafe(48)
            code = await new_code(client, user, verifier)
            form = {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT,
                "code_verifier": verifier,
            }
            response = await http.post(
                "/oauth/token", data=form, headers=basic(client.client_id, secret)
            )
            assert response.status_code == 200, response.text
            refresh_tokens.append(response.json()["refresh_token"])

        async def refresh() -> None:
            form = {"grant_type": "refresh_token", "refresh_token": refresh_tokens.pop()}
            response = await http.post(
                "/oauth/token", data=form, headers=basic(client.client_id, secret)
            )
            assert response.status_code == 200, response.text

        await first_page()  # warm the app and the connection pool
        results = {
            "first page": await timed(first_page, repeats),
            "last page": await timed(last_page, repeats),
            "code exchange": await timed(exchange, repeats),
            "refresh": await timed(refresh, repeats),
        }
    for name, durations in results.items():
        print(
            f"| {size:>6,} | {name:<13} | {statistics.median(durations) * 1000:9.1f} | "
            f"{max(durations) * 1000:8.1f} |"
        )
    await engine.close_connection_pool()


async def run(url: str, sizes: list[int], repeats: int) -> None:
    print(f"Open Badges API host: median and maximum of {repeats} requests (ASGI, no network)")
    print("| badges | request       | median ms | max ms   |")
    print("|-------:|---------------|----------:|---------:|")
    for size in sizes:
        await measure(url, size, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--badges", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--repeats", type=int, default=20)
    arguments = parser.parse_args()
    configure_logging("console", "warning")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    external = os.environ.get("HUB_DATABASE_URL")
    if external:
        asyncio.run(run(external, arguments.badges, arguments.repeats))
        return
    with tempfile.TemporaryDirectory() as folder, embedded_postgres(Path(folder)) as url:
        asyncio.run(run(url, arguments.badges, arguments.repeats))


if __name__ == "__main__":
    main()
