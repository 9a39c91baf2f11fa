"""Render a Summary as terminal text, Markdown, CSV (one row per action) or JSON."""

from __future__ import annotations

import csv
import io
import json

from ncpi_core.domain.summaries.model import Summary
from ncpi_core.reports.common import (
    ACTION_COLUMNS,
    NO_PLAN,
    DecisionHint,
    action_row,
    neutral_hint,
    safe_cell,
    to_jsonable,
)
from ncpi_core.reports.markdown import render_markdown
from ncpi_core.reports.text import render_text

FORMATS = ("text", "markdown", "csv", "json")


def render_csv(s: Summary) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=ACTION_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for rec in s.recommendations:
        for a in rec.actions:
            writer.writerow({k: safe_cell(v) for k, v in action_row(rec, a).items()})
    return buf.getvalue()


def render_json(s: Summary) -> str:
    data = to_jsonable(s)
    data["total"] = s.total
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_summary(summary: Summary, fmt: str = "text", hint: DecisionHint = neutral_hint) -> str:
    """The summary as `fmt`: text (tables for a terminal), markdown, csv (one row per action) or json.

    `hint` says, after a decision, how it is answered (a front end's command); JSON and CSV carry
    the decision as data instead.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if summary.empty:
        if fmt == "json":
            return json.dumps({"error": "no_plan", "message": NO_PLAN}, sort_keys=True) + "\n"
        if fmt == "csv":
            return ",".join(ACTION_COLUMNS) + "\n"
        return NO_PLAN + "\n"
    if fmt == "text":
        return render_text(summary, hint)
    if fmt == "markdown":
        return render_markdown(summary, hint)
    return render_csv(summary) if fmt == "csv" else render_json(summary)
