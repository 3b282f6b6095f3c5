"""The development Keycloak runner: fetching, readiness, failures and stopping."""

from __future__ import annotations

import os
import socket
import stat
import textwrap
from pathlib import Path

import pytest

from hub.auth.keycloak_dev import (
    KEYCLOAK_VERSION,
    KeycloakDevError,
    KeycloakServer,
    KeycloakToolMissingError,
    ensure_distribution,
    free_port,
    missing_requirements,
)


def fake_mvn(folder: Path, script: str) -> None:
    """Put an ``mvn`` that runs ``script`` (sh) first on PATH; its arguments are in "$@"."""
    folder.mkdir(parents=True, exist_ok=True)
    mvn = folder / "mvn"
    mvn.write_text("#!/bin/sh\n" + textwrap.dedent(script))
    mvn.chmod(mvn.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def fake_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "bin"
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    return folder


def test_missing_tools_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))

    problems = missing_requirements(tmp_path / "cache")

    assert len(problems) == 2
    assert "`java` was not found" in problems[0]
    assert "`mvn` was not found" in problems[1]


def test_ensure_distribution_without_maven(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))

    with pytest.raises(KeycloakToolMissingError, match="`mvn` was not found"):
        ensure_distribution(tmp_path / "cache")


def test_maven_failure_shows_its_output(tmp_path: Path, fake_path: Path) -> None:
    fake_mvn(fake_path, 'echo "Could not resolve artifact (offline)" >&2\nexit 1\n')
    cache = tmp_path / "cache"

    with pytest.raises(KeycloakDevError) as raised:
        ensure_distribution(cache)

    assert "exit status 1" in str(raised.value)
    assert "Could not resolve artifact (offline)" in str(raised.value)
    assert sorted(path.name for path in cache.iterdir()) == [".fetch.lock"]


def test_wrong_checksum_is_rejected(tmp_path: Path, fake_path: Path) -> None:
    # The fake Maven writes a zip that is not the official artifact.
    fake_mvn(
        fake_path,
        f"""
        for argument in "$@"; do
          case "$argument" in -DoutputDirectory=*) target="${{argument#*=}}";; esac
        done
        printf 'not a zip' > "$target/keycloak-quarkus-dist-{KEYCLOAK_VERSION}.zip"
        """,
    )
    cache = tmp_path / "cache"

    with pytest.raises(KeycloakDevError, match="expected 27a65355"):
        ensure_distribution(cache)

    assert sorted(path.name for path in cache.iterdir()) == [".fetch.lock"]


@pytest.mark.keycloak
def test_port_in_use_is_reported(keycloak_distribution: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = KeycloakServer(keycloak_distribution, http_port=port, management_port=free_port())

        with pytest.raises(KeycloakDevError, match=f"port {port} on 127.0.0.1 is already in use"):
            server.start()

    assert not server.is_running()
    assert not server.instance_dir.exists()


@pytest.mark.keycloak
def test_startup_timeout_stops_and_shows_log(keycloak_distribution: Path) -> None:
    server = KeycloakServer(
        keycloak_distribution,
        http_port=free_port(),
        management_port=free_port(),
        startup_timeout=3.0,
    )

    with pytest.raises(KeycloakDevError) as raised:
        server.start()

    assert "was not ready within 3 s" in str(raised.value)
    assert "Last lines of" in str(raised.value)
    assert not server.is_running()
    assert not server.instance_dir.exists()
    assert processes_mentioning(str(server.instance_dir)) == []


def processes_mentioning(text: str) -> list[int]:
    """Return the ids of processes whose command line contains ``text`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command_line = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if text in command_line:
            found.append(int(entry.name))
    return found
