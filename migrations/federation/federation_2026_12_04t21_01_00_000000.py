from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-04T21:01:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Make award rights unique; grant existing members their former rights"

_STATEMENTS = (
    "ALTER TABLE award_right ADD CONSTRAINT award_right_achievement_member_key "
    "UNIQUE (achievement, member)",
    # Before award rights existed, every active member could award every alliance achievement.
    # Granting those rights keeps existing hubs (and the demo) working as before the upgrade.
    """INSERT INTO award_right (achievement, member, granted_by, granted_at)
       SELECT achievement.id, membership.member, 'migration', now()
         FROM achievement
         JOIN membership ON membership.alliance = achievement.tenant
        WHERE membership.status = 'active'
       ON CONFLICT DO NOTHING""",
)


async def _constrain_and_grant() -> None:
    # Piccolo declares no composite unique constraints.
    engine = engine_finder()
    for statement in _STATEMENTS:
        await engine.run_ddl(statement)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="federation", description=DESCRIPTION)
    manager.add_raw(_constrain_and_grant)
    return manager
