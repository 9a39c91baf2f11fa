"""What the bot owes and when: every delivery derived from the meetings, the plan and `timings`.

Pure functions over a `Facts` snapshot (actions, people, latest updates, absences, and what the
ledger says was already sent). Each delivery has a unique key (kind, meeting, action or person), a
due time and an expiry: a prompt is useless once its meeting has started, a summary for a meeting
already held is stale. Deliveries are addressed to a person or a body for one chat platform: a
person with no identity on it (or a body with no channel there) is owed nothing on it.
`ncpi_core.usecases.ledger` records them and sends them once; `domain.preview` shows them ahead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.calendar import (
    WorkingDays,
    at_send_time,
    cycle_opening,
    local_to_utc,
    meetings_between,
)
from ncpi_core.domain.clocks import PlanClock, plan_clocks
from ncpi_core.domain.ledger import Kind, Owed, Recipient, Sent
from ncpi_core.domain.models import Action, ActionStatus, Body, Meeting, Person, Role, Update
from ncpi_core.domain.records import Absence

LOOKBACK = timedelta(days=21)  # meetings further back owe nothing (not even a stale record)
LOOKAHEAD = timedelta(days=60)  # far enough for any "N working days before" within limits
END_OF_WORKING_DAY = time(19, 0)  # messages to people wait for the next working day after this


@dataclass
class Facts:
    """What derivation reads: the plan, people (from ncpi.yaml), latest updates, absences, ledger."""

    actions: list[Action]
    people: dict[str, Person]
    latest: dict[str, Update]
    absences: list[Absence] = field(default_factory=list)
    ledger: dict[str, Sent] = field(default_factory=dict)
    published: date | None = None  # the report's publication day: the plan's clocks count from it

    def sent(self, key: str) -> Sent | None:
        s = self.ledger.get(key)
        return s if s is not None and s.state == "sent" and s.sent_at is not None else None

    def reachable(self, person: str | None, platform: str) -> bool:
        """Whether `person` has an identity on `platform` (nobody can be messaged without one)."""
        p = self.people.get(person) if person else None
        return p is not None and p.identity(platform) is not None


# --- keys --------------------------------------------------------------------------------------
def prompt_key(meeting: Meeting, action_id: str) -> str:
    return f"prompt:{meeting.key}:{action_id}"


def nudge_key(meeting: Meeting, action_id: str, step: int) -> str:
    return f"nudge:{meeting.key}:{action_id}:{step}"


def escalation_key(meeting: Meeting, chair: str) -> str:
    return f"escalation:{meeting.key}:{chair}"


def summary_key(meeting: Meeting) -> str:
    return f"{meeting.body.value}_summary:{meeting.key}"


def gold_reminder_key(meeting: Meeting, person: str) -> str:
    return f"gold_reminder:{meeting.key}:{person}"


def clock_reminder_key(clock: PlanClock, person: str) -> str:
    return f"clock_reminder:{clock.kind.value}:{clock.due.isoformat()}:{person}"


def chase_key(meeting_key: str, person: str, now: datetime) -> str:
    return f"chase:{meeting_key}:{person}:{now.astimezone(UTC).strftime('%Y%m%dT%H%MZ')}"


# --- who and when ------------------------------------------------------------------------------
def is_away(person: str, d0: date, absences: Iterable[Absence], d1: date | None = None) -> bool:
    """True when `person` is away on any day of d0..d1 (or on d0)."""
    return any(a.person == person and a.covers(d0, d1) for a in absences)


def responsible_for(action: Action, day: date, absences: list[Absence]) -> str:
    """The owner, or their deputy while the owner is away (the absence's, else the plan's)."""
    owner = action.owner
    for a in absences:
        if a.person == owner and a.covers(day):
            deputy = a.deputy or action.deputy
            if deputy and deputy != owner and not is_away(deputy, day, absences):
                return deputy
            return owner
    return owner


def wants_prompt(action: Action) -> bool:
    """Open actions in the plan are asked; proposed/accepted await review; closed get nothing."""
    return action.in_plan and action.status == ActionStatus.OPEN


def replied_since(action_id: str, since: datetime, latest: dict[str, Update]) -> bool:
    u = latest.get(action_id)
    return u is not None and u.created_at >= since


def working_days_before(meeting: Meeting, n: int, config: ForceConfig) -> datetime:
    """Send time on the working day `n` working days before the meeting (never after it starts)."""
    wd = WorkingDays(config.timings.bank_holidays)
    day = wd.add(meeting.starts_at.astimezone(config.tz).date(), -n)
    return min(at_send_time(day, config), meeting.starts_at)


def after_working_days(moment: datetime, n: int, config: ForceConfig) -> datetime:
    """Send time `n` working days after the local day of `moment`."""
    wd = WorkingDays(config.timings.bank_holidays)
    return at_send_time(wd.add(moment.astimezone(config.tz).date(), n), config)


def in_working_hours(now: datetime, config: ForceConfig) -> bool:
    """Whether a message to a person may go now: a working day, from send time to the end of the day."""
    local = now.astimezone(config.tz)
    wd = WorkingDays(config.timings.bank_holidays)
    return wd.is_working(local.date()) and config.timings.send_time <= local.time() < END_OF_WORKING_DAY


def gold_deadline(meeting: Meeting, config: ForceConfig) -> datetime:
    """Updates are needed before the Gold summary is posted."""
    return working_days_before(meeting, config.timings.gold_summary_working_days_before, config)


def thread_of(prompt: Sent) -> dict[str, Any]:
    """A nudge's payload names the thread of its prompt, to be posted as a reply in it."""
    if prompt.where is None:
        return {}
    return {"thread_conversation": prompt.where.conversation, "thread_message": prompt.where.message}


