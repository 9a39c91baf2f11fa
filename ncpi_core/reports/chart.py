"""The RAG chart as a PNG: counts by status at each past meeting, and progress per recommendation.

Every recommendation has a visible bar, 0 % included, and its roll-up in words beside it (RED
(OVERDUE), NOT STARTED, DELIVERED…), so colour is never the only carrier. Delivered (blue) and
embedded actions are counted apart. `domain.summaries.chart.chart_alt_text` says the same in
words for the image's alternative text. matplotlib (the optional `charts` extra) is imported only when drawing.
"""

from __future__ import annotations

import io
from typing import Any

from ncpi_core.domain.summaries.chart import ChartData, ChartUnavailable, RecProgress
from ncpi_core.domain.summaries.model import Bucket, RollUp

COLOURS = {Bucket.BLUE: "#2E86C1", Bucket.EMBEDDED: "#1B4F72", Bucket.GREEN: "#27AE60", Bucket.AMBER: "#F39C12",
           Bucket.RED: "#E74C3C", Bucket.NOT_STARTED: "#BDC3C7"}
LABELS = {Bucket.BLUE: "Blue (closed)", Bucket.EMBEDDED: "Embedded", Bucket.GREEN: "Green", Bucket.AMBER: "Amber",
          Bucket.RED: "Red", Bucket.NOT_STARTED: "Not started"}
STACK = (Bucket.EMBEDDED, Bucket.BLUE, Bucket.GREEN, Bucket.AMBER, Bucket.RED, Bucket.NOT_STARTED)  # bottom up
ROLLUP_COLOUR = {RollUp.COMPLETE: COLOURS[Bucket.EMBEDDED], RollUp.DELIVERED: COLOURS[Bucket.BLUE],
                 RollUp.OVERDUE: COLOURS[Bucket.RED], RollUp.NOT_STARTED: COLOURS[Bucket.NOT_STARTED],
                 RollUp.RED: COLOURS[Bucket.RED], RollUp.AMBER: COLOURS[Bucket.AMBER],
                 RollUp.GREEN: COLOURS[Bucket.GREEN]}
MIN_BAR = 1.5  # % of the axis: a recommendation at 0 % still has a bar to see (outlined, as a stub)


def bar_label(p: RecProgress) -> str:
    return p.words


def chart_figure(data: ChartData) -> Any:
    """The chart as a matplotlib Figure (Agg backend, no display needed)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ChartUnavailable() from None
    fig = Figure(figsize=(12, 6.5), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    left, right = fig.subplots(1, 2, width_ratios=[2.2, 1])
    labels = [p[0] for p in data.points]
    x = list(range(len(labels)))
    bottom = [0] * len(labels)
    for bucket in STACK:
        heights = [p[1].get(bucket.value, 0) for p in data.points]
        left.bar(x, heights, bottom=bottom, color=COLOURS[bucket], label=LABELS[bucket], edgecolor="white",
                 linewidth=0.6)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    left.set_xticks(x, labels, fontsize=8)
    left.set_ylabel("Actions")
    left.set_xlabel("Meeting")
    left.set_title("Actions by status at each meeting")
    left.legend(loc="upper left", bbox_to_anchor=(0, -0.16), ncols=6, fontsize=9, frameon=False)
    left.set_ylim(0, max(bottom + [1]) * 1.05)
    left.grid(axis="y", alpha=0.3)

    bars = data.progress[::-1]
    y = list(range(len(bars)))
    right.barh(y, [max(p.progress, MIN_BAR) for p in bars], color=[ROLLUP_COLOUR[p.rollup] for p in bars],
               edgecolor="#333333", linewidth=0.6)
    right.set_yticks(y, [p.id for p in bars])
    right.set_xlim(0, 145)  # room after each bar for its words
    right.set_xticks([0, 25, 50, 75, 100])
    right.set_xlabel("Progress (%)")
    right.set_title("Progress per recommendation")
    right.grid(axis="x", alpha=0.3)
    for yi, p in zip(y, bars, strict=True):
        right.text(max(p.progress, MIN_BAR) + 1.5, yi, bar_label(p), va="center", fontsize=8)
    fig.suptitle(data.title, fontsize=13, fontweight="bold")
    return fig


def render_chart_png(data: ChartData) -> bytes:
    """Draw the chart and return the PNG bytes."""
    fig = chart_figure(data)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
