"""`ncpi db upgrade`."""

from __future__ import annotations

import argparse

from bot.settings import Settings
from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.errors import database_errors
from ncpi_core.storage.migrate import current_revision
from ncpi_core.storage.migrate import upgrade as alembic_upgrade


def upgrade(args: argparse.Namespace) -> int:
    settings = Settings()
    engine = build_engine(settings.database_url)
    with database_errors(settings.database_url):
        before = current_revision(engine)
        alembic_upgrade(engine)
        after = current_revision(engine)
    if before == after:
        print(f"Database already up to date (revision {after}).")
    else:
        print(f"Database migrated from {before or 'empty'} to revision {after}.")
    engine.dispose()
    return 0