# --- derivation ----------------------------------------------------------------------------------
def _silver(m: Meeting, config: ForceConfig, facts: Facts, now: datetime, platform: str) -> list[Owed]:
    t = config.timings
    tz = config.tz
    out: list[Owed] = []
    opens = cycle_opening(m, config)
    expires = m.starts_at
    summary_due = m.starts_at - timedelta(hours=t.silver_summary_hours_before)
    if summary_due <= now and config.channel(Body.SILVER, platform) is not None:
        out.append(Owed(summary_key(m), Kind.SILVER_SUMMARY, summary_due, expires,
                        Recipient.of_body(Body.SILVER), meeting=m.key, payload={"level": "silver"}))
    if opens > now or opens >= expires:
        return out
    open_day = opens.astimezone(tz).date()
    unreplied: list[tuple[datetime, Action, str]] = []
    for action in facts.actions:
        if not wants_prompt(action):
            continue
        who = responsible_for(action, open_day, facts.absences)
        if not facts.reachable(who, platform):
            continue
        payload: dict[str, Any] = {"opens_at": opens.isoformat()}
        if who != action.owner:
            payload["on_behalf_of"] = action.owner
        out.append(Owed(prompt_key(m, action.id), Kind.PROMPT, opens, expires, Recipient.of_person(who),
                        meeting=m.key, action_id=action.id, person=who, payload=payload))
        prompt = facts.sent(prompt_key(m, action.id))
        if prompt is None or replied_since(action.id, opens, facts.latest):
            continue
        recipient = prompt.person or who
        if not facts.reachable(recipient, platform):
            continue
        previous: Sent = prompt
        for step in range(1, t.escalate_to_silver_chair_after_nudges + 1):
            assert previous.sent_at is not None
            due = after_working_days(previous.sent_at, t.nudge_after_working_days, config)
            if due > now or due >= expires:
                break
            if is_away(recipient, open_day, facts.absences, due.astimezone(tz).date()):
                break
            out.append(Owed(nudge_key(m, action.id, step), Kind.NUDGE, due, expires,
                            Recipient.of_person(recipient), meeting=m.key, action_id=action.id,
                            person=recipient,
                            payload={"opens_at": opens.isoformat(), "step": step, **thread_of(prompt)}))
            nxt = facts.sent(nudge_key(m, action.id, step))
            if nxt is None:
                break
            previous = nxt
        else:
            assert previous.sent_at is not None
            due = after_working_days(previous.sent_at, t.nudge_after_working_days, config)
            if due <= now and due < expires and not is_away(recipient, open_day, facts.absences,
                                                            due.astimezone(tz).date()):
                unreplied.append((due, action, recipient))
    if unreplied:
        due = min(u[0] for u in unreplied)
        missing = [{"action_id": a.id, "person": p} for _, a, p in unreplied]
        for chair in sorted(facts.people.values(), key=lambda p: p.id):
            if chair.has(Role.SILVER_CHAIR) and chair.identity(platform) is not None:
                out.append(Owed(escalation_key(m, chair.id), Kind.ESCALATION, due, expires,
                                Recipient.of_person(chair.id), meeting=m.key, person=chair.id,
                                payload={"opens_at": opens.isoformat(), "missing": missing}))
    return out


