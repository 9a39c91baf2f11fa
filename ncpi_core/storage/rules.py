"""Rules both storage implementations apply in the same words, so the in-memory fake cannot
drift from SQL: which action fields may change, how audit values are kept, and the column values
each step of a ledger row's life writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from ncpi_core.domain.ledger import DeliveryState, Kind, MessageRef

CHANGEABLE_ACTION_FIELDS = frozenset({"recommendation_id", "title", "owner", "deputy", "due",
                                      "original_due", "status", "in_plan", "position"})
RETRYABLE_STATES = (DeliveryState.PENDING.value, DeliveryState.FAILED.value)
DONE_STATES = frozenset({DeliveryState.SKIPPED.value, DeliveryState.STALE.value})
# a reply in the thread of one of these is an update to its action
THREAD_KINDS = (Kind.PROMPT.value, Kind.NUDGE.value, Kind.CHALLENGE.value)

NO_LEASE: dict[str, Any] = {"lease_owner": None, "lease_until": None}


def utc(value: datetime) -> datetime:
    """An aware time in UTC; a naive one is refused, as the database columns refuse it."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to storage; pass an aware UTC time")
    return value.astimezone(UTC)


def plain(value: Any) -> Any:
    """An enum's stored value (the column holds the string)."""
    return value.value if isinstance(value, Enum) else value


def action_changes(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values `change_action` may write, as stored; anything else is a caller's mistake."""
    wrong = set(values) - CHANGEABLE_ACTION_FIELDS
    if wrong:
        raise ValueError(f"change_action cannot write {sorted(wrong)}")
    return {k: plain(v) for k, v in values.items()}


def audit_text(value: object) -> str | None:
    """Audit old/new values are kept as text (a date as its ISO form)."""
    return None if value is None else str(plain(value))


def claimed(worker: str, lease_until: datetime, attempts: int) -> dict[str, Any]:
    return {"state": DeliveryState.SENDING.value, "lease_owner": worker,
            "lease_until": utc(lease_until), "attempts": attempts + 1}


def sent(platform: str, where: MessageRef, at: datetime) -> dict[str, Any]:
    return {"state": DeliveryState.SENT.value, "platform": platform, "conversation": where.conversation,
            "message_ref": where.message, "sent_at": utc(at), "last_error": None, **NO_LEASE}


def done(state: str) -> dict[str, Any]:
    if state not in DONE_STATES:
        raise ValueError(f"a claimed delivery ends as one of {sorted(DONE_STATES)}, not {state!r}")
    return {"state": state, **NO_LEASE}


def retry(retry_at: datetime, error: str, *, outcome_unknown: bool,
          attempts: int | None) -> dict[str, Any]:
    if outcome_unknown:
        # stays `sending` with no owner: whoever claims it after retry_at looks before resending
        values: dict[str, Any] = {"lease_owner": None, "lease_until": utc(retry_at), "last_error": error}
    else:
        values = {"state": DeliveryState.FAILED.value, "next_attempt_at": utc(retry_at),
                  "last_error": error, **NO_LEASE}
    if attempts is not None:
        values["attempts"] = attempts
    return values


def dead(error: str) -> dict[str, Any]:
    return {"state": DeliveryState.DEAD.value, "last_error": error, **NO_LEASE}


def stale() -> dict[str, Any]:
    return {"state": DeliveryState.STALE.value, **NO_LEASE}
