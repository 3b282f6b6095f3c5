"""HTTP routes of peer hubs: the API for alliance administrators' scripts and the console page.

Registering a peer also runs its first sync, so the response (or the page after the redirect)
shows whether the peer's registry verified. Every route needs ``alliance:manage``.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template

from federation import peers
from federation.registry import registry_url
from hub.auth import permissions
from hub.pages import render
from hub.settings import Settings
from tenants.controllers import actor_of

CONSOLE_PATH = "/console/federation/peers"
DONE = ("added", "removed", "synced", "sync-failed")


class PeerIn(msgspec.Struct, forbid_unknown_fields=True):
    registry_url: str
    label: str = ""


def _result_out(result: peers.SyncResult, view: peers.PeerView) -> dict[str, Any]:
    return {
        **view.to_json(),
        "sync": {
            "succeeded": result.is_success,
            "version_changed": result.version_changed,
            "error": result.error,
        },
    }


class PeerApiController(Controller):
    """Peer hubs for scripts of alliance administrators."""

    path = "/api/v1/federation/peers"
    tags = ["federation"]
    opt = {"access": permissions.ALLIANCE_MANAGE}

    @get("/")
    async def list_peers(self) -> list[dict[str, Any]]:
        return [view.to_json() for view in await peers.list_peers()]

    @post("/", status_code=201)
    async def add(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        data: JSONBody[PeerIn],
    ) -> dict[str, Any]:
        """Register a peer's registry URL and sync it once; a failed first sync adds nothing."""
        result = await peers.add_peer(
            settings, data.registry_url, data.label, await actor_of(request)
        )
        return _result_out(result, await peers.view_peer(result.peer.id))

    @delete("/{peer_id:int}", status_code=204)
    async def remove(self, request: Request[Any, Any, Any], peer_id: FromPath[int]) -> None:
        await peers.remove_peer(peer_id, await actor_of(request))

    @post("/{peer_id:int}/sync", status_code=200)
    async def sync(
        self, settings: NamedDependency[Settings], peer_id: FromPath[int]
    ) -> dict[str, Any]:
        result = await peers.sync_peer(settings, peer_id)
        return _result_out(result, await peers.view_peer(peer_id))


class PeerConsoleController(Controller):
    """The console page listing peer hubs with their sync status, and its forms."""

    path = CONSOLE_PATH
    opt = {"access": permissions.ALLIANCE_MANAGE}

    @get("/")
    async def page(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        done: FromQuery[str | None] = None,
    ) -> Template:
        return await render(
            request,
            "console/federation_peers.html",
            peers=await peers.list_peers(),
            own_registry_url=registry_url(settings),
            done=done if done in DONE else None,
            max_label=peers.MAX_LABEL_LENGTH,
        )

    @post("/", status_code=303)
    async def add(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect:
        result = await peers.add_peer(
            settings,
            data.get("registry_url", ""),
            data.get("label", ""),
            await actor_of(request),
        )
        return Redirect(f"{CONSOLE_PATH}?done=added#peer-{result.peer.id}", status_code=303)

    @post("/{peer_id:int}/sync", status_code=303)
    async def sync(self, settings: NamedDependency[Settings], peer_id: FromPath[int]) -> Redirect:
        result = await peers.sync_peer(settings, peer_id)
        done = "synced" if result.is_success else "sync-failed"
        return Redirect(f"{CONSOLE_PATH}?done={done}#peer-{peer_id}", status_code=303)

    @post("/{peer_id:int}/remove", status_code=303)
    async def remove(self, request: Request[Any, Any, Any], peer_id: FromPath[int]) -> Redirect:
        await peers.remove_peer(peer_id, await actor_of(request))
        return Redirect(f"{CONSOLE_PATH}?done=removed", status_code=303)


ROUTES = [PeerApiController, PeerConsoleController]
