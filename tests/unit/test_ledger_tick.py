"""The tick on the in-memory store: claiming under a lease, retries, and each delivery sent once.

The same rules run on SQLite and PostgreSQL in tests/integration/test_deliveries_ledger.py; here
they run in milliseconds, one rule at a time.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from ledger_world import SILVER_8_MARCH, FakePort, seed, utc

from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain.ledger import Kind, MessageRef, Owed, Recipient
from ncpi_core.domain.models import RAG, Source, Update
from ncpi_core.domain.records import Absence
from ncpi_core.ports import PromptContent, SendFailed
from ncpi_core.storage.memory import MemoryUowFactory
from ncpi_core.usecases.ledger import LEASE, MAX_ATTEMPTS, run_tick
from ncpi_core.usecases.ledger.content import ContentBuilder
from ncpi_core.usecases.ledger.record import derive_and_record

MARCH_1_0900 = utc(2022, 3, 1, 9)
R21 = f"prompt:{SILVER_8_MARCH}:R2.1"
R22 = f"prompt:{SILVER_8_MARCH}:R2.2"


@pytest.fixture
def world(force_config: ForceConfig, plan_file: PlanFile) -> MemoryUowFactory:
    return seed(MemoryUowFactory(), force_config, plan_file)


def record(world: MemoryUowFactory, key: str):  # type: ignore[no-untyped-def]
    with world() as uow:
        found = uow.ledger.get(key)
    assert found is not None, key
    return found


def claim(world: MemoryUowFactory, now: datetime, worker: str, limit: int = 10):  # type: ignore[no-untyped-def]
    with world() as uow:
        claims = uow.ledger.claim_due(now, worker, now + LEASE, limit)
        uow.commit()
    return claims


def test_a_tick_sends_each_prompt_once_and_records_where(world: MemoryUowFactory, force_config: ForceConfig) -> None:
    port = FakePort()
    first = run_tick(world, force_config, port, MARCH_1_0900)
    prompts = [m for m in port.posted if m.kind == "prompt"]
    assert len(prompts) == 27 and first.sent == len(port.posted) == first.inserted - first.stale
    assert isinstance(prompts[0].content, PromptContent)
    assert run_tick(world, force_config, port, MARCH_1_0900).sent == 0
    again = run_tick(world, force_config, port, MARCH_1_0900 + timedelta(minutes=1))
    assert again.sent == again.inserted == 0 and max(port.counts().values()) == 1
    sent = record(world, R21)
    assert sent.state == "sent" and sent.platform == "slack" and sent.where is not None
    assert sent.recipient == Recipient.of_person("head_safeguarding") and sent.attempts == 1


def test_batches_and_the_limit_leave_the_rest_for_the_next_tick(world: MemoryUowFactory,
                                                               force_config: ForceConfig) -> None:
    port = FakePort()
    result = run_tick(world, force_config, port, MARCH_1_0900, batch=4, limit=8, senders=2)
    due = result.inserted - result.stale  # 27 prompts and the late Gold reminders for 4 March
    assert result.sent == 8 and due == 35
    assert run_tick(world, force_config, port, MARCH_1_0900, batch=4).sent == due - 8
    assert max(port.counts().values()) == 1


def test_a_row_claimed_by_a_dead_worker_waits_out_its_lease_then_is_found_not_resent(
        world: MemoryUowFactory, force_config: ForceConfig) -> None:
    port = FakePort()
    derive_and_record(world, force_config, "slack", MARCH_1_0900)
    claims = claim(world, MARCH_1_0900, "dead-worker", limit=10)
    builder = ContentBuilder(world, force_config, MARCH_1_0900)
    for c in claims[:4]:  # it posted four, then died before recording anything
        message = builder.build(c)
        assert message is not None
        port.posted.append(message)
    early = run_tick(world, force_config, port, MARCH_1_0900 + timedelta(seconds=30))
    assert early.sent == 25 and early.recovered == 0  # the ten leased rows of the 35 are left alone
    assert record(world, claims[5].key).state == "sending"
    later = run_tick(world, force_config, port, MARCH_1_0900 + LEASE + timedelta(seconds=1))
    assert later.recovered == 4 and later.sent == 6  # looked up first: four found, six really sent
    assert port.finds == 10
    assert max(port.counts().values()) == 1 and len(port.counts()) == 35
    assert {record(world, c.key).state for c in claims} == {"sent"}


def test_a_worker_that_stalled_past_its_lease_leaves_the_row_to_its_new_owner(
        world: MemoryUowFactory, force_config: ForceConfig) -> None:
    derive_and_record(world, force_config, "slack", MARCH_1_0900)
    [stalled] = claim(world, MARCH_1_0900, "slow", limit=1)
    later = MARCH_1_0900 + LEASE + timedelta(seconds=1)
    [taken] = claim(world, later, "fast", limit=1)
    assert taken.key == stalled.key and taken.recover and taken.attempts == 2
    with world() as uow:
        assert not uow.ledger.still_mine(stalled.id, "slow")
        assert not uow.ledger.mark_sent(stalled.id, "slow", "slack", MessageRef("D1", "1.0"), later)
        assert uow.ledger.still_mine(taken.id, "fast")


def test_a_failure_backs_off_then_gives_up_and_tells_the_admins(world: MemoryUowFactory,
                                                                force_config: ForceConfig) -> None:
    port = FakePort()
    port.failures[R21] = [SendFailed("HTTP 503")]
    port.failures[R22] = [SendFailed("rate limited after every retry")] * (MAX_ATTEMPTS + 1)
    first = run_tick(world, force_config, port, MARCH_1_0900)
    assert first.failed == 2 and set(first.failed_keys) == {R21, R22}
    flaky = record(world, R21)
    assert flaky.state == "failed" and flaky.attempts == 1 and flaky.last_error == "HTTP 503"
    assert run_tick(world, force_config, port, MARCH_1_0900 + timedelta(seconds=30)).sent == 0  # backoff: 1 min
    assert run_tick(world, force_config, port, MARCH_1_0900 + timedelta(minutes=1)).keys_sent == [R21]
    t = MARCH_1_0900
    for _ in range(MAX_ATTEMPTS + 2):
        t += timedelta(hours=1)
        run_tick(world, force_config, port, t)
    broken = record(world, R22)
    assert broken.state == "dead" and broken.attempts == MAX_ATTEMPTS and port.counts()[R22] == 0
    reports = [m for m in port.posted if m.kind == Kind.FAILURE_REPORT.value]
    assert [m.recipient for m in reports] == [Recipient.of_person("coordinator")]  # the one admin
    assert reports[0].content.key == R22  # type: ignore[union-attr]
    assert reports[0].content.recipient == "person:head_safeguarding"  # type: ignore[union-attr]


def test_a_permanent_refusal_is_dead_at_once(world: MemoryUowFactory, force_config: ForceConfig) -> None:
    port = FakePort()
    port.failures[R21] = [SendFailed("channel_not_found", permanent=True)] * 2
    result = run_tick(world, force_config, port, MARCH_1_0900)
    assert result.dead == 1 and record(world, R21).state == "dead" and record(world, R21).attempts == 1


def test_an_answer_lost_to_a_5xx_is_looked_up_before_any_resend(world: MemoryUowFactory,
                                                              force_config: ForceConfig) -> None:
    port = FakePort()
    port.failures[R21] = [SendFailed("HTTP 500", outcome_unknown=True)]
    port.post_then_fail.add(R21)  # the platform posted it, but the answer was an error
    run_tick(world, force_config, port, MARCH_1_0900)
    row = record(world, R21)
    assert row.state == "sending" and row.last_error == "HTTP 500"  # no owner: recovered after retry_at
    assert run_tick(world, force_config, port, MARCH_1_0900 + timedelta(seconds=30)).recovered == 0
    result = run_tick(world, force_config, port, MARCH_1_0900 + timedelta(minutes=2))
    assert result.recovered == 1 and result.sent == 0 and port.counts()[R21] == 1
    assert record(world, R21).state == "sent"


def test_when_the_lookup_itself_fails_nothing_is_resent(world: MemoryUowFactory, force_config: ForceConfig) -> None:
    port = FakePort()
    port.failures[R21] = [SendFailed("HTTP 500", outcome_unknown=True)]
    run_tick(world, force_config, port, MARCH_1_0900)

    def cannot_look(message: object, since: datetime) -> None:
        raise OSError("connection reset")

    port.find_sent = cannot_look  # type: ignore[method-assign, assignment]
    result = run_tick(world, force_config, port, MARCH_1_0900 + timedelta(minutes=2))
    assert result.failed == 1 and result.sent == 0 and record(world, R21).state == "sending"
    assert port.on_send.count(R21) == 1


def test_a_platform_refusing_the_app_halts_the_tick_and_keeps_every_attempt(world: MemoryUowFactory,
                                                                            force_config: ForceConfig) -> None:
    port = FakePort()
    port.failures["*"] = [SendFailed("invalid_auth", blocked=True)]
    result = run_tick(world, force_config, port, MARCH_1_0900, batch=5, senders=1)
    assert result.halted == 5 and result.failed == 5 and result.sent == 0  # one batch, then it stops
    with world() as uow:
        rows = uow.ledger.records(states=["failed", "pending"])
    tried = [r for r in rows if r.state == "failed"]
    assert len(tried) == 5 and {r.attempts for r in tried} == {0}  # not the deliveries' fault
    assert len(rows) == 35 and {r.attempts for r in rows} == {0}
    del port.failures["*"]
    assert run_tick(world, force_config, port, MARCH_1_0900 + timedelta(minutes=9)).sent == 30
    assert run_tick(world, force_config, port, MARCH_1_0900 + timedelta(minutes=10)).sent == 5


def test_an_unreachable_platform_stops_the_tick_after_the_batch_in_hand(world: MemoryUowFactory,
                                                                      force_config: ForceConfig) -> None:
    port = FakePort()
    port.failures["*"] = [SendFailed("connection refused", outcome_unknown=True, unreachable=True)]
    result = run_tick(world, force_config, port, MARCH_1_0900, batch=3, senders=1)
    assert result.halted == 3 and result.failed == 3 and len(port.on_send) == 3
    with world() as uow:
        untouched = uow.ledger.records(states=["pending"])
    assert len(untouched) == 32 and {r.attempts for r in untouched} == {0}


def test_what_is_no_longer_wanted_is_skipped_and_what_expired_is_stale(world: MemoryUowFactory,
                                                                     force_config: ForceConfig) -> None:
    port = FakePort()
    derive_and_record(world, force_config, "slack", MARCH_1_0900)
    with world() as uow:  # R2.1's owner replied before the prompt went out
        uow.updates.add(Update(action_id="R2.1", rag=RAG.GREEN, source=Source.DM, created_at=MARCH_1_0900))
        uow.commit()
    result = run_tick(world, force_config, port, MARCH_1_0900 + timedelta(minutes=1))
    assert result.sent == 35  # R2.1's prompt still goes: it shows the latest update
    nudged = run_tick(world, force_config, port, utc(2022, 3, 3, 9))
    nudges = [k for k in nudged.keys_sent if k.startswith("nudge:")]
    assert len(nudges) == 26 and f"nudge:{SILVER_8_MARCH}:R2.1:1" not in nudges
    # a week of downtime: the Silver summary of 8 March is owed after its meeting: recorded stale
    late = run_tick(world, force_config, port, utc(2022, 3, 9, 10))
    assert late.stale >= 1 and record(world, f"silver_summary:{SILVER_8_MARCH}").state == "stale"
    assert f"silver_summary:{SILVER_8_MARCH}" not in port.counts()


def test_a_nudge_whose_action_was_updated_after_it_was_recorded_is_skipped(world: MemoryUowFactory,
                                                                           force_config: ForceConfig) -> None:
    port = FakePort()
    run_tick(world, force_config, port, MARCH_1_0900)
    nudge_day = utc(2022, 3, 3, 9)
    derive_and_record(world, force_config, "slack", nudge_day)
    with world() as uow:
        uow.updates.add(Update(action_id="R2.1", rag=RAG.AMBER, source=Source.THREAD, created_at=nudge_day))
        uow.commit()
    result = run_tick(world, force_config, port, nudge_day)
    assert result.skipped == 1 and record(world, f"nudge:{SILVER_8_MARCH}:R2.1:1").state == "skipped"


def test_nudges_reply_in_the_thread_of_their_prompt(world: MemoryUowFactory, force_config: ForceConfig) -> None:
    port = FakePort()
    run_tick(world, force_config, port, MARCH_1_0900)
    run_tick(world, force_config, port, utc(2022, 3, 3, 9))
    nudge = next(m for m in port.posted if m.key == f"nudge:{SILVER_8_MARCH}:R2.1:1")
    assert nudge.thread == record(world, R21).where


def test_messages_to_people_wait_for_working_hours_channel_posts_do_not(world: MemoryUowFactory,
                                                                        force_config: ForceConfig) -> None:
    port = FakePort()
    before = run_tick(world, force_config, port, MARCH_1_0900).sent
    saturday = utc(2022, 3, 5, 12)  # the Gold reminders for 18 March are owed from Friday 4 March
    with world() as uow:
        uow.ledger.add_owed([Owed("silver_summary:test", Kind.SILVER_SUMMARY, saturday, None,
                                  Recipient.of_body("silver"), payload={"level": "silver"})], saturday)
        uow.commit()
    result = run_tick(world, force_config, port, saturday)
    assert [m.kind for m in port.posted[before:]] == ["silver_summary"] and result.sent == 1
    monday = run_tick(world, force_config, port, utc(2022, 3, 7, 9))
    assert monday.sent and all(k.startswith(("gold_reminder", "nudge", "escalation")) for k in monday.keys_sent)


def test_prompts_go_to_the_deputy_of_an_owner_away(world: MemoryUowFactory, force_config: ForceConfig) -> None:
    with world() as uow:
        uow.absences.add(Absence("head_safeguarding", date(2022, 2, 28), date(2022, 3, 4), deputy="head_crime",
                                 created_by="head_safeguarding", created_at=utc(2022, 2, 20)))
        uow.commit()
    port = FakePort()
    run_tick(world, force_config, port, MARCH_1_0900)
    r21 = next(m for m in port.posted if m.key == R21)
    assert r21.recipient == Recipient.of_person("head_crime")
    assert r21.content.on_behalf_of == "Head of Safeguarding"  # type: ignore[union-attr]


def test_people_with_no_identity_on_the_platform_are_owed_nothing(world: MemoryUowFactory,
                                                                  force_config: ForceConfig) -> None:
    port = FakePort(platform="teams")  # nobody in ncpi.yaml has a Teams id, and no channel is there
    result = run_tick(world, force_config, port, utc(2022, 3, 8, 12))
    assert result.inserted == 0 and port.posted == []
