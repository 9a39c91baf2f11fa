"""Reliability fixtures: figures, the session's log sink, private databases, subprocesses.

Every scenario records one row with `figures.record(...)`; at the end of the session the rows are
printed and written to a file outside the checkout (`figures_path`); `python -m tests.reliability`
rewrites `tests/reliability/last_run.md`, which the README quotes.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.standin import SlackStandIn
from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.sql import SqlUowFactory
from ncpi_core.usecases.plan import load_plan
from reliability.harness import (
    LAST_RUN,
    TUESDAY,
    AppUnderTest,
    Figures,
    LogSink,
    Processes,
    _Sink,
)
from tests.conftest import private_postgres_database

FIGURES_ENV = "NCPI_RELIABILITY_FIGURES"


def figures_path() -> Path:
    """Where this run's figures go. A test run leaves the checkout clean: the committed
    last_run.md (the documented last full run, quoted by the README) is rewritten only when asked,
    by `python -m tests.reliability` or NCPI_RELIABILITY_FIGURES=tests/reliability/last_run.md."""
    asked = os.environ.get(FIGURES_ENV)
    if asked:
        return Path(asked)
    return Path(tempfile.gettempdir()) / "ncpi-reliability-last-run.md"


@pytest.fixture(scope="session")
def figures() -> Iterator[Figures]:
    figs = Figures()
    out = figures_path()
    figs.load_previous(out if out.exists() else LAST_RUN)  # running one scenario keeps the others' last figures
    yield figs
    if figs.fresh:
        out.write_text(figs.markdown(), encoding="utf-8")
        print("\n" + figs.markdown() + f"\n(written to {out})")


@pytest.fixture(scope="session")
def log_sink() -> Iterator[LogSink]:
    """Every log record of the reliability session, plus the log files of its subprocesses."""
    handler = _Sink()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(min(old_level or logging.WARNING, logging.INFO))
    yield LogSink(handler)
    root.removeHandler(handler)
    root.setLevel(old_level)


@pytest.fixture(autouse=True)
def _capture_logs(log_sink: LogSink) -> None:
    """Make sure the session sink is installed for every reliability test."""


@pytest.fixture
def private_postgres() -> Iterator[str]:
    """A migrated PostgreSQL database of this test alone, dropped afterwards."""
    with private_postgres_database("ncpi_rel") as url:
        yield url


@pytest.fixture
def processes(tmp_path: Path, log_sink: LogSink) -> Iterator[Processes]:
    procs = Processes(tmp_path, log_sink)
    yield procs
    procs.stop_all()


@pytest.fixture
def north_db(tmp_path: Path, _sqlite_template: Path, force_config: ForceConfig, plan_file: PlanFile) -> str:
    """A SQLite file with the North Yorkshire plan loaded."""
    path = tmp_path / "north.db"
    shutil.copy(_sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = build_engine(url)
    with SqlUowFactory(engine)() as uow:
        load_plan(plan_file, force_config, uow, datetime(2022, 3, 1, 9, tzinfo=UTC))
        uow.commit()
    engine.dispose()
    return url


@pytest.fixture
def standin(force_config: ForceConfig) -> Iterator[SlackStandIn]:
    """The Slack stand-in with the people and channels of config/ncpi.yaml."""
    with SlackStandIn.from_config(force_config) as slack:
        yield slack


@pytest.fixture
def north_app(standin: SlackStandIn, north_db: str, force_config: ForceConfig) -> Iterator[AppUnderTest]:
    """The bot over HTTP on loopback with the North Yorkshire plan, on a Tuesday in May 2022."""
    with AppUnderTest(standin, north_db, force_config, TUESDAY) as app:
        yield app
