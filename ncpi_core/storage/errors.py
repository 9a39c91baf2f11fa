"""The database's failures as the core's errors: codes a front end can word, never a traceback.

`storage_error` is what a unit of work raises when its block fails; `database_errors` does the
same around anything else that touches the database (the command line's `db upgrade`, a health
probe), adding the cases only a first connection meets: an unreadable URL, a missing driver.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

from ncpi_core.errors import ConfigurationError, NcpiError, SchemaMissing, StorageUnavailable
from ncpi_core.storage.engine import normalise_url

# the databases ncpi runs on, and the Python driver (and ncpi's extra that installs it) each needs
SUPPORTED = {"sqlite": None, "postgresql": ("psycopg", "postgres")}
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")
_NO_DATABASE = re.compile(r'database "([^"]+)" does not exist')


def safe_url(url: str) -> str:
    """The database URL without its password, for messages and logs (even when it cannot be read)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return _PASSWORD.sub(r"\1***@", url)


def parse_url(url: str) -> URL:
    """The database URL, checked before anything connects: readable, a database ncpi supports,
    its driver installed, and (SQLite) its folder there.

    Raises:
        ConfigurationError: `storage.url_invalid` (url, reason), `storage.scheme_unsupported`
            (scheme), `storage.driver_missing` (driver, extra), `storage.folder_missing` (folder).
    """
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError:
        raise ConfigurationError("storage.url_invalid", url=safe_url(url), reason="it has no scheme://") from None
    except ValueError as exc:  # e.g. a port that is not a number
        reason = "its port is not a number" if "int()" in str(exc) else str(exc)
        raise ConfigurationError("storage.url_invalid", url=safe_url(url), reason=reason) from None
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED:
        raise ConfigurationError("storage.scheme_unsupported", scheme=parsed.drivername)
    need = SUPPORTED[backend]
    if need is not None and importlib.util.find_spec(need[0]) is None:
        raise ConfigurationError("storage.driver_missing", driver=need[0], extra=need[1])
    if backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
        folder = Path(parsed.database).parent
        if not folder.is_dir():
            raise ConfigurationError("storage.folder_missing", folder=str(folder))
    return parsed


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
    if isinstance(exc, DBAPIError) and (missing := _NO_DATABASE.search(str(exc.orig))):
        return ConfigurationError("storage.database_missing", name=missing[1])
    if isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
        return StorageUnavailable()
    return None


@contextmanager
def database_errors(url: str) -> Iterator[None]:
    """Around code that opens the database at `url`: its failures become core errors.

    Codes: those of `parse_url` (checked first), `storage.unreachable` (url),
    `storage.database_missing` (name: the server answers but has no such database),
    `storage.no_tables` (no ncpi tables at all).
    """
    parse_url(url)
    try:
        yield
    except StorageUnavailable as exc:  # a unit of work's "try again shortly", said with the URL here
        if exc.code != "storage.unavailable":
            raise
        raise StorageUnavailable("storage.unreachable", url=safe_url(url)) from None
    except (ArgumentError, NoSuchModuleError):
        raise ConfigurationError("storage.url_invalid", url=safe_url(url), reason="it cannot be read") from None
    except DBAPIError as exc:
        if missing_schema(exc):
            raise SchemaMissing("storage.no_tables") from None
        missing = _NO_DATABASE.search(str(exc.orig))
        if missing:
            raise ConfigurationError("storage.database_missing", name=missing[1]) from None
        if isinstance(exc, OperationalError):
            raise StorageUnavailable("storage.unreachable", url=safe_url(url)) from None
        raise
    except ModuleNotFoundError as exc:
        if "psycopg" in str(exc):
            raise ConfigurationError("storage.driver_missing", driver="psycopg", extra="postgres") from None
        raise
