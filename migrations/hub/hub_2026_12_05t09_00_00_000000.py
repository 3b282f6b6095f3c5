from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-05T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Store the hub's client registrations at other Open Badges hosts and earners' grants"

_CREATE = (
    """
    CREATE TABLE ob_host_registration (
        id SERIAL PRIMARY KEY,
        discovery_url VARCHAR(2048) NOT NULL UNIQUE,
        name VARCHAR(255) NOT NULL,
        api_base VARCHAR(2048) NOT NULL,
        authorization_url VARCHAR(2048) NOT NULL,
        token_url VARCHAR(2048) NOT NULL,
        refresh_url VARCHAR(2048) NOT NULL,
        revocation_url VARCHAR(2048) NULL,
        client_id TEXT NOT NULL,
        client_secret_sealed BYTEA NULL,
        token_endpoint_auth_method VARCHAR(32) NOT NULL,
        client_secret_expires_at TIMESTAMPTZ NULL,
        registered_at TIMESTAMPTZ NOT NULL
    )
    """,
    """
    CREATE TABLE ob_host_grant (
        id SERIAL PRIMARY KEY,
        "user" INTEGER NOT NULL REFERENCES hub_user (id) ON DELETE CASCADE,
        registration INTEGER NOT NULL REFERENCES ob_host_registration (id) ON DELETE CASCADE,
        refresh_token_sealed BYTEA NULL,
        scope TEXT NOT NULL DEFAULT '',
        created_at TIMESTAMPTZ NOT NULL,
        last_sent_at TIMESTAMPTZ NULL,
        CONSTRAINT ob_host_grant_user_registration_key UNIQUE ("user", registration)
    )
    """,
    'CREATE INDEX ob_host_grant_user ON ob_host_grant ("user")',
)


async def _create() -> None:
    engine = engine_finder()
    for statement in _CREATE:
        await engine.run_ddl(statement)


async def _drop() -> None:
    await engine_finder().run_ddl("DROP TABLE IF EXISTS ob_host_grant, ob_host_registration")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="hub", description=DESCRIPTION)
    manager.add_raw(_create)
    manager.add_raw_backwards(_drop)
    return manager
