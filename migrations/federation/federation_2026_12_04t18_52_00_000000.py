from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-04T18:52:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Add a unique registry version constraint"


_CONSTRAINTS = (
    "ALTER TABLE registry_version ADD CONSTRAINT registry_version_alliance_version_key "
    "UNIQUE (alliance, version)",
)


async def _constraints() -> None:
    # Piccolo declares no composite unique constraints; this one keeps version numbers unique
    # per alliance even if two membership changes race.
    engine = engine_finder()
    for statement in _CONSTRAINTS:
        await engine.run_ddl(statement)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="federation", description=DESCRIPTION)
    manager.add_raw(_constraints)
    return manager
