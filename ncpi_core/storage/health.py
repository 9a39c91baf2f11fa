"""Is the database there and migrated? One cheap probe for `/healthz` and `ncpi run`'s start."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

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
