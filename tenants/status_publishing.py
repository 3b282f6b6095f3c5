"""Publishing a tenant's status lists, and reading them back for this hub's own verifier.

Each list is served as a BitstringStatusListCredential (W3C Bitstring Status List v1.0 §2.2)
signed with the tenant's Ed25519 key (Data Integrity eddsa-rdfc-2022). The signed text is kept in
``status_list.signed_text`` and signed again only after a bit changed. The 1EdTech Revocation
List (see :func:`hub.credentials.statuslist.build_revocation_list`) lists revoked credentials by
id and is built on each request.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hub.credentials import dataintegrity, statuslist
from hub.credentials.statuslist import (
    PURPOSES,
    StatusListRetrievalError,
    StatusListUnavailableError,
)
from hub.errors import NotFoundError
from hub.settings import Settings, SettingsError
from tenants import identity, status
from tenants.scope import TenantScope
from tenants.services import credential_url, get_tenant, load_keyring
from tenants.tables import StatusList, Tenant

log = structlog.get_logger(__name__)

# Verifiers may reuse a published list this long. The list's ``ttl`` and the HTTP Cache-Control
# max-age both carry this value, because §2.2 recommends aligning them.
CACHE_SECONDS = 300
STATUS_LIST_PATH = re.compile(
    r"/tenants/(?P<slug>[^/]+)/status/(?P<purpose>[a-z]+)/(?P<number>[0-9]{1,9})"
)
REVOCATION_LIST_PATH = re.compile(r"/tenants/(?P<slug>[^/]+)/revocation-list")


@dataclass(frozen=True)
class PublishedList:
    """The signed text of a status list credential, with its HTTP validators."""

    text: str
    etag: str
    last_modified: datetime


async def published_status_list(
    settings: Settings, tenant: Tenant, purpose: str, number: int
) -> PublishedList:
    """Return the signed list credential, signing it first when a bit changed since."""
    if purpose not in PURPOSES:
        raise NotFoundError(
            f"status purpose {purpose!r} is unknown; use {' or '.join(PURPOSES)}",
            code="status-list-not-found",
        )
    row = await status.get_list(tenant, purpose, number)
    # NOTE: a signature by a key that was later revoked stays cached until a bit changes, and
    # verifiers then reject the list. Revoking a key should also reset signed_version to 0.
    if row.signed_text is None or row.signed_at is None or row.signed_version != row.version:
        text, signed_at = await _sign(settings, tenant, row)
    else:
        text, signed_at = row.signed_text, row.signed_at
    etag = '"' + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32] + '"'
    return PublishedList(text, etag, signed_at)


async def _sign(settings: Settings, tenant: Tenant, row: StatusList) -> tuple[str, datetime]:
    signing_key = (await load_keyring(settings, tenant)).ed25519
    assert isinstance(signing_key.private_key, Ed25519PrivateKey)  # load_keyring picks by type

    signed_at = datetime.now(UTC).replace(microsecond=0)
    # The list is valid from its last change on. Signing time would not do: a verifier that
    # took its clock reading just before this signature would find the list not valid yet.
    unsigned = statuslist.build_list_credential(
        status.list_url(settings, tenant.slug, row.purpose, row.number),
        identity.tenant_did(settings, tenant.slug),
        row.purpose,
        row.bitstring,
        valid_from=row.updated_at.replace(microsecond=0),
        ttl_milliseconds=CACHE_SECONDS * 1000,
    )
    signed = dataintegrity.sign_eddsa_rdfc_2022(
        unsigned,
        signing_key.private_key,
        signing_key.verification_method,
        created=signed_at,
    )
    text = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))

    # A slower request that signed an older version must not replace a newer text.
    await StatusList.update(
        {
            StatusList.signed_text: text,
            StatusList.signed_version: row.version,
            StatusList.signed_at: signed_at,
        }
    ).where(StatusList.id == row.id, StatusList.signed_version < row.version)

    log.info(
        "status_list_signed",
        tenant=tenant.slug,
        purpose=row.purpose,
        number=row.number,
        version=row.version,
    )
    return text, signed_at


async def revocation_list(settings: Settings, tenant: Tenant) -> dict[str, Any]:
    """Build the tenant's 1EdTech Revocation List: ids of revoked credentials, without reasons."""
    # NOTE: the ids are the public /credentials/{id} pages, which show the recipient's name, so
    # this list makes revoked badges and their holders enumerable. Bitstring lists do not.
    revoked = await status.revoked_award_ids(TenantScope(tenant))
    return statuslist.build_revocation_list(
        status.revocation_list_url(settings, tenant.slug),
        identity.tenant_did(settings, tenant.slug),
        [credential_url(settings, award_id) for award_id in revoked],
    )


class HubStatusListResolver:
    """Resolves this hub's own status lists from the database; any other URL is not fetched."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._prefix = f"{settings.base_url}/tenants/"

    async def fetch(self, url: str) -> Mapping[str, Any] | None:
        if not url.startswith(self._prefix):
            return None
        path = url[len(self._settings.base_url) :]
        try:
            return await self._load(path)
        except NotFoundError as error:
            raise StatusListRetrievalError(error.message) from error
        except SettingsError as error:
            # Only a list changed since its last signature needs the key; a process without
            # HUB_KEY_ENCRYPTION_KEY (the CLI, for example) cannot sign it.
            raise StatusListUnavailableError(
                f"it changed since it was last signed, and signing it needs the issuer key: {error}"
            ) from error

    async def _load(self, path: str) -> Mapping[str, Any] | None:
        if match := STATUS_LIST_PATH.fullmatch(path):
            tenant = await get_tenant(match["slug"])
            published = await published_status_list(
                self._settings, tenant, match["purpose"], int(match["number"])
            )
            document: dict[str, Any] = json.loads(published.text)
            return document
        if match := REVOCATION_LIST_PATH.fullmatch(path):
            return await revocation_list(self._settings, await get_tenant(match["slug"]))
        raise StatusListRetrievalError(f"{path} is not a status list of this hub")
