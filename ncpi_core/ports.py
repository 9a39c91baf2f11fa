"""The sending port: what the delivery ledger hands a chat adapter, and what it gets back.

The core decides *what* is owed and *whether* it was sent; an adapter (bot/delivery_sender.py for
Slack) renders the typed content below and posts it. Nothing here knows about Slack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from ncpi_core.domain.models import Action, Recommendation, Update

METADATA_EVENT_TYPE = "ncpi_delivery"


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
    person: str  # display name
    slack_user: str | None
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
    summary: Any  # ncpi_core.domain.summaries.Summary


@dataclass(frozen=True)
class ChaseContent:
    """A nudge someone asked for now (`/ncpi chase`)."""

    meeting_at: datetime | None
    actions: list[Action]
    chased_by: str | None


@dataclass(frozen=True)
class FailureContent:
    """To the admins: a delivery that could not be sent after every retry."""

    key: str
    kind: str
    target: str
    attempts: int
    error: str


Content = (PromptContent | NudgeContent | EscalationContent | GoldReminderContent | SummaryContent
           | ChaseContent | FailureContent)


@dataclass(frozen=True)
class Outgoing:
    """One message to send: where, what, and the ledger key it carries as metadata."""

    key: str
    kind: str
    target: str  # a user id (sent as a DM) or a channel id
    to_user: bool
    content: Content
    tz: ZoneInfo
    thread_channel: str | None = None
    thread_ts: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def metadata(self) -> dict[str, Any]:
        return {"event_type": METADATA_EVENT_TYPE, "event_payload": {"key": self.key}}


@dataclass(frozen=True)
class SentRef:
    channel: str
    ts: str


class SendFailed(Exception):
    """A send that did not succeed.

    Attributes:
        permanent: retrying cannot help (a bad channel, invalid blocks).
        outcome_unknown: the message may have been posted (a 5xx or a dropped connection after the
            request went out); the next attempt looks for it before sending again.
        blocked: nothing at all can be sent until a person fixes the app (a revoked token, a
            missing scope): not this delivery's fault, so it waits without using up its attempts.
        unreachable: Slack could not be reached at all (connection refused, timed out): the
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

    def send(self, message: Outgoing) -> SentRef:
        """Post `message` carrying `message.metadata`; raise SendFailed when it did not go."""
        ...

    def find_sent(self, message: Outgoing, since: datetime) -> SentRef | None:
        """The message already posted with this key (after a crash mid-send), or None."""
        ...
