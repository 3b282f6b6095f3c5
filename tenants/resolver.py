"""Key resolution for this hub's own tenants, straight from the database (no HTTP)."""

from __future__ import annotations

import time

from joserfc.jwk import OKPKey, RSAKey

from hub.credentials.keys import KeyResolutionError, KeySource, ResolvedKey
from hub.settings import Settings
from tenants.tables import IssuerKey

# How long a resolved key is reused without asking the database again. A key revoked in the
# database stops verifying on every web process within this many seconds.
CACHE_SECONDS = 60.0


class TenantKeyResolver:
    """Resolves ``did:web:<this hub>:tenants:<slug>#<fragment>`` to a tenant's public key.

    Revoked keys are not resolved; retired keys are, so credentials they signed keep verifying.
    Found keys are cached for ``CACHE_SECONDS``; misses are not cached.
    """

    def __init__(self, settings: Settings) -> None:
        self._prefix = f"did:web:{settings.did_web_host}:tenants:"
        self._cache: dict[str, tuple[float, ResolvedKey]] = {}

    async def resolve(self, verification_method: str) -> ResolvedKey | None:
        if not verification_method.startswith(self._prefix):
            return None
        cached = self._cache.get(verification_method)
        if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        resolved = await self._load(verification_method)
        self._cache[verification_method] = (time.monotonic(), resolved)
        return resolved

    async def _load(self, verification_method: str) -> ResolvedKey:
        did, _, fragment = verification_method.partition("#")
        slug = did[len(self._prefix) :]
        if not fragment or ":" in slug:
            raise KeyResolutionError(
                f"verification method {verification_method!r} names no key of a tenant; expected "
                f"{self._prefix}<slug>#<key>"
            )
        row = (
            await IssuerKey.objects()
            .output(load_json=True)
            .where(
                IssuerKey.tenant.slug == slug,
                IssuerKey.fragment == fragment,
                IssuerKey.revoked_at.is_null(),
            )
            .first()
        )
        if row is None:
            raise KeyResolutionError(
                f"tenant {slug!r} of this hub publishes no key {fragment!r} "
                "(unknown tenant, unknown key, or a revoked key)"
            )
        public = (
            OKPKey.import_key(row.public_jwk)
            if row.algorithm == "Ed25519"
            else RSAKey.import_key(row.public_jwk)
        )
        return ResolvedKey(
            verification_method=verification_method,
            controller=did,
            key_type="Multikey" if row.algorithm == "Ed25519" else "JsonWebKey",
            public_key=public,
            source=KeySource.HUB_TENANT,
        )
