"""Recommendation deadlines: when a recommendation is overdue, and actions planned past its deadline.

A recommendation is *overdue* when its due date has passed and any of its actions is not yet
delivered (signed off by Gold), embedded or superseded. An action due after its recommendation's
deadline cannot deliver the recommendation on time: it is flagged when the plan is loaded and in
the Gold summary.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ncpi_core.domain.models import CLOSED_STATUSES, Action, ActionStatus


@dataclass(frozen=True)
class LateAction:
    """An action due after its recommendation's deadline."""

    action_id: str
    due: date
    recommendation_id: str
    recommendation_due: date


def recommendation_overdue(due: date, statuses: Iterable[ActionStatus], today: date) -> bool:
    """Past `due` with any action not delivered, embedded or superseded."""
    return due < today and any(s not in CLOSED_STATUSES for s in statuses)


def due_after_deadline(action: Action, recommendation_due: date) -> bool:
    """An open action planned to finish after its recommendation's deadline."""
    return not action.is_closed and action.due > recommendation_due


def late_actions(plan: Iterable[tuple[str, date, Iterable[tuple[str, date]]]]) -> list[LateAction]:
    """Every action due after its recommendation's deadline, in plan order.

    Args:
        plan: (recommendation id, its due date, [(action id, its due date), …]) in plan order.
    """
    return [LateAction(aid, adue, rid, rdue) for rid, rdue, actions in plan for aid, adue in actions if adue > rdue]
