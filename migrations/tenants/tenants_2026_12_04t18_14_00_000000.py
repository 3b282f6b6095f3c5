from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-04T18:14:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Constrain workflow, bulk and e-mail states; snapshot published achievements"

_STATEMENTS = (
    "ALTER TABLE achievement ADD CONSTRAINT achievement_status_check CHECK (status IN "
    "('draft', 'submitted', 'changes_requested', 'approved', 'published', 'archived'))",
    "ALTER TABLE achievement ADD CONSTRAINT achievement_eqf_level_check "
    "CHECK (eqf_level IS NULL OR eqf_level BETWEEN 1 AND 8)",
    "ALTER TABLE achievement ADD CONSTRAINT achievement_credits_check "
    "CHECK (credits_available IS NULL OR credits_available >= 0)",
    "ALTER TABLE achievement_revision ADD CONSTRAINT achievement_revision_key "
    "UNIQUE (achievement, revision)",
    "ALTER TABLE bulk_award ADD CONSTRAINT bulk_award_status_check CHECK (status IN "
    "('validated', 'queued', 'running', 'done', 'failed', 'cancelled'))",
    "ALTER TABLE bulk_award_row ADD CONSTRAINT bulk_award_row_number_key UNIQUE (bulk, row_number)",
    "ALTER TABLE bulk_award_row ADD CONSTRAINT bulk_award_row_state_check CHECK (state IN "
    "('invalid', 'pending', 'awarded', 'skipped', 'failed'))",
    "CREATE INDEX bulk_award_row_pending ON bulk_award_row (bulk, row_number) "
    "WHERE state = 'pending'",
    "ALTER TABLE mail_template ADD CONSTRAINT mail_template_key UNIQUE (tenant, kind, language)",
    "ALTER TABLE outbound_email ADD CONSTRAINT outbound_email_status_check "
    "CHECK (status IN ('queued', 'sent', 'failed'))",
    "CREATE INDEX outbound_email_due ON outbound_email (next_attempt_at) WHERE status = 'queued'",
    "CREATE UNIQUE INDEX outbound_email_award_kind ON outbound_email (award, kind) "
    "WHERE award IS NOT NULL",
    # Achievements published before revisions existed: their current content is revision 1.
    """UPDATE achievement SET version = 1, published = jsonb_build_object(
        'achievement_type', achievement_type, 'name', name, 'description', description,
        'criteria', criteria, 'evidence', evidence, 'tags', tags, 'alignments', alignments,
        'levels', levels, 'credits_available', credits_available, 'eqf_level', eqf_level,
        'image_svg', image_svg, 'valid_for_months', valid_for_months)
      WHERE status = 'published'""",
)


async def _apply() -> None:
    # Piccolo declares no composite unique, check or partial index constraints.
    engine = engine_finder()
    for statement in _STATEMENTS:
        await engine.run_ddl(statement)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)
    manager.add_raw(_apply)
    return manager
