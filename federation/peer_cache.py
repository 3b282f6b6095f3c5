"""The copies that the last good syncs of peer hubs stored, read without any fetch.

Verification uses these copies: the trust check reads each peer's last good registry, and
:class:`PeerDocumentResolver` serves the keys of the peers' members from their cached DID
documents. Both keep working while a peer is down, until a sync replaces them.
"""

from __future__ import annotations

import json
from dataclasses import replace

from federation.registry import RegistrySource, TrustRegistry
from federation.tables import PeerHub, PeerIssuerDocument, PeerRegistryCopy
from hub.credentials.didweb import DID_WEB_PREFIX, key_from_document
from hub.credentials.keys import KeyResolutionError, ResolvedKey


async def peer_registries() -> list[RegistrySource]:
    """Return the last good registry of every peer, oldest peer first."""
    rows = await PeerRegistryCopy.select(
        PeerRegistryCopy.document_text, PeerRegistryCopy.peer.registry_url
    ).order_by(PeerRegistryCopy.peer)
    return [
        RegistrySource(
            TrustRegistry.from_document(json.loads(row["document_text"])),
            row["peer.registry_url"],
        )
        for row in rows
    ]


class PeerDocumentResolver:
    """Resolves did:web keys from the DID documents cached by peer syncs.

    A DID or key that no cached document lists returns None, so that the next resolver fetches
    the live document: a member may have added a key since the last sync.
    """

    # NOTE: a key that a member removed from its DID document keeps verifying here until the
    # next sync of the peer (HUB_PEER_SYNC_MINUTES). Checking the live document first would
    # close that gap but make every verification wait on the member's server.

    async def resolve(self, verification_method: str) -> ResolvedKey | None:
        if not verification_method.startswith(DID_WEB_PREFIX):
            return None
        did = verification_method.partition("#")[0]
        row = (
            await PeerIssuerDocument.objects(PeerIssuerDocument.peer)
            .where(PeerIssuerDocument.did == did)
            .order_by(PeerIssuerDocument.fetched_at, ascending=False)
            .first()
        )
        if row is None:
            return None
        try:
            key = key_from_document(json.loads(row.document_text), verification_method)
        except KeyResolutionError:
            return None
        peer: PeerHub = row.peer
        fetched = row.fetched_at.isoformat(timespec="seconds")
        source = f"did:web document cached on {fetched} by the sync of {peer.registry_url}"
        return replace(key, source=source)
