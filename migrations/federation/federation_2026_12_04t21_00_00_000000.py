from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import UUID, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Tenant(Table, tablename="tenant", schema=None):
    id = Serial(null=False, primary_key=True, db_column_name="id")


class Achievement(Table, tablename="achievement", schema=None):
    id = UUID(null=False, primary_key=True, db_column_name="id")


ID = "2026-12-04T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Create award rights of alliance achievements"

_COMMON = {
    "primary_key": False,
    "unique": False,
    "index_method": IndexMethod.btree,
    "choices": None,
    "db_column_name": None,
    "secret": False,
}


def _foreign_key(references: type[Table]) -> dict[str, object]:
    return {
        "references": references,
        "on_delete": OnDelete.cascade,
        "on_update": OnUpdate.cascade,
        "target_column": None,
        "null": True,
        "index": True,
        **_COMMON,
    }


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="federation", description=DESCRIPTION)
    manager.add_table(class_name="AwardRight", tablename="award_right", schema=None, columns=None)
    columns = (
        ("achievement", ForeignKey, _foreign_key(Achievement)),
        ("member", ForeignKey, _foreign_key(Tenant)),
        ("granted_by", Varchar, {"length": 255, "default": "", "null": False, "index": False}),
        ("granted_at", Timestamptz, {"default": TimestamptzNow(), "null": False, "index": False}),
    )
    for name, column_class, params in columns:
        manager.add_column(
            table_class_name="AwardRight",
            tablename="award_right",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params={**_COMMON, **params},
            schema=None,
        )
    return manager
