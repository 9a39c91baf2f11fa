"""Cold start of the command line and the idle memory of the bot in HTTP mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.standin import SlackStandIn, users_from_config
from bot.standin.webapi import channels_from_config

from .conftest import Databases
from .generate import force_config
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
    stress = databases.get("sqlite", "stress")
    config = force_config()
    with SlackStandIn(users=users_from_config(config), channels=channels_from_config(config)) as slack:
        rows.append(idle_rss(stress.url, slack.api_url, tmp_path, slack=slack, summaries=8, label="stress "))
    for row in rows:
        print(row)
    save_section("startup", rows, notes=[
        "Cold processes, median of 7 runs; summary on the realistic set (SQLite); vs_python = median / python -c pass.",
        "RSS after 8 summaries: `ncpi run` on the stress set (2,000 actions), 8 signed /ncpi summary commands "
        "(Silver and Gold in turn), then idle 5 s."])
