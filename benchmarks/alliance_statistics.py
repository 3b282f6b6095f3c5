"""Benchmark: the alliance statistics query and its charts over many stored awards.

Creates an alliance with ten members (3 alliance badges, 5 own badges each, every member
holding every award right). Then inserts N awards over 24 months with PostgreSQL's
``generate_series`` and revokes one award in 50. The credentials are unsigned placeholders,
because the statistics read only the issuer, the achievement and the issue date. Times
``alliance_statistics`` and the three SVG charts, and prints a table per size.

    .venv/bin/python benchmarks/alliance_statistics.py [--awards 10000 100000 300000]

Uses HUB_DATABASE_URL when set, else an embedded PostgreSQL in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from piccolo.engine.postgres import PostgresEngine as Engine

from federation import award_rights, memberships
from federation.statistics import alliance_statistics
from federation.statistics_view import statistics_charts
from hub.database import configure_engine, embedded_postgres, run_migrations
from hub.logs import configure_logging
from hub.settings import Settings
from tenants.tables import Tenant
from tests.factories import make_achievement, make_tenant

BENCH_DATABASE = "badgehub_bench_statistics"
MEMBERS = ("uphf", "btu", "unican", "kau", "unict", "umons", "put", "uwasa", "uop", "unime")
REPEATS = 7
DEFAULT_SIZES = (10_000, 100_000, 300_000)

# Awards spread evenly over the member tenants, their own and the alliance badges, and the last
# 24 months. Placeholder credentials keep the rows about as wide as real ones (about 2 kB).
INSERT_AWARDS = """
INSERT INTO award (id, tenant, achievement, recipient_email, recipient_name,
                   request_fingerprint, credential_text, credential, issued_at, language)
SELECT gen_random_uuid(), pick.tenant, pick.achievement,
       'earner' || n || '@example.org', 'Earner ' || n, md5(n::text),
       repeat('x', 2000), '{}'::jsonb,
       now() - (n % 730) * interval '1 day', 'en'
  FROM generate_series(1, $1) AS n
  JOIN LATERAL (
       SELECT choice.tenant, choice.achievement FROM unnest($2::int[], $3::uuid[])
              WITH ORDINALITY AS choice(tenant, achievement, position)
        WHERE choice.position = 1 + n % cardinality($2::int[])
  ) AS pick ON true
"""

# One revocation entry per revoked award; the statistics read only purpose and state.
REVOKE_AWARDS = """
INSERT INTO award_status (tenant, award, purpose, status_list, status_index, state, reason)
SELECT award.tenant, award.id, 'revocation', $1, row_number() OVER (), 'revoked', 'benchmark'
  FROM award WHERE ('x' || substr(md5(award.id::text), 1, 8))::bit(32)::int % 50 = 0
"""


async def prepare(url: str, count: int) -> tuple[Tenant, Engine]:
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
    alliance = await make_tenant(settings, "eunice", kind="alliance", name_en="EUNICE")
    badges = [await make_achievement(alliance, f"alliance-{number}") for number in range(3)]

    choices: list[tuple[int, uuid.UUID]] = []
    for slug in MEMBERS:
        member = await make_tenant(settings, slug)
        await memberships.add_member(settings, alliance, slug, "benchmark")
        own = [await make_achievement(member, f"{slug}-{number}") for number in range(5)]
        choices += [(member.id, badge.id) for badge in own + badges]
    for badge in badges:
        await award_rights.grant_to_all_members(alliance, badge.id, "benchmark")

    connection = await asyncpg.connect(bench_url)
    try:
        await connection.execute(
            INSERT_AWARDS, count, [tenant for tenant, _ in choices], [a for _, a in choices]
        )
        list_id = await connection.fetchval(
            "INSERT INTO status_list (tenant, purpose, number, size, bitstring, updated_at) "
            "VALUES ($1, 'revocation', 1, 131072, decode(repeat('00', 16384), 'hex'), now()) "
            "RETURNING id",
            choices[0][0],
        )
        await connection.execute(REVOKE_AWARDS, list_id)
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return alliance, engine


async def measure(url: str, count: int) -> None:
    alliance, engine = await prepare(url, count)
    query_seconds, chart_seconds = [], []
    for _ in range(REPEATS):
        started = time.perf_counter()
        numbers = await alliance_statistics(alliance)
        queried = time.perf_counter()
        statistics_charts(numbers, "en")
        query_seconds.append(queried - started)
        chart_seconds.append(time.perf_counter() - queried)
    print(
        f"| {count:>9,} | {numbers.total.issued:>9,} | {numbers.total.revoked:>7,} | "
        f"{statistics.median(query_seconds) * 1000:10.1f} | {min(query_seconds) * 1000:8.1f} | "
        f"{statistics.median(chart_seconds) * 1000:9.1f} |"
    )
    await engine.close_connection_pool()


async def run(url: str, sizes: list[int]) -> None:
    print(f"alliance statistics: {len(MEMBERS)} members, median and minimum of {REPEATS} runs")
    print("| awards    | issued    | revoked | query ms   | min ms   | charts ms |")
    print("|----------:|----------:|--------:|-----------:|---------:|----------:|")
    for count in sizes:
        await measure(url, count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--awards", type=int, nargs="+", default=list(DEFAULT_SIZES))
    arguments = parser.parse_args()
    configure_logging("console", "warning")
    external = os.environ.get("HUB_DATABASE_URL")
    if external:
        asyncio.run(run(external, arguments.awards))
        return
    with tempfile.TemporaryDirectory() as folder, embedded_postgres(Path(folder)) as url:
        asyncio.run(run(url, arguments.awards))


if __name__ == "__main__":
    main()
