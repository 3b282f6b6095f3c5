from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-04T22:12:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Store the badges earners import into their backpack"

_CREATE = (
    """
    CREATE TABLE imported_badge (
        id SERIAL PRIMARY KEY,
        "user" INTEGER NOT NULL REFERENCES hub_user (id) ON DELETE CASCADE,
        credential_text TEXT NOT NULL,
        credential_format VARCHAR(16) NOT NULL,
        digest VARCHAR(64) NOT NULL,
        name VARCHAR(255) NOT NULL,
        issuer_name VARCHAR(255) NOT NULL,
        issued_at TIMESTAMPTZ NULL,
        image_url VARCHAR(2048) NOT NULL DEFAULT '',
        source VARCHAR(2048) NOT NULL,
        report JSONB NOT NULL,
        imported_at TIMESTAMPTZ NOT NULL,
        CONSTRAINT imported_badge_user_digest_key UNIQUE ("user", digest)
    )
    """,
    'CREATE INDEX imported_badge_user ON imported_badge ("user")',
)


async def _create() -> None:
    engine = engine_finder()
    for statement in _CREATE:
        await engine.run_ddl(statement)


async def _drop() -> None:
    await engine_finder().run_ddl("DROP TABLE IF EXISTS imported_badge")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="hub", description=DESCRIPTION)
    manager.add_raw(_create)
    manager.add_raw_backwards(_drop)
    return manager
