"""The database's failures as the core's errors: codes a front end can word, never a traceback.

`storage_error` is what a unit of work raises when its block fails; `database_errors` does the
same around anything else that touches the database (the command line's `db upgrade`, a health
probe), adding the cases only a first connection meets: an unreadable URL, a missing driver.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from ncpi_core.errors import ConfigurationError, NcpiError, SchemaMissing, StorageUnavailable

# codes of the errors raised here, besides StorageUnavailable's and SchemaMissing's defaults
URL_INVALID = "storage.url_invalid"  # params: url (password hidden)
UNREACHABLE = "storage.unreachable"  # params: url (password hidden)
NO_TABLES = "storage.no_tables"  # the database has no ncpi tables at all
DRIVER_MISSING = "storage.driver_missing"  # PostgreSQL's driver is not installed


def safe_url(url: str) -> str:
    """The database URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unreadable URL)"


def missing_schema(exc: DBAPIError) -> bool:
    """Whether the database said a table or column is missing (`ncpi db upgrade` not run)."""
    text = str(exc.orig).lower()
    return "no such table" in text or "no such column" in text or (
        "does not exist" in text and ("relation" in text or "column" in text))


def storage_error(exc: BaseException) -> NcpiError | None:
    """The core error for a failure of the database inside a unit of work, or None when it is
    not one (a bug, or a core error already)."""
    if isinstance(exc, DBAPIError) and missing_schema(exc):
        return SchemaMissing()
    if isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
        return StorageUnavailable()
    return None


@contextmanager
def database_errors(url: str) -> Iterator[None]:
    """Around code that opens the database at `url`: its failures become core errors whose
    params name the URL without its password."""
    try:
        yield
    except ArgumentError:
        raise ConfigurationError(URL_INVALID, url=safe_url(url)) from None
    except DBAPIError as exc:
        if missing_schema(exc):
            raise SchemaMissing(NO_TABLES) from None
        if isinstance(exc, OperationalError):
            raise StorageUnavailable(UNREACHABLE, url=safe_url(url)) from None
        raise
    except ModuleNotFoundError as exc:
        if "psycopg" in str(exc):
            raise ConfigurationError(DRIVER_MISSING) from None
        raise
