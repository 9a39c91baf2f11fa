"""The domain vocabulary of PRODUCT.md as typed models: recommendations, actions, people, updates, meetings."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Role(StrEnum):
    BRONZE = "bronze"
    SILVER_CHAIR = "silver_chair"
    SILVER = "silver"
    GOLD_CHAIR = "gold_chair"
    GOLD = "gold"
    ADMIN = "admin"
    PCC = "pcc"  # the Police and Crime Commissioner's office: reads, and rates each recommendation
    OBSERVER = "observer"  # the inspectorate's liaison lead, the Chief Constable, partners: reads only


# roles that read and (for `pcc`) rate, but never act on the plan: someone holding only these
# owns no action, is never prompted, and is refused politely when they try a step of the workflow
READ_ONLY_ROLES = frozenset({Role.PCC, Role.OBSERVER})


class RAG(StrEnum):
    """Red off track, amber at risk, green on track, blue complete."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    BLUE = "blue"


RAG_MEANING: dict[RAG, str] = {
    RAG.RED: "off track",
    RAG.AMBER: "at risk",
    RAG.GREEN: "on track",
    RAG.BLUE: "complete",
}


class Category(StrEnum):
    IMMEDIATE = "immediate"
    THREE_MONTHS = "three_months"
    SIX_MONTHS = "six_months"
    OTHER = "other"


class ItemType(StrEnum):
    """What an inspection report asks of the force: the item a plan's line answers."""

    RECOMMENDATION = "recommendation"
    AREA_FOR_IMPROVEMENT = "area_for_improvement"
    CAUSE_OF_CONCERN = "cause_of_concern"


class ActionStatus(StrEnum):
    """Where an action stands in its life; RAG is what its owner last said about delivery."""

    OPEN = "open"
    PROPOSED = "proposed"  # owner proposed complete, with evidence; Silver to review
    ACCEPTED = "accepted"  # Silver chair accepted; awaiting Gold sign-off
    CLOSED = "closed"  # Gold chair signed off: delivered (shown Blue)
    SUPERSEDED = "superseded"  # closed without delivery, with a reason
    EMBEDDED = "embedded"  # delivered, then its impact measured after a demonstration period


# closed: takes no more updates or prompts
CLOSED_STATUSES = frozenset({ActionStatus.CLOSED, ActionStatus.SUPERSEDED, ActionStatus.EMBEDDED})
# delivered: Gold signed it off (embedded ones were delivered first)
DELIVERED_STATUSES = frozenset({ActionStatus.CLOSED, ActionStatus.EMBEDDED})
# done for good: a recommendation is complete when every action is one of these
COMPLETE_STATUSES = frozenset({ActionStatus.EMBEDDED, ActionStatus.SUPERSEDED})


class Source(StrEnum):
    """How an update or a change arrived."""

    MODAL = "modal"
    DM = "dm"
    THREAD = "thread"
    SLASH = "slash"  # a typed command (stored value kept from the first front end)
    COMMAND = "command"  # a command written as a chat message
    BUTTON = "button"
    CARD = "card"  # a form in a card
    CLI = "cli"
    IMPORT = "import"
    SYSTEM = "system"


class Body(StrEnum):
    GOLD = "gold"
    SILVER = "silver"


class Person(BaseModel):
    """Someone in the plan. `identities` maps a chat platform's name to that platform's id for
    them (opaque strings: the core never reads their format); `active` is False for someone no
    longer in ncpi.yaml, kept so their old updates still have a name."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    roles: frozenset[Role] = Field(default_factory=frozenset)
    identities: dict[str, str] = Field(default_factory=dict)
    active: bool = True

    def __hash__(self) -> int:
        return hash(self.id)

    def has(self, *roles: Role) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def read_only(self) -> bool:
        """True for someone whose every role only reads (an observer, the PCC's office)."""
        return bool(self.roles) and self.roles <= READ_ONLY_ROLES

    def identity(self, platform: str) -> str | None:
        """This person's id on `platform`, or None when they have none there."""
        return self.identities.get(platform)


class Recommendation(BaseModel):
    id: str
    title: str
    text: str = ""
    category: Category
    due: date
    position: int = 0
    in_plan: bool = True
    # several reports in one plan: the report it comes from (a short id chosen by the force, e.g.
    # NCPI, VSA, PEEL; '' for a plan of one report) and what kind of item it is
    report: str = ""
    type: ItemType = ItemType.RECOMMENDATION
    # plain English an administrator marked publishable (the public and PCC packs print no other words
    # of the force's own); '' : nothing of the force's own words is published for it
    public_summary: str = ""


class Action(BaseModel):
    id: str
    recommendation_id: str
    title: str
    owner: str
    deputy: str | None = None
    due: date
    original_due: date
    status: ActionStatus = ActionStatus.OPEN
    in_plan: bool = True
    position: int = 0
    # optimistic concurrency: a workflow step writes only if nobody changed the action since it read it
    version: int = 1

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    def is_overdue(self, today: date) -> bool:
        return not self.is_closed and self.due < today


class Update(BaseModel):
    """One reply about one action. Append-only: a correction is a new update."""

    id: int | None = None
    action_id: str
    rag: RAG
    progress: int | None = Field(default=None, ge=0, le=100)
    narrative: str = ""
    blockers: str = ""
    evidence: str = ""
    author: str | None = None  # person id, when known
    author_identity: str | None = None  # "platform:id" of the account it came from, when known
    source: Source
    created_at: datetime


class Meeting(BaseModel):
    model_config = ConfigDict(frozen=True)

    body: Body
    starts_at: datetime  # aware, UTC

    @property
    def key(self) -> str:
        return f"{self.body.value}:{self.starts_at.strftime('%Y%m%dT%H%MZ')}"


class PlanInfo(BaseModel):
    title: str
    report: str = ""
    published: date | None = None
