"""Peer hubs: other alliances' trust registries that this hub fetches, verifies and keeps.

An alliance admin registers the registry URL of another hub. A sync fetches the registry through
the outbound fetcher (:mod:`hub.outbound`) and verifies it like any credential, with the key of
the peer alliance's did:web. The registry becomes the peer's last good copy when the same
alliance as before signed it and it is not older than that copy. The sync then fetches and keeps
the DID document of every member, so verification finds their keys without a fetch
(:mod:`federation.peer_cache`). A failed sync records the error and keeps the last good copies.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import structlog

from federation.registry import TrustRegistry, latest_registries, registry_url
from federation.registry_verification import verify_registry
from federation.tables import PeerHub, PeerIssuerDocument, PeerRegistryCopy
from hub.audit import record_event
from hub.credentials import didweb
from hub.credentials.keys import KeyResolutionError
from hub.credentials.report import CheckId, CheckStatus, VerificationReport
from hub.errors import ConflictError, HubError, InvalidInputError, NotFoundError
from hub.outbound import FetchError, fetcher_for
from hub.settings import Settings

log = structlog.get_logger(__name__)

PENDING, OK, DEGRADED, FAILED = "pending", "ok", "degraded", "failed"
MAX_URL_LENGTH = 2048
MAX_LABEL_LENGTH = 200
REGISTRY_MEDIA_TYPES = "application/vc, application/vc+ld+json;q=0.9, application/json;q=0.8"
# DID documents fetched at once during a sync, so a registry of many members finishes in a few
# fetch timeouts at worst without opening a connection per member at the same moment.
PARALLEL_DOCUMENT_FETCHES = 4
# DID documents fetched per sync, because a hostile registry of thousands of members would
# otherwise keep one sync busy for hours. Members beyond this many get no cached document, so
# their keys are fetched live at verification.
MAX_DOCUMENTS_PER_SYNC = 200
# The DID document fetches of one sync end after this many outbound fetch timeouts, so that a
# sync started from the console responds in bounded time even when many members are unreachable.
DOCUMENT_PHASE_TIMEOUTS = 3
# Checks of the verification report that do not apply to a registry. The trust check judges the
# signer against registries, and a registry has no credential status.
_IGNORED_CHECKS = (CheckId.TRUST, CheckId.STATUS)


class PeerSyncError(Exception):
    """A failed sync, which kept the last good copy; the message describes the peer's problem."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class SyncResult:
    """The outcome of one sync: the peer's state after it and what the sync changed."""

    peer: PeerHub
    is_success: bool
    version: int | None
    version_changed: bool
    error: str | None


