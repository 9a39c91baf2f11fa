"""Silver and Gold summaries: pure functions over a PlanState, plus `summary_now` to read one.

`build_summary` knows nothing of storage or Slack: give it the plan as it stands (and, for
"movement", as it stood at the previous meeting) and it returns a typed `Summary` that the
renderers (`render.py`, `bot/blocks_summary.py`) turn into text, tables or Block Kit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from ncpi_core.domain.models import RAG, Action, ActionStatus, Body, Category, Update
from ncpi_core.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from ncpi_core.config.schema import ForceConfig
    from ncpi_core.domain.calendar import Cycle
    from ncpi_core.domain.participation import Participation
    from ncpi_core.storage.uow import UnitOfWork
    from ncpi_core.usecases.plan import PlanState
    from ncpi_core.usecases.summary_cache import SummaryCache

_T = TypeVar("_T")

NO_PLAN = "No plan loaded: run `ncpi db upgrade` then `ncpi plan load`."
FILTERS = ("overdue", "missing", "red")


class Level(StrEnum):
    SILVER = "silver"
    GOLD = "gold"


class Bucket(StrEnum):
    """Where an action counts in the totals: its latest RAG, closed (blue) or not started."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    BLUE = "blue"
    NOT_STARTED = "not_started"


BUCKET_ORDER = (Bucket.RED, Bucket.AMBER, Bucket.GREEN, Bucket.BLUE, Bucket.NOT_STARTED)
RAG_SEVERITY = {RAG.RED: 3, RAG.AMBER: 2, RAG.GREEN: 1, RAG.BLUE: 0}
STATUS_LABEL = {
    ActionStatus.OPEN: "open",
    ActionStatus.PROPOSED: "awaiting Silver review",
    ActionStatus.ACCEPTED: "awaiting Gold sign-off",
    ActionStatus.CLOSED: "closed",
    ActionStatus.SUPERSEDED: "superseded",
}


class ExceptionKind(StrEnum):
    RED = "red"
    OVERDUE = "overdue"
    BLOCKED = "blocked"
    AWAITING_SIGNOFF = "awaiting_signoff"
    AWAITING_REVIEW = "awaiting_review"
    DECISION = "decision"


EXCEPTION_TITLE = {
    ExceptionKind.RED: "Red (off track)",
    ExceptionKind.OVERDUE: "Overdue",
    ExceptionKind.BLOCKED: "Blocked",
    ExceptionKind.AWAITING_SIGNOFF: "Awaiting Gold sign-off",
    ExceptionKind.AWAITING_REVIEW: "Awaiting Silver review",
    ExceptionKind.DECISION: "Decisions needed",
}


@dataclass(frozen=True)
class ActionLine:
    id: str
    recommendation_id: str
    title: str
    owner: str
    owner_name: str
    deputy: str | None
    deputy_name: str
    due: date
    original_due: date
    overdue: bool
    status: ActionStatus
    rag: RAG | None
    progress: int | None
    narrative: str
    blockers: str
    evidence: str
    updated_at: datetime | None  # local time of the latest update
    no_update_this_cycle: bool

    @property
    def bucket(self) -> Bucket:
        if self.status in (ActionStatus.CLOSED, ActionStatus.SUPERSEDED):
            return Bucket.BLUE
        return Bucket(self.rag.value) if self.rag else Bucket.NOT_STARTED

    @property
    def is_closed(self) -> bool:
        return self.status in (ActionStatus.CLOSED, ActionStatus.SUPERSEDED)

    @property
    def due_moved(self) -> bool:
        return self.due != self.original_due

    @property
    def status_label(self) -> str:
        return STATUS_LABEL[self.status]


@dataclass(frozen=True)
class RecommendationLine:
    id: str
    title: str
    text: str
    category: Category
    due: date
    rag: RAG | None  # worst RAG of its open actions; BLUE when all are closed; None: not started
    progress: int  # mean progress of its actions, closed ones counting 100 %
    counts: dict[str, int]  # bucket -> number of actions
    overdue: int
    complete: bool
    position: str  # one line for Gold
    actions: list[ActionLine]


@dataclass(frozen=True)
class ExceptionItem:
    kind: ExceptionKind
    action_id: str
    recommendation_id: str
    title: str
    owner_name: str
    detail: str


@dataclass(frozen=True)
class RagChange:
    action_id: str
    title: str
    before: RAG | None  # None: no update before
    after: RAG


@dataclass(frozen=True)
class Movement:
    since: datetime | None  # local start of the previous meeting
    rag_changes: list[RagChange] = field(default_factory=list)
    newly_overdue: list[str] = field(default_factory=list)
    newly_closed: list[str] = field(default_factory=list)
    no_update: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CycleInfo:
    next_meeting: datetime | None  # local: the next meeting of this summary's body
    silver_meeting: datetime | None  # local: the Silver meeting this cycle leads to
    asked_at: datetime | None  # local: when updates were asked for (the cycle's opening)


