"""Run the badgehub command line as a subprocess against the test database."""

from __future__ import annotations

import base64
import os
import subprocess
import sys


def run_badgehub(
    database_url: str, *arguments: str, key_encryption_key: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``badgehub ARGUMENTS`` with only the given HUB_* settings, the rest of the env kept."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("HUB_")}
    environment["HUB_DATABASE_URL"] = database_url
    if key_encryption_key is not None:
        environment["HUB_KEY_ENCRYPTION_KEY"] = base64.b64encode(key_encryption_key).decode()
    return subprocess.run(
        [sys.executable, "-m", "hub.cli", *arguments],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )
