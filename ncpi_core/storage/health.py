"""Is the database there and migrated? One cheap probe for `/healthz` and `ncpi run`'s start."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from ncpi_core.storage.engine import build_engine, sqlite_file
from ncpi_core.storage.migrate import current_revision, head_revision


@dataclass(frozen=True)
class DatabaseHealth:
    answering: bool
    revision: str | None  # the schema revision the database is at (None: no tables)
    head: str | None  # the revision this code needs
    problem: str | None = None  # when not answering: the kind of failure (never the URL)

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
    return DatabaseHealth(True, revision, _head())


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
