"""The delivery ledger on SQLite and PostgreSQL: once per key across ticks, threads, crashes and failures."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.calendar import WorkingDays
from ncpi_core.domain.deliveries import in_working_hours
from ncpi_core.domain.ledger import PERSONAL_KINDS, DeliveryRecord, Kind, Recipient
from ncpi_core.domain.records import Absence
from ncpi_core.ports import PromptContent, SendFailed
from ncpi_core.usecases.ledger import LEASE, MAX_ATTEMPTS, run_tick
from ncpi_core.usecases.ledger.content import ContentBuilder
from ncpi_core.usecases.ledger.record import derive_and_record
from ncpi_core.usecases.missing import request_chase
from tests.unit.ledger_world import FakePort

SILVER_8_MARCH = "silver:20220308T1400Z"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def rows(uow_factory: Any) -> dict[str, DeliveryRecord]:
    with uow_factory() as uow:
        return {r.key: r for r in uow.ledger.records()}


def ticks(config: ForceConfig, start: datetime, end: datetime) -> list[datetime]:
    """Each moment something falls due (from the preview) and a minute after, plus noon on each
    day off: a walk through the month that is quick enough to run on every commit."""
    out = set()
    for m in preview_all(config, start, end):
        out |= {m, m + timedelta(minutes=1)}
    day = start.replace(hour=12, minute=0)
    while day <= end:  # noon on every weekend day and bank holiday: nothing personal may go
        if not WorkingDays().is_working(day.date()):
            out.add(day)
        day += timedelta(days=1)
    return sorted(t for t in out if start <= t <= end)


def preview_all(config: ForceConfig, start: datetime, end: datetime) -> set[datetime]:
    from ncpi_core.config.schema import load_plan_file
    from ncpi_core.domain.deliveries import Facts
    from ncpi_core.domain.models import Action
    from ncpi_core.domain.preview import preview
    from tests.conftest import CONFIG_DIR

    plan = load_plan_file(CONFIG_DIR / "action_plan.yaml", config)
    actions = [Action(id=a.id, recommendation_id=r.id, title=a.title, owner=a.owner, due=a.due,
                      original_due=a.due) for r in plan.recommendations for a in r.actions]
    facts = Facts(actions, {p.id: p for p in config.persons()}, {})
    return {p.at for p in preview(config, facts, start, end, "slack")}


def test_a_tick_twice_sends_nothing_new(loaded: Any, force_config: ForceConfig) -> None:
    port = FakePort()
    now = utc(2022, 3, 1, 9)
    first = run_tick(loaded, force_config, port, now)
    prompts = [m for m in port.posted if m.kind == "prompt"]
    assert len(prompts) == 27 and first.sent == len(port.posted)
    assert isinstance(prompts[0].content, PromptContent)
    second = run_tick(loaded, force_config, port, now)
    third = run_tick(loaded, force_config, port, now + timedelta(minutes=1))
    assert second.sent == third.sent == second.inserted == 0
    assert max(port.counts().values()) == 1
    sent = rows(loaded)[f"prompt:{SILVER_8_MARCH}:R2.1"]
    assert sent.state == "sent" and sent.platform == "slack" and sent.where is not None
    assert sent.where.conversation == "D0FAKE" and sent.where.message


def test_a_month_of_ticks_sends_each_delivery_once_at_its_moment(loaded: Any,
                                                                   force_config: ForceConfig) -> None:
    port = FakePort()
    sent_at: dict[str, datetime] = {}
    for now in ticks(force_config, utc(2022, 3, 1), utc(2022, 3, 31, 23)):
        result = run_tick(loaded, force_config, port, now)
        for key in result.keys_sent:
            sent_at[key] = now
    counts = port.counts()
    assert counts and max(counts.values()) == 1
    by_kind = Counter(m.kind for m in port.posted)
    # two Silver cycles and a third opening on 29 March: 27 prompts each; nudges for the first two
    assert by_kind["prompt"] == 27 * 3
    assert by_kind["nudge"] == 27 * 3  # nobody replied (the 29 March cycle's nudges go on 31 March)
    assert by_kind["escalation"] == 2
    assert by_kind["silver_summary"] == 2
    assert by_kind["gold_summary"] == 3  # for 4 and 18 March, and for 1 April on 31 March
    assert by_kind["gold_reminder"] == 8 * 3  # for 4 March (late, on 1 March), 18 March and 1 April
    for m in port.posted:
        if m.kind in PERSONAL_KINDS:
            assert in_working_hours(sent_at[m.key], force_config), m.key
    assert sent_at[f"prompt:{SILVER_8_MARCH}:R2.1"] == utc(2022, 3, 1, 9)
    assert sent_at["prompt:silver:20220405T1300Z:R2.1"] == utc(2022, 3, 29, 8)  # 09:00 BST
    assert sent_at[f"silver_summary:{SILVER_8_MARCH}"] == utc(2022, 3, 8, 12)
    nudge = next(m for m in port.posted if m.key == f"nudge:{SILVER_8_MARCH}:R2.1:1")
    prompt = rows(loaded)[f"prompt:{SILVER_8_MARCH}:R2.1"]
    assert nudge.thread is not None and nudge.thread == prompt.where
    states = Counter(r.state for r in rows(loaded).values())
    assert set(states) <= {"sent", "stale", "pending"}


@pytest.mark.parametrize("workers", [3])
def test_concurrent_ticks_send_nothing_twice(loaded: Any, force_config: ForceConfig, workers: int) -> None:
    port = FakePort()
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []
    results = []

    def work() -> None:
        try:
            # replicas share one clock: each step starts together (a worker whose clock ran past
            # another's lease while that one was still sending would be a different system)
            for now in (utc(2022, 3, 1, 9), utc(2022, 3, 3, 9), utc(2022, 3, 7, 9)):
                barrier.wait()
                results.append(run_tick(loaded, force_config, port, now, batch=3))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    counts = port.counts()
    assert max(counts.values()) == 1
    assert sum(r.sent for r in results) == len(port.posted)
    assert Counter(m.kind for m in port.posted)["prompt"] == 27


def test_a_crash_mid_fan_out_neither_loses_nor_doubles(loaded: Any, force_config: ForceConfig) -> None:
    port = FakePort()
    now = utc(2022, 3, 1, 9)
    derive_and_record(loaded, force_config, "slack", now)
    # a worker claims 10 rows, posts 4 of them, and dies before recording anything
    with loaded() as uow:
        claims = uow.ledger.claim_due(now, "dead-worker", now + LEASE, 10)
        uow.commit()
    assert len(claims) == 10
    builder_port = FakePort()
    builder = ContentBuilder(loaded, force_config, now)
    for c in claims[:4]:
        message = builder.build(c)
        assert message is not None
        port.posted.append(message)
        builder_port.posted.append(message)
    # a restart within the lease leaves the claimed rows alone
    early = run_tick(loaded, force_config, port, now + timedelta(seconds=30))
    assert early.recovered == 0 and all(port.counts()[c.key] == 1 for c in claims[:4])
    later = run_tick(loaded, force_config, port, now + LEASE + timedelta(seconds=1))
    assert later.recovered == 4
    counts = port.counts()
    assert max(counts.values()) == 1
    assert all(counts[c.key] == 1 for c in claims)
    assert sum(1 for m in port.posted if m.kind == "prompt") == 27
    assert all(r.state == "sent" for r in rows(loaded).values() if r.kind == "prompt"
               and r.meeting == SILVER_8_MARCH)


def test_failures_retry_with_backoff_then_dead_and_reported_to_admins(loaded: Any,
                                                                      force_config: ForceConfig) -> None:
    port = FakePort()
    flaky = f"prompt:{SILVER_8_MARCH}:R2.1"
    broken = f"prompt:{SILVER_8_MARCH}:R2.2"
    port.failures[flaky] = [SendFailed("HTTP 503")]
    port.failures[broken] = [SendFailed("rate limited after every retry")] * (MAX_ATTEMPTS + 1)
    now = utc(2022, 3, 1, 9)
    first = run_tick(loaded, force_config, port, now)
    assert first.failed == 2
    r = rows(loaded)[flaky]
    assert r.state == "failed" and r.attempts == 1
    assert run_tick(loaded, force_config, port, now + timedelta(seconds=30)).sent == 0
    assert run_tick(loaded, force_config, port, now + timedelta(minutes=1)).keys_sent == [flaky]  # next_attempt_at
    t = now
    for _ in range(MAX_ATTEMPTS + 2):
        t += timedelta(hours=1)
        run_tick(loaded, force_config, port, t)
    assert port.counts()[flaky] == 1
    assert rows(loaded)[broken].state == "dead" and port.counts()[broken] == 0
    reports = [m for m in port.posted if m.kind == Kind.FAILURE_REPORT.value]
    assert [m.recipient for m in reports] == [Recipient.of_person("coordinator")]  # the one admin
    assert force_config.person("coordinator").identity("slack") == "U0CPC00001"  # type: ignore[union-attr]
    assert reports[0].content.key == broken  # type: ignore[union-attr]


def test_an_answer_lost_to_a_5xx_is_found_not_sent_again(loaded: Any, force_config: ForceConfig) -> None:
    port = FakePort()
    key = f"prompt:{SILVER_8_MARCH}:R3.2"
    port.failures[key] = [SendFailed("HTTP 500", outcome_unknown=True)]
    port.post_then_fail.add(key)  # Slack posted it, but the answer was an error
    now = utc(2022, 3, 1, 9)
    run_tick(loaded, force_config, port, now)
    assert rows(loaded)[key].state == "sending"
    result = run_tick(loaded, force_config, port, now + timedelta(minutes=2))
    assert result.recovered == 1 and port.counts()[key] == 1 and rows(loaded)[key].state == "sent"


def test_after_a_week_of_downtime_only_useful_deliveries_go(loaded: Any, force_config: ForceConfig) -> None:
    port = FakePort()
    run_tick(loaded, force_config, port, utc(2022, 2, 28, 9))
    before = len(port.posted)
    # down from Monday 28 Feb to Monday 7 March 10:00; Silver meets on the 8th
    result = run_tick(loaded, force_config, port, utc(2022, 3, 7, 10))
    new = port.posted[before:]
    assert Counter(m.kind for m in new) == {"prompt": 27}  # still useful: Silver is tomorrow
    state = rows(loaded)
    assert state["gold_summary:gold:20220304T1000Z"].state == "stale"
    assert state["gold_reminder:gold:20220304T1000Z:head_safeguarding"].state == "sent"  # sent on 28 Feb
    assert result.stale >= 1
    # the nudges would fall after the meeting: none is ever owed
    run_tick(loaded, force_config, port, utc(2022, 3, 8, 13))
    assert not [m for m in port.posted if m.kind in ("nudge", "escalation")]
    assert max(port.counts().values()) == 1


def test_prompts_go_to_the_deputy_of_an_owner_away(loaded: Any, force_config: ForceConfig) -> None:
    with loaded() as uow:
        uow.absences.add(Absence(person="head_safeguarding", start=date(2022, 2, 28), end=date(2022, 3, 4),
                                 deputy="head_crime", created_by="head_safeguarding", created_at=utc(2022, 2, 20)))
        uow.commit()
    port = FakePort()
    run_tick(loaded, force_config, port, utc(2022, 3, 1, 9))
    r21 = next(m for m in port.posted if m.key == f"prompt:{SILVER_8_MARCH}:R2.1")
    assert r21.recipient == Recipient.of_person("head_crime")
    assert r21.content.on_behalf_of == "Head of Safeguarding"  # type: ignore[union-attr]


def test_chase_queues_once_per_person_and_minute(loaded: Any, force_config: ForceConfig) -> None:
    port = FakePort()
    now = utc(2022, 3, 2, 11)
    run_tick(loaded, force_config, port, utc(2022, 3, 1, 9))
    tacc = force_config.person("tacc")
    assert tacc is not None
    chase = request_chase(loaded, force_config, tacc, now, "slack")
    assert chase.report.cycle is not None and chase.queued == len(chase.report.owing) == 8
    again = request_chase(loaded, force_config, tacc, now + timedelta(seconds=20), "slack").queued
    assert again == 0
    run_tick(loaded, force_config, port, now + timedelta(seconds=30))
    chases = [m for m in port.posted if m.kind == "chase"]
    assert len(chases) == 8 and max(port.counts().values()) == 1
    next_minute = request_chase(loaded, force_config, tacc, now + timedelta(minutes=1), "slack").queued
    assert next_minute == 8
