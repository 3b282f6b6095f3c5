from pathlib import Path

from piccolo.conf.apps import AppConfig

from hub.tables import AuditEvent

APP_CONFIG = AppConfig(
    app_name="hub",
    migrations_folder_path=str(Path(__file__).parent.parent / "migrations" / "hub"),
    table_classes=[AuditEvent],
    migration_dependencies=[],
    commands=[],
)
