from pathlib import Path

from piccolo.conf.apps import AppConfig

from tenants.tables import (
    Achievement,
    AchievementReview,
    AchievementRevision,
    ApiToken,
    Award,
    AwardStatus,
    BulkAward,
    BulkAwardRow,
    IssuerKey,
    MailTemplate,
    OutboundEmail,
    StatusList,
    Tenant,
)

APP_CONFIG = AppConfig(
    app_name="tenants",
    migrations_folder_path=str(Path(__file__).parent.parent / "migrations" / "tenants"),
    table_classes=[
        Tenant,
        IssuerKey,
        Achievement,
        AchievementRevision,
        AchievementReview,
        Award,
        ApiToken,
        StatusList,
        AwardStatus,
        BulkAward,
        BulkAwardRow,
        MailTemplate,
        OutboundEmail,
    ],
    migration_dependencies=[],
    commands=[],
)
