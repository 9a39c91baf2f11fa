"""`/ncpi summary` against a bare Bolt app, alternating, over real HTTP (no timed assertions)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Databases
from .generate import REALISTIC, generate, sqlite_database
from .latency import measure_latency
from .measure import save_section


def test_smoke_latency_harness_measures_both_apps(tmp_path: Path) -> None:
    with sqlite_database(tmp_path) as url:
        result = measure_latency(generate(url, "realistic", **REALISTIC), runs=2, warmup=1)
    row = result.row()
    assert result.messages >= 1
    assert all(len(v) == 2 for v in result.samples.values())
    assert row["ncpi_median_ms"] > 0 and row["bare_body_median_ms"] > 0


@pytest.mark.bench
def test_bench_latency(databases: Databases, mark_bench_ran: None) -> None:
    rows = []
    for backend in ("sqlite", "postgresql"):
        for name, runs in (("realistic", 40), ("stress", 15)):
            row = measure_latency(databases.get(backend, name), runs=runs).row()
            print(row)
            rows.append(row)
    save_section("latency", rows, notes=[
        "ncpi: signed /ncpi summary -> the last response_url post of the summary (it acks at once, then respond()).",
        "bare_respond: a bare Bolt app that acks, then respond()s a fixed text (the same path).",
        "bare_body: a bare Bolt app answering the fixed text in the HTTP body (Bolt's own floor).",
    ])
