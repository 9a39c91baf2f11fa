"""What a Silver or Gold summary holds: typed lines, roll-ups, exceptions and movement.

`ncpi_core.domain.summaries.build.build_summary` makes one from a PlanState; the renderers
(`ncpi_core.reports`, each chat front end's blocks) turn it into text, tables or messages.
Decisions are data (what is asked, of which action), never words a front end would have to parse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from ncpi_core.domain.clocks import PlanClock
from ncpi_core.domain.models import (
    COMPLETE_STATUSES,
    DELIVERED_STATUSES,
    RAG,
    ActionStatus,
    Category,
)
from ncpi_core.domain.participation import Participation
from ncpi_core.domain.verification import Unverified

FILTERS = ("overdue", "missing", "red")


class Level(StrEnum):
    SILVER = "silver"
    GOLD = "gold"


class Bucket(StrEnum):
    """Where an action counts in the totals: its latest RAG, closed (blue: delivered or superseded),
    embedded, or not started."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    BLUE = "blue"
    EMBEDDED = "embedded"
    NOT_STARTED = "not_started"


BUCKET_ORDER = (Bucket.RED, Bucket.AMBER, Bucket.GREEN, Bucket.BLUE, Bucket.EMBEDDED, Bucket.NOT_STARTED)
RAG_SEVERITY = {RAG.RED: 3, RAG.AMBER: 2, RAG.GREEN: 1, RAG.BLUE: 0}
STATUS_LABEL = {
    ActionStatus.OPEN: "open",
    ActionStatus.PROPOSED: "awaiting Silver review",
    ActionStatus.ACCEPTED: "awaiting Gold sign-off",
    ActionStatus.CLOSED: "delivered",
    ActionStatus.SUPERSEDED: "superseded",
    ActionStatus.EMBEDDED: "embedded",
}


class ExceptionKind(StrEnum):
    """Exception groups, in the order summaries show them."""

    RECOMMENDATION_OVERDUE = "recommendation_overdue"  # the item is a recommendation, not an action
    RED = "red"
    OVERDUE = "overdue"
    BLOCKED = "blocked"
    UNVERIFIED = "unverified"  # Green with no words for more than N cycles
    CHALLENGED = "challenged"  # a challenge awaits its owner's answer
    BEYOND_DEADLINE = "beyond_deadline"  # a recommendation with actions due after its deadline (Gold only)
    AWAITING_SIGNOFF = "awaiting_signoff"
    AWAITING_REVIEW = "awaiting_review"
    DECISION = "decision"
    # Gold: the force says delivered or complete, the inspectorate has not closed it
    INSPECTORATE_OPEN = "inspectorate_open"


class DecisionKind(StrEnum):
    """What Gold is asked to decide about an action (or, for an overdue one, a recommendation)."""

    DUE_CHANGE = "due_change"  # a pending request to move the due date
    SUPERSEDE = "supersede"  # a pending request to close it without delivery
    SIGNOFF = "signoff"  # Silver accepted it as complete: the Gold chair signs it off or sends it back
    OVERDUE = "overdue"  # a recommendation missed its deadline: until Gold records a decision on it
    RED = "red"  # an action is off track: until Gold records a decision after its latest update


@dataclass(frozen=True)
class Decision:
    action_id: str  # the action, or the recommendation for DecisionKind.OVERDUE
    kind: DecisionKind
    new_due: date | None = None
    reason: str = ""

    def describe(self) -> str:
        """What is asked, in a line any renderer can show (a front end may add how to answer it)."""
        if self.kind is DecisionKind.DUE_CHANGE and self.new_due is not None:
            return f"move due date to {self.new_due.isoformat()}: {self.reason}".rstrip(": ")
        if self.kind is DecisionKind.SUPERSEDE:
            return f"supersede: {self.reason}".rstrip(": ")
        if self.kind is DecisionKind.OVERDUE:
            return f"missed its deadline {self.reason}: agree a revised date, or escalate"
        if self.kind is DecisionKind.RED:
            return "off track: what Gold will do about it"
        return "sign off as complete"


@dataclass(frozen=True)
class ChallengeLine:
    """An open challenge on an action, as summaries show it until the owner answers."""

    id: int | None
    question: str
    asked_by: str  # person id
    asked_by_name: str
    asked_at: datetime  # local


@dataclass(frozen=True)
class EmbeddingLine:
    impact: str
    retested_on: date
    by_name: str
    at: datetime  # local


@dataclass(frozen=True)
class DecisionLine:
    """A Gold decision recorded since the previous meeting."""

    subject: str  # recommendation or action id
    recommendation_id: str
    decision: str
    rationale: str
    by_name: str
    at: datetime  # local


