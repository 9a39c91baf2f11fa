"""Shared fixtures: clean environment, and a migrated database on SQLite and on PostgreSQL."""

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
from ncpi_core.storage.engine import build_engine, normalise_url
from ncpi_core.storage.migrate import upgrade
from ncpi_core.storage.tables import Base
from ncpi_core.storage.uow import UnitOfWork

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
def private_postgres_database(prefix: str = "ncpi_t") -> Iterator[str]:
    """A new migrated PostgreSQL database on the test server, dropped on leaving.

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
    upgrade(engine)
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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, _sqlite_template: Path) -> str:
    """A migrated, empty database: once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "ncpi.db"
        shutil.copy(_sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_database")
    engine = build_engine(url)
    _truncate_all(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = build_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def uow_factory(engine: Engine):  # type: ignore[no-untyped-def]
    return lambda: UnitOfWork(engine)


@pytest.fixture
def loaded(uow_factory, force_config: ForceConfig, plan_file: PlanFile):  # type: ignore[no-untyped-def]
    """The North Yorkshire plan loaded into the database; returns the uow factory."""
    from ncpi_core.usecases.plan import load_plan

    with uow_factory() as uow:
        load_plan(plan_file, force_config, uow, datetime(2022, 3, 1, 9, tzinfo=UTC))
        uow.commit()
    return uow_factory
