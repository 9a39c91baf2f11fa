"""Build a SQLAlchemy engine from a URL: SQLite to try it, PostgreSQL in production."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

# the edges hold an engine (built here) and pass it back to storage; they never import SQLAlchemy
__all__ = ["Engine", "build_engine", "normalise_url", "sqlite_file", "with_password"]


def normalise_url(url: str) -> str:
    """Accept the URL forms people paste (postgres://, postgresql://) and use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def with_password(url: str, password: str) -> str:
    """The URL with `password` filled in, unless it has one already (or cannot be read: the
    caller's URL check says what is wrong with it)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return url
    if parsed.password or parsed.get_backend_name() == "sqlite":
        return url
    return parsed.set(password=password).render_as_string(hide_password=False)


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (None: another database, or SQLite in memory)."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


READ_ONLY = "ncpi_read_only"  # a connection's execution option: its transactions only read


def build_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the settings each database needs for safe concurrent use."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        memory = parsed.database in (None, "", ":memory:")
        connect_args = {"check_same_thread": False, "timeout": 30}
        if memory:
            engine = create_engine(url, connect_args=connect_args, poolclass=StaticPool, **kwargs)
        else:
            engine = create_engine(url, connect_args=connect_args, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # WAL lets readers go on while one writer writes; the busy timeout queues writers.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            if not memory:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Take the write lock at BEGIN: one writer at a time, no lock upgrades that deadlock.
            # A unit of work declared read-only (`UnitOfWork.read_only`) begins without it: under
            # WAL it reads a snapshot while a writer writes, and never queues behind one.
            reading = conn.get_execution_options().get(READ_ONLY, False)
            conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")

        # pysqlite's own transaction handling must be off for the explicit BEGIN above
        @event.listens_for(engine, "connect", insert=True)
        def _no_autobegin(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    kwargs.setdefault("connect_args", {"connect_timeout": 5})
    return create_engine(url, **kwargs)
