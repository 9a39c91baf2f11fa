"""Render a Summary as terminal text, Markdown, CSV (one row per action) or JSON."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import textwrap
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

from tabulate import tabulate

from ncpi_core.domain.models import RAG
from ncpi_core.domain.participation import format_duration
from ncpi_core.domain.summaries import (
    BUCKET_ORDER,
    EXCEPTION_TITLE,
    NO_PLAN,
    ActionLine,
    ExceptionKind,
    Level,
    RecommendationLine,
    Summary,
)

FORMATS = ("text", "markdown", "csv", "json")
WIDTH = 100  # the text format fits a 100-column terminal

# The columns `ncpi plan import` reads; the CSV export starts with exactly these.
IMPORT_COLUMNS = [
    "recommendation_id", "recommendation_title", "recommendation_text", "category",
    "recommendation_due", "action_id", "action_title", "owner", "deputy", "action_due",
]
# Export-only columns (import ignores them).
LATEST_COLUMNS = [
    "owner_name", "original_due", "overdue", "status", "rag", "progress", "narrative", "blockers",
    "evidence", "updated_at", "no_update_this_cycle",
]
ACTION_COLUMNS = IMPORT_COLUMNS + LATEST_COLUMNS
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

BUCKET_LABEL = {"red": "Red", "amber": "Amber", "green": "Green", "blue": "Blue (closed)",
                "not_started": "Not started"}


def rag_label(rag: RAG | None) -> str:
    return rag.value.upper() if rag else "not started"


def local_time(dt: datetime | None) -> str:
    return dt.strftime("%a %d %b %Y %H:%M") if dt else "–"


def day(d: date | None) -> str:
    return d.isoformat() if d else ""


def safe_cell(value: object) -> object:
    """A spreadsheet cell that cannot run as a formula (user text starting = + - @ gets a quote)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


# --- rows shared by csv, json and the exports -------------------------------------------------
def action_row(rec: RecommendationLine, a: ActionLine) -> dict[str, Any]:
    """One action as a flat row with ACTION_COLUMNS (plain values, ISO dates)."""
    return {
        "recommendation_id": rec.id, "recommendation_title": rec.title,
        "recommendation_text": rec.text, "category": rec.category.value,
        "recommendation_due": day(rec.due), "action_id": a.id, "action_title": a.title,
        "owner": a.owner, "deputy": a.deputy or "", "action_due": day(a.due),
        "owner_name": a.owner_name, "original_due": day(a.original_due),
        "overdue": "yes" if a.overdue else "no", "status": a.status.value,
        "rag": a.rag.value if a.rag else "", "progress": "" if a.progress is None else a.progress,
        "narrative": a.narrative, "blockers": a.blockers, "evidence": a.evidence,
        "updated_at": a.updated_at.isoformat(timespec="minutes") if a.updated_at else "",
        "no_update_this_cycle": "yes" if a.no_update_this_cycle else "no",
    }


