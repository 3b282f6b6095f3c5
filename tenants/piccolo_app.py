from pathlib import Path

from piccolo.conf.apps import AppConfig

from tenants.tables import (
    Achievement,
    ApiToken,
    Award,
    AwardStatus,
    IssuerKey,
    StatusList,
    Tenant,
)

APP_CONFIG = AppConfig(
    app_name="tenants",
    migrations_folder_path=str(Path(__file__).parent.parent / "migrations" / "tenants"),
    table_classes=[Tenant, IssuerKey, Achievement, Award, ApiToken, StatusList, AwardStatus],
    migration_dependencies=[],
    commands=[],
)
