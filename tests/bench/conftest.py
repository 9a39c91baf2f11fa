"""Benchmarks: deselected unless asked for (`-m bench` or NCPI_BENCH=1); smoke tests always run.

`python -m tests.bench` runs them all and rewrites docs/PERFORMANCE.md from the results.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .generate import (
    POSTGRES_URL,
    REALISTIC,
    STRESS,
    Dataset,
    generate,
    postgres_database,
    sqlite_database,
)
from .measure import machine, save_machine

SETS = {"realistic": REALISTIC, "stress": STRESS}


def bench_mode(config: pytest.Config) -> bool:
    """Heavy benchmarks run only when asked for: `-m bench` (or any -m naming bench) or NCPI_BENCH=1."""
    return "bench" in (config.getoption("markexpr", "") or "") or os.environ.get("NCPI_BENCH") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if bench_mode(config):
        return
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        (drop if item.get_closest_marker("bench") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not bench_mode(session.config) or not getattr(session.config, "_ncpi_bench_ran", False):
        return
    from .report import write_report

    save_machine(machine(POSTGRES_URL))
    write_report()


@pytest.fixture
def mark_bench_ran(request: pytest.FixtureRequest) -> None:
    """Heavy benchmarks use this so that the session rewrites docs/PERFORMANCE.md at the end."""
    request.config._ncpi_bench_ran = True  # type: ignore[attr-defined]


class Databases:
    """Generated data sets, one database each, made on first use and dropped at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.stack = contextlib.ExitStack()
        self.cache: dict[tuple[str, str], Dataset] = {}

    def empty(self, backend: str, label: str = "bench") -> str:
        """A new, migrated, empty database on `backend` ("sqlite" or "postgresql")."""
        if backend == "sqlite":
            return self.stack.enter_context(sqlite_database(self.folder, label))
        return self.stack.enter_context(postgres_database(POSTGRES_URL))

    def get(self, backend: str, name: str) -> Dataset:
        """The realistic or stress set on `backend` (generated once per session)."""
        key = (backend, name)
        if key not in self.cache:
            self.cache[key] = generate(self.empty(backend, name), name, **SETS[name])
        return self.cache[key]

    def close(self) -> None:
        self.stack.close()


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    dbs = Databases(tmp_path_factory.mktemp("bench"))
    yield dbs
    dbs.close()
