from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-04T18:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index the audit log for keyset pages, per tenant and across tenants"

# Name and column list of each index. Both orders match the audit log's keyset
# (created_at DESC, id DESC), so a page is one index range scan at any depth.
_INDEXES = (
    ("audit_event_tenant_created_id", "(tenant_slug, created_at DESC, id DESC)"),
    ("audit_event_created_id", "(created_at DESC, id DESC)"),
)


async def _create_indexes() -> None:
    # CONCURRENTLY keeps inserts flowing while a large audit log is indexed: record_event runs
    # inside issuing transactions, which a plain CREATE INDEX would block. It cannot run in a
    # transaction, hence wrap_in_transaction=False below.
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
        await engine.run_ddl(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON audit_event {columns}"
        )


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
