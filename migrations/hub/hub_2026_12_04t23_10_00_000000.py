from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-04T23:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Store the clients, codes, tokens and profiles of the Open Badges 3.0 API"

_CREATE = (
    """
    CREATE TABLE ob_api_client (
        id SERIAL PRIMARY KEY,
        client_id VARCHAR(64) NOT NULL UNIQUE,
        secret_sha256 VARCHAR(64) NOT NULL,
        client_metadata JSONB NOT NULL,
        issued_at TIMESTAMPTZ NOT NULL
    )
    """,
    """
    CREATE TABLE ob_api_code (
        id SERIAL PRIMARY KEY,
        code_sha256 VARCHAR(64) NOT NULL UNIQUE,
        client INTEGER NOT NULL REFERENCES ob_api_client (id) ON DELETE CASCADE,
        "user" INTEGER NOT NULL REFERENCES hub_user (id) ON DELETE CASCADE,
        redirect_uri VARCHAR(2048) NOT NULL,
        scope TEXT NOT NULL,
        code_challenge VARCHAR(128) NOT NULL,
        code_challenge_method VARCHAR(8) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL,
        used_at TIMESTAMPTZ NULL
    )
    """,
    "CREATE INDEX ob_api_code_client ON ob_api_code (client)",
    'CREATE INDEX ob_api_code_user ON ob_api_code ("user")',
    """
    CREATE TABLE ob_api_token (
        id SERIAL PRIMARY KEY,
        client INTEGER NOT NULL REFERENCES ob_api_client (id) ON DELETE CASCADE,
        "user" INTEGER NOT NULL REFERENCES hub_user (id) ON DELETE CASCADE,
        access_sha256 VARCHAR(64) NOT NULL UNIQUE,
        refresh_sha256 VARCHAR(64) NULL UNIQUE,
        grant_sha256 VARCHAR(64) NOT NULL,
        scope TEXT NOT NULL,
        issued_at TIMESTAMPTZ NOT NULL,
        access_expires_at TIMESTAMPTZ NOT NULL,
        refresh_expires_at TIMESTAMPTZ NULL,
        access_revoked_at TIMESTAMPTZ NULL,
        refresh_revoked_at TIMESTAMPTZ NULL
    )
    """,
    "CREATE INDEX ob_api_token_client ON ob_api_token (client)",
    'CREATE INDEX ob_api_token_user ON ob_api_token ("user")',
    "CREATE INDEX ob_api_token_grant_sha256 ON ob_api_token (grant_sha256)",
    """
    CREATE TABLE earner_profile (
        id SERIAL PRIMARY KEY,
        "user" INTEGER NOT NULL UNIQUE REFERENCES hub_user (id) ON DELETE CASCADE,
        fields JSONB NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
    )
    """,
    # A credential sent through the API is replaced when it comes again with the same id.
    "ALTER TABLE imported_badge ADD COLUMN credential_id VARCHAR(2048) NULL",
    'CREATE UNIQUE INDEX imported_badge_user_credential_id ON imported_badge ("user", '
    "credential_id) WHERE credential_id IS NOT NULL",
)


async def _create() -> None:
    engine = engine_finder()
    for statement in _CREATE:
        await engine.run_ddl(statement)


async def _drop() -> None:
    engine = engine_finder()
    await engine.run_ddl("DROP INDEX IF EXISTS imported_badge_user_credential_id")
    await engine.run_ddl("ALTER TABLE imported_badge DROP COLUMN IF EXISTS credential_id")
    for table in ("earner_profile", "ob_api_token", "ob_api_code", "ob_api_client"):
        await engine.run_ddl(f"DROP TABLE IF EXISTS {table}")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="hub", description=DESCRIPTION)
    manager.add_raw(_create)
    manager.add_raw_backwards(_drop)
    return manager
