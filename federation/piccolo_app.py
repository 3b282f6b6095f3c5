from pathlib import Path

from piccolo.conf.apps import AppConfig

from federation.tables import (
    AwardRight,
    Membership,
    PeerHub,
    PeerIssuerDocument,
    PeerRegistryCopy,
    RegistryVersion,
)

APP_CONFIG = AppConfig(
    app_name="federation",
    migrations_folder_path=str(Path(__file__).parent.parent / "migrations" / "federation"),
    table_classes=[
        Membership,
        RegistryVersion,
        PeerHub,
        PeerRegistryCopy,
        PeerIssuerDocument,
        AwardRight,
    ],
    migration_dependencies=["tenants.piccolo_app"],
    commands=[],
)
