"""What the RAG chart shows: the position at each past meeting and progress per recommendation.

`ncpi_core.usecases.charts.chart_data` reads it; `ncpi_core.reports.chart.render_chart_png` draws
it. Whoever needs a picture is handed a `ChartDrawer`, so reading never depends on drawing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ncpi_core.domain.summaries.model import ROLLUP_WORD, RollUp
from ncpi_core.errors import NcpiError

MAX_POINTS = 24  # meetings shown, the latest ones (and "now")
ALT_TEXT_LIMIT = 1000  # alternative text a screen reader reads out, kept short enough to listen to
BUCKET_WORDS = (("red", "red"), ("amber", "amber"), ("green", "green"), ("blue", "closed"),
                ("embedded", "embedded"), ("not_started", "not started"))


class ChartUnavailable(NcpiError):
    """Drawing is not possible here (matplotlib, the optional `charts` extra, is not installed)."""

    def __init__(self, code: str = "chart.unavailable", /, **params: object) -> None:
        super().__init__(code, **params)


@dataclass(frozen=True)
class RecProgress:
    """One recommendation's bar: its progress (0 % included) and how it rolls up (overdue, complete…)."""

    id: str
    progress: int
    rollup: RollUp
    unverified: int = 0  # of its open actions, Greens with no words for too long

    @property
    def words(self) -> str:
        """`30% · RED (OVERDUE)`, `0% · GREEN (3 unverified)`: what the bar says beside it."""
        return f"{self.progress}% · {ROLLUP_WORD[self.rollup]}" + (
            f" ({self.unverified} unverified)" if self.unverified else "")


@dataclass(frozen=True)
class ChartData:
    title: str
    points: list[tuple[str, dict[str, int]]]  # (label, bucket -> count), oldest first
    progress: list[RecProgress]  # every recommendation, in plan order


# Draws a chart as PNG bytes; raises ChartUnavailable when it cannot.
ChartDrawer = Callable[[ChartData], bytes]


def _counts(totals: dict[str, int]) -> str:
    return ", ".join(f"{totals.get(key, 0)} {word}" for key, word in BUCKET_WORDS)


def describe_chart(data: ChartData, limit: int = ALT_TEXT_LIMIT) -> str:
    """The chart in words, for its alternative text: what it shows, the position now and at the
    first meeting shown, and each recommendation's progress and roll-up, 0 % and overdue included
    (shortened to `limit`)."""
    parts = [f"Chart of {data.title}: actions by RAG status at each meeting, and progress per recommendation."]
    if data.points:
        label, totals = data.points[-1]
        parts.append(f"Now: {sum(totals.values())} actions, {_counts(totals)}.")
        if len(data.points) > 1:
            first_label, first = data.points[0]
            parts.append(f"At the first meeting shown ({' '.join(first_label.split())}): {_counts(first)}.")
    if data.progress:
        parts.append("Progress: " + "; ".join(f"{p.id} {p.words.replace(' · ', ' ')}" for p in data.progress) + ".")
    text = " ".join(parts)
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
