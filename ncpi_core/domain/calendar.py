"""The governance calendar: meetings from RFC 5545 rules, working days, and each cycle's window.

Local dates and times are in the force's zone; everything returned is an aware UTC datetime, so
the March and October clock changes are handled by zoneinfo, not by arithmetic on hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from ncpi_core.config.schema import BANK_HOLIDAY_REGIONS, ForceConfig, RecurringMeeting, Timings
from ncpi_core.domain.models import Body, Meeting


@lru_cache(maxsize=8)
def _holidays(region: str, first_year: int, last_year: int) -> frozenset[date]:
    subdiv = BANK_HOLIDAY_REGIONS[region]
    if not subdiv:
        return frozenset()
    import holidays as holidays_lib  # loaded on the first working-day question, not by every command

    days = holidays_lib.country_holidays("GB", subdiv=subdiv, years=range(first_year, last_year + 1))
    return frozenset(days.keys())


class WorkingDays:
    """Weekdays that are not bank holidays in the configured part of the UK."""

    def __init__(self, region: str = "england-and-wales") -> None:
        self.region = region

    def is_holiday(self, d: date) -> bool:
        return d in _holidays(self.region, d.year - 1, d.year + 1)

    def is_working(self, d: date) -> bool:
        return d.weekday() < 5 and not self.is_holiday(d)

    def add(self, d: date, n: int) -> date:
        """The working day `n` working days after `d` (before it when n < 0)."""
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        while remaining:
            d += timedelta(days=step)
            if self.is_working(d):
                remaining -= 1
        return d

    def on_or_before(self, d: date) -> date:
        while not self.is_working(d):
            d -= timedelta(days=1)
        return d

    def on_or_after(self, d: date) -> date:
        while not self.is_working(d):
            d += timedelta(days=1)
        return d

    def count_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`."""
        n, d = 0, start
        while d < end:
            d += timedelta(days=1)
            if self.is_working(d):
                n += 1
        return n


def local_to_utc(d: date, t: time, tz: ZoneInfo) -> datetime:
    """A local wall-clock time as an aware UTC datetime (zoneinfo resolves the clock changes)."""
    return datetime.combine(d, t, tzinfo=tz).astimezone(UTC)


@lru_cache(maxsize=1024)
def _expand_year(rrule: str, rule_start: date, until: date | None, year: int) -> tuple[date, ...]:
    """One rule's dates in one calendar year (kept: every summary and tick asks again)."""
    first = max(date(year, 1, 1), rule_start)
    last = min(date(year, 12, 31), until) if until else date(year, 12, 31)
    if last < first:
        return ()
    r = rrulestr(rrule, dtstart=datetime.combine(rule_start, time(0, 0)))
    return tuple(x.date() for x in r.between(datetime.combine(first, time(0)),
                                             datetime.combine(last, time(23, 59)), inc=True))


def _expand(rule: RecurringMeeting, start: date, end: date) -> list[date]:
    return [d for year in range(start.year, end.year + 1)
            for d in _expand_year(rule.rrule, rule.start, rule.until, year) if start <= d <= end]


def meetings_between(config: ForceConfig, start: datetime, end: datetime,
                     body: Body | None = None) -> list[Meeting]:
    """Meetings starting in [start, end], from the rules, plus extras, less cancellations."""
    tz = config.tz
    d0 = start.astimezone(tz).date() - timedelta(days=1)
    d1 = end.astimezone(tz).date() + timedelta(days=1)
    cancelled = {(c.body, c.date) for c in config.meetings.cancelled}
    found: dict[tuple[Body, date], datetime] = {}
    for b, rules in ((Body.GOLD, config.meetings.gold), (Body.SILVER, config.meetings.silver)):
        for rule in rules:
            for d in _expand(rule, d0, d1):
                found[(b, d)] = local_to_utc(d, rule.time, tz)
    for extra in config.meetings.extra:
        if d0 <= extra.date <= d1:
            found[(extra.body, extra.date)] = local_to_utc(extra.date, extra.time, tz)
    meetings = [
        Meeting(body=b, starts_at=at)
        for (b, d), at in found.items()
        if (b, d) not in cancelled and start <= at <= end and (body is None or b == body)
    ]
    return sorted(meetings, key=lambda m: (m.starts_at, m.body.value))


def next_meetings(config: ForceConfig, now: datetime, count: int = 4, body: Body | None = None,
                  horizon_days: int = 400) -> list[Meeting]:
    return meetings_between(config, now, now + timedelta(days=horizon_days), body)[:count]


def previous_meeting(config: ForceConfig, now: datetime, body: Body,
                     horizon_days: int = 400) -> Meeting | None:
    """The latest meeting of `body` that started before `now`."""
    past = meetings_between(config, now - timedelta(days=horizon_days), now - timedelta(seconds=1), body)
    return past[-1] if past else None


def at_send_time(d: date, config: ForceConfig) -> datetime:
    return local_to_utc(d, config.timings.send_time, config.tz)


@dataclass(frozen=True)
class Cycle:
    """The window before one Silver meeting in which updates are asked for."""

    meeting: Meeting
    opens_at: datetime  # the prompts go out: N working days before the meeting, at send time

    @property
    def closes_at(self) -> datetime:
        return self.meeting.starts_at


def cycle_opening(meeting: Meeting, config: ForceConfig, timings: Timings | None = None) -> datetime:
    timings = timings or config.timings
    wd = WorkingDays(timings.bank_holidays)
    meeting_day = meeting.starts_at.astimezone(config.tz).date()
    day = wd.add(meeting_day, -timings.prompt_working_days_before_silver)
    return min(at_send_time(day, config), meeting.starts_at)


def cycle_for(meeting: Meeting, config: ForceConfig) -> Cycle:
    return Cycle(meeting=meeting, opens_at=cycle_opening(meeting, config))


def current_cycle(config: ForceConfig, now: datetime) -> Cycle | None:
    """The most recently opened cycle at `now` (its meeting may be ahead or just past)."""
    window = meetings_between(config, now - timedelta(days=120), now + timedelta(days=60), Body.SILVER)
    opened = [c for c in (cycle_for(m, config) for m in window) if c.opens_at <= now]
    return opened[-1] if opened else None


def cycle_openings(config: ForceConfig, start: datetime, end: datetime) -> list[datetime]:
    """When each update cycle opened between `start` and `end` (the prompts went out), oldest first."""
    window = meetings_between(config, start, end + timedelta(days=60), Body.SILVER)
    return [o for o in (cycle_opening(m, config) for m in window) if start <= o <= end]