@dataclass(frozen=True)
class PeerView:
    """A peer with what its last good registry lists, for the console and the API."""

    peer: PeerHub
    version: int | None
    alliance_name: str | None
    member_count: int | None
    registry_fetched_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        peer = self.peer
        return {
            "id": peer.id,
            "registry_url": peer.registry_url,
            "label": peer.label,
            "status": peer.status,
            "alliance_did": peer.alliance_did,
            "alliance_name": self.alliance_name,
            "registry_version": self.version,
            "member_count": self.member_count,
            "added_by": peer.added_by,
            "created_at": _iso(peer.created_at),
            "last_attempt_at": _iso(peer.last_attempt_at),
            "last_success_at": _iso(peer.last_success_at),
            "last_error": peer.last_error,
            "consecutive_failures": peer.consecutive_failures,
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None


# Registration ----------------------------------------------------------------------------------


def normalize_registry_url(settings: Settings, url: str) -> str:
    """Return the URL with a lower-case scheme and host; raise InvalidInputError when unusable."""
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise InvalidInputError(
            f"registry_url must be a URL of at most {MAX_URL_LENGTH} characters, such as "
            "https://badges.other-alliance.eu/.well-known/eunice-registry.json",
            code="invalid-peer-url",
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise InvalidInputError(
            f"registry_url {url!r} is not a valid URL: {error}", code="invalid-peer-url"
        ) from None
    host = (parts.hostname or "").lower()
    scheme = parts.scheme.lower()
    if not host or parts.username or parts.password or parts.fragment:
        raise InvalidInputError(
            f"registry_url {url!r} needs a host name and no user name, password or #fragment",
            code="invalid-peer-url",
        )
    if scheme != "https" and not (
        scheme == "http"
        and port is not None
        and f"{host}:{port}" in settings.outbound_loopback_peers
    ):
        raise InvalidInputError(
            f"registry_url {url!r} must use https; plain http works only for a loopback test "
            "peer listed in HUB_OUTBOUND_LOOPBACK_PEERS",
            code="invalid-peer-url",
        )
    netloc = host if port is None else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def _require_other_hub(settings: Settings, url: str) -> None:
    own = urlsplit(registry_url(settings))
    other = urlsplit(url)
    if (own.scheme, own.netloc.lower()) == (other.scheme, other.netloc):
        raise InvalidInputError(
            f"{url} is on this hub ({settings.base_url}); its own registry is trusted already, "
            "so register the registry URL of another hub",
            code="peer-is-this-hub",
        )


async def register_peer(settings: Settings, url: str, label: str, actor: str) -> PeerHub:
    """Register another hub's registry URL; the first sync is left to the caller."""
    normalized = normalize_registry_url(settings, url)
    _require_other_hub(settings, normalized)
    label = label.strip() or urlsplit(normalized).netloc
    if len(label) > MAX_LABEL_LENGTH:
        raise InvalidInputError(
            f"label has {len(label)} characters; use at most {MAX_LABEL_LENGTH}",
            code="invalid-peer-label",
        )
    async with PeerHub._meta.db.transaction():
        if await PeerHub.exists().where(PeerHub.registry_url == normalized):
            raise ConflictError(
                f"{normalized} is registered already; sync it or remove it first",
                code="peer-already-registered",
            )
        peer = PeerHub(
            registry_url=normalized,
            label=label,
            added_by=actor,
            created_at=datetime.now(UTC),
            status=PENDING,
        )
        await peer.save()
        await record_event("peer-hub:registered", actor=actor, target=normalized)
    log.info("peer_hub_registered", peer_id=peer.id, url=normalized)
    return peer


async def add_peer(settings: Settings, url: str, label: str, actor: str) -> SyncResult:
    """Register a peer and sync it; a peer whose first sync fails is removed again.

    Raises InvalidInputError naming the sync error, so that nothing is left of a URL that never
    gave a verified registry.
    """
    peer = await register_peer(settings, url, label, actor)
    result = await sync_peer(settings, peer.id)
    if result.is_success:
        return result
    await remove_peer(peer.id, actor)
    raise InvalidInputError(
        f"{peer.registry_url} was not added: {result.error}",
        code="peer-registry-invalid",
    )


async def get_peer(peer_id: int) -> PeerHub:
    peer = await PeerHub.objects().where(PeerHub.id == peer_id).first()
    if peer is None:
        raise NotFoundError(
            f"no peer hub with id {peer_id}; list them at /api/v1/federation/peers",
            code="peer-not-found",
        )
    return peer


async def remove_peer(peer_id: int, actor: str) -> None:
    """Forget a peer with its copies, so its members' badges are no longer trusted here."""
    async with PeerHub._meta.db.transaction():
        peer = await get_peer(peer_id)
        await PeerHub.delete().where(PeerHub.id == peer.id)
        await record_event(
            "peer-hub:removed", actor=actor, target=peer.registry_url, details={"id": peer.id}
        )
    log.info("peer_hub_removed", peer_id=peer.id, url=peer.registry_url)


async def list_peers() -> list[PeerView]:
    peers = await PeerHub.objects().order_by(PeerHub.id)
    copies = {row.peer: row for row in await PeerRegistryCopy.objects()}
    return [_view(peer, copies.get(peer.id)) for peer in peers]


async def view_peer(peer_id: int) -> PeerView:
    peer = await get_peer(peer_id)
    copy = await PeerRegistryCopy.objects().where(PeerRegistryCopy.peer == peer.id).first()
    return _view(peer, copy)


def _view(peer: PeerHub, copy: PeerRegistryCopy | None) -> PeerView:
    if copy is None:
        return PeerView(peer, None, None, None, None)
    registry = TrustRegistry.from_document(json.loads(copy.document_text))
    return PeerView(
        peer, copy.version, registry.alliance_name, len(registry.members), copy.fetched_at
    )


# Sync ------------------------------------------------------------------------------------------


async def sync_peer(settings: Settings, peer_id: int) -> SyncResult:
    """Fetch, verify and keep the peer's registry and its members' DID documents.

    A problem of the peer (unreachable, invalid or older registry) is recorded in the result and
    the stored row. Only an unknown ``peer_id`` (NotFoundError) and database errors raise.
    """
    peer = await get_peer(peer_id)
    attempt = datetime.now(UTC)
    try:
        text, registry = await _fetch_verified_registry(settings, peer)
        previous = await PeerRegistryCopy.objects().where(PeerRegistryCopy.peer == peer.id).first()
        is_new = _check_version(peer, registry, text, previous)
    except PeerSyncError as error:
        return await _record_failure(peer, attempt, error)
    documents, problems = await _fetch_documents(settings, registry)
    await _store(peer, registry, text, documents, problems, attempt, is_new)
    log.info(
        "peer_hub_synced",
        peer_id=peer.id,
        url=peer.registry_url,
        version=registry.version,
        documents=len(documents),
        failed_documents=len(problems),
    )
    return SyncResult(await get_peer(peer.id), True, registry.version, is_new, peer.last_error)


async def sync_all(settings: Settings) -> list[SyncResult]:
    return [await sync_peer(settings, peer.id) for peer in await PeerHub.objects()]


async def sync_due(settings: Settings, now: datetime | None = None) -> list[SyncResult]:
    """Sync the peers whose last attempt is older than HUB_PEER_SYNC_MINUTES."""
    due_before = (now or datetime.now(UTC)) - timedelta(minutes=settings.peer_sync_minutes)
    peers = await PeerHub.objects().where(
        PeerHub.last_attempt_at.is_null() | (PeerHub.last_attempt_at <= due_before)
    )
    return [await sync_peer(settings, peer.id) for peer in peers]


async def _fetch_verified_registry(settings: Settings, peer: PeerHub) -> tuple[str, TrustRegistry]:
    fetcher = fetcher_for(settings)
    try:
        fetched = await fetcher.fetch(
            peer.registry_url, accept=REGISTRY_MEDIA_TYPES, use_cache=False
        )
        text = fetched.body.decode("utf-8")
    except FetchError as error:
        raise PeerSyncError(error.code, str(error)) from None
    except UnicodeDecodeError:
        raise PeerSyncError("not-json", f"{peer.registry_url} did not return UTF-8 text") from None
    try:
        report = await verify_registry(settings, text)
    except HubError as error:
        raise PeerSyncError("invalid-registry", f"{peer.registry_url}: {error.message}") from None
    _require_verified(peer, report)
    try:
        registry = TrustRegistry.from_document(json.loads(text))
    except KeyError as error:
        raise PeerSyncError(
            "invalid-registry",
            f"{peer.registry_url} is a verified credential but not a trust registry: it has no "
            f"{error.args[0]!r} field",
        ) from None
    except (TypeError, ValueError) as error:
        raise PeerSyncError(
            "invalid-registry",
            f"{peer.registry_url} is a verified credential but not a trust registry: {error}",
        ) from None
    _require_alliance(peer, registry)
    await _require_unique_alliance(settings, peer, registry)
    return text, registry


async def _require_unique_alliance(
    settings: Settings, peer: PeerHub, registry: TrustRegistry
) -> None:
    """Require one peer per alliance, and not this hub's own alliance.

    Two registrations of one alliance (say, its latest registry and a fixed old version) would
    let the older copy keep trusting a member that a newer version suspends.
    """
    own = [own_registry.alliance_did for own_registry in await latest_registries()]
    if registry.alliance_did in own:
        raise PeerSyncError(
            "peer-is-this-hub",
            f"the registry at {peer.registry_url} is signed by {registry.alliance_did}, the "
            "alliance of this hub, whose own registry is trusted already",
        )
    other = (
        await PeerHub.select(PeerHub.registry_url)
        .where(PeerHub.alliance_did == registry.alliance_did, PeerHub.id != peer.id)
        .first()
    )
    if other is not None:
        raise PeerSyncError(
            "alliance-already-registered",
            f"the registry at {peer.registry_url} is signed by {registry.alliance_did}, which is "
            f"already a peer through {other['registry_url']}; register each alliance once, at "
            "the URL of its latest registry",
        )


def _require_verified(peer: PeerHub, report: VerificationReport) -> None:
    failed = [
        f"{check.check.value}: {check.message}"
        for check in report.checks
        if check.check not in _IGNORED_CHECKS and check.status is CheckStatus.FAILED
    ]
    proof = report.check(CheckId.PROOF)
    if proof is None or proof.status is not CheckStatus.PASSED:
        failed.append(f"proof: {proof.message if proof else 'the registry has no proof'}")
    if failed:
        raise PeerSyncError(
            "invalid-registry",
            f"the registry at {peer.registry_url} did not verify: "
            + "; ".join(dict.fromkeys(failed)),
        )


def _require_alliance(peer: PeerHub, registry: TrustRegistry) -> None:
    """Require the registry's signer to be a did:web on the peer's host, the same as before."""
    try:
        location = didweb.parse_did_web(registry.alliance_did)
    except KeyResolutionError as error:
        raise PeerSyncError("invalid-registry", f"the registry's issuer: {error}") from None
    if location.host_port != urlsplit(peer.registry_url).netloc:
        raise PeerSyncError(
            "foreign-registry",
            f"the registry at {peer.registry_url} is signed by {registry.alliance_did}, whose "
            "did:web is on another host; a peer hub's registry must be signed by an alliance "
            "on that hub",
        )
    if peer.alliance_did is not None and registry.alliance_did != peer.alliance_did:
        raise PeerSyncError(
            "alliance-changed",
            f"the registry at {peer.registry_url} is now signed by {registry.alliance_did}, but "
            f"this peer was registered with {peer.alliance_did}; remove the peer and register "
            "it again to accept the new signer",
        )


def _check_version(
    peer: PeerHub, registry: TrustRegistry, text: str, previous: PeerRegistryCopy | None
) -> bool:
    """Return whether the registry is newer than the last good copy; reject a rollback."""
    if previous is None or registry.version > previous.version:
        return True
    if registry.version < previous.version:
        raise PeerSyncError(
            "registry-rollback",
            f"{peer.registry_url} returned version {registry.version}, older than version "
            f"{previous.version} kept here; an older registry could revive a suspended member, "
            "so the kept copy stays",
        )
    if text != previous.document_text:
        raise PeerSyncError(
            "registry-changed",
            f"{peer.registry_url} returned a different document for version "
            f"{registry.version}; a published version never changes, so the kept copy stays",
        )
    return False


async def _fetch_documents(
    settings: Settings, registry: TrustRegistry
) -> tuple[dict[str, str], list[str]]:
    """Fetch the DID document of the alliance and of every did:web member."""
    fetcher = fetcher_for(settings)
    limit = asyncio.Semaphore(PARALLEL_DOCUMENT_FETCHES)
    dids = [registry.alliance_did, *(member.did for member in registry.members)]
    dids = [did for did in dict.fromkeys(dids) if did.startswith(didweb.DID_WEB_PREFIX)]
    skipped = dids[MAX_DOCUMENTS_PER_SYNC:]
    dids = dids[:MAX_DOCUMENTS_PER_SYNC]

    async def fetch(did: str) -> tuple[str | None, str | None]:
        async with limit:
            try:
                _, document = await didweb.fetch_did_document(fetcher, did, use_cache=False)
                _require_own_id(document, did)
            except KeyResolutionError as error:
                return None, str(error)
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")), None

    tasks = {did: asyncio.create_task(fetch(did)) for did in dids}
    deadline = DOCUMENT_PHASE_TIMEOUTS * settings.outbound_timeout_seconds
    if tasks:
        _, pending = await asyncio.wait(tasks.values(), timeout=deadline)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    documents: dict[str, str] = {}
    problems: list[str] = []
    for did, task in tasks.items():
        if task.cancelled():
            problems.append(f"the DID document of {did} was not fetched within {deadline:g} s")
            continue
        text, problem = task.result()
        if text is not None:
            documents[did] = text
        if problem is not None:
            problems.append(problem)
    if skipped:
        problems.append(
            f"the registry lists {len(skipped)} more did:web members than the "
            f"{MAX_DOCUMENTS_PER_SYNC} whose DID documents one sync caches"
        )
    return documents, problems


def _require_own_id(document: object, did: str) -> None:
    if not isinstance(document, dict) or document.get("id") != did:
        found = document.get("id") if isinstance(document, dict) else None
        raise KeyResolutionError(
            f"the DID document fetched for {did} has id {found!r}; a DID document must name "
            "its own DID"
        )


async def _store(
    peer: PeerHub,
    registry: TrustRegistry,
    text: str,
    documents: dict[str, str],
    problems: list[str],
    attempt: datetime,
    is_new: bool,
) -> None:
    now = datetime.now(UTC)
    error = None
    if problems:
        error = f"{len(problems)} DID document(s) could not be fetched: " + "; ".join(problems)
    async with PeerHub._meta.db.transaction():
        # Syncs of one peer (the periodic job, "sync now") store one at a time, and a peer
        # removed during the sync gets nothing stored.
        locked = await PeerHub.raw("SELECT id FROM peer_hub WHERE id = {} FOR UPDATE", peer.id)
        if not locked:
            return
        current = await PeerRegistryCopy.objects().where(PeerRegistryCopy.peer == peer.id).first()
        if is_new and (current is None or registry.version > current.version):
            await _replace_copy(peer, registry, text, now)
        for did, document_text in documents.items():
            await _replace_document(peer, did, document_text, now)
        await PeerHub.update(
            {
                PeerHub.status: DEGRADED if problems else OK,
                PeerHub.last_attempt_at: attempt,
                PeerHub.last_success_at: now,
                PeerHub.last_error: error,
                PeerHub.consecutive_failures: 0,
                PeerHub.alliance_did: registry.alliance_did,
            }
        ).where(PeerHub.id == peer.id)
    peer.last_error = error


async def _replace_copy(peer: PeerHub, registry: TrustRegistry, text: str, now: datetime) -> None:
    await PeerRegistryCopy.delete().where(PeerRegistryCopy.peer == peer.id)
    await PeerRegistryCopy(
        peer=peer.id, version=registry.version, document_text=text, fetched_at=now
    ).save()
    await record_event(
        "peer-hub:registry-updated",
        actor="peer-sync",
        target=peer.registry_url,
        details={"version": registry.version, "members": len(registry.members)},
    )


async def _replace_document(peer: PeerHub, did: str, text: str, now: datetime) -> None:
    await PeerIssuerDocument.raw(
        "INSERT INTO peer_issuer_document (peer, did, document_text, fetched_at) "
        "VALUES ({}, {}, {}, {}) ON CONFLICT (peer, did) DO UPDATE SET "
        "document_text = EXCLUDED.document_text, fetched_at = EXCLUDED.fetched_at",
        peer.id,
        did,
        text,
        now,
    )


async def _record_failure(peer: PeerHub, attempt: datetime, error: PeerSyncError) -> SyncResult:
    await PeerHub.update(
        {
            PeerHub.status: FAILED,
            PeerHub.last_attempt_at: attempt,
            PeerHub.last_error: str(error),
            PeerHub.consecutive_failures: PeerHub.consecutive_failures + 1,
        }
    ).where(PeerHub.id == peer.id)
    log.warning(
        "peer_hub_sync_failed",
        peer_id=peer.id,
        url=peer.registry_url,
        code=error.code,
        error=str(error),
    )
    copy = await PeerRegistryCopy.objects().where(PeerRegistryCopy.peer == peer.id).first()
    version = copy.version if copy is not None else None
    return SyncResult(await get_peer(peer.id), False, version, False, str(error))
