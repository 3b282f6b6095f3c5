"""Status lists of other issuers, fetched through the outbound fetcher.

The status checker (:mod:`hub.credentials.statuslist`) reads a list from a
:class:`~hub.credentials.statuslist.StatusListResolver` and checks its proof with the same key
resolution as the credential, whether the list is this hub's own or fetched here. A list that
cannot be fetched because of the network (timeout, refused connection, unknown host, TLS
failure) leaves the status unknown. Any other fetch error fails the status check: a private
address, plain HTTP, more than the size cap, not JSON or an HTTP error. The issuer then points its
credentials at a list that no verifier can use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from hub.credentials.statuslist import (
    StatusListResolver,
    StatusListRetrievalError,
    StatusListUnavailableError,
)
from hub.outbound import Fetcher, FetchError

# Bitstring Status List v1.0 lists are VC Data Model 2.0 credentials (``application/vc``); the
# 1EdTech Revocation List is plain JSON.
STATUS_LIST_MEDIA_TYPES = "application/vc, application/vc+ld+json;q=0.9, application/json;q=0.8"
UNAVAILABLE_CODES = frozenset({"connection-failed", "timed-out", "name-not-resolved", "tls-failed"})


class RemoteStatusListResolver:
    """Fetches any status list outside this hub; this hub's own URLs are never fetched."""

    def __init__(self, fetcher: Fetcher, own_base_url: str) -> None:
        self._fetcher = fetcher
        self._own_prefix = own_base_url.rstrip("/") + "/"

    async def fetch(self, url: str) -> Mapping[str, Any] | None:
        if url.startswith(self._own_prefix):
            raise StatusListRetrievalError(f"{url} is not a status list this hub publishes")
        try:
            document = await self._fetcher.fetch_json(url, accept=STATUS_LIST_MEDIA_TYPES)
        except FetchError as error:
            if error.code in UNAVAILABLE_CODES:
                raise StatusListUnavailableError(f"({error.code}) {error}") from None
            raise StatusListRetrievalError(f"({error.code}) {error}") from None
        if not isinstance(document, Mapping):
            raise StatusListRetrievalError(f"{url} returned JSON that is not an object")
        return document


class ChainStatusListResolver:
    """Asks each resolver in order and returns the first document found."""

    def __init__(self, resolvers: Iterable[StatusListResolver]) -> None:
        self._resolvers = tuple(resolvers)

    async def fetch(self, url: str) -> Mapping[str, Any] | None:
        for resolver in self._resolvers:
            document = await resolver.fetch(url)
            if document is not None:
                return document
        return None
