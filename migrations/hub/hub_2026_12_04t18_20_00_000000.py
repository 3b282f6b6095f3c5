from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-04T18:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Install the procrastinate 3.10 job queue schema"


async def _install_queue_schema() -> None:
    # The schema of the pinned procrastinate release. A later release that changes it comes
    # with SQL migrations in procrastinate/sql/migrations, to be applied by a new migration here.
    from procrastinate.schema import SchemaManager

    engine = engine_finder()
    # The schema is many statements, which only asyncpg's simple query protocol (execute
    # without arguments) runs in one call.
    connection = await engine.get_new_connection()
    try:
        await connection.execute(SchemaManager.get_schema())
    finally:
        await connection.close()


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="hub", description=DESCRIPTION)
    manager.add_raw(_install_queue_schema)
    return manager
