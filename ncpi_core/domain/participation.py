"""Participation: per lead and per cycle, the share of prompts answered and how fast.

A prompt is a ledger row of kind `prompt` that was sent. It counts as answered by the first
update to its action after it was sent and before the next prompt for that action; the response
time is the gap between the two. `ncpi_core.usecases.summaries` reads the prompts.
"""

from __future__ import annotations

import bisect
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class PromptSent:
    person: str
    action_id: str
    sent_at: datetime
    cycle: str  # the meeting key the prompt was for (or the date it was sent)


@dataclass(frozen=True)
class LeadCycle:
    person: str
    name: str
    cycle: str
    prompts: int
    answered: int
    median_response: timedelta | None

    @property
    def share(self) -> float:
        return self.answered / self.prompts if self.prompts else 0.0


@dataclass(frozen=True)
class Participation:
    rows: list[LeadCycle]  # ordered by cycle, then person

    @property
    def cycles(self) -> list[str]:
        return sorted({r.cycle for r in self.rows})

    def latest(self) -> list[LeadCycle]:
        """The rows of the most recent cycle that had prompts."""
        cycles = self.cycles
        return [r for r in self.rows if r.cycle == cycles[-1]] if cycles else []

    def overall(self) -> list[LeadCycle]:
        """One row per lead over every cycle (cycle "all")."""
        by: dict[str, list[LeadCycle]] = {}
        for r in self.rows:
            by.setdefault(r.person, []).append(r)
        out = []
        for person, rows in sorted(by.items()):
            medians = [r.median_response for r in rows if r.median_response is not None]
            out.append(LeadCycle(person, rows[0].name, "all", sum(r.prompts for r in rows),
                                 sum(r.answered for r in rows),
                                 _median(medians) if medians else None))
        return out


def _median(values: list[timedelta]) -> timedelta:
    return timedelta(seconds=statistics.median(v.total_seconds() for v in values))


def build_participation(prompts: list[PromptSent], updates: dict[str, list[datetime]],
                        names: dict[str, str] | None = None) -> Participation:
    """Count answered prompts and the median response time per (lead, cycle).

    Args:
        prompts: the prompts that were sent.
        updates: for each action id, the times of its updates (any order).
        names: person id -> display name.
    """
    names = names or {}
    times = {k: sorted(v) for k, v in updates.items()}
    by_action: dict[str, list[PromptSent]] = {}
    for p in prompts:
        by_action.setdefault(p.action_id, []).append(p)
    groups: dict[tuple[str, str], list[timedelta | None]] = {}
    for action_id, ps in by_action.items():
        ps.sort(key=lambda p: p.sent_at)
        upd = times.get(action_id, [])
        for i, p in enumerate(ps):
            until = ps[i + 1].sent_at if i + 1 < len(ps) else None
            j = bisect.bisect_left(upd, p.sent_at)
            answer = upd[j] if j < len(upd) and (until is None or upd[j] < until) else None
            groups.setdefault((p.cycle, p.person), []).append(answer - p.sent_at if answer else None)
    rows = []
    for (cycle, person), gaps in sorted(groups.items()):
        answered = [g for g in gaps if g is not None]
        rows.append(LeadCycle(person, names.get(person, person), cycle, len(gaps), len(answered),
                              _median(answered) if answered else None))
    return Participation(rows=rows)


def cycle_label(meeting_key: str | None, sent_at: datetime, tz: ZoneInfo) -> str:
    """The cycle a prompt belongs to: its meeting's date (or, without one, the local day it was sent)."""
    if meeting_key and ":" in meeting_key:
        stamp = meeting_key.split(":", 1)[1]
        try:
            return datetime.strptime(stamp, "%Y%m%dT%H%MZ").date().isoformat()
        except ValueError:
            return meeting_key
    return sent_at.astimezone(tz).date().isoformat()


def format_duration(d: timedelta | None) -> str:
    """'2d 3h', '5h 10m', '12m' or '–'."""
    if d is None:
        return "–"
    minutes = int(d.total_seconds() // 60)
    days, rem = divmod(minutes, 24 * 60)
    hours, mins = divmod(rem, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {mins}m"
    return f"{mins}m"
