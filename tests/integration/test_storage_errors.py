"""The database's failures become the core's errors (codes, the URL without its password), and
the health probe says whether the database answers and is migrated."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import health
from ncpi_core.errors import ConfigurationError, SchemaMissing, StorageUnavailable
from ncpi_core.storage import errors
from ncpi_core.storage.engine import Engine, build_engine
from ncpi_core.storage.health import probe, probe_url
from ncpi_core.storage.migrate import head_revision
from ncpi_core.storage.sql import SqlUowFactory
from tests.conftest import private_postgres_database

NOW = datetime(2022, 3, 1, 9, tzinfo=UTC)
UNREACHABLE = "postgresql://ncpi:s3cret@127.0.0.1:1/none"


@pytest.fixture
def empty_sqlite(tmp_path: Path) -> Engine:
    return build_engine(f"sqlite:///{tmp_path / 'empty.db'}")


@pytest.fixture
def unreachable() -> Engine:
    return build_engine(UNREACHABLE)


def test_a_unit_of_work_on_a_database_without_tables_says_schema_missing(empty_sqlite: Engine) -> None:
    with pytest.raises(SchemaMissing) as caught, SqlUowFactory(empty_sqlite)() as uow:
        uow.plan.actions()
    assert caught.value.code == "storage.schema_missing"


@pytest.mark.postgres
def test_a_unit_of_work_on_postgres_without_tables_says_schema_missing() -> None:
    with private_postgres_database("ncpi_e", revision="base") as url:
        engine = build_engine(url)
        with pytest.raises(SchemaMissing), SqlUowFactory(engine)() as uow:
            uow.state.put("x", "y", NOW)
        engine.dispose()


def test_a_unit_of_work_on_a_database_that_does_not_answer_says_unavailable(unreachable: Engine) -> None:
    with pytest.raises(StorageUnavailable) as caught, SqlUowFactory(unreachable)() as uow:
        uow.events.first_time("Ev1", NOW)
    assert caught.value.code == "storage.unavailable"


def test_a_bug_is_not_dressed_up_as_a_storage_error(uow_factory: SqlUowFactory) -> None:
    with pytest.raises(ZeroDivisionError), uow_factory():
        raise ZeroDivisionError


def test_database_errors_name_the_url_without_its_password(unreachable: Engine, empty_sqlite: Engine) -> None:
    with pytest.raises(StorageUnavailable) as caught, errors.database_errors(UNREACHABLE):
        unreachable.connect()
    assert caught.value.code == "storage.unreachable"
    assert caught.value.params["url"].endswith("@127.0.0.1:1/none") and "s3cret" not in str(caught.value)
    with pytest.raises(ConfigurationError) as bad, errors.database_errors("not a url"):
        build_engine("not a url")
    assert bad.value.code == "storage.url_invalid"  # with what is wrong with it (issue 19)
    assert bad.value.params == {"url": "not a url", "reason": "it has no scheme://"}
    with pytest.raises(SchemaMissing) as empty, errors.database_errors("sqlite://"), \
            empty_sqlite.connect() as conn:
        conn.exec_driver_sql("SELECT * FROM actions")
    assert empty.value.code == "storage.no_tables"
    with pytest.raises(ConfigurationError) as driver, errors.database_errors(UNREACHABLE):
        raise ModuleNotFoundError("No module named 'psycopg'")
    assert driver.value.code == "storage.driver_missing"
    with pytest.raises(ModuleNotFoundError), errors.database_errors(UNREACHABLE):
        raise ModuleNotFoundError("No module named 'something_else'")


def test_the_health_probe(engine: Engine, empty_sqlite: Engine, unreachable: Engine) -> None:
    ok, empty, down = probe(engine), probe(empty_sqlite), probe(unreachable)
    assert ok.answering and ok.migrated and ok.revision == head_revision()
    assert empty.answering and not empty.migrated and empty.revision is None
    assert not down.answering and not down.migrated and down.problem == "OperationalError"
    assert health.check(engine) == (200, {"status": "ok", "database": "ok", "revision": head_revision()})
    assert health.check(empty_sqlite) == (503, {"status": "unavailable", "database": "not migrated",
                                                "hint": "run `ncpi db upgrade`", "revision": None})
    assert health.check(unreachable) == (503, {"status": "unavailable", "database": "not answering"})


def test_the_health_probe_by_url(db_url: str) -> None:
    assert probe_url(db_url).migrated
    assert probe_url("not a url").problem == "ArgumentError"
    assert probe_url(UNREACHABLE).problem == "OperationalError"
