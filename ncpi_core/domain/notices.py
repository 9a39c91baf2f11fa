"""What a workflow step did, and who must now be told: codes and parameters, never words.

A front end words an `Outcome` for the person who acted and each `Notice` for the person it is
addressed to (bot/copy.py for the chat front ends). Notice parameters are JSON-plain (str, int,
bool, lists of them; dates as ISO strings) because notices are stored in the delivery ledger
before they are sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ncpi_core.domain.models import Action

# which decision a notice asks for: the front end adds the matching buttons (or none for info)
NoticeKind = Literal["info", "review_closure", "review_due", "signoff"]
NOTICE_KINDS: tuple[NoticeKind, ...] = ("info", "review_closure", "review_due", "signoff")


@dataclass(frozen=True)
class Notice:
    """One message one person must now receive about a workflow step."""

    person: str  # person id
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    kind: NoticeKind = "info"
    action_id: str | None = None


@dataclass
class Outcome:
    """What a workflow step did.

    Attributes:
        code, params: what to tell the person who acted.
        action: the action as it stands after the step (None for an absence).
        notices: who must be told, and what.
        delivery_keys: the ledger keys the notices were queued under (send them with
            `usecases.ledger.send_now`; the tick sends whatever that could not).
        request_id: the request (closure, due change) or absence the step wrote or decided.
        recommendation_complete: the recommendation this step completed, if any.
    """

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    action: Action | None = None
    notices: list[Notice] = field(default_factory=list)
    delivery_keys: list[str] = field(default_factory=list)
    request_id: int | None = None
    recommendation_complete: str | None = None
