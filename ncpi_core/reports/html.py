"""The printable meeting pack as one HTML page (print it to PDF from a browser)."""

from __future__ import annotations

import html
from importlib.resources import files
from pathlib import Path
from string import Template

from ncpi_core.reports.common import (
    action_rag_label,
    clock_lines,
    local_time,
    movement_lines,
    rec_label,
    recommendation_totals_line,
    totals_line,
)
from ncpi_core.reports.export_rows import AUDIT_COLUMNS, ExportRows

# the page around the pack (doctype, head, title): a template file beside this module
PAGE = Template(files("ncpi_core.reports").joinpath("meeting_pack.html").read_text(encoding="utf-8").rstrip("\n"))

CSS = """body{font-family:Arial,Helvetica,sans-serif;font-size:10pt;margin:1.5em}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.2em}th,td{border:1px solid #bbb;padding:3px 5px;
vertical-align:top;text-align:left}th{background:#34495e;color:#fff}.red{background:#e74c3c;color:#fff}
.amber{background:#f39c12;color:#fff}.green{background:#27ae60;color:#fff}.blue{background:#2e86c1;color:#fff}
.not_started{background:#eee}.embedded{background:#1b4f72;color:#fff}h2{page-break-before:auto;border-bottom:2px solid #34495e}
@media print{h2{page-break-before:always}h2.first{page-break-before:avoid}}"""


def _table(headers: list[str], rows: list[list[tuple[str, str]]]) -> str:
    """rows: lists of (text, css class)."""
    e = html.escape
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f'<td class="{c}">{e(str(t))}</td>' for t, c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def write_html(data: ExportRows, out: Path) -> list[Path]:
    s, e = data.summary, html.escape
    title = f"{s.force} — {s.plan_title}"
    parts = [f"<p>Meeting pack generated {e(local_time(s.generated_at))}. {e(totals_line(s))}. "
             f"{e(recommendation_totals_line(s))}</p>", *[f"<p>{e(line)}</p>" for line in clock_lines(s)],
             '<h2 class="first">Recommendations</h2>',
             _table(["Rec", "Title", "Due", "RAG", "Progress", "Position"],
                    [[(r.id, ""), (r.title, ""), (r.due.isoformat(), ""),
                      (rec_label(r), "embedded" if r.complete else (r.rag.value if r.rag else "not_started")),
                      (f"{r.progress}%", ""), (r.position, "")] for r in s.recommendations]),
             "<h2>Movement since the previous meeting</h2><ul>"
             + "".join(f"<li>{e(line)}</li>" for line in movement_lines(s)) + "</ul>",
             "<h2>Actions</h2>"]
    for r in s.recommendations:
        parts.append(f"<h3>{e(r.id)} {e(r.title)}</h3><p>{e(r.text)}</p>")
        parts.append(_table(["Action", "Title", "Owner", "Due", "Original due", "Status", "RAG", "Progress",
                             "Narrative", "Blockers", "Evidence", "Updated"],
                            [[(a.id, ""), (a.title, ""), (a.owner_name, ""),
                              (a.due.isoformat() + (" OVERDUE" if a.overdue else "")
                               + (f" (after {a.recommendation_id}'s deadline)" if a.beyond_deadline else ""),
                               "red" if a.overdue else ""),
                              (a.original_due.isoformat(), ""), (a.status_label, ""),
                              (action_rag_label(a), a.bucket.value),
                              ("" if a.progress is None else f"{a.progress}%", ""),
                              (a.narrative, ""), (a.blockers, ""),
                              (a.evidence + (f" | Embedded: {a.embedding.impact}" if a.embedding else ""), ""),
                              (local_time(a.updated_at), "")] for a in r.actions]))
    parts.append("<h2>History (every update)</h2>")
    parts.append(_table(["When", "Action", "RAG", "Progress", "Narrative", "Blockers", "Evidence", "By"],
                        [[(h["at"], ""), (h["action_id"], ""), (h["rag"].upper(), h["rag"]), (str(h["progress"]), ""),
                          (h["narrative"], ""), (h["blockers"], ""), (h["evidence"], ""), (h["author"], "")]
                         for h in data.history]))
    parts.append("<h2>Audit trail</h2>")
    parts.append(_table(["When", "Entity", "Id", "Event", "Field", "Old", "New", "Who", "Reason"],
                        [[(a[c], "") for c in AUDIT_COLUMNS if c != "source"] for a in data.audit]))
    page = PAGE.substitute(title=e(title), css=CSS, body="\n".join(parts))
    out.write_text(page, encoding="utf-8")
    return [out]
