from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-04T22:11:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index awards by lower-cased recipient address and by claimant, for backpacks"

# The backpack looks up an earner's awards by lower(recipient_email) or claimed_by.
_INDEXES = (
    ("award_recipient_email_lower", "(lower(recipient_email))"),
    ("award_claimed_by", "(claimed_by)"),
)


async def _create_indexes() -> None:
    # CONCURRENTLY keeps issuing running while a large award table is indexed; it cannot run in
    # a transaction, hence wrap_in_transaction=False below.
    engine = engine_finder()
    for name, columns in _INDEXES:
        # A failed concurrent build leaves an INVALID index that IF NOT EXISTS would keep.
        # The name is one of the constants above, never input.
        invalid = await engine.run_ddl(
            "SELECT 1 FROM pg_index WHERE NOT indisvalid "  # noqa: S608
            f"AND indexrelid = to_regclass('{name}')"
        )
        if invalid:
            await engine.run_ddl(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        await engine.run_ddl(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON award {columns}")


async def _drop_indexes() -> None:
    engine = engine_finder()
    for name, _ in _INDEXES:
        await engine.run_ddl(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


async def forwards() -> MigrationManager:
    manager = MigrationManager(
        migration_id=ID, app_name="hub", description=DESCRIPTION, wrap_in_transaction=False
    )
    manager.add_raw(_create_indexes)
    manager.add_raw_backwards(_drop_indexes)
    return manager
