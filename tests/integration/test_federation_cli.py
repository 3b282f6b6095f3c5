"""The ``badgehub federation`` commands, run as real subprocesses against the test database."""

from __future__ import annotations

from pathlib import Path

import pytest

from federation.tables import PeerHub, PeerRegistryCopy
from tests.document_server import DocumentServer
from tests.foreign_alliance import ForeignAlliance
from tests.integration.test_cli import run_cli

pytestmark = pytest.mark.integration


async def test_add_list_and_sync_peer(db: str, tmp_path: Path) -> None:
    server = DocumentServer()
    alliance = ForeignAlliance(server)
    alliance.add_member("tuk")
    alliance.publish(alliance.registry(2, {"tuk": "active"}))
    environment = {
        "HUB_DATA_DIR": str(tmp_path),
        "HUB_OUTBOUND_LOOPBACK_PEERS": f"127.0.0.1:{server.port}",
        "HUB_OUTBOUND_TIMEOUT_SECONDS": "2",
    }
    try:
        added = run_cli(
            "federation",
            "add-peer",
            alliance.registry_url,
            "--label",
            "Other",
            database_url=db,
            **environment,
        )
        listed = run_cli("federation", "peers", database_url=db, **environment)
        synced = run_cli("federation", "sync", database_url=db, **environment)
    finally:
        server.close()
    down = run_cli("federation", "sync", database_url=db, **environment)

    assert added.returncode == 0, added.stderr
    assert f"peer 1 ({alliance.registry_url}): ok, version 2 (new version)" in added.stdout
    assert f"1\tok\tversion 2\t{alliance.registry_url}" in listed.stdout
    assert synced.returncode == 0, synced.stderr
    assert "ok, version 2 (unchanged)" in synced.stdout
    assert down.returncode == 1
    assert "sync failed, kept version 2" in down.stderr
    assert "could not connect" in down.stderr
    assert await PeerHub.count() == 1
    assert (await PeerRegistryCopy.objects().first()).version == 2


async def test_sync_without_peers(db: str, tmp_path: Path) -> None:
    result = run_cli("federation", "sync", database_url=db, HUB_DATA_DIR=str(tmp_path))

    assert result.returncode == 0, result.stderr
    assert "no peer hub is registered" in result.stdout
