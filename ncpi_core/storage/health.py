"""Is the database there, migrated and writable? One cheap probe for `/healthz` and `ncpi run`'s start."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import Engine, insert, text
from sqlalchemy.exc import SQLAlchemyError

from ncpi_core.storage.engine import build_engine, sqlite_file
from ncpi_core.storage.migrate import current_revision, head_revision
from ncpi_core.storage.sql.common import EVENTS


@dataclass(frozen=True)
class DatabaseHealth:
    answering: bool
    revision: str | None  # the schema revision the database is at (None: no tables)
    head: str | None  # the revision this code needs
    problem: str | None = None  # when not answering or not writable: the kind of failure (never the URL)
    writable: bool = True  # False: it answers reads, but a write fails (read-only, a standby, no rights)

    @property
    def migrated(self) -> bool:
        return self.answering and self.revision == self.head


@lru_cache(maxsize=1)
def _head() -> str | None:
    return head_revision()


def probe(engine: Engine) -> DatabaseHealth:
    """Ask the database one trivial question and its schema revision; never raises."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        revision = current_revision(engine)
    except SQLAlchemyError as exc:
        return DatabaseHealth(False, None, _head(), type(exc).__name__)
    if revision != _head():
        return DatabaseHealth(True, revision, _head())
    problem = write_problem(engine)
    return DatabaseHealth(True, revision, _head(), problem, writable=problem is None)


def write_problem(engine: Engine) -> str | None:
    """Try one write and roll it back: None when the database takes writes, else the kind of failure.

    A read-only database (SQLite opened read-only or on a read-only file, a PostgreSQL standby or
    `default_transaction_read_only`, a role without INSERT) answers every read and fails every
    write; the bot would acknowledge requests and store nothing. A write that waited past the
    busy timeout behind another writer is busy, not broken.
    """
    try:
        with engine.connect() as conn, conn.begin() as tx:
            conn.execute(insert(EVENTS).values(key=f"healthz:{uuid.uuid4().hex}",
                                               received_at=datetime.now(UTC)))
            tx.rollback()
    except SQLAlchemyError as exc:
        if "database is locked" in str(exc):
            return None
        return type(getattr(exc, "orig", None) or exc).__name__
    return None


def probe_url(url: str) -> DatabaseHealth:
    """`probe` on a database known only by its URL (`ncpi check`): an unreadable URL or a missing
    driver is a database not answering too; the engine is disposed of afterwards. A SQLite file
    that is not there is not created (opening it would): it is a database with no schema yet."""
    try:
        path = sqlite_file(url)
        if path is not None and not path.exists():
            return DatabaseHealth(True, None, _head(), "no database file yet")
        engine = build_engine(url)
    except (SQLAlchemyError, ModuleNotFoundError, ValueError) as exc:
        return DatabaseHealth(False, None, _head(), type(exc).__name__)
    try:
        return probe(engine)
    finally:
        engine.dispose()
