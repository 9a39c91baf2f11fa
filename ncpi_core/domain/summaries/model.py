"""What a Silver or Gold summary holds: typed lines, roll-ups, exceptions and movement.

`ncpi_core.domain.summaries.build.build_summary` makes one from a PlanState; the renderers
(`ncpi_core.reports`, each chat front end's blocks) turn it into text, tables or messages.
Decisions are data (what is asked, of which action), never words a front end would have to parse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from ncpi_core.domain.models import RAG, ActionStatus, Category
from ncpi_core.domain.participation import Participation

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


class DecisionKind(StrEnum):
    """What Gold is asked to decide about an action."""

    DUE_CHANGE = "due_change"  # a pending request to move the due date
    SUPERSEDE = "supersede"  # a pending request to close it without delivery
    SIGNOFF = "signoff"  # Silver accepted it as complete: the Gold chair signs it off or sends it back


@dataclass(frozen=True)
class Decision:
    action_id: str
    kind: DecisionKind
    new_due: date | None = None
    reason: str = ""

    def describe(self) -> str:
        """What is asked, in a line any renderer can show (a front end may add how to answer it)."""
        if self.kind is DecisionKind.DUE_CHANGE and self.new_due is not None:
            return f"move due date to {self.new_due.isoformat()}: {self.reason}".rstrip(": ")
        if self.kind is DecisionKind.SUPERSEDE:
            return f"supersede: {self.reason}".rstrip(": ")
        return "sign off as complete"


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
    decision: Decision | None = None  # for a DECISION: what is asked, as data


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
        """True when no plan is loaded (renderers say so instead of showing an empty summary)."""
        return not self.recommendations and self.recommendation_filter is None and self.only is None

    @property
    def actions(self) -> list[ActionLine]:
        return [a for r in self.recommendations for a in r.actions]

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    def exceptions_of(self, kind: ExceptionKind) -> list[ExceptionItem]:
        return [e for e in self.exceptions if e.kind == kind]
