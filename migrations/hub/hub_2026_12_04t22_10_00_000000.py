from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-04T22:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Add OpenID4VCI offers, spent key-proof nonces and deliveries to wallets"

_STATEMENTS = (
    """CREATE TABLE oid4vci_offer (
        id UUID PRIMARY KEY,
        tenant INTEGER NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
        award UUID NOT NULL REFERENCES award (id) ON DELETE CASCADE,
        code_hash VARCHAR(64) NOT NULL UNIQUE,
        tx_code_hash VARCHAR(64),
        tx_code_failures INTEGER NOT NULL DEFAULT 0,
        created_by VARCHAR(255) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL,
        used_at TIMESTAMPTZ,
        access_token_hash VARCHAR(64) UNIQUE,
        token_expires_at TIMESTAMPTZ
    )""",
    "CREATE INDEX oid4vci_offer_award ON oid4vci_offer (award)",
    """CREATE TABLE oid4vci_nonce_use (
        nonce_hash VARCHAR(64) PRIMARY KEY,
        expires_at TIMESTAMPTZ NOT NULL
    )""",
    """CREATE TABLE oid4vci_issuance (
        id UUID PRIMARY KEY,
        offer UUID NOT NULL REFERENCES oid4vci_offer (id) ON DELETE CASCADE,
        award UUID NOT NULL REFERENCES award (id) ON DELETE CASCADE,
        credential_format VARCHAR(32) NOT NULL
            CHECK (credential_format IN ('jwt_vc_json', 'ldp_vc')),
        holder_did TEXT,
        credential_text TEXT NOT NULL,
        issued_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX oid4vci_issuance_award ON oid4vci_issuance (award)",
)


async def _apply() -> None:
    # Written as SQL for the ON DELETE rules, the check and the indexes.
    engine = engine_finder()
    for statement in _STATEMENTS:
        await engine.run_ddl(statement)


async def _revert() -> None:
    engine = engine_finder()
    for table in ("oid4vci_issuance", "oid4vci_nonce_use", "oid4vci_offer"):
        await engine.run_ddl(f"DROP TABLE IF EXISTS {table}")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="hub", description=DESCRIPTION)
    manager.add_raw(_apply)
    manager.add_raw_backwards(_revert)
    return manager
