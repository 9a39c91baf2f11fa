"""A summary's exceptions: what Silver and Gold must look at, and what Gold is asked to decide.

Decisions needed: a pending due-date change or supersede request, a closure Silver accepted
(sign it off), a recommendation that missed its deadline (until Gold records a decision on it, or
on one of its actions, after the deadline), and a Red action (until Gold records a decision on it,
or on its recommendation, after its latest update).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ncpi_core.domain.models import RAG, ActionStatus
from ncpi_core.domain.records import DecisionRecord
from ncpi_core.domain.summaries.model import (
    ActionLine,
    Decision,
    DecisionKind,
    ExceptionItem,
    ExceptionKind,
    Level,
    RecommendationLine,
)


def _day(at: datetime, tz: ZoneInfo | None) -> date:
    return (at.astimezone(tz) if tz is not None else at).date()


def overdue_decided(rec: RecommendationLine, log: Sequence[DecisionRecord], tz: ZoneInfo | None) -> bool:
    """Gold has recorded a decision on the recommendation (or one of its actions) since its deadline."""
    return any(d.recommendation_id == rec.id and _day(d.decided_at, tz) > rec.due for d in log)


def red_decided(a: ActionLine, log: Sequence[DecisionRecord]) -> bool:
    """Gold has recorded a decision on the action (or its recommendation) since its latest update."""
    return a.updated_at is not None and any(
        d.subject in (a.id, a.recommendation_id) and d.decided_at >= a.updated_at for d in log)


def _item(kind: ExceptionKind, a: ActionLine, detail: str, decision: Decision | None = None) -> ExceptionItem:
    return ExceptionItem(kind, a.id, a.recommendation_id, a.title, a.owner_name, detail, decision)


def _rec_item(kind: ExceptionKind, r: RecommendationLine, detail: str,
              decision: Decision | None = None) -> ExceptionItem:
    return ExceptionItem(kind, r.id, r.id, r.title, "", detail, decision)


def _action_exceptions(a: ActionLine) -> list[ExceptionItem]:
    out = []
    if a.rag == RAG.RED:
        out.append(_item(ExceptionKind.RED, a, a.narrative))
    if a.overdue:
        moved = f" (originally {a.original_due.isoformat()})" if a.due_moved else ""
        out.append(_item(ExceptionKind.OVERDUE, a, f"due {a.due.isoformat()}{moved}"))
    if a.blockers:
        out.append(_item(ExceptionKind.BLOCKED, a, a.blockers))
    if a.unverified is not None:
        u = a.unverified
        out.append(_item(ExceptionKind.UNVERIFIED, a, f"Green with no narrative or evidence since "
                                                      f"{u.since:%d %b %Y} ({u.cycles} cycles)"))
    if a.challenge is not None:
        c = a.challenge
        out.append(_item(ExceptionKind.CHALLENGED, a, f"{c.asked_by_name} asked on {c.asked_at:%d %b %Y}: "
                                                      f"{c.question}"))
    if a.status == ActionStatus.ACCEPTED:
        out.append(_item(ExceptionKind.AWAITING_SIGNOFF, a, a.evidence))
    if a.status == ActionStatus.PROPOSED:
        out.append(_item(ExceptionKind.AWAITING_REVIEW, a, a.evidence))
    return out


def _inspectorate_open(r: RecommendationLine, tracked: bool) -> ExceptionItem | None:
    """Gold: the force says delivered or complete, and the inspectorate has not closed (or
    superseded) it — when the inspectorate's trail is kept at all (`tracked`)."""
    said = "complete" if r.complete else "delivered"
    settled = ("closed", "superseded")
    if not r.delivered or not tracked or (r.inspectorate is not None and r.inspectorate.key in settled):
        return None
    theirs = (f"{r.inspectorate.words} ({r.inspectorate.on.isoformat()})" if r.inspectorate is not None
              else "no status recorded")
    return _rec_item(ExceptionKind.INSPECTORATE_OPEN, r, f"the force says {said}; the inspectorate: {theirs}")


def build_exceptions(level: Level, recs: list[RecommendationLine], requests: list[Decision],
                     log: Sequence[DecisionRecord], tz: ZoneInfo | None,
                     inspectorate_tracked: bool = False) -> list[ExceptionItem]:
    """The exceptions of the recommendations and actions shown, grouped by kind in ExceptionKind's order.

    Args:
        requests: pending due-date changes and supersede requests (what Gold is asked besides sign-offs).
        log: Gold's decision log (a decision clears the "decision needed" of what it is about).
        inspectorate_tracked: some inspectorate status is recorded (the force keeps that trail): Gold
            is then shown each recommendation the force calls done that the inspectorate has not closed.
    """
    actions = [a for r in recs for a in r.actions]
    by_id = {a.id: a for a in actions}
    out: list[ExceptionItem] = []
    for r in recs:
        if r.is_overdue:
            open_ = sum(1 for a in r.actions if not a.is_closed)
            out.append(_rec_item(ExceptionKind.RECOMMENDATION_OVERDUE, r,
                                 f"due {r.due.isoformat()}; {open_} of {len(r.actions)} actions not delivered"))
    for a in actions:
        if not a.is_closed:
            out += _action_exceptions(a)
    if level is Level.GOLD:  # one line per recommendation, naming each late action's date and the deadline
        for r in recs:
            late = [a for a in r.actions if a.beyond_deadline]
            if late:
                out.append(_rec_item(ExceptionKind.BEYOND_DEADLINE, r, f"deadline {r.due.isoformat()}; " + ", ".join(
                    f"{a.id} due {a.due.isoformat()}" for a in late)))
    for d in requests:
        if d.action_id in by_id:
            out.append(_item(ExceptionKind.DECISION, by_id[d.action_id], d.describe(), d))
    for a in actions:  # an accepted closure is a decision for Gold: sign it off or send it back
        if a.status == ActionStatus.ACCEPTED:
            signoff = Decision(a.id, DecisionKind.SIGNOFF)
            out.append(_item(ExceptionKind.DECISION, a, signoff.describe(), signoff))
    for r in recs:
        if r.is_overdue and not overdue_decided(r, log, tz):
            asked = Decision(r.id, DecisionKind.OVERDUE, reason=r.due.isoformat())
            out.append(_rec_item(ExceptionKind.DECISION, r, asked.describe(), asked))
    for a in actions:
        if not a.is_closed and a.rag == RAG.RED and not red_decided(a, log):
            asked = Decision(a.id, DecisionKind.RED)
            out.append(_item(ExceptionKind.DECISION, a, asked.describe(), asked))
    if level is Level.GOLD:
        out += [item for r in recs if (item := _inspectorate_open(r, inspectorate_tracked)) is not None]
    order = list(ExceptionKind)
    return sorted(out, key=lambda e: order.index(e.kind))  # stable: plan order within a kind
