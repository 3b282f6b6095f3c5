"""Piccolo configuration module (``PICCOLO_CONF=hub.piccolo_conf``).

``DB`` is set by ``hub.database.configure_engine`` once the database URL is known. The value
below only serves ``piccolo`` CLI commands run against ``HUB_DATABASE_URL``. Without that
variable it stays None, because building a Piccolo engine connects to the server at once.
"""

from __future__ import annotations

import os

from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

_url = os.environ.get("HUB_DATABASE_URL")
DB: PostgresEngine | None = PostgresEngine(config={"dsn": _url}) if _url else None

APP_REGISTRY = AppRegistry(
    apps=["hub.piccolo_app", "tenants.piccolo_app", "federation.piccolo_app"]
)


def all_tables() -> list[type[Table]]:
    return [table for app in APP_REGISTRY.app_configs.values() for table in app.table_classes]
