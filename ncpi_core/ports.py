"""The sending port: what the delivery ledger hands a chat front end, and what it gets back.

The core decides *what* is owed and *whether* it was sent; a front end's sender (`bot/<platform>/
sender.py`) renders the typed content below in its own words and posts it, mapping a person to a
direct conversation and a body to its channel. Nothing here knows a platform.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from ncpi_core.domain.ledger import MessageRef, Recipient
from ncpi_core.domain.models import Action, Recommendation, Update
from ncpi_core.domain.summaries.model import Summary


@dataclass(frozen=True)
class PromptContent:
    """Asks the person responsible for one action for this cycle's update."""

    action: Action
    recommendation: Recommendation | None
    latest: Update | None
    meeting_at: datetime
    updates_by: datetime
    on_behalf_of: str | None = None  # the owner's name when a deputy is asked


@dataclass(frozen=True)
class NudgeContent:
    action: Action
    step: int
    meeting_at: datetime
    asked_at: datetime


@dataclass(frozen=True)
class MissingLine:
    person: str  # person id (a front end may mention them)
    name: str  # display name
    action_ids: list[str]


@dataclass(frozen=True)
class EscalationContent:
    """To the Silver chair: who has not replied this cycle after being nudged."""

    meeting_at: datetime
    missing: list[MissingLine]


@dataclass(frozen=True)
class GoldReminderContent:
    meeting_at: datetime
    updates_by: datetime
    actions: list[Action]


@dataclass(frozen=True)
class SummaryContent:
    level: str  # silver | gold
    meeting_at: datetime
    summary: Summary


@dataclass(frozen=True)
class ChaseContent:
    """A nudge someone asked for now (chase)."""

    meeting_at: datetime | None
    actions: list[Action]
    chased_by: str | None


@dataclass(frozen=True)
class FailureContent:
    """To the admins: a delivery that could not be sent after every retry."""

    key: str
    kind: str
    recipient: str  # str(Recipient) of the delivery that failed
    attempts: int
    error: str


@dataclass(frozen=True)
class NoticeContent:
    """A workflow step's message to someone: a code and its parameters (the front end words it),
    and which decision buttons it carries (`review_closure`, `review_due`, `signoff`, or none)."""

    code: str
    params: dict[str, Any]
    kind: str = "info"
    action_id: str | None = None


@dataclass(frozen=True)
class ChallengeContent:
    """The Silver chair's question on an action's update, to the person responsible for it; it is
    answered like a prompt (a reply in its thread, the update form, or a message)."""

    action: Action
    question: str
    asked_by: str  # display name
    asked_at: datetime
    latest: Update | None  # the update as it stands (what was challenged, or newer)
    challenge_id: int
    on_behalf_of: str | None = None  # the owner's name when someone covering for them is asked


@dataclass(frozen=True)
class ClockReminderContent:
    """To the Gold chair and the administrators: one of the plan's clocks is near.

    `clock` is a `domain.clocks.ClockKind` value: `action_plan` (the inspectorate's six weeks for
    the force's action plan) or `pcc_response` (the PCC's 56 days, s55 Police Act 1996)."""

    clock: str
    due: date
    published: date
    days_left: int


Content = (PromptContent | NudgeContent | EscalationContent | GoldReminderContent | SummaryContent
           | ChaseContent | FailureContent | NoticeContent | ChallengeContent | ClockReminderContent)


@dataclass(frozen=True)
class Outgoing:
    """One message to send: to whom, what, and the ledger key that makes it owed once."""

    key: str
    kind: str
    recipient: Recipient
    content: Content
    tz: ZoneInfo
    thread: MessageRef | None = None  # post as a reply in this thread (a nudge under its prompt)
    extra: dict[str, Any] = field(default_factory=dict)  # attachments: chart_png, chart_name, chart_alt, chart_note


class SendFailed(Exception):
    """A send that did not succeed.

    Attributes:
        permanent: retrying cannot help (a bad channel, invalid content).
        outcome_unknown: the message may have been posted (a 5xx or a dropped connection after the
            request went out); the next attempt looks for it before sending again.
        blocked: nothing at all can be sent until a person fixes the app (a revoked token, a
            missing permission): not this delivery's fault, so it waits without using up its attempts.
        unreachable: the platform could not be reached at all (connection refused, timed out): the
            rest of the tick waits for the next one rather than queue behind the same failure.
    """

    def __init__(self, reason: str, *, permanent: bool = False, outcome_unknown: bool = False,
                 blocked: bool = False, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.outcome_unknown = outcome_unknown
        self.blocked = blocked
        self.unreachable = unreachable


class DeliveryPort(Protocol):
    """What the ledger needs from a chat platform."""

    platform: str  # the name people's identities and the config's channels use for it
    # Optional `max_in_flight: int`: how many sends the platform may have in flight at once. A
    # platform whose messages cannot be searched (find_sent always None) keeps it at 1, so that a
    # crash mid-send can repeat at most the one message whose answer it never heard.

    def send(self, message: Outgoing) -> MessageRef:
        """Post `message`; raise SendFailed when it did not go."""
        ...

    def find_sent(self, message: Outgoing, since: datetime) -> MessageRef | None:
        """The message already posted under this key (after a crash mid-send), or None."""
        ...
