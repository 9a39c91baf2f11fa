"""The RAG chart as a PNG: counts by status at each past meeting, and progress per recommendation.

matplotlib (the optional `charts` extra) is imported only when drawing.
"""

from __future__ import annotations

import io

from ncpi_core.domain.summaries.chart import ChartData, ChartUnavailable
from ncpi_core.domain.summaries.model import Bucket

COLOURS = {Bucket.BLUE: "#2E86C1", Bucket.GREEN: "#27AE60", Bucket.AMBER: "#F39C12", Bucket.RED: "#E74C3C",
           Bucket.NOT_STARTED: "#BDC3C7"}
LABELS = {Bucket.BLUE: "Blue (closed)", Bucket.GREEN: "Green", Bucket.AMBER: "Amber", Bucket.RED: "Red",
          Bucket.NOT_STARTED: "Not started"}
# a pattern per status as well as a colour, so the chart reads in greyscale and without colour vision
HATCH = {Bucket.BLUE: "..", Bucket.GREEN: "", Bucket.AMBER: "//", Bucket.RED: "xx", Bucket.NOT_STARTED: "--"}
WORD = {Bucket.BLUE: "Complete", Bucket.GREEN: "Green", Bucket.AMBER: "Amber", Bucket.RED: "Red",
        Bucket.NOT_STARTED: "Not started"}
STACK = (Bucket.BLUE, Bucket.GREEN, Bucket.AMBER, Bucket.RED, Bucket.NOT_STARTED)  # bottom to top


CHART_FORMATS = ("png", "svg", "pdf")  # what `ncpi chart --out` writes, by the file's suffix


def render_chart_png(data: ChartData) -> bytes:
    """Draw the chart (Agg backend, no display needed) and return the PNG bytes."""
    return render_chart(data, "png")


def render_chart(data: ChartData, fmt: str) -> bytes:
    """Draw the chart as `fmt` (one of CHART_FORMATS) and return the file's bytes."""
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
    left.legend(loc="upper left", bbox_to_anchor=(0, -0.16), ncols=5, fontsize=9, frameon=False)
    left.set_ylim(0, max(bottom + [1]) * 1.05)
    left.grid(axis="y", alpha=0.3)

    ids = [p[0] for p in data.progress][::-1]
    values = [p[1] for p in data.progress][::-1]
    buckets = [Bucket.BLUE if p[3] else Bucket(p[2].value) if p[2] else Bucket.NOT_STARTED
               for p in data.progress][::-1]
    y = list(range(len(ids)))
    right.barh(y, values, color=[COLOURS[b] for b in buckets], hatch=[HATCH[b] for b in buckets],
               edgecolor="white")
    right.set_yticks(y, ids)
    right.set_xlim(0, 100)
    right.set_xlabel("Progress (%)")
    right.set_title("Progress per recommendation")
    right.grid(axis="x", alpha=0.3)
    for yi, v, b in zip(y, values, buckets, strict=True):  # each bar says its RAG in words
        right.text(min(v + 1.5, 70), yi, f"{v}% {WORD[b]}", va="center", fontsize=8,
                   bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    fig.suptitle(data.title, fontsize=13, fontweight="bold")
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt)
    return buf.getvalue()

