from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-04T15:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Add per-tenant unique constraints"


_CONSTRAINTS = (
    "ALTER TABLE achievement ADD CONSTRAINT achievement_tenant_slug_key UNIQUE (tenant, slug)",
    "ALTER TABLE issuer_key ADD CONSTRAINT issuer_key_tenant_fragment_key UNIQUE (tenant, fragment)",
    "CREATE UNIQUE INDEX award_tenant_idempotency_key ON award (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL",
)


async def _constraints() -> None:
    # Piccolo declares no composite unique constraints; these keep per-tenant keys unique.
    engine = engine_finder()
    for statement in _CONSTRAINTS:
        await engine.run_ddl(statement)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)
    manager.add_raw(_constraints)
    return manager
