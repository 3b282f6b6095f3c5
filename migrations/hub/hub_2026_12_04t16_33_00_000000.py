from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-04T16:33:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Make each role of a user in a tenant unique"

_CONSTRAINTS = (
    "ALTER TABLE tenant_role ADD CONSTRAINT tenant_role_user_tenant_role_key "
    'UNIQUE ("user", tenant, role)',
)


async def _constraints() -> None:
    # Piccolo declares no composite unique constraints; granting a role twice must be a no-op.
    engine = engine_finder()
    for statement in _CONSTRAINTS:
        await engine.run_ddl(statement)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="hub", description=DESCRIPTION)
    manager.add_raw(_constraints)
    return manager
