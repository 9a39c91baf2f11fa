"""The export as an Excel workbook: sheets Plan (the import template), History, Audit and Chart."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ncpi_core.reports.common import safe_cell
from ncpi_core.reports.export_rows import AUDIT_COLUMNS, EXPORT_COLUMNS, HISTORY_COLUMNS, ExportRows

RAG_FILL = {"red": "E74C3C", "amber": "F39C12", "green": "27AE60", "blue": "2E86C1"}


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


def write_xlsx(data: ExportRows, out: Path, chart_png: bytes | None = None) -> list[Path]:
    """One workbook: Plan (the import template), History, Audit and, when given, Chart."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "Plan", EXPORT_COLUMNS, data.plan_rows(), WIDTHS)
    _sheet(wb, "History", HISTORY_COLUMNS, data.history, WIDTHS)
    _sheet(wb, "Audit", AUDIT_COLUMNS, data.audit, WIDTHS)
    if chart_png:
        from openpyxl.drawing.image import Image

        ws = wb.create_sheet("Chart")
        ws["A1"] = f"{data.summary.plan_title}: position at each meeting"
        ws.add_image(Image(io.BytesIO(chart_png)), "A3")
    wb.save(out)
    return [out]
