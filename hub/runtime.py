"""Process start-up shared by the CLI commands: settings, logging, database, demo key."""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import structlog

from hub.database import embedded_postgres
from hub.logs import configure_logging
from hub.settings import Settings, parse_key_encryption_key

log = structlog.get_logger(__name__)

DEMO_KEK_FILE = "demo-key-encryption-key"


def load_settings() -> Settings:
    settings = Settings.from_env()
    configure_logging(settings.log_format, settings.log_level)
    if settings.demo and settings.key_encryption_key is None:
        settings = replace(settings, key_encryption_key=demo_key_encryption_key(settings.data_dir))
    return settings


def demo_key_encryption_key(data_dir: Path) -> bytes:
    """Read the demo KEK from the data folder, creating it (mode 0600) on first use.

    Only demo mode uses this: production keeps the KEK in a secret store, not next to the data.
    """
    path = data_dir / DEMO_KEK_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        encoded = base64.b64encode(secrets.token_bytes(32)).decode()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(encoded + "\n")
        log.info("demo_kek_created", path=str(path))
    return parse_key_encryption_key(path.read_text().strip(), str(path))


@contextmanager
def database_url(settings: Settings) -> Iterator[str]:
    """Yield the configured database URL, or that of an embedded PostgreSQL kept for the block."""
    if settings.database_url:
        yield settings.database_url
        return
    with embedded_postgres(settings.data_dir) as url:
        yield url
