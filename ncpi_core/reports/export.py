"""`ncpi export`: the plan with its latest updates, every update and the audit trail, as files.

CSV (the import template, with history and audit beside it), Excel (sheets Plan, History, Audit
and Chart), and a printable meeting pack in Markdown or HTML.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from ncpi_core.domain.exports import ExportData
from ncpi_core.reports.common import DecisionHint, neutral_hint, safe_cell
from ncpi_core.reports.export_rows import (
    AUDIT_COLUMNS,
    EXPORT_COLUMNS,
    HISTORY_COLUMNS,
    ExportRows,
    export_rows,
)
from ncpi_core.reports.html import write_html
from ncpi_core.reports.markdown import md_cell, render_markdown
from ncpi_core.reports.xlsx import write_xlsx

EXPORT_FORMATS = ("csv", "xlsx", "markdown", "html")


# --- csv -------------------------------------------------------------------------------------------
def _write_csv(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: safe_cell(row.get(k, "")) for k in columns})


def write_csv(data: ExportRows, out: Path) -> list[Path]:
    """OUT (one row per action: the import template) plus OUT.history.csv and OUT.audit.csv."""
    history = out.with_name(out.stem + ".history.csv")
    audit = out.with_name(out.stem + ".audit.csv")
    _write_csv(out, EXPORT_COLUMNS, data.plan_rows())
    _write_csv(history, HISTORY_COLUMNS, data.history)
    _write_csv(audit, AUDIT_COLUMNS, data.audit)
    return [out, history, audit]


# --- the printable meeting pack in Markdown ------------------------------------------------------
def write_markdown(data: ExportRows, out: Path, hint: DecisionHint = neutral_hint) -> list[Path]:
    """The meeting pack as Markdown; every cell escaped by `md_cell` (no HTML, no links)."""
    parts = [render_markdown(data.summary, hint), "\n## History (every update)\n",
             "| When | Action | RAG | Progress | Narrative | Blockers | By |",
             "|---|---|---|---|---|---|---|"]
    parts += ["| " + " | ".join(md_cell(c) for c in (
        h["at"], h["action_id"], str(h["rag"]).upper(), f"{h['progress']}{'%' if h['progress'] != '' else ''}",
        h["narrative"], h["blockers"], h["author"])) + " |" for h in data.history]
    parts += ["\n## Audit trail\n", "| When | What | Event | Field | Old | New | Who | Reason |",
              "|---|---|---|---|---|---|---|---|"]
    parts += ["| " + " | ".join(md_cell(c) for c in (
        a["at"], f"{a['entity']} {a['entity_id']}", a["event"], a["field"], a["old"], a["new"], a["actor"],
        a["reason"])) + " |" for a in data.audit]
    out.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return [out]


def write_export(data: ExportData, fmt: str, out: Path, chart_png: bytes | None = None,
                 hint: DecisionHint = neutral_hint, chart_alt: str = "") -> list[Path]:
    """Write the export in `fmt`; returns the files written.

    `hint` says, after a decision in the meeting pack, how it is answered (a front end's command);
    `chart_alt` is the chart in words (its alternative text), beside it in xlsx and HTML.
    """
    rows = export_rows(data)
    if fmt == "csv":
        return write_csv(rows, out)
    if fmt == "xlsx":
        return write_xlsx(rows, out, chart_png, chart_alt)
    if fmt == "markdown":
        return write_markdown(rows, out, hint)
    if fmt == "html":
        return write_html(rows, out, chart_png, chart_alt, hint)
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
