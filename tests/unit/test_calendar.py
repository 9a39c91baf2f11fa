"""The governance calendar across 2022: meeting rules, extras, cancellations, working days, clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.calendar import (
    WorkingDays,
    at_send_time,
    current_cycle,
    cycle_for,
    cycle_opening,
    local_to_utc,
    meetings_between,
    next_meetings,
    previous_meeting,
)
from ncpi_core.domain.models import Body, Meeting

LONDON = ZoneInfo("Europe/London")
YEAR = (datetime(2022, 1, 1, tzinfo=UTC), datetime(2022, 12, 31, 23, 59, tzinfo=UTC))


def _local_dates(meetings: list[Meeting]) -> list[date]:
    return [m.starts_at.astimezone(LONDON).date() for m in meetings]


def test_gold_fortnightly_from_4_february_then_monthly_on_the_first_friday(force_config: ForceConfig) -> None:
    gold = _local_dates(meetings_between(force_config, *YEAR, body=Body.GOLD))
    fortnightly = [d for d in gold if d <= date(2022, 5, 27)]
    assert fortnightly[0] == date(2022, 2, 4)
    assert date(2022, 2, 18) in fortnightly and date(2022, 3, 4) in fortnightly
    # the rule's dates, less Good Friday (cancelled), plus the two extras of April
    assert date(2022, 4, 15) not in gold
    assert {date(2022, 4, 8), date(2022, 4, 14)} <= set(gold)
    monthly = [d for d in gold if d > date(2022, 6, 30)]
    assert monthly == [date(2022, m, 1) + timedelta(days=(4 - date(2022, m, 1).weekday()) % 7)
                       for m in range(7, 13)]
    assert all(d.weekday() == 4 and d.day <= 7 for d in monthly)
    # the Jubilee Friday is cancelled and moved a week on
    assert date(2022, 6, 3) not in gold and date(2022, 6, 10) in gold
    assert len(gold) == len(set(gold))


def test_silver_fortnightly_tuesdays_less_the_cancelled_one(force_config: ForceConfig) -> None:
    silver = _local_dates(meetings_between(force_config, *YEAR, body=Body.SILVER))
    assert silver[0] == date(2022, 2, 8)
    assert date(2022, 4, 19) not in silver
    assert all(d.weekday() == 1 for d in silver)
    gaps = {(b - a).days for a, b in zip(silver, silver[1:], strict=False)}
    assert gaps == {14, 28}  # 28 only across the cancelled 19 April


def test_meeting_times_are_local_across_both_clock_changes(force_config: ForceConfig) -> None:
    by_day = {m.starts_at.astimezone(LONDON).date(): m for m in meetings_between(force_config, *YEAR)}
    # Gold 18 March (GMT): 10:00 local is 10:00 UTC; Gold 1 April (BST): 09:00 UTC
    assert by_day[date(2022, 3, 18)].starts_at == datetime(2022, 3, 18, 10, tzinfo=UTC)
    assert by_day[date(2022, 4, 1)].starts_at == datetime(2022, 4, 1, 9, tzinfo=UTC)
    # Silver 18 October (BST) 13:00 UTC; Silver 1 November (GMT) 14:00 UTC
    assert by_day[date(2022, 10, 18)].starts_at == datetime(2022, 10, 18, 13, tzinfo=UTC)
    assert by_day[date(2022, 11, 1)].starts_at == datetime(2022, 11, 1, 14, tzinfo=UTC)
    for m in by_day.values():
        assert m.starts_at.tzinfo is not None
        assert m.starts_at.astimezone(LONDON).time() in (time(10), time(14), time(9))


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [(date(2022, 3, 25), 9), (date(2022, 3, 28), 8), (date(2022, 10, 28), 8), (date(2022, 10, 31), 9)],
)
def test_send_time_0900_local_either_side_of_the_clock_changes(force_config: ForceConfig, day: date,
                                                                utc_hour: int) -> None:
    assert at_send_time(day, force_config) == datetime.combine(day, time(utc_hour), tzinfo=UTC)
    assert local_to_utc(day, time(9), LONDON).hour == utc_hour


@pytest.mark.parametrize(
    "day",
    [date(2022, 1, 3), date(2022, 4, 15), date(2022, 4, 18), date(2022, 5, 2), date(2022, 6, 2),
     date(2022, 6, 3), date(2022, 8, 29), date(2022, 9, 19), date(2022, 12, 26), date(2022, 12, 27)],
)
def test_england_and_wales_bank_holidays_of_2022_are_not_working_days(day: date) -> None:
    wd = WorkingDays("england-and-wales")
    assert wd.is_holiday(day) and not wd.is_working(day)


def test_weekends_are_not_working_days_and_scotland_differs() -> None:
    wd = WorkingDays()
    assert not wd.is_working(date(2022, 3, 5)) and not wd.is_working(date(2022, 3, 6))
    assert wd.is_working(date(2022, 3, 7))
    assert WorkingDays("scotland").is_working(date(2022, 4, 18))  # no Easter Monday holiday there
    assert WorkingDays("none").is_working(date(2022, 12, 26))


def test_working_day_arithmetic_skips_weekends_and_bank_holidays() -> None:
    wd = WorkingDays()
    assert wd.add(date(2022, 3, 8), -5) == date(2022, 3, 1)
    # the Jubilee: Tue 7 June less 5 working days skips Thu 2 and Fri 3 June and the weekend
    assert wd.add(date(2022, 6, 7), -5) == date(2022, 5, 27)
    # the State Funeral: Tue 20 September less 1 is Fri 16 September
    assert wd.add(date(2022, 9, 20), -1) == date(2022, 9, 16)
    # Easter: Thu 14 April plus 1 is Tue 19 April
    assert wd.add(date(2022, 4, 14), 1) == date(2022, 4, 19)
    assert wd.add(date(2022, 3, 8), 0) == date(2022, 3, 8)
    assert wd.on_or_before(date(2022, 6, 3)) == date(2022, 6, 1)
    assert wd.on_or_after(date(2022, 6, 2)) == date(2022, 6, 6)
    assert wd.count_between(date(2022, 4, 14), date(2022, 4, 19)) == 1


def test_every_cycle_of_the_year_opens_on_a_working_day_at_send_time(force_config: ForceConfig) -> None:
    wd = WorkingDays()
    for m in meetings_between(force_config, *YEAR, body=Body.SILVER):
        opens = cycle_opening(m, force_config)
        local = opens.astimezone(LONDON)
        assert wd.is_working(local.date()), m
        assert local.time() == time(9, 0)
        meeting_day = m.starts_at.astimezone(LONDON).date()
        assert wd.add(meeting_day, -5) == local.date()
        # a meeting on a bank holiday (27 Dec) counts back from itself, not from the day before
        assert wd.count_between(local.date(), meeting_day) == (5 if wd.is_working(meeting_day) else 4)


def test_cycle_opening_across_the_march_clock_change(force_config: ForceConfig) -> None:
    silver_5_april = next(m for m in meetings_between(force_config, *YEAR, body=Body.SILVER)
                          if m.starts_at.date() == date(2022, 4, 5))
    cycle = cycle_for(silver_5_april, force_config)
    assert cycle.opens_at == datetime(2022, 3, 29, 8, tzinfo=UTC)  # 09:00 BST
    assert cycle.closes_at == datetime(2022, 4, 5, 13, tzinfo=UTC)  # 14:00 BST


def test_current_next_and_previous(force_config: ForceConfig) -> None:
    now = datetime(2022, 3, 2, 12, tzinfo=UTC)
    cycle = current_cycle(force_config, now)
    assert cycle is not None and cycle.meeting.starts_at == datetime(2022, 3, 8, 14, tzinfo=UTC)
    nxt = next_meetings(force_config, now, count=3)
    assert [(m.body, m.starts_at.date()) for m in nxt] == [
        (Body.GOLD, date(2022, 3, 4)), (Body.SILVER, date(2022, 3, 8)), (Body.GOLD, date(2022, 3, 18))]
    prev = previous_meeting(force_config, now, Body.GOLD)
    assert prev is not None and prev.starts_at == datetime(2022, 2, 18, 10, tzinfo=UTC)
    # before the cycle opens, the current cycle is the one before
    before = current_cycle(force_config, datetime(2022, 3, 1, 8, 59, tzinfo=UTC))
    assert before is not None and before.meeting.starts_at.date() == date(2022, 2, 22)


def test_meeting_keys_are_unique_and_stable(force_config: ForceConfig) -> None:
    ms = meetings_between(force_config, *YEAR)
    assert len({m.key for m in ms}) == len(ms)
    assert ms[0].key == "gold:20220204T1000Z"