def to_jsonable(obj: Any) -> Any:
    """Dataclasses, enums, dates and durations as JSON values (ISO dates, seconds)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
        if isinstance(obj, ActionLine):
            out.update(bucket=obj.bucket.value, due_moved=obj.due_moved, status_label=obj.status_label)
        return out
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if isinstance(obj, timedelta):
        return int(obj.total_seconds())
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    return obj


# --- text pieces used by text and markdown -------------------------------------------------------
def title_line(s: Summary) -> str:
    who = " — ".join(x for x in (s.force, s.plan_title) if x)
    return f"{who}: {s.level.value.capitalize()} summary"


def context_lines(s: Summary) -> list[str]:
    lines = [f"Generated {local_time(s.generated_at)}"]
    body = s.level.value.capitalize()
    if s.cycle.next_meeting:
        lines.append(f"Next {body} meeting: {local_time(s.cycle.next_meeting)}")
    if s.cycle.asked_at:
        silver = f" for the Silver meeting of {local_time(s.cycle.silver_meeting)}" if s.cycle.silver_meeting else ""
        lines.append(f"Updates asked for from {local_time(s.cycle.asked_at)}{silver}")
    shown = []
    if s.recommendation_filter:
        shown.append(f"recommendation {s.recommendation_filter}")
    if s.only:
        shown.append({"overdue": "overdue actions", "missing": "actions with no update this cycle",
                      "red": "red actions"}[s.only])
    if shown:
        lines.append("Showing only " + ", ".join(shown))
    return lines


def totals_line(s: Summary) -> str:
    parts = [f"{BUCKET_LABEL[b.value]} {s.totals.get(b.value, 0)}" for b in BUCKET_ORDER]
    return f"{s.total} actions: " + " · ".join(parts)


def exception_groups(s: Summary) -> list[tuple[str, list[str]]]:
    groups = []
    for kind in ExceptionKind:
        items = s.exceptions_of(kind)
        if items:
            groups.append((EXCEPTION_TITLE[kind], [
                f"{e.action_id} {e.title} ({e.owner_name})" + (f": {e.detail}" if e.detail else "")
                for e in items]))
    return groups


def movement_lines(s: Summary) -> list[str]:
    m = s.movement
    lines = []
    if m.rag_changes:
        lines.append("RAG changes: " + "; ".join(
            f"{c.action_id} {rag_label(c.before)} → {rag_label(c.after)}" for c in m.rag_changes))
    if m.newly_overdue:
        lines.append("Newly overdue: " + ", ".join(m.newly_overdue))
    if m.newly_closed:
        lines.append("Newly closed: " + ", ".join(m.newly_closed))
    if m.no_update:
        lines.append(f"No update this cycle ({len(m.no_update)}): " + ", ".join(m.no_update))
    return lines or ["No change."]


def movement_heading(s: Summary) -> str:
    if s.movement.since:
        return f"Since the previous {s.level.value.capitalize()} meeting ({local_time(s.movement.since)})"
    return "This cycle"


def participation_rows(s: Summary) -> list[list[str]]:
    if s.participation is None or not s.participation.rows:
        return []
    overall = {r.person: r for r in s.participation.overall()}
    rows = []
    for r in s.participation.latest():
        o = overall[r.person]
        rows.append([r.name, f"{r.answered}/{r.prompts}", format_duration(r.median_response),
                     f"{o.share:.0%}", format_duration(o.median_response)])
    return rows


PARTICIPATION_HEADERS = ["Lead", "Answered (latest cycle)", "Median reply", "All cycles", "Median (all)"]


def due_text(a: ActionLine, sep: str = "\n") -> str:
    out = day(a.due)
    if a.due_moved:
        out += f"{sep}(was {day(a.original_due)})"
    if a.overdue:
        out += f"{sep}OVERDUE"
    return out


def updated_text(a: ActionLine) -> str:
    if a.updated_at is None:
        return "no update yet"
    stamp = a.updated_at.strftime("%d %b %H:%M")
    return f"{stamp} (none this cycle)" if a.no_update_this_cycle else stamp


def progress_text(value: int | None) -> str:
    return "" if value is None else f"{value}%"


def recommendation_rows(s: Summary) -> list[list[str]]:
    return [[r.id, r.title, day(r.due), "COMPLETE" if r.complete else rag_label(r.rag),
             f"{r.progress}%", r.position] for r in s.recommendations]


REC_HEADERS = ["Rec", "Title", "Due", "RAG", "Prog.", "Position"]


def action_rows(rec: RecommendationLine) -> list[list[str]]:
    return [[a.id, a.title, a.owner_name, due_text(a), rag_label(a.rag), progress_text(a.progress),
             a.status_label, updated_text(a)] for a in rec.actions]


ACTION_HEADERS = ["Action", "Title", "Owner", "Due", "RAG", "Prog.", "Status", "Updated"]


def detail_lines(a: ActionLine) -> list[tuple[str, str]]:
    return [(label, text) for label, text in (("Progress", a.narrative), ("Blockers", a.blockers),
                                              ("Evidence", a.evidence)) if text]


# --- text ----------------------------------------------------------------------------------------
def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(" ".join(text.split()), WIDTH, initial_indent=indent,
                         subsequent_indent=indent + "  ") or [indent]


def render_text(s: Summary) -> str:
    out = [title_line(s), *context_lines(s), "", totals_line(s), ""]
    groups = exception_groups(s)
    out.append("EXCEPTIONS" if groups else "EXCEPTIONS: none")
    for title, items in groups:
        out.append(f"  {title} ({len(items)})")
        for item in items:
            out += _wrap(item, "    ")
    out += ["", movement_heading(s).upper()]
    for line in movement_lines(s):
        out += _wrap(line, "  ")
    out += ["", "RECOMMENDATIONS"]
    out.append(tabulate(recommendation_rows(s), headers=REC_HEADERS, tablefmt="simple",
                        maxcolwidths=[None, 30, None, None, None, 34], disable_numparse=True))
    if s.level == Level.SILVER:
        for rec in s.recommendations:
            out += ["", f"{rec.id} {rec.title}"]
            out += _wrap(f"{rec.category.value.replace('_', ' ')}, due {day(rec.due)}; "
                         f"{'COMPLETE' if rec.complete else rag_label(rec.rag)}, {rec.progress}%; "
                         f"{rec.position}", "  ")
            out.append(tabulate(action_rows(rec), headers=ACTION_HEADERS, tablefmt="simple",
                                maxcolwidths=[None, 24, 16, None, None, None, 12, 13],
                                disable_numparse=True))
            for a in rec.actions:
                for label, text in detail_lines(a):
                    out += _wrap(f"{a.id} {label}: {text}", "  ")
        rows = participation_rows(s)
        if rows:
            out += ["", "PARTICIPATION (prompts answered, median time to reply)"]
            out.append(tabulate(rows, headers=PARTICIPATION_HEADERS, tablefmt="simple",
                                disable_numparse=True))
    return "\n".join(out) + "\n"


# --- markdown ------------------------------------------------------------------------------------
def md_cell(text: object) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def md_table(headers: list[str], rows: list[list[str]]) -> str:
    return tabulate([[md_cell(c) for c in r] for r in rows], headers=headers, tablefmt="pipe",
                    disable_numparse=True)


def render_markdown(s: Summary) -> str:
    out = [f"# {md_cell(title_line(s))}", "", *[f"{line}  " for line in context_lines(s)], "",
           f"**{totals_line(s)}**", "", "## Exceptions", ""]
    groups = exception_groups(s)
    if not groups:
        out.append("None.")
    for title, items in groups:
        out += [f"**{title}** ({len(items)})", ""] + [f"- {md_cell(i)}" for i in items] + [""]
    out += ["", f"## {movement_heading(s)}", ""] + [f"- {md_cell(line)}" for line in movement_lines(s)]
    out += ["", "## Recommendations", "", md_table(REC_HEADERS, recommendation_rows(s))]
    if s.level == Level.SILVER:
        for rec in s.recommendations:
            out += ["", f"### {md_cell(rec.id)} {md_cell(rec.title)}", "",
                    f"{rec.category.value.replace('_', ' ')}, due {day(rec.due)}; "
                    f"{'COMPLETE' if rec.complete else rag_label(rec.rag)}, {rec.progress}%; "
                    f"{md_cell(rec.position)}", ""]
            rows = [[*r[:3], due_text(a, " "), *r[4:]] for r, a in zip(action_rows(rec), rec.actions, strict=True)]
            out.append(md_table(ACTION_HEADERS, rows))
            notes = [f"- **{md_cell(a.id)} {label}:** {md_cell(text)}"
                     for a in rec.actions for label, text in detail_lines(a)]
            if notes:
                out += [""] + notes
        rows = participation_rows(s)
        if rows:
            out += ["", "## Participation", "", md_table(PARTICIPATION_HEADERS, rows)]
    return "\n".join(out) + "\n"


# --- csv and json --------------------------------------------------------------------------------
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


def render_summary(summary: Summary, fmt: str = "text") -> str:
    """The summary as `fmt`: text (tables for a terminal), markdown, csv (one row per action) or json."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if summary.empty:
        if fmt == "json":
            return json.dumps({"error": "no_plan", "message": NO_PLAN}, sort_keys=True) + "\n"
        if fmt == "csv":
            return ",".join(ACTION_COLUMNS) + "\n"
        return NO_PLAN + "\n"
    return {"text": render_text, "markdown": render_markdown, "csv": render_csv,
            "json": render_json}[fmt](summary)
