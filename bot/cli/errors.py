"""Turn low-level failures at the edge into one clear line for a person (never a traceback)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError

from ncpi_core.errors import NcpiError


def safe_url(url: str) -> str:
    """The database URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unreadable URL)"


@contextmanager
def database_errors(url: str) -> Iterator[None]:
    try:
        yield
    except ArgumentError:
        raise NcpiError(f"NCPI_DATABASE_URL is not a database URL: {safe_url(url)}",
                        "Use sqlite:///ncpi.db or postgresql+psycopg://user:password@host/dbname.") from None
    except ProgrammingError as exc:
        if "does not exist" in str(exc.orig) or "no such table" in str(exc.orig):
            raise NcpiError("The database has no ncpi tables yet.", "Run `ncpi db upgrade` first.") from None
        raise
    except OperationalError as exc:
        if "no such table" in str(exc.orig):
            raise NcpiError("The database has no ncpi tables yet.", "Run `ncpi db upgrade` first.") from None
        raise NcpiError(f"Cannot reach the database at {safe_url(url)}.",
                        "Check NCPI_DATABASE_URL and that the server is running.") from None
    except ModuleNotFoundError as exc:
        if "psycopg" in str(exc):
            raise NcpiError("PostgreSQL support is not installed.",
                            "Run: pip install 'ncpi[postgres]'") from None
        raise
