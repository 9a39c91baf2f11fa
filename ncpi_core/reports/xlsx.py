"""The export as an Excel workbook: a Cover, then Plan (the import template), History, Audit and Chart.

Headers are words a person reads ("Action due"), which `ncpi plan import` reads back as the
columns they name; dates and times are real date cells; every sheet's header row is frozen.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ncpi_core.domain.summaries.model import BUCKET_ORDER
from ncpi_core.reports.common import (
    BUCKET_LABEL,
    HEADER_COLOURS,
    RAG_COLOURS,
    local_time,
    safe_cell,
)
from ncpi_core.reports.export_rows import AUDIT_COLUMNS, EXPORT_COLUMNS, HISTORY_COLUMNS, ExportRows

# a header is the column's name in words; `ncpi plan import` folds it back ("Action due" -> action_due)
HEADER_WORDS = {"id": "ID", "rag": "RAG", "at": "When", "entity_id": "Entity ID", "actor": "Who",
                "old": "Old value", "new": "New value", "author": "By"}
DATE_COLUMNS = {"recommendation_due", "action_due", "original_due", "plan_published", "retested_on"}
TIME_COLUMNS = {"updated_at", "at"}
DATE_FORMAT, TIME_FORMAT = "dd mmm yyyy", "dd mmm yyyy hh:mm"
FREEZE = {"Plan": "B2", "History": "C2", "Audit": "B2"}  # the header row, and the id column where there is one


def human_header(column: str) -> str:
    """`action_due` -> `Action due`, `recommendation_id` -> `Recommendation ID`, `rag` -> `RAG`."""
    if column in HEADER_WORDS:
        return HEADER_WORDS[column]
    words = [HEADER_WORDS.get(w, w) for w in column.split("_")]
    return " ".join(words)[:1].upper() + " ".join(words)[1:]


def cell_value(column: str, value: object) -> object:
    """A date or time column's ISO text as a real date cell (local time, minutes); other text made safe."""
    if isinstance(value, str) and value:
        try:
            if column in DATE_COLUMNS:
                return date.fromisoformat(value[:10])
            if column in TIME_COLUMNS:
                return datetime.fromisoformat(value).replace(tzinfo=None)  # already the force's local time
        except ValueError:
            pass
    return safe_cell(value)


def _sheet(wb: Any, title: str, columns: list[str], rows: list[dict[str, Any]], widths: dict[str, int]) -> Any:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws.append([human_header(c) for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True, color=HEADER_COLOURS[1])
        cell.fill = PatternFill("solid", fgColor=HEADER_COLOURS[0])
    for row in rows:
        ws.append([cell_value(c, row.get(c, "")) for c in columns])
        for col, cell in zip(columns, ws[ws.max_row], strict=True):
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            elif isinstance(cell.value, datetime):
                cell.number_format = TIME_FORMAT
            elif isinstance(cell.value, date) and col in DATE_COLUMNS:
                cell.number_format = DATE_FORMAT
    ws.freeze_panes = FREEZE.get(title, "A2")
    ws.auto_filter.ref = ws.dimensions
    for i, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(col, 14)
        if widths.get(col, 14) >= 40:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    if "rag" in columns:
        idx = columns.index("rag") + 1
        for (cell,) in ws.iter_rows(min_row=2, min_col=idx, max_col=idx):
            colours = RAG_COLOURS.get(str(cell.value or ""))
            if colours:  # the word stays in the cell; the colour only repeats it
                cell.fill = PatternFill("solid", fgColor=colours[0])
                cell.font = Font(bold=True, color=colours[1])
    return ws


def _cover(wb: Any, data: ExportRows) -> None:
    """The first sheet: what this workbook is, as at when, and the counts."""
    from openpyxl.styles import Font, PatternFill

    s = data.summary
    ws = wb.create_sheet("Cover")
    ws["A1"] = f"{s.force}: {s.plan_title}"
    ws["A1"].font = Font(bold=True, size=16)
    facts: list[tuple[str, object]] = [
        ("Force", s.force), ("Plan", s.plan_title), ("Report", data.report),
        ("Published", cell_value("plan_published", data.published) if data.published else ""),
        ("As at", s.generated_at.replace(tzinfo=None) if s.generated_at else ""),
        ("Recommendations", len(s.recommendations)),
        ("Recommendations overdue", sum(r.is_overdue for r in s.recommendations)),
        ("Recommendations complete (every action embedded or superseded)", sum(r.complete for r in s.recommendations)),
        ("Actions", s.total),
    ]
    facts += [(f"Actions {BUCKET_LABEL[b.value]}", s.totals.get(b.value, 0)) for b in BUCKET_ORDER]
    facts += [("Updates (History sheet)", len(data.history)), ("Audit entries (Audit sheet)", len(data.audit)),
              ("Plan sheet", "one row per action with its latest update; edit it and run "
                             "`ncpi plan import` to load changes")]
    for row, (label, value) in enumerate(facts, start=3):
        ws.cell(row=row, column=1, value=label).font = Font(bold=True)
        cell = ws.cell(row=row, column=2, value=safe_cell(value))
        if isinstance(value, datetime):
            cell.number_format = TIME_FORMAT
        elif isinstance(value, date):
            cell.number_format = DATE_FORMAT
        for b in BUCKET_ORDER:
            if label == f"Actions {BUCKET_LABEL[b.value]}":
                fill, text = RAG_COLOURS[b.value]
                ws.cell(row=row, column=1).fill = PatternFill("solid", fgColor=fill)
                ws.cell(row=row, column=1).font = Font(bold=True, color=text)
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 70
    ws["A2"] = f"Exported {local_time(s.generated_at)}"


WIDTHS = {"recommendation_title": 30, "recommendation_text": 40, "action_title": 40, "narrative": 50,
          "blockers": 40, "evidence": 40, "owner_name": 26, "updated_at": 18, "at": 18, "reason": 40,
          "old": 24, "new": 24, "action_id": 10, "recommendation_id": 16, "rag": 8, "progress": 9,
          "recommendation_due": 13, "action_due": 13, "original_due": 13}


def write_xlsx(data: ExportRows, out: Path, chart_png: bytes | None = None, chart_alt: str = "") -> list[Path]:
    """One workbook: Cover, Plan (the import template), History, Audit and, when given, Chart."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    _cover(wb, data)
    _sheet(wb, "Plan", EXPORT_COLUMNS, data.plan_rows(), WIDTHS)
    _sheet(wb, "History", HISTORY_COLUMNS, data.history, WIDTHS)
    _sheet(wb, "Audit", AUDIT_COLUMNS, data.audit, WIDTHS)
    if chart_png:
        from openpyxl.drawing.image import Image

        ws = wb.create_sheet("Chart")
        ws["A1"] = f"{data.summary.plan_title}: position at each meeting"
        if chart_alt:
            ws["A2"] = chart_alt  # the chart in words, for a screen reader and for print
        image = Image(io.BytesIO(chart_png))
        ws.add_image(image, "A4")
    wb.save(out)
    return [out]