@dataclass(frozen=True)
class Summary:
    force: str
    plan_title: str
    level: Level
    generated_at: datetime  # local
    today: date
    cycle: CycleInfo
    totals: dict[str, int]  # bucket -> count (see BUCKET_ORDER)
    recommendations: list[RecommendationLine]
    exceptions: list[ExceptionItem]
    movement: Movement
    recommendation_filter: str | None = None
    only: str | None = None
    participation: Participation | None = None

    @property
    def empty(self) -> bool:
        """True when no plan is loaded (render it as NO_PLAN)."""
        return not self.recommendations and self.recommendation_filter is None and self.only is None

    @property
    def actions(self) -> list[ActionLine]:
        return [a for r in self.recommendations for a in r.actions]

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    def exceptions_of(self, kind: ExceptionKind) -> list[ExceptionItem]:
        return [e for e in self.exceptions if e.kind == kind]


# --- building ------------------------------------------------------------------------------------
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


def _recommendation_line(rec: object, actions: list[ActionLine]) -> RecommendationLine:
    complete = bool(actions) and all(a.is_closed for a in actions)
    progress = round(sum(_progress_of(a) for a in actions) / len(actions)) if actions else 0
    return RecommendationLine(
        id=rec.id, title=rec.title, text=rec.text, category=rec.category, due=rec.due,  # type: ignore[attr-defined]
        rag=_rollup_rag(actions) if actions else None, progress=progress, counts=_counts(actions),
        overdue=sum(a.overdue for a in actions), complete=complete,
        position=_position(actions, complete), actions=actions,
    )


def _exceptions(actions: list[ActionLine], decisions: list[tuple[str, str]]) -> list[ExceptionItem]:
    out: list[ExceptionItem] = []
    by_id = {a.id: a for a in actions}

    def add(kind: ExceptionKind, a: ActionLine, detail: str) -> None:
        out.append(ExceptionItem(kind, a.id, a.recommendation_id, a.title, a.owner_name, detail))

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
    for action_id, detail in decisions:
        if action_id in by_id:
            add(ExceptionKind.DECISION, by_id[action_id], detail)
    for a in actions:  # an accepted closure is a decision for Gold: sign it off or send it back
        if a.status == ActionStatus.ACCEPTED:
            add(ExceptionKind.DECISION, a, "sign off as complete (Gold chair: `signoff " + a.id + "`)")
    return out


def _movement(lines: list[ActionLine], state: PlanState, previous: PlanState | None,
              since: datetime | None, tz: ZoneInfo | None) -> Movement:
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


def build_summary(level: Level | str, state: PlanState, *, now: datetime, today: date,
                  cycle: Cycle | None = None, previous: PlanState | None = None,
                  recommendation: str | None = None, only: str | None = None,
                  force: str = "", tz: ZoneInfo | None = None, next_meeting: datetime | None = None,
                  previous_meeting_at: datetime | None = None,
                  decisions: list[tuple[str, str]] | None = None,
                  participation: Participation | None = None) -> Summary:
    """Build the Silver or Gold summary of `state`.

    Args:
        level: "silver" (every action in detail) or "gold" (exceptions and a line per recommendation).
        state: the plan as it stands (`services.read_plan_state`).
        now: when the summary is made (shown in `tz`); today: the local date (for "overdue").
        cycle: the current update cycle: an action with no update since it opened is "missing".
        previous: the plan as it stood at the previous meeting, for "movement since".
        recommendation: only this recommendation (case-insensitive id, e.g. "R3" or "C6").
        only: "overdue", "missing" or "red" actions.
        decisions: (action id, what Gold is asked to decide) pairs, e.g. pending requests.

    Raises:
        NotFound: the recommendation is not in the plan. InvalidInput: an unknown filter.
    """
    level = Level(level)
    if only is not None and only not in FILTERS:
        raise InvalidInput(f"'{only}' is not a summary filter.", f"Use one of {', '.join(FILTERS)}.")
    recs = list(state.recommendations)
    if recommendation is not None:
        wanted = recommendation.strip().lower()
        recs = [r for r in recs if r.id.lower() == wanted]
        if not recs:
            ids = [r.id for r in state.recommendations]
            sample = ", ".join(ids[:10]) + (", …" if len(ids) > 10 else "")
            raise NotFound(f"There is no recommendation '{recommendation}' in the plan.",
                           f"Recommendation ids are {sample}." if ids else "No plan is loaded yet.")
    opens_at = cycle.opens_at if cycle else None
    since = previous_meeting_at or (previous.as_of if previous else None)
    all_lines: list[ActionLine] = []
    rec_lines: list[RecommendationLine] = []
    for rec in recs:
        lines = [_action_line(a, state.latest.get(a.id), state, today, opens_at, tz)
                 for a in state.actions_of(rec.id) if a.in_plan]
        all_lines += lines
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
        movement=_movement(shown, state, previous, since, tz),
        recommendation_filter=recommendation, only=only, participation=participation,
    )


