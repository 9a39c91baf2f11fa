"""The pieces every summary format shares: labels, lines, rows and safe cells (no reads)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

from ncpi_core.config.tables import FORMULA_START, IMPORT_COLUMNS, REC_EXTRA_COLUMNS
from ncpi_core.domain.clocks import ClockKind, PlanClock
from ncpi_core.domain.models import RAG
from ncpi_core.domain.participation import format_duration
from ncpi_core.domain.summaries.model import (
    BUCKET_ORDER,
    ROLLUP_WORD,
    ActionLine,
    Bucket,
    Decision,
    DecisionKind,
    DecisionLine,
    ExceptionItem,
    ExceptionKind,
    RecommendationLine,
    RollUp,
    Summary,
)
from ncpi_core.reports.scrutiny import beside_position

NO_PLAN = "No plan loaded: run `ncpi db upgrade` then `ncpi plan load`."
# Export-only columns (import ignores them).
LATEST_COLUMNS = [
    "owner_name", "original_due", "overdue", "status", "rag", "progress", "narrative", "blockers",
    "evidence", "updated_at", "no_update_this_cycle",
    # how the recommendation rolls up, and what the summaries flag on the action (issue 16)
    "recommendation_position", "recommendation_overdue", "due_after_recommendation", "unverified",
    "challenge", "embedded_impact", "retested_on",
    # several reports in one plan, and the text marked publishable (issue 17): read back on import
    *REC_EXTRA_COLUMNS,
]
ACTION_COLUMNS = IMPORT_COLUMNS + LATEST_COLUMNS
EXCEPTION_TITLE = {
    ExceptionKind.RECOMMENDATION_OVERDUE: "Recommendations overdue",
    ExceptionKind.RED: "Red (off track)",
    ExceptionKind.OVERDUE: "Overdue",
    ExceptionKind.BLOCKED: "Blocked",
    ExceptionKind.UNVERIFIED: "Unverified Green (no words for too long)",
    ExceptionKind.CHALLENGED: "Challenges awaiting an answer",
    ExceptionKind.BEYOND_DEADLINE: "Actions due after their recommendation's deadline",
    ExceptionKind.AWAITING_SIGNOFF: "Awaiting Gold sign-off",
    ExceptionKind.AWAITING_REVIEW: "Awaiting Silver review",
    ExceptionKind.DECISION: "Decisions needed",
    ExceptionKind.INSPECTORATE_OPEN: "Done in the force's view, not yet closed by the inspectorate",
}
# What follows a decision's detail to say how it is answered; each front end words its own.
DecisionHint = Callable[[Decision], str]

# (background, text) of each RAG cell in the exports, and of table headers: every pair meets WCAG AA's
# 4.5:1 contrast for text (tests/unit/test_export_contrast.py computes it); the word is always written too
RAG_COLOURS = {"red": ("C0392B", "FFFFFF"), "amber": ("F39C12", "000000"), "green": ("1D7A3A", "FFFFFF"),
               "blue": ("1F618D", "FFFFFF"), "embedded": ("1B4F72", "FFFFFF"), "not_started": ("EEEEEE", "000000")}
HEADER_COLOURS = ("34495E", "FFFFFF")
TEXT_COLOURS = ("FFFFFF", "1B1B1B")  # the page and its body text

BUCKET_LABEL = {"red": "Red", "amber": "Amber", "green": "Green", "blue": "Blue (closed)",
                "embedded": "Embedded", "not_started": "Not started"}
ROLLUP_LABEL = ROLLUP_WORD
CLOCK_LABEL = {ClockKind.ACTION_PLAN: "The inspectorate's six-week date for the action plan",
               ClockKind.PCC_RESPONSE: "The PCC's 56-day response (s55 Police Act 1996)"}


def rag_label(rag: RAG | None) -> str:
    return rag.value.upper() if rag else "not started"


def rec_label(r: RecommendationLine) -> str:
    """A recommendation's roll-up as a word: COMPLETE, DELIVERED, RED (OVERDUE), NOT STARTED, RED…"""
    return ROLLUP_LABEL[r.rollup]


def action_rag_label(a: ActionLine) -> str:
    """An action's RAG word, with EMBEDDED for an embedded one and "(unverified)" where it applies."""
    if a.bucket is Bucket.EMBEDDED:
        return "EMBEDDED"
    return rag_label(a.rag) + (" (unverified)" if a.unverified is not None else "")


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
        "recommendation_position": rec.rollup.value, "recommendation_overdue": "yes" if rec.is_overdue else "no",
        "due_after_recommendation": "yes" if a.beyond_deadline else "no",
        "unverified": (f"since {a.unverified.since:%Y-%m-%d} ({a.unverified.cycles} cycles)"
                       if a.unverified else ""),
        "challenge": (f"{a.challenge.asked_by_name}, {a.challenge.asked_at:%Y-%m-%d}: {a.challenge.question}"
                      if a.challenge else ""),
        "embedded_impact": a.embedding.impact if a.embedding else "",
        "retested_on": day(a.embedding.retested_on) if a.embedding else "",
        "report": rec.report, "item_type": rec.type, "public_summary": rec.public_summary,
    }


