"""Cold start of the command line and the idle memory of the bot in HTTP mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.standin import SlackStandIn

from .conftest import Databases
from .measure import save_section
from .startup import clean_env, idle_rss, ncpi_command, startup_rows, time_process


def test_smoke_ncpi_help_starts(tmp_path: Path) -> None:
    assert len(time_process([*ncpi_command(), "--help"], clean_env(), tmp_path, runs=1)) == 1


@pytest.mark.bench
def test_bench_startup(databases: Databases, tmp_path: Path, mark_bench_ran: None) -> None:
    ds = databases.get("sqlite", "realistic")
    rows = startup_rows(ds.url, tmp_path)
    with SlackStandIn() as slack:
        rows.append(idle_rss(ds.url, slack.api_url, tmp_path))
    for row in rows:
        print(row)
    save_section("startup", rows, notes=["Cold processes, median of 7 runs; summary on the realistic set (SQLite)."])
