"""Small measuring tools: percentiles, peak memory, the machine, and the results file of the last run."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import statistics
import subprocess
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"  # the last bench run, section by section (rendered to PERFORMANCE.md)
T = TypeVar("T")


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100), nearest-rank: p99 of 50 samples is the largest but none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """(seconds, result) of one call."""
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def peak_memory(fn: Callable[[], T]) -> tuple[int, T]:
    """(peak bytes allocated by Python during the call, result), with tracemalloc."""
    tracemalloc.start()
    try:
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, result


def rss_kib(pid: int) -> int:
    """Resident set size of a process (Linux /proc), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def machine(postgres_url: str | None = None) -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    info: dict[str, Any] = {
        "nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version, "postgresql": None, "os": platform.platform(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                             cwd=HERE, timeout=5)
        info["commit"] = out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        info["commit"] = None
    if postgres_url:
        try:
            from sqlalchemy import create_engine, text

            from ncpi_core.storage.engine import normalise_url

            eng = create_engine(normalise_url(postgres_url))
            with eng.connect() as conn:
                info["postgresql"] = str(conn.execute(text("SHOW server_version")).scalar())
            eng.dispose()
        except Exception:  # noqa: BLE001 - the table says "not reachable"
            info["postgresql"] = "not reachable"
    return info


def load_results(path: Path = RESULTS) -> dict[str, Any]:
    if path.exists():
        try:
            return dict(json.loads(path.read_text()))
        except (OSError, ValueError):
            pass
    return {"sections": {}}


def save_section(name: str, rows: list[dict[str, Any]], notes: list[str] | None = None,
                 path: Path = RESULTS) -> None:
    """Replace one section of the results file with this run's rows (other sections are kept)."""
    data = load_results(path)
    data.setdefault("sections", {})[name] = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"), "rows": rows, "notes": notes or [],
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    path.write_text(json.dumps(data, indent=1, default=str) + "\n")


def save_machine(info: dict[str, Any], path: Path = RESULTS) -> None:
    data = load_results(path)
    data["machine"] = info
    path.write_text(json.dumps(data, indent=1, default=str) + "\n")
