"""Shared fixtures: a real PostgreSQL (embedded unless HUB_DATABASE_URL is set), settings, app."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from hub.settings import Settings

pytest_plugins = ["tests.keycloak_fixtures"]

REPO = Path(__file__).resolve().parent.parent
SHARED_VECTORS = REPO.parent / "shared" / "vectors"
FIXTURE_VECTORS = Path(__file__).resolve().parent / "fixtures" / "vectors"

TEST_DATABASE = "badgehub_test"


@pytest.fixture(scope="session", autouse=True)
def _logging() -> None:
    from hub.logs import configure_logging

    configure_logging("console", "info")


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL server URL: HUB_DATABASE_URL, or an embedded server for this session."""
    external = os.environ.get("HUB_DATABASE_URL")
    if external:
        yield external
        return
    from hub.database import embedded_postgres

    with embedded_postgres(tmp_path_factory.mktemp("pg")) as url:
        yield url


@pytest.fixture(scope="session")
async def database_url(server_url: str) -> AsyncIterator[str]:
    """A fresh, migrated test database on the server; dropped and re-created each session."""
    from hub.database import configure_engine, run_migrations

    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {TEST_DATABASE} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {TEST_DATABASE}")
    finally:
        await admin.close()
    url = _with_database(server_url, TEST_DATABASE)
    engine = configure_engine(url)
    await run_migrations()
    await engine.start_connection_pool(min_size=1, max_size=10)
    yield url
    await engine.close_connection_pool()


def _with_database(url: str, database: str) -> str:
    """Replace the database name in a postgresql:// URL, keeping host, socket and options."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    """An empty database for one test (tables truncated before it runs)."""
    from hub.database import configure_engine

    engine = configure_engine(database_url)
    # Every table but Piccolo's migration record, so new tables need no list kept here.
    rows = await engine.run_ddl(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migration'"
    )
    names = ", ".join(f'"{row["tablename"]}"' for row in rows)
    await engine.run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    from tenants.services import _keyrings

    _keyrings.clear()
    yield database_url


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        demo=False,
        data_dir=tmp_path,
        public_url="http://127.0.0.1:8000",
        key_encryption_key=secrets.token_bytes(32),
    )


@pytest.fixture
async def client(db: str, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client calling the app in the test's own event loop.

    Litestar's AsyncTestClient runs the app on a thread with another event loop, so the shared
    asyncpg pool cannot be used there. httpx's ASGI transport skips the lifespan, whose only job
    (the pool) the session fixture already did.
    """
    from hub.app import create_app

    app = create_app(settings, db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=settings.public_url) as http:
        yield http


def shared_vectors() -> Path:
    """The third-party corpus beside the repository; skip the calling test when absent."""
    if not SHARED_VECTORS.is_dir():
        pytest.skip(f"third-party vectors not found at {SHARED_VECTORS}; they ship with CI")
    return SHARED_VECTORS
