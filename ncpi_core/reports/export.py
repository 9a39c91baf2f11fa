"""`ncpi export`: the plan with its latest updates, every update and the audit trail, as files.

CSV (the import template, with history and audit beside it), Excel (sheets Plan, History, Audit
and Chart), and a printable meeting pack in Markdown or HTML.
"""

from __future__ import annotations

import csv
import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ncpi_core.domain.summaries import Level, Summary, summary_now
from ncpi_core.reports.render import (
    ACTION_COLUMNS,
    action_row,
    local_time,
    movement_lines,
    rag_label,
    render_markdown,
    safe_cell,
    totals_line,
)

if TYPE_CHECKING:
    from ncpi_core.config.schema import ForceConfig
    from ncpi_core.storage.uow import UnitOfWork

EXPORT_FORMATS = ("csv", "xlsx", "markdown", "html")
PLAN_COLUMNS = ["plan_title", "plan_report", "plan_published"]
EXPORT_COLUMNS = ACTION_COLUMNS + PLAN_COLUMNS
HISTORY_COLUMNS = ["at", "action_id", "action_title", "rag", "progress", "narrative", "blockers", "evidence",
                   "author", "source"]
AUDIT_COLUMNS = ["at", "entity", "entity_id", "event", "field", "old", "new", "actor", "source", "reason"]
RAG_FILL = {"red": "E74C3C", "amber": "F39C12", "green": "27AE60", "blue": "2E86C1"}


@dataclass
class ExportData:
    summary: Summary
    report: str
    published: str
    history: list[dict[str, Any]]
    audit: list[dict[str, Any]]

    def plan_rows(self) -> list[dict[str, Any]]:
        plan = {"plan_title": self.summary.plan_title, "plan_report": self.report,
                "plan_published": self.published}
        return [action_row(r, a) | plan for r in self.summary.recommendations for a in r.actions]


def build_export(uow_factory: Callable[[], UnitOfWork], config: ForceConfig, now: datetime) -> ExportData:
    """Read everything an export holds (the Silver summary, every update, the audit trail)."""
    summary = summary_now(uow_factory, config, now, Level.SILVER)
    tz = config.tz
    with uow_factory() as uow:
        info = uow.repo.plan_info()
        titles = {a.id: a.title for a in uow.repo.actions(include_dropped=True)}
        names = {p.id: p.name for p in uow.repo.people()}
        history = [{
            "at": u.created_at.astimezone(tz).isoformat(timespec="minutes"), "action_id": u.action_id,
            "action_title": titles.get(u.action_id, ""), "rag": u.rag.value,
            "progress": "" if u.progress is None else u.progress, "narrative": u.narrative,
            "blockers": u.blockers, "evidence": u.evidence,
            "author": names.get(u.author or "", u.author or ""), "source": u.source.value,
        } for u in uow.repo.all_updates()]
        audit = [{
            "at": r.at.astimezone(tz).isoformat(timespec="minutes"), "entity": r.entity,
            "entity_id": r.entity_id, "event": r.event, "field": r.field or "", "old": r.old or "",
            "new": r.new or "", "actor": r.actor or "", "source": r.source, "reason": r.reason or "",
        } for r in uow.repo.audit_trail()]
    return ExportData(summary=summary, report=info.report if info else "",
                      published=info.published.isoformat() if info and info.published else "",
                      history=history, audit=audit)


# --- csv -------------------------------------------------------------------------------------------
def _write_csv(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: safe_cell(row.get(k, "")) for k in columns})


def write_csv(data: ExportData, out: Path) -> list[Path]:
    """OUT (one row per action: the import template) plus OUT.history.csv and OUT.audit.csv."""
    history = out.with_name(out.stem + ".history.csv")
    audit = out.with_name(out.stem + ".audit.csv")
    _write_csv(out, EXPORT_COLUMNS, data.plan_rows())
    _write_csv(history, HISTORY_COLUMNS, data.history)
    _write_csv(audit, AUDIT_COLUMNS, data.audit)
    return [out, history, audit]


# --- xlsx ------------------------------------------------------------------------------------------
def _sheet(wb: Any, title: str, columns: list[str], rows: list[dict[str, Any]], widths: dict[str, int]) -> Any:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws.append(columns)
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="34495E")
    for row in rows:
        ws.append([safe_cell(row.get(c, "")) for c in columns])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
    ws.freeze_panes = "B2" if title == "Plan" else "A2"
    ws.auto_filter.ref = ws.dimensions
    for i, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(col, 14)
        if widths.get(col, 14) >= 40:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    if "rag" in columns:
        idx = columns.index("rag") + 1
        for (cell,) in ws.iter_rows(min_row=2, min_col=idx, max_col=idx):
            colour = RAG_FILL.get(str(cell.value or ""))
            if colour:
                cell.fill = PatternFill("solid", fgColor=colour)
                cell.font = Font(bold=True, color="FFFFFF")
    return ws


WIDTHS = {"recommendation_title": 30, "recommendation_text": 40, "action_title": 40, "narrative": 50,
          "blockers": 40, "evidence": 40, "owner_name": 26, "updated_at": 18, "at": 18, "reason": 40,
          "old": 24, "new": 24, "action_id": 10, "recommendation_id": 10, "rag": 8, "progress": 9}


