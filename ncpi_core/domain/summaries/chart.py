"""What the RAG chart shows: the position at each past meeting and progress per recommendation.

`ncpi_core.usecases.charts.chart_data` reads it; `ncpi_core.reports.chart.render_chart_png` draws
it. Whoever needs a picture is handed a `ChartDrawer`, so reading never depends on drawing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ncpi_core.domain.summaries.model import BUCKET_ORDER, ROLLUP_WORD, RollUp
from ncpi_core.errors import NcpiError

MAX_POINTS = 24  # meetings shown, the latest ones (and "now")


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


def chart_alt_text(data: ChartData) -> str:
    """The chart in words, for the image's alternative text: the latest counts, and each
    recommendation's progress and roll-up (0 % and overdue included)."""
    if not data.points:
        return data.title
    label, counts = data.points[-1]
    now = ", ".join(f"{b.value.replace('_', ' ')} {counts.get(b.value, 0)}" for b in BUCKET_ORDER)
    recs = "; ".join(f"{p.id} {p.words.replace(' · ', ' ')}" for p in data.progress)
    return (f"{data.title}. Actions by status at {len(data.points)} points, the latest ({' '.join(label.split())}): "
            f"{now}. Progress per recommendation: {recs}.")
