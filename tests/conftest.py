"""Shared fixtures: clean environment, a migrated database on SQLite and on PostgreSQL, and the
in-memory storage for use-case unit tests."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from ncpi_core.config.schema import ForceConfig, PlanFile, load_force_config, load_plan_file
from ncpi_core.storage.base import UowFactory
from ncpi_core.storage.engine import build_engine, normalise_url
from ncpi_core.storage.memory import MemoryUowFactory
from ncpi_core.storage.migrate import upgrade
from ncpi_core.storage.sql import SqlUowFactory
from ncpi_core.storage.tables import Base

ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = ROOT / "config"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
POSTGRES_URL = os.environ.get("NCPI_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A developer's own tokens or database must never reach a test."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "NCPI_")) and name != "NCPI_TEST_POSTGRES_URL":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NCPI_CONFIG_DIR", str(CONFIG_DIR))
    monkeypatch.chdir(tmp_path)  # so a stray .env or ncpi.db of the developer's is not read


@pytest.fixture(scope="session")
def force_config() -> ForceConfig:
    return load_force_config(CONFIG_DIR / "ncpi.yaml")


@pytest.fixture(scope="session")
def plan_file(force_config: ForceConfig) -> PlanFile:
    return load_plan_file(CONFIG_DIR / "action_plan.yaml", force_config)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = build_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@contextmanager
def private_postgres_database(prefix: str = "ncpi_t", revision: str = "head") -> Iterator[str]:
    """A new PostgreSQL database on the test server migrated to `revision`, dropped on leaving.

    Private, so that several test runs on one server (developers, CI) never see each other's rows.
    """
    admin_url = normalise_url(POSTGRES_URL)
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - fail loudly, never skip: CI must prove PostgreSQL works
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc}. Start it (see README).")
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    engine = build_engine(url)
    upgrade(engine, revision)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A private PostgreSQL database for this test session, migrated once, dropped at the end."""
    with private_postgres_database() as url:
        yield url


def _truncate_all(engine: Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def _empty_database(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a migrated, empty database of this kind ("sqlite" or "postgres")."""
    if kind == "sqlite":
        path = tmp_path / "ncpi.db"
        shutil.copy(request.getfixturevalue("_sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_database")
    engine = build_engine(url)
    _truncate_all(engine)
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: once on SQLite and once on PostgreSQL."""
    return _empty_database(request.param, request, tmp_path)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = build_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def uow_factory(engine: Engine) -> SqlUowFactory:
    """Units of work on the database of `db_url` (SQLite, then PostgreSQL)."""
    return SqlUowFactory(engine)


@pytest.fixture
def memory_uow_factory() -> MemoryUowFactory:
    """Units of work on a fresh in-memory store: for use-case unit tests (no database)."""
    return MemoryUowFactory()


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_uow_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UowFactory]:
    """Empty storage three ways, for tests of the storage contract: in memory, SQLite, PostgreSQL."""
    if request.param == "memory":
        yield MemoryUowFactory()
        return
    eng = build_engine(_empty_database(request.param, request, tmp_path))
    yield SqlUowFactory(eng)
    eng.dispose()


@pytest.fixture
def loaded(uow_factory: SqlUowFactory, force_config: ForceConfig, plan_file: PlanFile) -> SqlUowFactory:
    """The North Yorkshire plan loaded into the database; returns the uow factory."""
    from ncpi_core.usecases.plan import load_plan

    with uow_factory() as uow:
        load_plan(plan_file, force_config, uow, datetime(2022, 3, 1, 9, tzinfo=UTC))
        uow.commit()
    return uow_factory
