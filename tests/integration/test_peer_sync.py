"""Peer hub sync against a loopback server imitating another alliance's hub."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator

import pytest

from federation import peers
from federation.peer_cache import PeerDocumentResolver, peer_registries
from federation.tables import PeerHub, PeerIssuerDocument, PeerRegistryCopy
from federation.trust import trust_in_sources
from hub.credentials.report import CheckStatus
from hub.errors import ConflictError, InvalidInputError
from hub.settings import Settings
from hub.tables import AuditEvent
from tests.document_server import DocumentServer, Route
from tests.foreign_alliance import ForeignAlliance

pytestmark = pytest.mark.integration

TIMEOUT_SECONDS = 2.0


@pytest.fixture
def server() -> Iterator[DocumentServer]:
    document_server = DocumentServer()
    yield document_server
    document_server.close()


@pytest.fixture
def peer_settings(settings: Settings, server: DocumentServer) -> Settings:
    return dataclasses.replace(
        settings,
        outbound_loopback_peers=(f"127.0.0.1:{server.port}",),
        outbound_timeout_seconds=TIMEOUT_SECONDS,
    )


@pytest.fixture
def alliance(server: DocumentServer) -> ForeignAlliance:
    other = ForeignAlliance(server)
    other.add_member("tuk")
    other.add_member("unic")
    return other


async def registered(settings: Settings, alliance: ForeignAlliance) -> PeerHub:
    return await peers.register_peer(settings, alliance.registry_url, "Other", actor="test")


async def test_sync_keeps_registry_and_documents(
    db: str, peer_settings: Settings, alliance: ForeignAlliance
) -> None:
    alliance.publish(alliance.registry(1, {"tuk": "active", "unic": "suspended"}))
    peer = await registered(peer_settings, alliance)

    result = await peers.sync_peer(peer_settings, peer.id)
    sources = await peer_registries()
    active = trust_in_sources(alliance.members["tuk"].did, sources)
    suspended = trust_in_sources(alliance.members["unic"].did, sources)
    dids = await PeerIssuerDocument.select(PeerIssuerDocument.did).order_by(PeerIssuerDocument.did)

    assert result.is_success, result.error
    assert result.peer.status == peers.OK
    assert result.peer.alliance_did == alliance.alliance.did
    assert result.version == 1
    assert active.status is CheckStatus.PASSED
    assert active.message == (
        "issued by University TUK, a verified member of Other Alliance according to "
        f"{alliance.registry_url} (version 1)"
    )
    assert suspended.status is CheckStatus.FAILED
    assert [row["did"] for row in dids] == sorted(
        [alliance.alliance.did, alliance.members["tuk"].did, alliance.members["unic"].did]
    )
    assert await AuditEvent.exists().where(AuditEvent.action == "peer-hub:registry-updated")


async def test_bad_signature_rejected(
    db: str, peer_settings: Settings, alliance: ForeignAlliance
) -> None:
    document = alliance.registry(1, {"tuk": "active"})
    document["credentialSubject"]["member"][0]["name"] = "Forged University"
    alliance.publish(document)
    peer = await registered(peer_settings, alliance)

    result = await peers.sync_peer(peer_settings, peer.id)

    assert not result.is_success
    assert result.peer.status == peers.FAILED
    assert result.peer.consecutive_failures == 1
    assert "did not verify" in (result.error or "")
    assert "proof" in (result.error or "")
    assert await PeerRegistryCopy.count() == 0


async def test_ten_megabyte_registry_rejected(
    db: str, peer_settings: Settings, alliance: ForeignAlliance
) -> None:
    alliance.publish(b" " * (10 * 1024 * 1024) + b"{}")
    peer = await registered(peer_settings, alliance)

    started = time.monotonic()
    result = await peers.sync_peer(peer_settings, peer.id)
    elapsed = time.monotonic() - started

    assert not result.is_success
    assert "more than 1024 KiB" in (result.error or "")
    assert elapsed < 10 * TIMEOUT_SECONDS


async def test_slow_registry_times_out(
    db: str, peer_settings: Settings, alliance: ForeignAlliance
) -> None:
    alliance.publish(alliance.registry(1, {"tuk": "active"}), drip_seconds=0.5, drip_chunk=16)
    peer = await registered(peer_settings, alliance)

    started = time.monotonic()
    result = await peers.sync_peer(peer_settings, peer.id)
    elapsed = time.monotonic() - started

    assert not result.is_success
    assert f"timed out after {TIMEOUT_SECONDS:g} s" in (result.error or "")
    assert elapsed < TIMEOUT_SECONDS + 3


async def test_peer_down_keeps_last_good_copy(
    db: str, peer_settings: Settings, alliance: ForeignAlliance, server: DocumentServer
) -> None:
    alliance.publish(alliance.registry(1, {"tuk": "active"}))
    peer = await registered(peer_settings, alliance)
    await peers.sync_peer(peer_settings, peer.id)
    member = alliance.members["tuk"]

    server.close()
    failed = await peers.sync_peer(peer_settings, peer.id)
    key = await PeerDocumentResolver().resolve(member.verification_method)
    sources = await peer_registries()

    assert not failed.is_success
    assert failed.peer.status == peers.FAILED
    assert failed.peer.last_success_at is not None
    assert "could not connect" in (failed.error or "")
    assert failed.version == 1
    assert key is not None
    assert key.controller == member.did
    assert "cached" in key.source
    assert trust_in_sources(member.did, sources).status is CheckStatus.PASSED


async def test_rollback_rejected(
    db: str, peer_settings: Settings, alliance: ForeignAlliance
) -> None:
    old = alliance.registry(1, {"tuk": "active"})
    alliance.publish(alliance.registry(2, {"tuk": "suspended"}))
    peer = await registered(peer_settings, alliance)
    await peers.sync_peer(peer_settings, peer.id)

    alliance.publish(old)
    result = await peers.sync_peer(peer_settings, peer.id)
    kept = await PeerRegistryCopy.objects().first()

    assert not result.is_success
    assert "older than version 2" in (result.error or "")
    assert kept.version == 2
    assert trust_in_sources(alliance.members["tuk"].did, await peer_registries()).status is (
        CheckStatus.FAILED
    )


async def test_suspension_in_new_version_ends_trust(
    db: str, peer_settings: Settings, alliance: ForeignAlliance
) -> None:
    alliance.publish(alliance.registry(1, {"tuk": "active"}))
    peer = await registered(peer_settings, alliance)
    await peers.sync_peer(peer_settings, peer.id)
    before = trust_in_sources(alliance.members["tuk"].did, await peer_registries())

    alliance.publish(alliance.registry(2, {"tuk": "suspended"}))
    result = await peers.sync_peer(peer_settings, peer.id)
    after = trust_in_sources(alliance.members["tuk"].did, await peer_registries())

    assert before.status is CheckStatus.PASSED
    assert result.version_changed
    assert after.status is CheckStatus.FAILED
    assert after.message == (
        "issued by University TUK, which is suspended from Other Alliance according to "
        f"{alliance.registry_url} (version 2)"
    )


async def test_second_url_of_alliance_rejected(
    db: str, peer_settings: Settings, alliance: ForeignAlliance
) -> None:
    version_1 = alliance.registry(1, {"tuk": "active"})
    alliance.publish(version_1)
    alliance.server.routes["/federation/registry/versions/1.json"] = Route(
        json.dumps(version_1).encode()
    )
    await peers.add_peer(peer_settings, alliance.registry_url, "Latest", actor="test")
    fixed_url = alliance.server.url("/federation/registry/versions/1.json")

    with pytest.raises(InvalidInputError) as raised:
        await peers.add_peer(peer_settings, fixed_url, "Version 1", actor="test")

    assert raised.value.code == "peer-registry-invalid"
    assert "already a peer through" in raised.value.message
    assert [row["label"] for row in await PeerHub.select(PeerHub.label)] == ["Latest"]


async def test_failed_first_sync_adds_nothing(
    db: str, peer_settings: Settings, alliance: ForeignAlliance
) -> None:
    alliance.publish(b"not json at all")

    with pytest.raises(InvalidInputError) as raised:
        await peers.add_peer(peer_settings, alliance.registry_url, "Broken", actor="test")

    actions = [row["action"] for row in await AuditEvent.select(AuditEvent.action)]
    assert raised.value.code == "peer-registry-invalid"
    assert "was not added" in raised.value.message
    assert await PeerHub.count() == 0
    assert actions == ["peer-hub:registered", "peer-hub:removed"]


async def test_older_copy_of_alliance_ignored(
    db: str, peer_settings: Settings, alliance: ForeignAlliance
) -> None:
    alliance.publish(alliance.registry(1, {"tuk": "active"}))
    old = await registered(peer_settings, alliance)
    await peers.sync_peer(peer_settings, old.id)
    alliance.publish(alliance.registry(2, {"tuk": "suspended"}))
    newer = await peers.sync_peer(peer_settings, old.id)
    sources = await peer_registries()
    # The same alliance's version 1, as a second registration made before the rule existed
    # would still hold it, must not outweigh the suspension in version 2.
    stale = dataclasses.replace(
        sources[0],
        registry=dataclasses.replace(
            sources[0].registry,
            version=1,
            members=tuple(
                dataclasses.replace(member, status="active")
                for member in sources[0].registry.members
            ),
        ),
    )

    check = trust_in_sources(alliance.members["tuk"].did, [stale, *sources])

    assert newer.version == 2
    assert check.status is CheckStatus.FAILED
    assert "(version 2)" in check.message


async def test_registry_of_another_host_rejected(
    db: str, peer_settings: Settings, alliance: ForeignAlliance, server: DocumentServer
) -> None:
    other_server = DocumentServer()
    both = dataclasses.replace(
        peer_settings,
        outbound_loopback_peers=(
            *peer_settings.outbound_loopback_peers,
            f"127.0.0.1:{other_server.port}",
        ),
    )
    try:
        other = ForeignAlliance(other_server, name="Impostor")
        other.add_member("tuk")
        alliance.publish(other.registry(1, {"tuk": "active"}))
        peer = await registered(both, alliance)

        result = await peers.sync_peer(both, peer.id)
    finally:
        other_server.close()

    assert not result.is_success
    assert "whose did:web is on another host" in (result.error or "")
    assert await PeerRegistryCopy.count() == 0


async def test_missing_member_document_degrades(
    db: str, peer_settings: Settings, alliance: ForeignAlliance, server: DocumentServer
) -> None:
    alliance.publish(alliance.registry(1, {"tuk": "active", "unic": "active"}))
    del server.routes["/tenants/unic/did.json"]
    peer = await registered(peer_settings, alliance)

    result = await peers.sync_peer(peer_settings, peer.id)

    assert result.is_success
    assert result.peer.status == peers.DEGRADED
    assert "1 DID document(s) could not be fetched" in (result.peer.last_error or "")
    assert "HTTP 404" in (result.peer.last_error or "")


async def test_slow_member_documents_bounded(
    db: str, peer_settings: Settings, alliance: ForeignAlliance, server: DocumentServer
) -> None:
    slugs = [f"slow{number}" for number in range(20)]
    for slug in slugs:
        alliance.add_member(slug)
        server.routes[f"/tenants/{slug}/did.json"].drip_seconds = 1.0
    alliance.publish(alliance.registry(1, dict.fromkeys(["tuk", *slugs], "active")))
    peer = await registered(peer_settings, alliance)

    started = time.monotonic()
    result = await peers.sync_peer(peer_settings, peer.id)
    elapsed = time.monotonic() - started
    deadline = peers.DOCUMENT_PHASE_TIMEOUTS * TIMEOUT_SECONDS

    assert result.is_success
    assert result.peer.status == peers.DEGRADED
    assert f"was not fetched within {deadline:g} s" in (result.peer.last_error or "")
    assert f"timed out after {TIMEOUT_SECONDS:g} s" in (result.peer.last_error or "")
    assert elapsed < deadline + 10
    assert await PeerIssuerDocument.exists().where(
        PeerIssuerDocument.did == alliance.members["tuk"].did
    )


async def test_register_rejects_bad_urls(db: str, peer_settings: Settings) -> None:
    own = f"{peer_settings.base_url}/.well-known/eunice-registry.json"
    cases = {
        "http://peer.example/.well-known/eunice-registry.json": "must use https",
        "ftp://peer.example/registry.json": "must use https",
        "https://user:secret@peer.example/registry.json": "no user name",
        "not a url": "needs a host name",
    }
    for url, message in cases.items():
        with pytest.raises(InvalidInputError, match=message):
            await peers.register_peer(peer_settings, url, "", actor="test")
    # The test hub listens on http://127.0.0.1:8000, which is not a configured loopback peer.
    with pytest.raises(InvalidInputError):
        await peers.register_peer(peer_settings, own, "", actor="test")
    assert await PeerHub.count() == 0


async def test_register_rejects_own_registry_and_duplicates(
    db: str, peer_settings: Settings, alliance: ForeignAlliance
) -> None:
    own_settings = dataclasses.replace(peer_settings, outbound_loopback_peers=("127.0.0.1:8000",))
    await registered(peer_settings, alliance)

    with pytest.raises(InvalidInputError, match="is on this hub"):
        await peers.register_peer(
            own_settings, "http://127.0.0.1:8000/.well-known/eunice-registry.json", "", "test"
        )
    with pytest.raises(ConflictError, match="registered already"):
        await peers.register_peer(
            peer_settings, alliance.registry_url.replace("http://", "HTTP://"), "", "test"
        )
    assert await PeerHub.count() == 1
    assert await AuditEvent.exists().where(AuditEvent.action == "peer-hub:registered")


async def test_remove_forgets_copies(
    db: str, peer_settings: Settings, alliance: ForeignAlliance
) -> None:
    alliance.publish(alliance.registry(1, {"tuk": "active"}))
    peer = await registered(peer_settings, alliance)
    await peers.sync_peer(peer_settings, peer.id)

    await peers.remove_peer(peer.id, actor="test")

    assert await PeerRegistryCopy.count() == 0
    assert await PeerIssuerDocument.count() == 0
    assert await peer_registries() == []
    assert await AuditEvent.exists().where(AuditEvent.action == "peer-hub:removed")


async def test_sync_due_skips_recent_peers(
    db: str, peer_settings: Settings, alliance: ForeignAlliance, server: DocumentServer
) -> None:
    alliance.publish(alliance.registry(1, {"tuk": "active"}))
    peer = await registered(peer_settings, alliance)

    first = await peers.sync_due(peer_settings)
    second = await peers.sync_due(peer_settings)

    assert [result.peer.id for result in first] == [peer.id]
    assert second == []
    assert server.paths().count("/.well-known/eunice-registry.json") == 1
    assert json.loads((await PeerRegistryCopy.objects().first()).document_text)["issuer"]["id"] == (
        alliance.alliance.did
    )
