"""Create or migrate the schema with Alembic (`ncpi db upgrade`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

MIGRATIONS = Path(__file__).with_name("migrations")
# PostgreSQL advisory lock held while migrating, so replicas starting together migrate one at a
# time (the others wait, then find the schema at head and do nothing). Any constant will do:
# it only has to be the same for every ncpi process on the database. ("ncpi" in ASCII.)
MIGRATION_LOCK = 0x6E637069


def alembic_config(url: str | None = None) -> Config:
    """Alembic's configuration for our migrations (and the database at `url`, if given)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _on(engine: Engine) -> Config:
    return alembic_config(engine.url.render_as_string(hide_password=False))


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database at `engine` to `revision` (creating it if empty).

    On PostgreSQL the migration runs under a transaction-level advisory lock: two replicas
    starting at once migrate one after the other, never side by side. SQLite's single writer
    (BEGIN IMMEDIATE on every transaction) serialises them already.
    """
    cfg = _on(engine)
    with engine.begin() as conn:
        _lock_migrations(conn)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def _lock_migrations(conn: Connection) -> None:
    """Wait for, then hold until commit, the migration lock (PostgreSQL); released by the commit."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database at `engine` back to `revision` (best effort: see each migration)."""
    cfg = _on(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