@dataclass(frozen=True)
class ScrutinyLine:
    """The view from outside the force shown beside a recommendation's position: the PCC's rating
    or the inspectorate's status, in words, with its comment or note, who, and its date."""

    key: str  # the rating (assured|partly|not) or the status (awaiting_review, closed, …)
    words: str  # "partly assured", "closed by the inspectorate"
    text: str  # the comment or note ('' for none)
    by_name: str
    on: date  # the day rated (local), or the inspectorate's date


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
    recommendation_due: date | None = None
    beyond_deadline: bool = False  # open, and due after its recommendation's deadline
    unverified: Unverified | None = None  # Green with no words for more than N cycles (`since`: local)
    challenge: ChallengeLine | None = None  # the Silver chair's question, until answered
    embedding: EmbeddingLine | None = None

    @property
    def bucket(self) -> Bucket:
        if self.status == ActionStatus.EMBEDDED:
            return Bucket.EMBEDDED
        if self.status in (ActionStatus.CLOSED, ActionStatus.SUPERSEDED):
            return Bucket.BLUE
        return Bucket(self.rag.value) if self.rag else Bucket.NOT_STARTED

    @property
    def is_closed(self) -> bool:
        return self.status in (ActionStatus.CLOSED, ActionStatus.SUPERSEDED, ActionStatus.EMBEDDED)

    @property
    def is_delivered(self) -> bool:
        """Signed off by Gold (embedded ones included)."""
        return self.status in DELIVERED_STATUSES

    @property
    def is_done(self) -> bool:
        """Embedded or superseded: nothing more will happen to it."""
        return self.status in COMPLETE_STATUSES

    @property
    def due_moved(self) -> bool:
        return self.due != self.original_due

    @property
    def status_label(self) -> str:
        return STATUS_LABEL[self.status]


class RollUp(StrEnum):
    """A recommendation's position, decided in this order (README: "How a recommendation rolls up")."""

    COMPLETE = "complete"  # every action embedded or superseded
    DELIVERED = "delivered"  # every action delivered, embedded or superseded; not all embedded yet
    OVERDUE = "overdue"  # past its due date with actions not delivered: shown Red
    NOT_STARTED = "not_started"  # no action has an update or has been delivered
    RED = "red"  # otherwise the worst of its open actions, where an action with no update counts
    AMBER = "amber"  # Amber and an overdue one Red; Green only when every open action says Green
    GREEN = "green"


# a roll-up as words, for every renderer (RAG is always a word as well as a colour)
ROLLUP_WORD = {RollUp.COMPLETE: "COMPLETE", RollUp.DELIVERED: "DELIVERED", RollUp.OVERDUE: "RED (OVERDUE)",
               RollUp.NOT_STARTED: "NOT STARTED", RollUp.RED: "RED", RollUp.AMBER: "AMBER", RollUp.GREEN: "GREEN"}


@dataclass(frozen=True)
class RecommendationLine:
    id: str
    title: str
    text: str
    category: Category
    due: date
    rag: RAG | None  # RED when overdue; BLUE when delivered or complete; None: not started
    progress: int  # mean progress of its actions, 0 % included; delivered ones counting 100 %
    counts: dict[str, int]  # bucket -> number of actions
    overdue: int  # how many of its actions are overdue (the recommendation itself: `is_overdue`)
    complete: bool  # every action embedded or superseded
    position: str  # one line for Gold
    actions: list[ActionLine]
    rollup: RollUp = RollUp.NOT_STARTED
    is_overdue: bool = False  # past its due date with actions not delivered
    unverified: int = 0  # of its open actions, how many are Green without words for too long
    report: str = ""  # the report it comes from ('' for a plan of one report)
    type: str = "recommendation"  # recommendation | area_for_improvement | cause_of_concern
    public_summary: str = ""  # plain English an administrator marked publishable
    assurance: ScrutinyLine | None = None  # the PCC's current rating
    inspectorate: ScrutinyLine | None = None  # the inspectorate's current status

    @property
    def delivered(self) -> bool:
        """Every action delivered (signed off), embedded or superseded."""
        return self.rollup in (RollUp.COMPLETE, RollUp.DELIVERED)


@dataclass(frozen=True)
class ExceptionItem:
    kind: ExceptionKind
    action_id: str  # for a recommendation (RECOMMENDATION_OVERDUE, BEYOND_DEADLINE, an OVERDUE decision): its id
    recommendation_id: str
    title: str
    owner_name: str  # "" for a recommendation
    detail: str
    decision: Decision | None = None  # for a DECISION: what is asked, as data

    @property
    def is_recommendation(self) -> bool:
        return self.action_id == self.recommendation_id


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
    newly_embedded: list[str] = field(default_factory=list)
    no_update: list[str] = field(default_factory=list)
    decisions: list[DecisionLine] = field(default_factory=list)  # Gold decisions recorded since


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
    clocks: list[PlanClock] = field(default_factory=list)  # Gold: the plan's clocks not yet passed
    unverified_after: int = 1  # the timing: cycles a wordless Green may last before it is unverified
    report_filter: str | None = None  # only the items of this report (several reports in one plan)
    type_filter: str | None = None  # only items of this type (recommendation, area_for_improvement, …)

    @property
    def empty(self) -> bool:
        """True when no plan is loaded (renderers say so instead of showing an empty summary)."""
        return (not self.recommendations and self.recommendation_filter is None and self.only is None
                and self.report_filter is None and self.type_filter is None)

    @property
    def actions(self) -> list[ActionLine]:
        return [a for r in self.recommendations for a in r.actions]

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    def exceptions_of(self, kind: ExceptionKind) -> list[ExceptionItem]:
        return [e for e in self.exceptions if e.kind == kind]

    @property
    def overdue_recommendations(self) -> list[RecommendationLine]:
        return [r for r in self.recommendations if r.is_overdue]

    @property
    def unverified(self) -> int:
        """Actions shown whose Green has no words for more than `unverified_after` cycles."""
        return sum(1 for a in self.actions if a.unverified is not None)
