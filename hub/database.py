"""Database wiring: an external PostgreSQL from settings, or an embedded one from ``pgserver``.

Piccolo finds its engine through ``hub.piccolo_conf``; :func:`configure_engine` points that module
and every table at one :class:`PostgresEngine` built from the resolved URL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import structlog
from piccolo.engine.postgres import PostgresEngine

log = structlog.get_logger(__name__)

PICCOLO_CONF_MODULE = "hub.piccolo_conf"


@contextmanager
def embedded_postgres(data_dir: Path) -> Iterator[str]:
    """Start (or reuse) a private PostgreSQL in ``data_dir/postgres`` and stop it on exit.

    Yields the connection URL, which uses a Unix socket inside the data folder.
    """
    import pgserver  # imported lazily: production deployments never start it

    pgdata = (data_dir / "postgres").resolve()
    pgdata.mkdir(parents=True, exist_ok=True)
    log.info("embedded_postgres_starting", pgdata=str(pgdata))
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
        log.info("embedded_postgres_stopped", pgdata=str(pgdata))


def make_engine(database_url: str, **config: Any) -> PostgresEngine:
    # Piccolo passes ``config`` to asyncpg; a DSN keeps every URL form (sockets, options) intact.
    return PostgresEngine(config={"dsn": database_url, **config})


_engines: dict[str, PostgresEngine] = {}


def configure_engine(database_url: str) -> PostgresEngine:
    """Bind all Piccolo tables of the hub's apps to one engine for ``database_url``.

    The engine is reused for the same URL, so a test session and the apps it starts share one
    connection pool.
    """
    from hub import piccolo_conf

    engine = _engines.get(database_url)
    if engine is None:
        engine = _engines[database_url] = make_engine(database_url)
    piccolo_conf.DB = engine
    os.environ["PICCOLO_CONF"] = PICCOLO_CONF_MODULE
    for table in piccolo_conf.all_tables():
        table._meta.db = engine
    return engine


async def run_migrations() -> None:
    """Apply every pending Piccolo migration of every app, in dependency order."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    result = await run_forwards(app_name="all", migration_id="all", fake=False)
    if not result.success:
        raise RuntimeError(f"database migration failed: {result.message}")
    log.info("migrations_applied")
