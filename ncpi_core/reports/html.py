"""The printable meeting pack as one HTML page (print it to PDF from a browser), from a Jinja2 template.

Exceptions first (as in chat and Markdown), then the chart as an inline image with its
alternative text, the recommendations, the movement, a section per recommendation (a new page
each when printed), every update and the audit trail. Jinja2 escapes every value.
"""

from __future__ import annotations

import base64
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from ncpi_core.reports.common import (
    HEADER_COLOURS,
    RAG_COLOURS,
    TEXT_COLOURS,
    DecisionHint,
    action_rag_label,
    clock_lines,
    exception_groups,
    local_time,
    movement_heading,
    movement_lines,
    neutral_hint,
    rec_label,
    recommendation_totals_line,
    totals_line,
)
from ncpi_core.reports.export_rows import AUDIT_COLUMNS, ExportRows
from ncpi_core.reports.scrutiny import SCRUTINY_HEADING, beside_position, scrutiny_lines

TEMPLATE = "meeting_pack.html"
ACTION_HEADERS = ["Action", "Title", "Owner", "Due", "Original due", "Status", "RAG", "Progress",
                  "Narrative", "Blockers", "Evidence", "Updated"]
HISTORY_HEADERS = ["When", "Action", "RAG", "Progress", "Narrative", "Blockers", "Evidence", "By"]
AUDIT_HEADERS = ["When", "Entity", "Id", "Event", "Field", "Old", "New", "Who", "Reason"]
_env = Environment(loader=PackageLoader("ncpi_core.reports", ""), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)


def _rag(label: str, css: str) -> tuple[str, str]:
    return label, css


def write_html(data: ExportRows, out: Path, chart_png: bytes | None = None, chart_alt: str = "",
               hint: DecisionHint = neutral_hint) -> list[Path]:
    s = data.summary
    recs = []
    for r in s.recommendations:
        recs.append({
            "id": r.id, "title": r.title, "text": r.text, "category": r.category.value.replace("_", " "),
            "due": r.due.isoformat(), "rag": rec_label(r),
            "css": "embedded" if r.complete else (r.rag.value if r.rag else "not_started"),
            "progress": r.progress, "position": beside_position(r),
            "rows": [[(a.id, ""), (a.title, ""), (a.owner_name, ""),
                      (a.due.isoformat() + (" OVERDUE" if a.overdue else "")
                       + (f" (after {a.recommendation_id}'s deadline)" if a.beyond_deadline else ""),
                       "red" if a.overdue else ""),
                      (a.original_due.isoformat(), ""), (a.status_label, ""),
                      _rag(action_rag_label(a), a.bucket.value),
                      ("" if a.progress is None else f"{a.progress}%", ""), (a.narrative, ""), (a.blockers, ""),
                      (a.evidence + (f" | Embedded (re-tested {a.embedding.retested_on.isoformat()}): "
                                     f"{a.embedding.impact}" if a.embedding else ""), ""),
                      (local_time(a.updated_at), "")]
                     for a in r.actions]})
    rec_rows = [[(x["id"], ""), (x["title"], ""), (x["due"], ""), (x["rag"], x["css"]),
                 (f"{x['progress']}%", ""), (x["position"], "")] for x in recs]
    history = [[(h["at"], ""), (h["action_id"], ""), (h["rag"].upper(), h["rag"]), (str(h["progress"]), ""),
                (h["narrative"], ""), (h["blockers"], ""), (h["evidence"], ""), (h["author"], "")]
               for h in data.history]
    chart_src = "data:image/png;base64," + base64.b64encode(chart_png).decode("ascii") if chart_png else ""
    page = _env.get_template(TEMPLATE).render(
        title=f"{s.force} — {s.plan_title}", as_at=local_time(s.generated_at),
        totals=f"{totals_line(s)}. {recommendation_totals_line(s)}.", clocks=clock_lines(s),
        exceptions=exception_groups(s, hint), chart_src=chart_src,
        chart_alt=chart_alt or "The RAG chart of the plan.", rec_headers=["Rec", "Title", "Due", "RAG", "Progress",
                                                                          "Position"],
        rec_rows=rec_rows, scrutiny_heading=SCRUTINY_HEADING, scrutiny=scrutiny_lines(s),
        movement_heading=movement_heading(s), movement=movement_lines(s), recommendations=recs,
        action_headers=ACTION_HEADERS, history_headers=HISTORY_HEADERS, history=history,
        audit_headers=AUDIT_HEADERS, audit=[[a[c] for c in AUDIT_COLUMNS if c != "source"] for a in data.audit],
        colours=RAG_COLOURS, header=HEADER_COLOURS, page=TEXT_COLOURS[0], text=TEXT_COLOURS[1])
    out.write_text(page, encoding="utf-8")
    return [out]
