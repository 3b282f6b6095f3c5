from pathlib import Path

from piccolo.conf.apps import AppConfig

from hub.auth.tables import TenantOrganization, TenantRole, User, WebSession
from hub.backpack.tables import ImportedBadge
from hub.ob_consumer.tables import ObHostGrant, ObHostRegistration
from hub.obapi.tables import EarnerProfile, ObApiClient, ObApiCode, ObApiToken
from hub.oid4vci.tables import Oid4vciIssuance, Oid4vciNonceUse, Oid4vciOffer
from hub.tables import AuditEvent

APP_CONFIG = AppConfig(
    app_name="hub",
    migrations_folder_path=str(Path(__file__).parent.parent / "migrations" / "hub"),
    table_classes=[
        AuditEvent,
        User,
        TenantRole,
        WebSession,
        TenantOrganization,
        Oid4vciOffer,
        Oid4vciNonceUse,
        Oid4vciIssuance,
        ImportedBadge,
        ObApiClient,
        ObApiCode,
        ObApiToken,
        EarnerProfile,
        ObHostRegistration,
        ObHostGrant,
    ],
    migration_dependencies=["tenants.piccolo_app"],
    commands=[],
)
