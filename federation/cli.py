"""The ``badgehub federation`` commands: register, list and sync peer hubs."""

from __future__ import annotations

import sys
from typing import Any

import click

EXIT_SYNC_FAILED = 1


@click.group()
def federation() -> None:
    """Peer hubs whose trust registries this hub keeps."""


@federation.command("sync")
@click.option("--peer", "peer_id", type=int, default=None, help="Sync only the peer with this id.")
def sync(peer_id: int | None) -> None:
    """Sync peer hubs now; exit 1 when a sync kept the last good copy because of an error."""
    from federation.peers import sync_all, sync_peer
    from hub.cli import _run_with_database, _settings

    settings = _settings()

    async def run() -> list[Any]:
        try:
            if peer_id is not None:
                return [await sync_peer(settings, peer_id)]
            return await sync_all(settings)
        finally:
            _stop_verification_workers()

    results = _run_with_database(settings, run())
    if not results:
        click.echo("no peer hub is registered; add one with `badgehub federation add-peer URL`")
    for result in results:
        _print_result(result)
    if any(not result.is_success for result in results):
        sys.exit(EXIT_SYNC_FAILED)


@federation.command("add-peer")
@click.argument("registry_url")
@click.option("--label", default="", help="Name shown in the console (default: the host).")
def add_peer(registry_url: str, label: str) -> None:
    """Register another hub's registry URL and sync it once."""
    from federation.peers import add_peer as add_and_sync
    from hub.cli import _run_with_database, _settings

    settings = _settings()

    async def run() -> Any:
        try:
            return await add_and_sync(settings, registry_url, label, actor="cli")
        finally:
            _stop_verification_workers()

    _print_result(_run_with_database(settings, run()))


@federation.command("peers")
def peers() -> None:
    """List peer hubs with their sync status."""
    from federation.peers import list_peers
    from hub.cli import _run_with_database, _settings

    views = _run_with_database(_settings(), list_peers())
    for view in views:
        peer = view.peer
        version = f"version {view.version}" if view.version is not None else "no copy"
        click.echo(f"{peer.id}\t{peer.status}\t{version}\t{peer.registry_url}")
        if peer.last_error:
            click.echo(f"\tlast error: {peer.last_error}")


def _print_result(result: Any) -> None:
    peer = result.peer
    if result.is_success:
        change = "new version" if result.version_changed else "unchanged"
        state = f"{peer.status}, version {result.version} ({change})"
        click.echo(f"peer {peer.id} ({peer.registry_url}): {state}")
        if peer.last_error:
            click.echo(f"  {peer.last_error}", err=True)
        return
    kept = f"kept version {result.version}" if result.version is not None else "no copy kept"
    click.echo(
        f"peer {peer.id} ({peer.registry_url}): sync failed, {kept}: {result.error}", err=True
    )


def _stop_verification_workers() -> None:
    from hub.verification import shutdown_verification_workers

    shutdown_verification_workers()
