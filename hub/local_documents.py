"""Serve this hub's own credentials to the verifier without a request to itself.

A verifier given the URL of a credential issued here (its page, ``credential.json``) reads the
signed text from the database. The outbound rules would otherwise reject the hub's own address
whenever it is private or loopback, as in a demo or behind a load balancer.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from hub.outbound import FetchedDocument
from hub.settings import Settings
from tenants.tables import Award

_CREDENTIAL_PATH = re.compile(r"/credentials/(?P<id>[0-9a-fA-F-]{36})(?:/credential\.json)?/?")


class LocalFirstFetcher:
    """A fetcher that serves URLs of this hub's credentials itself and passes on the rest."""

    def __init__(self, settings: Settings, fetcher: Any) -> None:
        self._base_url = settings.base_url
        self._fetcher = fetcher

    async def fetch(self, url: str, **options: Any) -> FetchedDocument:
        local = await self._local_credential(url)
        if local is not None:
            return local
        document: FetchedDocument = await self._fetcher.fetch(url, **options)
        return document

    async def _local_credential(self, url: str) -> FetchedDocument | None:
        if not url.startswith(self._base_url + "/"):
            return None
        match = _CREDENTIAL_PATH.fullmatch(url[len(self._base_url) :].split("?", 1)[0])
        if match is None:
            return None
        try:
            award_id = uuid.UUID(match["id"])
        except ValueError:
            return None
        row = await Award.select(Award.credential_text).where(Award.id == award_id).first()
        if row is None:
            return None
        body = row["credential_text"].encode("utf-8")
        return FetchedDocument(url, url, 200, "application/ld+json", body)
