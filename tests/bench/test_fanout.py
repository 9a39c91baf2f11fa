"""Fan-out of prompts against a rate-limited stand-in: wall time against the floor N implies."""

from __future__ import annotations

from pathlib import Path

import pytest

from .fanout import measure_fanout
from .generate import postgres_database, sqlite_database
from .measure import save_section


def test_smoke_fanout_sends_one_prompt_per_lead(tmp_path: Path) -> None:
    with sqlite_database(tmp_path) as url:
        result = measure_fanout(url, tmp_path / "force", leads=12, per_second=1000)
    assert result.posted == 12 and result.row()["floor_s"] == 0.01


@pytest.mark.bench
def test_bench_fanout(tmp_path: Path, mark_bench_ran: None) -> None:
    rows = []
    cases = [("sqlite", 500, 10_000), ("sqlite", 500, 50), ("sqlite", 500, 20),
             ("postgresql", 500, 10_000), ("postgresql", 500, 50)]
    for i, (backend, leads, per_second) in enumerate(cases):
        ctx = sqlite_database(tmp_path) if backend == "sqlite" else postgres_database()
        with ctx as url:
            row = measure_fanout(url, tmp_path / f"force{i}", leads=leads, per_second=per_second).row()
        print(row)
        rows.append(row)
    save_section("fanout", rows, notes=[
        "limit_per_s 10000 is no limit at all: it shows the tick's own throughput (messages a second).",
        "floor_s = messages / N. DM channels cached (the steady state after the first cycle).",
    ])
