"""What the governance workflows keep besides updates: requests, absences and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class RequestKind(StrEnum):
    CLOSURE = "closure"  # proposed by the owner, accepted by Silver, signed off by Gold
    DUE_CHANGE = "due_change"  # a new due date, approved or rejected by Silver
    SUPERSEDE = "supersede"  # closed without delivery, with a reason


class RequestState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SIGNED_OFF = "signed_off"
    WITHDRAWN = "withdrawn"


@dataclass
class Request:
    """A workflow request on an action. Mutable: a decision fills in the `decided_…` fields,
    then `RequestRepository.save` writes them back."""

    action_id: str
    kind: RequestKind
    state: RequestState
    requested_by: str  # person id
    requested_at: datetime
    evidence: str = ""
    new_due: date | None = None
    reason: str = ""
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None
    signed_off_by: str | None = None
    signed_off_at: datetime | None = None
    id: int | None = None  # set when stored


@dataclass
class Absence:
    """A person away from `start` to `end` (inclusive, local dates), optionally with a deputy
    (None: each action's plan deputy covers)."""

    person: str
    start: date
    end: date
    deputy: str | None = None
    created_by: str | None = None
    created_at: datetime | None = None
    cancelled_at: datetime | None = None
    id: int | None = None  # set when stored

    def covers(self, d0: date, d1: date | None = None) -> bool:
        """True when the absence overlaps d0..d1 (or the day d0)."""
        return self.start <= (d1 or d0) and self.end >= d0


@dataclass(frozen=True)
class AuditEntry:
    """One change to the plan or one workflow step: who, when, from where, why."""

    at: datetime
    entity: str  # plan | recommendation | action | person | absence
    entity_id: str
    event: str  # created, changed, dropped, proposed, approved, …
    field: str | None = None
    old: str | None = None
    new: str | None = None
    actor: str | None = None  # person id or 'system'
    source: str = "system"
    reason: str | None = None
    id: int | None = None


@dataclass
class Challenge:
    """The Silver chair's question on an action's update, open until its owner answers with an
    update that says something (a narrative or evidence). Mutable: answering fills the `answer…`
    fields, then `ChallengeRepository.save` writes them back."""

    action_id: str
    question: str
    asked_by: str  # person id
    asked_at: datetime
    update_id: int | None = None  # the update challenged: the action's latest when asked
    answered_at: datetime | None = None
    answer_update_id: int | None = None
    answered_by: str | None = None
    id: int | None = None  # set when stored

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


@dataclass(frozen=True)
class DecisionRecord:
    """One entry of Gold's decision log: what was decided about a recommendation or an action,
    why, by whom and when."""

    subject: str  # the recommendation or action id it is about
    recommendation_id: str  # the recommendation (the subject itself, or the action's)
    decision: str
    rationale: str
    decided_by: str  # person id
    decided_at: datetime
    source: str = "system"
    id: int | None = None  # set when stored


@dataclass(frozen=True)
class Embedding:
    """A delivered action made embedded: the impact measured after the demonstration period and
    the day it was re-tested."""

    action_id: str
    impact: str
    retested_on: date
    embedded_by: str  # person id
    embedded_at: datetime
    id: int | None = None  # set when stored
