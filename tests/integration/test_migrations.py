"""The migrations build exactly the schema the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from ncpi_core.storage.migrate import current_revision, head_revision, upgrade
from ncpi_core.storage.tables import Base


def test_migrated_schema_matches_the_tables(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_upgrade_is_idempotent(engine: Engine) -> None:
    upgrade(engine)
    assert current_revision(engine) == head_revision()
