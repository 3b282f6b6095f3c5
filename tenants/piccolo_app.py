from pathlib import Path

from piccolo.conf.apps import AppConfig

from tenants.tables import Achievement, ApiToken, Award, IssuerKey, Tenant

APP_CONFIG = AppConfig(
    app_name="tenants",
    migrations_folder_path=str(Path(__file__).parent.parent / "migrations" / "tenants"),
    table_classes=[Tenant, IssuerKey, Achievement, Award, ApiToken],
    migration_dependencies=[],
    commands=[],
)
