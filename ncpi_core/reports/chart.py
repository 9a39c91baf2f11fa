"""The RAG chart as a PNG (or SVG, PDF): counts by status at each past meeting, and progress per
recommendation.

Colour is never the only carrier: each status has a pattern as well as a colour, and every
recommendation has a visible bar (0 % included) with its progress and roll-up in words beside it
(RED (OVERDUE), NOT STARTED, DELIVERED…). Delivered (blue) and embedded actions are stacked apart.
`domain.summaries.chart.describe_chart` says the same in words for the image's alternative text.
matplotlib (the optional `charts` extra) is imported only when drawing.
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
# a pattern per status as well as a colour, so the chart reads in greyscale and without colour vision
HATCH = {Bucket.BLUE: "..", Bucket.EMBEDDED: "oo", Bucket.GREEN: "", Bucket.AMBER: "//", Bucket.RED: "xx",
         Bucket.NOT_STARTED: "--"}
# every colour's word (the legend says LABELS; a recommendation's bar says its roll-up, RecProgress.words)
WORD = {Bucket.BLUE: "Closed", Bucket.EMBEDDED: "Embedded", Bucket.GREEN: "Green", Bucket.AMBER: "Amber",
        Bucket.RED: "Red", Bucket.NOT_STARTED: "Not started"}
STACK = (Bucket.EMBEDDED, Bucket.BLUE, Bucket.GREEN, Bucket.AMBER, Bucket.RED, Bucket.NOT_STARTED)  # bottom up
# a recommendation's bar looks like the bucket of what it rolls up to
ROLLUP_BUCKET = {RollUp.COMPLETE: Bucket.EMBEDDED, RollUp.DELIVERED: Bucket.BLUE, RollUp.OVERDUE: Bucket.RED,
                 RollUp.NOT_STARTED: Bucket.NOT_STARTED, RollUp.RED: Bucket.RED, RollUp.AMBER: Bucket.AMBER,
                 RollUp.GREEN: Bucket.GREEN}
MIN_BAR = 1.5  # % of the axis: a recommendation at 0 % still has a bar to see (outlined, as a stub)
CHART_FORMATS = ("png", "svg", "pdf")  # what `ncpi chart --out` writes, by the file's suffix


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
                 linewidth=0.6, hatch=HATCH[bucket])
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    left.set_xticks(x, labels, fontsize=8)
    left.set_ylabel("Actions")
    left.set_xlabel("Meeting")
    left.set_title("Actions by status at each meeting")
    left.legend(loc="upper left", bbox_to_anchor=(0, -0.16), ncols=6, fontsize=9, frameon=False)
    left.set_ylim(0, max(bottom + [1]) * 1.05)
    left.grid(axis="y", alpha=0.3)

    bars = data.progress[::-1]
    looks = [ROLLUP_BUCKET[p.rollup] for p in bars]
    y = list(range(len(bars)))
    right.barh(y, [max(p.progress, MIN_BAR) for p in bars], color=[COLOURS[b] for b in looks],
               hatch=[HATCH[b] for b in looks], edgecolor="#333333", linewidth=0.6)
    right.set_yticks(y, [p.id for p in bars])
    right.set_xlim(0, 145)  # room after each bar for its words
    right.set_xticks([0, 25, 50, 75, 100])
    right.set_xlabel("Progress (%)")
    right.set_title("Progress per recommendation")
    right.grid(axis="x", alpha=0.3)
    for yi, p in zip(y, bars, strict=True):  # each bar says its progress and roll-up in words
        right.text(max(p.progress, MIN_BAR) + 1.5, yi, bar_label(p), va="center", fontsize=8,
                   bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    fig.suptitle(data.title, fontsize=13, fontweight="bold")
    return fig


def render_chart(data: ChartData, fmt: str) -> bytes:
    """Draw the chart as `fmt` (one of CHART_FORMATS) and return the file's bytes."""
    fig = chart_figure(data)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt)
    return buf.getvalue()


def render_chart_png(data: ChartData) -> bytes:
    """Draw the chart and return the PNG bytes."""
    return render_chart(data, "png")