# --- reading one now -------------------------------------------------------------------------------
def statuses_as_of(uow: UnitOfWork, previous: PlanState, as_of: datetime) -> PlanState:
    """The plan's actions with their status and due date as they stood at `as_of`.

    Actions keep only their current status in the table; the audit trail records every change
    (field, old, new), so undoing the changes made after `as_of` gives the earlier position.
    """
    from sqlalchemy import select

    from ncpi_core.storage.tables import AuditRow

    s = uow.session
    assert s is not None
    rows = s.scalars(select(AuditRow).where(
        AuditRow.entity == "action", AuditRow.at > as_of, AuditRow.field.in_(("status", "due")),
    ).order_by(AuditRow.at.desc(), AuditRow.id.desc()))
    actions = {a.id: a for a in previous.actions}
    for row in rows:
        a = actions.get(row.entity_id)
        if a is None or row.old is None:
            continue
        try:
            if row.field == "status":
                actions[a.id] = a.model_copy(update={"status": ActionStatus(row.old)})
            else:
                actions[a.id] = a.model_copy(update={"due": date.fromisoformat(row.old[:10])})
        except ValueError:
            continue  # an audit value we cannot read back: keep what we have
    return replace(previous, actions=list(actions.values()))


def _pending_decisions(uow: UnitOfWork) -> list[tuple[str, str]]:
    """Pending due-date changes and supersede requests, as (action id, what is asked)."""
    from sqlalchemy import select

    from ncpi_core.storage.tables import RequestRow

    s = uow.session
    assert s is not None
    out = []
    for r in s.scalars(select(RequestRow).where(RequestRow.state == "pending",
                                                RequestRow.kind.in_(("due_change", "supersede")))
                       .order_by(RequestRow.requested_at, RequestRow.id)):
        if r.kind == "due_change" and r.new_due is not None:
            out.append((r.action_id, f"move due date to {r.new_due.isoformat()}: {r.reason}".rstrip(": ")))
        elif r.kind == "supersede":
            out.append((r.action_id, f"supersede: {r.reason}".rstrip(": ")))
    return out


def summary_now(uow_factory: Callable[[], UnitOfWork], config: ForceConfig, now: datetime,
                level: Level | str, recommendation: str | None = None,
                only: str | None = None, cache: SummaryCache | None = None) -> Summary:
    """Read the plan and build the summary the bot would post at `now`.

    With a `cache`, the inputs read from the database are kept until the data changes (see
    `ncpi_core.usecases.summary_cache`); the summary itself is always built afresh for `now`.
    An empty database gives a Summary whose `empty` is True (render it as NO_PLAN).
    """
    from ncpi_core.domain import calendar
    from ncpi_core.domain.participation import participation_by_cycle
    from ncpi_core.usecases.plan import read_plan_state
    from ncpi_core.usecases.summary_cache import data_version

    level = Level(level)
    body = Body.GOLD if level == Level.GOLD else Body.SILVER
    tz = config.tz
    cycle = calendar.current_cycle(config, now)
    prev_meeting = calendar.previous_meeting(config, now, body)
    upcoming = calendar.next_meetings(config, now, count=1, body=body)
    with uow_factory() as uow:
        version = data_version(uow) if cache is not None else None

        def kept(key: tuple[object, ...], build: Callable[[], _T]) -> _T:
            if cache is None or version is None:
                return build()
            return cache.get((id(config), *key), version, now, build)

        state = replace(kept(("state",), lambda: read_plan_state(uow, now)), as_of=now)
        previous = None
        if prev_meeting is not None and state.recommendations:
            at = prev_meeting.starts_at
            previous = kept(("previous", at), lambda: statuses_as_of(
                uow, read_plan_state(uow, now, as_of=at), at))
        decisions = kept(("decisions",), lambda: _pending_decisions(uow)) if state.recommendations else []
        participation = (kept(("participation",), lambda: participation_by_cycle(uow, config, now))
                         if level == Level.SILVER and state.recommendations else None)
    return build_summary(
        level, state, now=now, today=now.astimezone(tz).date(), cycle=cycle, previous=previous,
        recommendation=recommendation, only=only, force=config.force, tz=tz,
        next_meeting=upcoming[0].starts_at if upcoming else None,
        previous_meeting_at=prev_meeting.starts_at if prev_meeting else None,
        decisions=decisions, participation=participation,
    )
