"""Pacing Slack's methods: no pace until a 429 with evidence, then the rate Slack accepted, shared."""

from __future__ import annotations

import pytest

from bot.slack.pacing import SAFETY, MethodPace, Pacer, method_of, pacer_for


class FakeTime:
    """A clock that moves only when slept on (so the tests measure nothing real)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def pace_with(t: FakeTime, rate: float | None = None) -> MethodPace:
    return MethodPace("chat.postMessage", rate, clock=t.clock, sleep=t.sleep)


def test_an_unpaced_method_never_waits() -> None:
    t = FakeTime()
    pace = pace_with(t)
    for _ in range(100):
        assert pace.acquire() == 0.0
        pace.accepted()
    assert pace.rate is None and t.slept == []


def test_the_first_429_teaches_the_rate_slack_accepted_and_retry_after_holds_everyone() -> None:
    t = FakeTime()
    pace = pace_with(t)
    for _ in range(20):  # 20 accepted within half a second, then a refusal saying "wait 1 s"
        pace.acquire()
        pace.accepted()
        t.now += 0.025
    pace.refused(1.0)
    assert pace.rate == pytest.approx(20.0)
    waited = pace.acquire()
    assert waited == pytest.approx(1.0)  # Retry-After first
    gaps = [pace.acquire() for _ in range(5)]
    assert gaps == pytest.approx([1 / (20 * SAFETY)] * 5)  # then one call per slot, a little under the rate


def test_refusals_of_calls_already_in_flight_are_the_same_event() -> None:
    t = FakeTime()
    pace = pace_with(t)
    for _ in range(10):
        pace.accepted()
    pace.refused(1.0)
    pace.refused(1.0)
    pace.refused(1.0)  # three more threads met the same window
    assert pace.rate == pytest.approx(10.0) and pace.refusals == 3


def test_a_later_refusal_lowers_the_rate_and_a_lone_one_teaches_nothing() -> None:
    t = FakeTime()
    lone = pace_with(t)
    lone.accepted()
    lone.refused(1.0)  # a one-off 429 after a single call: no rate to learn from it
    assert lone.rate is None and lone.acquire() == pytest.approx(1.0)
    paced = pace_with(t, rate=10.0)
    for _ in range(10):
        paced.accepted()
    paced.refused(1.0)
    assert paced.rate == pytest.approx(9.0)


def test_a_per_minute_limit_is_learnt_from_its_retry_after() -> None:
    t = FakeTime()
    pace = pace_with(t)
    for _ in range(50):  # 50 opens in five seconds, then "wait 55 s": a limit of about 50 a minute
        pace.accepted()
        t.now += 0.1
    pace.refused(55.0)
    assert pace.rate == pytest.approx(50 / 55)


def test_one_pacer_per_workspace_in_the_process_and_one_pace_per_method() -> None:
    a = pacer_for("https://slack.test/api/", "xoxb-1")
    assert pacer_for("https://slack.test/api/", "xoxb-1") is a
    assert pacer_for("https://other.test/api/", "xoxb-1") is not a
    assert a.pace("chat.postMessage") is a.pace("chat.postMessage")
    assert a.pace("conversations.open") is not a.pace("chat.postMessage")
    assert isinstance(Pacer().pace("x"), MethodPace)
    assert method_of("https://slack.com/api/chat.postMessage") == "chat.postMessage"
