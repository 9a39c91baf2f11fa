"""`ncpi db upgrade`: create or migrate the schema (needs only NCPI_DATABASE_URL, not ncpi.yaml)."""

from __future__ import annotations

import argparse

from bot.settings import Settings
from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.errors import database_errors
from ncpi_core.storage.migrate import current_revision
from ncpi_core.storage.migrate import upgrade as alembic_upgrade


def upgrade(args: argparse.Namespace) -> int:
    settings = Settings()
    with database_errors(settings.database_url):
        engine = build_engine(settings.database_url)
        try:
            before = current_revision(engine)
            alembic_upgrade(engine)
            after = current_revision(engine)
        finally:
            engine.dispose()
    if before == after:
        print(f"Database already up to date (revision {after}).")
    else:
        print(f"Database migrated from {before or 'empty'} to revision {after}.")
    return 0
