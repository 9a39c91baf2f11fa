"""Fan-out of prompts against a rate-limited stand-in: wall time against the floor N implies."""

from __future__ import annotations

from pathlib import Path

import pytest

from .fanout import measure_fanout
from .generate import postgres_database, sqlite_database
from .measure import save_section
from .tick_cpu import measure_tick_cpu


def test_smoke_fanout_sends_one_prompt_per_lead(tmp_path: Path) -> None:
    with sqlite_database(tmp_path) as url:
        result = measure_fanout(url, tmp_path / "force", leads=12, per_second=1000)
    assert result.posted == 12 and result.row()["floor_s"] == 0.01


@pytest.mark.bench
def test_bench_fanout(tmp_path: Path, mark_bench_ran: None) -> None:
    rows = []
    cases = [("sqlite", 500, 10_000, True), ("sqlite", 500, 50, True), ("sqlite", 500, 20, True),
             ("sqlite", 500, 50, False), ("postgresql", 500, 50, True), ("postgresql", 500, 20, True)]
    for i, (backend, leads, per_second, warm) in enumerate(cases):
        ctx = sqlite_database(tmp_path) if backend == "sqlite" else postgres_database()
        with ctx as url:
            row = measure_fanout(url, tmp_path / f"force{i}", leads=leads, per_second=per_second,
                                 warm_dm_cache=warm).row()
        print(row)
        rows.append(row)
    save_section("fanout", rows, notes=[
        "limit_per_s 10000 is no limit at all: it shows the tick's own throughput (messages a second).",
        "floor_s = messages / N. dm_channels: cached = the steady state after the first cycle; opened = the "
        "first cycle, every lead's DM opened with conversations.open (not rate-limited by the stand-in).",
        "The stand-in refuses a chat.postMessage when N were accepted in the last second (a sliding "
        "window: a real limit, not random 429s), with Retry-After: 1.",
    ])


def test_smoke_tick_cpu_counts_every_message(tmp_path: Path) -> None:
    with sqlite_database(tmp_path) as url:
        result = measure_tick_cpu(url, tmp_path / "force", leads=12)
    assert result.messages == 12 and result.row()["cpu_ms_per_message"] > 0


@pytest.mark.bench
def test_bench_tick_cpu(tmp_path: Path, mark_bench_ran: None) -> None:
    rows = []
    for i, leads in enumerate((500, 5_000, 20_000)):
        with sqlite_database(tmp_path) as url:
            row = measure_tick_cpu(url, tmp_path / f"tick{i}", leads).row()
        print(row)
        rows.append(row)
    save_section("tick_cpu", rows, notes=[
        "One prompt tick (one sender thread) against a platform that takes every message at once: the CPU of "
        "the tick itself (derive, record, claim, content, outcome) in the measuring thread."])
