"""Summary build time and peak memory from 1k to 1M updates (flat is the goal)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import Databases
from .generate import sqlite_database
from .measure import save_section
from .scaling import measure_point


def test_smoke_scaling_two_sizes(tmp_path: Path) -> None:
    with sqlite_database(tmp_path) as url:
        points = [measure_point(url, n, runs=1, levels=("silver",)) for n in (300, 1_200)]
    for p in points:
        row = p.row()
        assert row["silver_ms"] > 0 and row["silver_peak_mb"] > 0


@pytest.mark.bench
def test_bench_scaling(databases: Databases, mark_bench_ran: None) -> None:
    rows = []
    sizes = {"sqlite": [1_000, 10_000, 100_000, 1_000_000], "postgresql": [1_000, 10_000, 100_000]}
    if os.environ.get("NCPI_BENCH_1M_PG") == "1":
        sizes["postgresql"].append(1_000_000)
    for backend, ns in sizes.items():
        url = databases.empty(backend, "scale")
        for n in ns:
            row = measure_point(url, n).row()
            print(row)
            rows.append(row)
    save_section("scaling", rows, notes=["Same plan (27 actions) and 1,404 prompts; only the number of updates grows.",
                                         "Time: median of 5 builds (summary_now + Block Kit); memory: tracemalloc peak."])
