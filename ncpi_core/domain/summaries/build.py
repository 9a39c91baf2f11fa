"""Building a Silver or Gold summary from the plan as it stands: pure functions, no reads.

Give `build_summary` the plan (and, for "movement", the plan as it stood at the previous meeting)
and it returns a typed `Summary`. `ncpi_core.usecases.summaries.summary_now` reads the inputs.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ncpi_core.domain.calendar import Cycle
from ncpi_core.domain.models import RAG, Action, ActionStatus, Recommendation, Update
from ncpi_core.domain.participation import Participation
from ncpi_core.domain.plan_state import PlanState
from ncpi_core.domain.records import AuditEntry
from ncpi_core.domain.summaries.model import (
    BUCKET_ORDER,
    FILTERS,
    RAG_SEVERITY,
    ActionLine,
    CycleInfo,
    Decision,
    DecisionKind,
    ExceptionItem,
    ExceptionKind,
    Level,
    Movement,
    RagChange,
    RecommendationLine,
    Summary,
)
from ncpi_core.errors import InvalidInput, NotFound

RECOMMENDATION_SAMPLE = 10  # ids named when a recommendation is not found


def _local(dt: datetime | None, tz: ZoneInfo | None) -> datetime | None:
    if dt is None:
        return None
    return dt.astimezone(tz) if tz is not None else dt


def _action_line(a: Action, latest: Update | None, state: PlanState, today: date,
                 opens_at: datetime | None, tz: ZoneInfo | None) -> ActionLine:
    # Only open actions owe an update: a proposed or accepted one awaits review, not its owner.
    owes = a.status == ActionStatus.OPEN
    if latest is None:
        stale = owes
    else:
        stale = owes and opens_at is not None and latest.created_at < opens_at
    return ActionLine(
        id=a.id, recommendation_id=a.recommendation_id, title=a.title, owner=a.owner,
        owner_name=state.person_name(a.owner), deputy=a.deputy,
        deputy_name=state.person_name(a.deputy),
        due=a.due, original_due=a.original_due, overdue=a.is_overdue(today), status=a.status,
        rag=latest.rag if latest else None, progress=latest.progress if latest else None,
        narrative=latest.narrative if latest else "", blockers=latest.blockers if latest else "",
        evidence=latest.evidence if latest else "", updated_at=_local(latest.created_at if latest else None, tz),
        no_update_this_cycle=stale,
    )


def _progress_of(a: ActionLine) -> int:
    if a.is_closed or a.rag == RAG.BLUE:
        return 100
    return a.progress or 0


def _rollup_rag(actions: list[ActionLine]) -> RAG | None:
    open_ = [a for a in actions if not a.is_closed]
    if not open_:
        return RAG.BLUE
    rags = [a.rag for a in open_ if a.rag is not None]
    if not rags:
        return None
    worst = max(rags, key=lambda r: RAG_SEVERITY[r])
    # never "complete" while an open action has not reported at all
    return None if worst == RAG.BLUE and len(rags) < len(open_) else worst


def _counts(actions: list[ActionLine]) -> dict[str, int]:
    counts = {b.value: 0 for b in BUCKET_ORDER}
    for a in actions:
        counts[a.bucket.value] += 1
    return counts


def _position(actions: list[ActionLine], complete: bool) -> str:
    if complete:
        return f"complete: all {len(actions)} actions closed"
    counts = _counts(actions)
    parts = [f"{n} {b.replace('_', ' ') if b != 'blue' else 'closed'}" for b, n in counts.items() if n]
    overdue = sum(a.overdue for a in actions)
    review = sum(a.status == ActionStatus.PROPOSED for a in actions)
    signoff = sum(a.status == ActionStatus.ACCEPTED for a in actions)
    extra = [f"{overdue} overdue"] if overdue else []
    extra += [f"{signoff} awaiting sign-off"] if signoff else []
    extra += [f"{review} awaiting review"] if review else []
    return ", ".join(parts + extra)


def _recommendation_line(rec: Recommendation, actions: list[ActionLine]) -> RecommendationLine:
    complete = bool(actions) and all(a.is_closed for a in actions)
    progress = round(sum(_progress_of(a) for a in actions) / len(actions)) if actions else 0
    return RecommendationLine(
        id=rec.id, title=rec.title, text=rec.text, category=rec.category, due=rec.due,
        rag=_rollup_rag(actions) if actions else None, progress=progress, counts=_counts(actions),
        overdue=sum(a.overdue for a in actions), complete=complete,
        position=_position(actions, complete), actions=actions,
    )


def _exceptions(actions: list[ActionLine], decisions: list[Decision]) -> list[ExceptionItem]:
    out: list[ExceptionItem] = []
    by_id = {a.id: a for a in actions}

    def add(kind: ExceptionKind, a: ActionLine, detail: str, decision: Decision | None = None) -> None:
        out.append(ExceptionItem(kind, a.id, a.recommendation_id, a.title, a.owner_name, detail, decision))

    for a in actions:
        if a.is_closed:
            continue
        if a.rag == RAG.RED:
            add(ExceptionKind.RED, a, a.narrative)
        if a.overdue:
            moved = f" (originally {a.original_due.isoformat()})" if a.due_moved else ""
            add(ExceptionKind.OVERDUE, a, f"due {a.due.isoformat()}{moved}")
        if a.blockers:
            add(ExceptionKind.BLOCKED, a, a.blockers)
        if a.status == ActionStatus.ACCEPTED:
            add(ExceptionKind.AWAITING_SIGNOFF, a, a.evidence)
        if a.status == ActionStatus.PROPOSED:
            add(ExceptionKind.AWAITING_REVIEW, a, a.evidence)
    for d in decisions:
        if d.action_id in by_id:
            add(ExceptionKind.DECISION, by_id[d.action_id], d.describe(), d)
    for a in actions:  # an accepted closure is a decision for Gold: sign it off or send it back
        if a.status == ActionStatus.ACCEPTED:
            signoff = Decision(a.id, DecisionKind.SIGNOFF)
            add(ExceptionKind.DECISION, a, signoff.describe(), signoff)
    return out


def _movement(lines: list[ActionLine], previous: PlanState | None, since: datetime | None,
              tz: ZoneInfo | None) -> Movement:
    no_update = [a.id for a in lines if a.no_update_this_cycle]
    if previous is None:
        return Movement(since=_local(since, tz), no_update=no_update)
    prev_actions = {a.id: a for a in previous.actions}
    prev_day = (since.astimezone(tz) if tz and since else (since or previous.as_of)).date()
    changes, newly_overdue, newly_closed = [], [], []
    for a in lines:
        before = previous.latest.get(a.id)
        before_rag = before.rag if before else None
        if a.rag is not None and a.rag != before_rag:
            changes.append(RagChange(a.id, a.title, before_rag, a.rag))
        pa = prev_actions.get(a.id)
        if a.overdue and (pa is None or not pa.is_overdue(prev_day)):
            newly_overdue.append(a.id)
        if a.is_closed and (pa is None or not pa.is_closed):
            newly_closed.append(a.id)
    return Movement(since=_local(since, tz), rag_changes=changes, newly_overdue=newly_overdue,
                    newly_closed=newly_closed, no_update=no_update)


def _select(lines: list[ActionLine], only: str | None) -> list[ActionLine]:
    if only is None:
        return lines
    if only == "overdue":
        return [a for a in lines if a.overdue]
    if only == "missing":
        return [a for a in lines if a.no_update_this_cycle]
    return [a for a in lines if not a.is_closed and a.rag == RAG.RED]


def _recommendations(state: PlanState, recommendation: str | None) -> list[Recommendation]:
    recs = list(state.recommendations)
    if recommendation is None:
        return recs
    wanted = recommendation.strip().lower()
    chosen = [r for r in recs if r.id.lower() == wanted]
    if not chosen:
        ids = [r.id for r in recs]
        raise NotFound("recommendation.not_found", typed=recommendation, ids=ids[:RECOMMENDATION_SAMPLE],
                       more=len(ids) > RECOMMENDATION_SAMPLE)
    return chosen


def build_summary(level: Level | str, state: PlanState, *, now: datetime, today: date,
                  cycle: Cycle | None = None, previous: PlanState | None = None,
                  recommendation: str | None = None, only: str | None = None,
                  force: str = "", tz: ZoneInfo | None = None, next_meeting: datetime | None = None,
                  previous_meeting_at: datetime | None = None,
                  decisions: list[Decision] | None = None,
                  participation: Participation | None = None) -> Summary:
    """Build the Silver or Gold summary of `state`.

    Args:
        level: "silver" (every action in detail) or "gold" (exceptions and a line per recommendation).
        state: the plan as it stands (`usecases.summaries.read_plan_state`).
        now: when the summary is made (shown in `tz`); today: the local date (for "overdue").
        cycle: the current update cycle: an action with no update since it opened is "missing".
        previous: the plan as it stood at the previous meeting, for "movement since".
        recommendation: only this recommendation (case-insensitive id, e.g. "R3" or "C6").
        only: "overdue", "missing" or "red" actions.
        decisions: what Gold is asked to decide besides sign-offs (pending requests).

    Raises:
        NotFound: `recommendation.not_found` (with `typed`, a sample of `ids`, and `more`).
        InvalidInput: `summary.unknown_filter` (with `only` and the `filters` there are).
    """
    level = Level(level)
    if only is not None and only not in FILTERS:
        raise InvalidInput("summary.unknown_filter", only=only, filters=list(FILTERS))
    recs = _recommendations(state, recommendation)
    opens_at = cycle.opens_at if cycle else None
    since = previous_meeting_at or (previous.as_of if previous else None)
    rec_lines: list[RecommendationLine] = []
    for rec in recs:
        lines = [_action_line(a, state.latest.get(a.id), state, today, opens_at, tz)
                 for a in state.actions_of(rec.id) if a.in_plan]
        chosen = _select(lines, only)
        if only is not None and not chosen:
            continue
        # the roll-up is of the whole recommendation, even when only some actions are shown
        full = _recommendation_line(rec, lines)
        rec_lines.append(replace(full, actions=chosen))
    shown = [a for r in rec_lines for a in r.actions]
    return Summary(
        force=force, plan_title=state.info.title if state.info else "", level=level,
        generated_at=_local(now, tz) or now, today=today,
        cycle=CycleInfo(next_meeting=_local(next_meeting, tz),
                        silver_meeting=_local(cycle.meeting.starts_at, tz) if cycle else None,
                        asked_at=_local(opens_at, tz)),
        totals=_counts(shown), recommendations=rec_lines,
        exceptions=_exceptions(shown, decisions or []),
        movement=_movement(shown, previous, since, tz),
        recommendation_filter=recommendation, only=only, participation=participation,
    )


def rolled_back(state: PlanState, changes: list[AuditEntry]) -> PlanState:
    """The plan's actions with their status and due date as they stood before `changes`.

    Actions keep only their current status; the audit trail records every change (field, old,
    new). Undoing `changes` (newest first) gives the earlier position.
    """
    actions = {a.id: a for a in state.actions}
    for entry in changes:
        a = actions.get(entry.entity_id)
        if a is None or entry.old is None:
            continue
        try:
            if entry.field == "status":
                actions[a.id] = a.model_copy(update={"status": ActionStatus(entry.old)})
            elif entry.field == "due":
                actions[a.id] = a.model_copy(update={"due": date.fromisoformat(entry.old[:10])})
        except ValueError:
            continue  # an audit value we cannot read back: keep what we have
    return replace(state, actions=list(actions.values()))
