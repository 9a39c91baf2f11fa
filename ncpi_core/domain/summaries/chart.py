"""What the RAG chart shows: the position at each past meeting and progress per recommendation.

`ncpi_core.usecases.charts.chart_data` reads it; `ncpi_core.reports.chart.render_chart_png` draws
it. Whoever needs a picture is handed a `ChartDrawer`, so reading never depends on drawing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ncpi_core.domain.models import RAG
from ncpi_core.errors import NcpiError

MAX_POINTS = 24  # meetings shown, the latest ones (and "now")


class ChartUnavailable(NcpiError):
    """Drawing is not possible here (matplotlib, the optional `charts` extra, is not installed)."""

    def __init__(self, code: str = "chart.unavailable", /, **params: object) -> None:
        super().__init__(code, **params)


@dataclass(frozen=True)
class ChartData:
    title: str
    points: list[tuple[str, dict[str, int]]]  # (label, bucket -> count), oldest first
    progress: list[tuple[str, int, RAG | None, bool]]  # (recommendation id, %, roll-up RAG, complete)


# Draws a chart as PNG bytes; raises ChartUnavailable when it cannot.
ChartDrawer = Callable[[ChartData], bytes]
