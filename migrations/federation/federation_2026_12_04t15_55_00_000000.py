from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-04T15:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Add a unique membership constraint"


_CONSTRAINTS = (
    "ALTER TABLE membership ADD CONSTRAINT membership_alliance_member_key UNIQUE (alliance, member)",
)


async def _constraints() -> None:
    # Piccolo declares no composite unique constraints; these keep per-tenant keys unique.
    engine = engine_finder()
    for statement in _CONSTRAINTS:
        await engine.run_ddl(statement)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="federation", description=DESCRIPTION)
    manager.add_raw(_constraints)
    return manager
