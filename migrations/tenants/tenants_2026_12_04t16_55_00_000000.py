from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-04T16:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Keep status list entries unique and status values known"

_CONSTRAINTS = (
    "ALTER TABLE status_list ADD CONSTRAINT status_list_tenant_purpose_number_key "
    "UNIQUE (tenant, purpose, number)",
    "ALTER TABLE status_list ADD CONSTRAINT status_list_purpose_check "
    "CHECK (purpose IN ('revocation', 'suspension'))",
    "ALTER TABLE status_list ADD CONSTRAINT status_list_size_check "
    "CHECK (octet_length(bitstring) * 8 = size AND allocated BETWEEN 0 AND size)",
    "ALTER TABLE award_status ADD CONSTRAINT award_status_list_index_key "
    "UNIQUE (status_list, status_index)",
    "ALTER TABLE award_status ADD CONSTRAINT award_status_award_purpose_key "
    "UNIQUE (award, purpose)",
    "ALTER TABLE award_status ADD CONSTRAINT award_status_state_check "
    "CHECK (state IN ('active', 'revoked', 'suspended') AND status_index >= 0)",
)


async def _constraints() -> None:
    # Piccolo declares no composite unique or check constraints. The unique index on
    # (status_list, status_index) is what makes concurrent random allocation collision-free.
    engine = engine_finder()
    for statement in _CONSTRAINTS:
        await engine.run_ddl(statement)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)
    manager.add_raw(_constraints)
    return manager
