"""Scaling: summary build time and peak memory as the update history grows (same plan, same prompts).

The plan (the North Yorkshire one, 27 actions) and the prompts sent (one per action per fortnight
for two years) stay the same; only the number of updates changes, 1k to 1M. A summary depends
on the actions and their latest updates, so both figures should stay flat.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from bot.slack.blocks.summary import summary_messages
from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.sql import SqlUowFactory
from ncpi_core.usecases.summaries import summary_now

from .generate import Dataset, force_config, generate
from .measure import median, peak_memory, timed


@dataclass
class ScalePoint:
    backend: str
    updates: int
    load_s: float
    times: dict[str, list[float]]  # level -> seconds per build (summary_now + Block Kit)
    peaks: dict[str, int]  # level -> peak bytes

    def row(self) -> dict[str, Any]:
        out: dict[str, Any] = {"backend": self.backend, "updates": self.updates, "load_s": round(self.load_s, 2)}
        for level in self.times:
            out[f"{level}_ms"] = round(median(self.times[level]) * 1000, 1)
            out[f"{level}_peak_mb"] = round(self.peaks[level] / 1e6, 2)
        return out


def build_once(ds: Dataset, engine: Any, level: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """What `/ncpi summary` does after its ack: read the plan, build the summary, render Block Kit."""
    summary = summary_now(SqlUowFactory(engine), force_config(), ds.now, level)
    return summary_messages(summary)


def measure_point(url: str, updates: int, runs: int = 5,
                  levels: tuple[str, ...] = ("silver", "gold")) -> ScalePoint:
    """Refill the database at `url` with `updates` updates and time the summaries of `levels`."""
    ds = generate(url, f"scale-{updates}", actions=None, updates=updates)
    engine = build_engine(url)
    try:
        times: dict[str, list[float]] = {}
        peaks: dict[str, int] = {}
        for level in levels:
            build_once(ds, engine, level)  # warm: connections, caches, imports
            once = functools.partial(build_once, ds, engine, level)
            times[level] = [timed(once)[0] for _ in range(runs)]
            peaks[level] = peak_memory(once)[0]
        return ScalePoint(ds.backend, ds.updates, ds.load_seconds, times, peaks)
    finally:
        engine.dispose()


def flatness(points: list[ScalePoint], level: str) -> tuple[float, float]:
    """(time ratio, memory ratio) of the largest history to the smallest."""
    first, last = points[0], points[-1]
    t = median(last.times[level]) / median(first.times[level])
    m = last.peaks[level] / max(1, first.peaks[level])
    return t, m
