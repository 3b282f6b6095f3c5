"""Issuer key rotation: a new key signs from now on, and the old one stays published.

Rotation retires the active key of each algorithm (``retired_at``) and creates a new one. A
retired key signs nothing more but stays in the tenant's did.json and JWKS, so every credential
it signed still verifies. Only revocation (``revoked_at``, after a compromise) unpublishes a key.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from hub.audit import record_event
from hub.errors import InvalidInputError
from hub.settings import Settings
from tenants.keys import Algorithm
from tenants.services import add_issuer_key, forget_keyring, utcnow
from tenants.tables import IssuerKey, Tenant

log = structlog.get_logger(__name__)

ALGORITHMS: tuple[Algorithm, ...] = ("Ed25519", "RS256")


@dataclass(frozen=True)
class RotatedKey:
    algorithm: Algorithm
    new_fragment: str
    retired_fragments: tuple[str, ...]


async def rotate_keys(
    settings: Settings,
    tenant: Tenant,
    actor: str,
    algorithms: tuple[Algorithm, ...] = ALGORITHMS,
) -> list[RotatedKey]:
    """Retire the active keys of ``algorithms`` and create their successors in one transaction."""
    unknown = set(algorithms) - set(ALGORITHMS)
    if unknown or not algorithms:
        raise InvalidInputError(
            f"cannot rotate {sorted(unknown) or 'no algorithm'}; choose from {list(ALGORITHMS)}",
            code="invalid-algorithm",
        )
    kek = settings.require_key_encryption_key()

    rotated = []
    async with IssuerKey._meta.db.transaction():
        # Concurrent rotations of one tenant wait here, so each retires what the last created.
        await Tenant.raw("SELECT id FROM tenant WHERE id = {} FOR UPDATE", tenant.id)
        for algorithm in algorithms:
            rotated.append(await _rotate(tenant, algorithm, kek))
        await record_event(
            "tenant:key:rotated",
            actor=actor,
            tenant=tenant.slug,
            target=",".join(key.new_fragment for key in rotated),
            details={
                key.algorithm: {"new": key.new_fragment, "retired": list(key.retired_fragments)}
                for key in rotated
            },
        )
    forget_keyring(tenant.id)
    log.info("tenant_keys_rotated", tenant=tenant.slug, algorithms=list(algorithms))
    return rotated


async def _rotate(tenant: Tenant, algorithm: Algorithm, kek: bytes) -> RotatedKey:
    retired = await IssuerKey.raw(
        "UPDATE issuer_key SET retired_at = {} "
        "WHERE tenant = {} AND algorithm = {} AND retired_at IS NULL AND revoked_at IS NULL "
        "RETURNING fragment",
        utcnow(),
        tenant.id,
        algorithm,
    )
    key = await add_issuer_key(tenant, algorithm, kek)
    return RotatedKey(algorithm, key.fragment, tuple(row["fragment"] for row in retired))


async def list_keys(tenant: Tenant) -> list[IssuerKey]:
    """Return every key of the tenant, oldest first, with its retired and revoked times."""
    return list(
        await IssuerKey.objects()
        .where(IssuerKey.tenant == tenant.id)
        .order_by(IssuerKey.created_at)
    )
