"""The delivery ledger's vocabulary: what the bot owes, to whom, and what became of it.

A delivery is addressed to a person or a body (Silver, Gold), never to a platform's id: the
front end that sends it maps a person to a direct conversation and a body to its channel, and
the ledger records where it went as (platform, conversation, message) — opaque strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from ncpi_core.domain.models import Body


class Kind(StrEnum):
    PROMPT = "prompt"
    NUDGE = "nudge"
    ESCALATION = "escalation"
    SILVER_SUMMARY = "silver_summary"
    GOLD_REMINDER = "gold_reminder"
    GOLD_SUMMARY = "gold_summary"
    CHASE = "chase"
    FAILURE_REPORT = "failure_report"
    NOTICE = "notice"  # a workflow step's message to someone (a closure to review, a decision)
    CHALLENGE = "challenge"  # the Silver chair's question to an action's owner, answered like a prompt
    CLOCK_REMINDER = "clock_reminder"  # one of the plan's clocks is near (six-week plan, 56-day PCC response)


# Messages to a person wait for working hours; channel posts and on-demand ones go when due.
PERSONAL_KINDS = frozenset({Kind.PROMPT, Kind.NUDGE, Kind.ESCALATION, Kind.GOLD_REMINDER, Kind.CLOCK_REMINDER})


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed under a lease (or, with no owner, outcome unknown until lease_until)
    SENT = "sent"
    FAILED = "failed"  # will be retried at next_attempt_at
    DEAD = "dead"  # gave up; the administrators are told
    STALE = "stale"  # its moment passed before it could go
    SKIPPED = "skipped"  # no longer wanted (the update came in, the action closed)


RETRYABLE = (DeliveryState.PENDING, DeliveryState.FAILED)


@dataclass(frozen=True)
class Recipient:
    """Who a delivery is for: one person (by person id) or one body's channel."""

    person: str | None = None
    body: Body | None = None

    def __post_init__(self) -> None:
        if (self.person is None) == (self.body is None):
            raise ValueError("a recipient is a person or a body, not both or neither")

    @classmethod
    def of_person(cls, person_id: str) -> Recipient:
        return cls(person=person_id)

    @classmethod
    def of_body(cls, body: Body | str) -> Recipient:
        return cls(body=Body(body))

    def __str__(self) -> str:
        return f"person:{self.person}" if self.person is not None else f"body:{self.body}"

    @classmethod
    def parse(cls, text: str) -> Recipient:
        """Read back what `str()` wrote ("person:head_crime", "body:gold")."""
        kind, _, value = text.partition(":")
        if kind == "person" and value:
            return cls.of_person(value)
        if kind == "body" and value:
            return cls.of_body(value)
        raise ValueError(f"not a recipient: {text!r}")


@dataclass(frozen=True)
class MessageRef:
    """Where a message went on its platform: a conversation and the message within it."""

    conversation: str
    message: str


@dataclass(frozen=True)
class Owed:
    """One delivery the bot owes: unique by `key`."""

    key: str
    kind: Kind
    due_at: datetime
    expires_at: datetime | None
    recipient: Recipient
    meeting: str | None = None
    action_id: str | None = None
    person: str | None = None  # whose delivery it is (for a body's post: None)
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Sent:
    """What the ledger holds about one delivery that later derivations depend on."""

    key: str
    state: str
    person: str | None
    sent_at: datetime | None
    where: MessageRef | None = None  # for a prompt: the thread its nudges reply in


@dataclass(frozen=True)
class Claim:
    """A due delivery this worker holds under a lease, to send now."""

    id: int
    key: str
    kind: str
    recipient: Recipient
    meeting: str | None
    action_id: str | None
    person: str | None
    payload: dict[str, Any]
    attempts: int
    recover: bool  # found `sending` after its lease: look for it before sending again
    created_at: datetime
    expires_at: datetime | None


@dataclass(frozen=True)
class DeliveryRecord:
    """One ledger row as it stands (for the demo, tests and operators)."""

    id: int
    key: str
    kind: str
    recipient: Recipient
    state: str
    person: str | None
    action_id: str | None
    meeting: str | None
    attempts: int
    due_at: datetime
    sent_at: datetime | None
    platform: str | None
    where: MessageRef | None
    last_error: str | None
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)  # slots: a long-lived plan holds a hundred thousand of these
class PromptRecord:
    """A prompt that was sent, and the first update to its action after it (participation)."""

    person: str
    action_id: str
    sent_at: datetime
    meeting: str | None
    answered_at: datetime | None
    id: int = field(default=0, compare=False)  # the ledger row (a kept list is refreshed by it)