def _gold(m: Meeting, config: ForceConfig, facts: Facts, now: datetime, platform: str) -> list[Owed]:
    t = config.timings
    out: list[Owed] = []
    expires = m.starts_at
    summary_due = working_days_before(m, t.gold_summary_working_days_before, config)
    if summary_due <= now and summary_due < expires and config.channel(Body.GOLD, platform) is not None:
        out.append(Owed(summary_key(m), Kind.GOLD_SUMMARY, summary_due, expires, Recipient.of_body(Body.GOLD),
                        meeting=m.key, payload={"level": "gold"}))
    due = working_days_before(m, t.gold_reminder_working_days_before, config)
    if due > now or due >= expires:
        return out
    day = due.astimezone(config.tz).date()
    by_person: dict[str, list[str]] = {}
    for action in facts.actions:
        if wants_prompt(action):
            by_person.setdefault(responsible_for(action, day, facts.absences), []).append(action.id)
    for person, action_ids in sorted(by_person.items()):
        if facts.reachable(person, platform):
            out.append(Owed(gold_reminder_key(m, person), Kind.GOLD_REMINDER, due, expires,
                            Recipient.of_person(person), meeting=m.key, person=person,
                            payload={"action_ids": action_ids,
                                     "updates_by": gold_deadline(m, config).isoformat()}))
    return out


def clock_reminder_due(clock: PlanClock, config: ForceConfig) -> datetime:
    """Send time, `clock_reminder_working_days_before` working days before the clock's day."""
    wd = WorkingDays(config.timings.bank_holidays)
    return at_send_time(wd.add(clock.due, -config.timings.clock_reminder_working_days_before), config)


def _clocks(config: ForceConfig, facts: Facts, now: datetime, platform: str) -> list[Owed]:
    """A reminder of each of the plan's clocks to the Gold chair and the administrators; it is
    stale once the clock's day is over (and clocks long past owe nothing at all)."""
    out: list[Owed] = []
    for clock in plan_clocks(facts.published):
        due = clock_reminder_due(clock, config)
        expires = local_to_utc(clock.due + timedelta(days=1), time(0), config.tz)
        if due > now or expires < now - LOOKBACK:
            continue
        people = {p.id: p for p in facts.people.values() if p.has(Role.GOLD_CHAIR, Role.ADMIN)}
        for pid in sorted(people):
            if facts.reachable(pid, platform):
                out.append(Owed(clock_reminder_key(clock, pid), Kind.CLOCK_REMINDER, due, expires,
                                Recipient.of_person(pid), person=pid,
                                payload={"clock": clock.kind.value, "due": clock.due.isoformat(),
                                         "published": clock.published.isoformat()}))
    return out


def window_meetings(config: ForceConfig, now: datetime) -> list[Meeting]:
    return meetings_between(config, now - LOOKBACK, now + LOOKAHEAD)


def derive_owed(config: ForceConfig, facts: Facts, now: datetime, platform: str,
                meetings: list[Meeting] | None = None) -> list[Owed]:
    """Every delivery due at or before `now` for the meetings around it (expired ones included,
    so the ledger records them as stale rather than forgetting them).

    Args:
        config: the force's meetings, channels and timings.
        facts: the plan, people, latest updates, absences and ledger as they stand.
        now: aware UTC.
        platform: the chat platform the deliveries go out on (people without an identity on it,
            and bodies without a channel there, are owed nothing).
        meetings: override the meetings considered (default: LOOKBACK before to LOOKAHEAD after).
    """
    owed: list[Owed] = []
    for m in meetings if meetings is not None else window_meetings(config, now):
        if m.body == Body.SILVER:
            owed += _silver(m, config, facts, now, platform)
        else:
            owed += _gold(m, config, facts, now, platform)
    return owed + _clocks(config, facts, now, platform)