def to_jsonable(obj: Any) -> Any:
    """Dataclasses, enums, dates and durations as JSON values (ISO dates, seconds)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
        if isinstance(obj, ActionLine):
            out.update(bucket=obj.bucket.value, due_moved=obj.due_moved, status_label=obj.status_label)
        if isinstance(obj, RecommendationLine):
            out.update(delivered=obj.delivered)
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
    if s.report_filter:
        shown.append(f"report {s.report_filter}")
    if s.type_filter:
        shown.append(s.type_filter.replace("_", " ") + "s")
    if s.recommendation_filter:
        shown.append(f"recommendation {s.recommendation_filter}")
    if s.only:
        shown.append({"overdue": "overdue actions", "missing": "actions with no update this cycle",
                      "red": "red actions"}[s.only])
    if shown:
        lines.append("Showing only " + ", ".join(shown))
    return lines + clock_lines(s)


def clock_line(c: PlanClock, today: date) -> str:
    """One of the plan's clocks: what, when, and how long is left."""
    left = c.days_left(today)
    when = "today" if left == 0 else f"in {left} day{'s' if left != 1 else ''}"
    return f"{CLOCK_LABEL[c.kind]}: {c.due:%a %d %b %Y} ({when}; published {c.published:%d %b %Y})"


def clock_lines(s: Summary) -> list[str]:
    return [clock_line(c, s.today) for c in s.clocks]


def totals_line(s: Summary) -> str:
    parts = [f"{BUCKET_LABEL[b.value]} {s.totals.get(b.value, 0)}" for b in BUCKET_ORDER]
    if s.unverified:
        parts[BUCKET_ORDER.index(Bucket.GREEN)] += f" ({s.unverified} unverified)"
    return f"{s.total} actions: " + " · ".join(parts)


def recommendation_totals_line(s: Summary) -> str:
    """How the recommendations shown stand: overdue, delivered, complete."""
    recs = s.recommendations
    parts = [f"{sum(r.is_overdue for r in recs)} overdue",
             f"{sum(r.rollup is RollUp.DELIVERED for r in recs)} delivered (to be embedded)",
             f"{sum(r.complete for r in recs)} complete"]
    return f"{len(recs)} recommendations: " + " · ".join(parts)


def neutral_hint(decision: Decision) -> str:
    """Who answers a decision, said without any front end's commands."""
    return " (Gold chair)" if decision.kind in (DecisionKind.SIGNOFF, DecisionKind.OVERDUE, DecisionKind.RED) else ""


def exception_detail(e: ExceptionItem, hint: DecisionHint = neutral_hint) -> str:
    """An exception's detail; for a decision, followed by how it is answered (`hint`)."""
    return e.detail + (hint(e.decision) if e.decision is not None else "")


def exception_groups(s: Summary, hint: DecisionHint = neutral_hint) -> list[tuple[str, list[str]]]:
    groups = []
    for kind in ExceptionKind:
        items = s.exceptions_of(kind)
        if items:
            groups.append((EXCEPTION_TITLE[kind], [
                f"{e.action_id} {e.title}" + (f" ({e.owner_name})" if e.owner_name else "")
                + (f": {d}" if (d := exception_detail(e, hint)) else "")
                for e in items]))
    return groups


def decision_line(d: DecisionLine) -> str:
    """A Gold decision from the log: on what, by whom and when, what, and why."""
    return f"{d.subject} ({d.by_name}, {d.at:%d %b %H:%M}): {d.decision} (rationale: {d.rationale})"


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
    if m.newly_embedded:
        lines.append("Newly embedded: " + ", ".join(m.newly_embedded))
    lines += ["Gold decision on " + decision_line(d) for d in m.decisions]
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
    if a.beyond_deadline:
        out += f"{sep}after {a.recommendation_id} due"
    return out


def updated_text(a: ActionLine) -> str:
    if a.updated_at is None:
        return "no update yet"
    stamp = a.updated_at.strftime("%d %b %H:%M")
    return f"{stamp} (none this cycle)" if a.no_update_this_cycle else stamp


def progress_text(value: int | None) -> str:
    return "" if value is None else f"{value}%"


def recommendation_rows(s: Summary) -> list[list[str]]:
    return [[r.id, r.title, day(r.due), rec_label(r), f"{r.progress}%", beside_position(r)]
            for r in s.recommendations]


REC_HEADERS = ["Rec", "Title", "Due", "RAG", "Prog.", "Position"]


def action_rows(rec: RecommendationLine) -> list[list[str]]:
    return [[a.id, a.title, a.owner_name, due_text(a), action_rag_label(a), progress_text(a.progress),
             a.status_label, updated_text(a)] for a in rec.actions]


ACTION_HEADERS = ["Action", "Title", "Owner", "Due", "RAG", "Prog.", "Status", "Updated"]


def detail_lines(a: ActionLine) -> list[tuple[str, str]]:
    lines = [(label, text) for label, text in (("Progress", a.narrative), ("Blockers", a.blockers),
                                               ("Evidence", a.evidence)) if text]
    if a.unverified is not None:
        lines.append(("Unverified", f"Green with no narrative or evidence since {a.unverified.since:%d %b %Y} "
                                    f"({a.unverified.cycles} cycles)"))
    if a.challenge is not None:
        c = a.challenge
        lines.append(("Challenged", f"{c.asked_by_name} asked on {c.asked_at:%d %b %Y}: {c.question} "
                                    "(awaiting the owner's answer)"))
    if a.embedding is not None:
        e = a.embedding
        lines.append(("Embedded", f"{e.impact} (re-tested {e.retested_on:%d %b %Y}; recorded by {e.by_name})"))
    return lines