def write_xlsx(data: ExportData, out: Path, chart_png: bytes | None = None) -> list[Path]:
    """One workbook: Plan (the import template), History, Audit and, when given, Chart."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "Plan", EXPORT_COLUMNS, data.plan_rows(), WIDTHS)
    _sheet(wb, "History", HISTORY_COLUMNS, data.history, WIDTHS)
    _sheet(wb, "Audit", AUDIT_COLUMNS, data.audit, WIDTHS)
    if chart_png:
        import io

        from openpyxl.drawing.image import Image

        ws = wb.create_sheet("Chart")
        ws["A1"] = f"{data.summary.plan_title}: position at each meeting"
        ws.add_image(Image(io.BytesIO(chart_png)), "A3")
    wb.save(out)
    return [out]


# --- the printable meeting pack -----------------------------------------------------------------
def _md_cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def write_markdown(data: ExportData, out: Path) -> list[Path]:
    parts = [render_markdown(data.summary), "\n## History (every update)\n",
             "| When | Action | RAG | Progress | Narrative | Blockers | By |",
             "|---|---|---|---|---|---|---|"]
    parts += [f"| {h['at']} | {h['action_id']} | {h['rag'].upper()} | {h['progress']}"
              f"{'%' if h['progress'] != '' else ''} | {_md_cell(h['narrative'])} | {_md_cell(h['blockers'])} | "
              f"{_md_cell(h['author'])} |" for h in data.history]
    parts += ["\n## Audit trail\n", "| When | What | Event | Field | Old | New | Who | Reason |",
              "|---|---|---|---|---|---|---|---|"]
    parts += [f"| {a['at']} | {a['entity']} {a['entity_id']} | {a['event']} | {a['field']} | {_md_cell(a['old'])}"
              f" | {_md_cell(a['new'])} | {a['actor']} | {_md_cell(a['reason'])} |" for a in data.audit]
    out.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return [out]


CSS = """body{font-family:Arial,Helvetica,sans-serif;font-size:10pt;margin:1.5em}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.2em}th,td{border:1px solid #bbb;padding:3px 5px;
vertical-align:top;text-align:left}th{background:#34495e;color:#fff}.red{background:#e74c3c;color:#fff}
.amber{background:#f39c12;color:#fff}.green{background:#27ae60;color:#fff}.blue{background:#2e86c1;color:#fff}
.not_started{background:#eee}h2{page-break-before:auto;border-bottom:2px solid #34495e}
@media print{h2{page-break-before:always}h2.first{page-break-before:avoid}}"""


def _table(headers: list[str], rows: list[list[tuple[str, str]]]) -> str:
    """rows: lists of (text, css class)."""
    e = html.escape
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f'<td class="{c}">{e(str(t))}</td>' for t, c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def write_html(data: ExportData, out: Path) -> list[Path]:
    s, e = data.summary, html.escape
    title = f"{s.force} — {s.plan_title}"
    parts = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{e(title)}</title>"
             f"<style>{CSS}</style></head><body><h1>{e(title)}</h1>",
             f"<p>Meeting pack generated {e(local_time(s.generated_at))}. {e(totals_line(s))}</p>",
             '<h2 class="first">Recommendations</h2>',
             _table(["Rec", "Title", "Due", "RAG", "Progress", "Position"],
                    [[(r.id, ""), (r.title, ""), (r.due.isoformat(), ""),
                      ("COMPLETE" if r.complete else rag_label(r.rag), (r.rag.value if r.rag else "not_started")),
                      (f"{r.progress}%", ""), (r.position, "")] for r in s.recommendations]),
             "<h2>Movement since the previous meeting</h2><ul>"
             + "".join(f"<li>{e(line)}</li>" for line in movement_lines(s)) + "</ul>",
             "<h2>Actions</h2>"]
    for r in s.recommendations:
        parts.append(f"<h3>{e(r.id)} {e(r.title)}</h3><p>{e(r.text)}</p>")
        parts.append(_table(["Action", "Title", "Owner", "Due", "Original due", "Status", "RAG", "Progress",
                             "Narrative", "Blockers", "Evidence", "Updated"],
                            [[(a.id, ""), (a.title, ""), (a.owner_name, ""),
                              (a.due.isoformat() + (" OVERDUE" if a.overdue else ""), "red" if a.overdue else ""),
                              (a.original_due.isoformat(), ""), (a.status_label, ""),
                              (rag_label(a.rag), a.bucket.value), ("" if a.progress is None else f"{a.progress}%", ""),
                              (a.narrative, ""), (a.blockers, ""), (a.evidence, ""),
                              (local_time(a.updated_at), "")] for a in r.actions]))
    parts.append("<h2>History (every update)</h2>")
    parts.append(_table(["When", "Action", "RAG", "Progress", "Narrative", "Blockers", "Evidence", "By"],
                        [[(h["at"], ""), (h["action_id"], ""), (h["rag"].upper(), h["rag"]), (str(h["progress"]), ""),
                          (h["narrative"], ""), (h["blockers"], ""), (h["evidence"], ""), (h["author"], "")]
                         for h in data.history]))
    parts.append("<h2>Audit trail</h2>")
    parts.append(_table(["When", "Entity", "Id", "Event", "Field", "Old", "New", "Who", "Reason"],
                        [[(a[c], "") for c in AUDIT_COLUMNS if c != "source"] for a in data.audit]))
    parts.append("</body></html>")
    out.write_text("\n".join(parts), encoding="utf-8")
    return [out]


def write_export(data: ExportData, fmt: str, out: Path, chart_png: bytes | None = None) -> list[Path]:
    """Write the export in `fmt`; returns the files written."""
    if fmt == "csv":
        return write_csv(data, out)
    if fmt == "xlsx":
        return write_xlsx(data, out, chart_png)
    if fmt == "markdown":
        return write_markdown(data, out)
    if fmt == "html":
        return write_html(data, out)
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
