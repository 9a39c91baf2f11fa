"""The plan's clocks: the dates that count from the report's publication (`plan.published`).

The inspectorate asks for the force's action plan within six weeks of publication, and the
Police and Crime Commissioner must publish comments on the report within 56 days (s55 Police Act
1996). Both are calendar days. A clock runs until its day has passed; reminders go to the Gold
chair and the administrators `clock_reminder_working_days_before` working days before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class ClockKind(StrEnum):
    ACTION_PLAN = "action_plan"  # the inspectorate's six-week date for the force's action plan
    PCC_RESPONSE = "pcc_response"  # the PCC's 56-day response, s55 Police Act 1996


CLOCK_DAYS = {ClockKind.ACTION_PLAN: 42, ClockKind.PCC_RESPONSE: 56}


@dataclass(frozen=True)
class PlanClock:
    """One clock: what is due, on which day, counted from which publication date."""

    kind: ClockKind
    due: date
    published: date

    @property
    def days(self) -> int:
        return CLOCK_DAYS[self.kind]

    def days_left(self, today: date) -> int:
        """Calendar days from `today` to the due day (0 on the day itself)."""
        return (self.due - today).days


def plan_clocks(published: date | None) -> list[PlanClock]:
    """Every clock of a plan published on `published` (none when the date is not known), by due day."""
    if published is None:
        return []
    return sorted((PlanClock(kind, published + timedelta(days=n), published) for kind, n in CLOCK_DAYS.items()),
                  key=lambda c: (c.due, c.kind.value))


def running_clocks(published: date | None, today: date) -> list[PlanClock]:
    """The clocks that have not passed yet on `today` (a clock is shown on its own day too)."""
    return [c for c in plan_clocks(published) if c.due >= today]
