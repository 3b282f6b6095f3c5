from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-04T20:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Keep one cached DID document per peer and DID"


_CONSTRAINTS = (
    "ALTER TABLE peer_issuer_document ADD CONSTRAINT peer_issuer_document_peer_did_key "
    "UNIQUE (peer, did)",
)


async def _constraints() -> None:
    # Piccolo declares no composite unique constraints. A sync replaces the document of each
    # member it fetched, and this constraint keeps a retried sync from adding a second copy.
    engine = engine_finder()
    for statement in _CONSTRAINTS:
        await engine.run_ddl(statement)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="federation", description=DESCRIPTION)
    manager.add_raw(_constraints)
    return manager
