"""Workflow notices through the ledger (send_now), the retry policy, and missing/chase on the fake store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from ledger_world import FakePort, seed, utc

from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain.ledger import Kind, Owed, Recipient
from ncpi_core.errors import PermissionDenied
from ncpi_core.ports import NoticeContent, SendFailed
from ncpi_core.storage.memory import MemoryUowFactory
from ncpi_core.usecases.ledger import run_tick, send_now
from ncpi_core.usecases.ledger.retry import BLOCKED_RETRY, MAX_ATTEMPTS, after_failure, backoff
from ncpi_core.usecases.missing import missing_updates, request_chase

NOW = utc(2022, 3, 2, 11)


@pytest.fixture
def world(force_config: ForceConfig, plan_file: PlanFile) -> MemoryUowFactory:
    return seed(MemoryUowFactory(), force_config, plan_file)


def queue_notice(world: MemoryUowFactory, person: str, n: int = 1) -> str:
    key = f"notice:{n:032x}:{person}"
    payload = {"code": "closure.proposed", "params": {"action_id": "R3.2", "by": "Head of Crime"},
               "kind": "review_closure", "action_id": "R3.2"}
    with world() as uow:
        uow.ledger.add_owed([Owed(key, Kind.NOTICE, NOW, NOW + timedelta(days=7), Recipient.of_person(person),
                                  action_id="R3.2", person=person, payload=payload)], NOW)
        uow.commit()
    return key


def test_send_now_sends_a_notice_at_once_as_its_code_and_params(world: MemoryUowFactory,
                                                               force_config: ForceConfig) -> None:
    port = FakePort()
    key = queue_notice(world, "tacc")
    result = send_now(world, force_config, port, [key], NOW)
    assert result.keys_sent == [key] and result.failed_keys == []
    [message] = port.posted
    assert message.recipient == Recipient.of_person("tacc")
    assert message.content == NoticeContent("closure.proposed", {"action_id": "R3.2", "by": "Head of Crime"},
                                            "review_closure", "R3.2")
    assert send_now(world, force_config, port, [key], NOW).failed_keys == [key]  # already sent: not again
    assert key not in run_tick(world, force_config, port, NOW + timedelta(minutes=1)).keys_sent
    assert port.counts()[key] == 1


def test_what_send_now_could_not_send_the_tick_sends_later(world: MemoryUowFactory,
                                                          force_config: ForceConfig) -> None:
    port = FakePort()
    key = queue_notice(world, "tacc")
    port.failures[key] = [SendFailed("HTTP 503")]
    result = send_now(world, force_config, port, [key, "notice:unknown:tacc"], NOW)
    assert result.failed == 1 and result.failed_keys == [key, "notice:unknown:tacc"]
    assert key not in run_tick(world, force_config, port, NOW + timedelta(seconds=30)).keys_sent  # backing off
    assert key in run_tick(world, force_config, port, NOW + timedelta(minutes=1)).keys_sent
    assert port.counts()[key] == 1


def test_notices_are_not_held_for_working_hours(world: MemoryUowFactory, force_config: ForceConfig) -> None:
    port = FakePort()
    key = queue_notice(world, "tacc")
    assert run_tick(world, force_config, port, utc(2022, 3, 5, 12)).keys_sent[-1:] == [key]  # a Saturday


def test_send_now_leaves_a_row_another_worker_holds(world: MemoryUowFactory, force_config: ForceConfig) -> None:
    port = FakePort()
    key = queue_notice(world, "tacc")
    with world() as uow:
        [held] = uow.ledger.claim_keys([key], NOW, "tick", NOW + timedelta(minutes=5))
        uow.commit()
    assert send_now(world, force_config, port, [key], NOW).failed_keys == [key] and port.posted == []
    with world() as uow:
        assert uow.ledger.still_mine(held.id, "tick")


def test_the_retry_policy() -> None:
    now = utc(2022, 3, 1, 9)
    assert [backoff(n) for n in (1, 2, 3, 7, 9)] == [timedelta(minutes=m) for m in (1, 2, 4, 60, 60)]
    plain = after_failure(SendFailed("HTTP 503"), 2, now)
    assert not plain.dead and plain.retry_at == now + timedelta(minutes=2) and not plain.outcome_unknown
    assert plain.attempts is None and not plain.halts
    unknown = after_failure(SendFailed("HTTP 500", outcome_unknown=True, unreachable=True), 1, now)
    assert unknown.outcome_unknown and unknown.halts and not unknown.dead
    blocked = after_failure(SendFailed("token_revoked", blocked=True, permanent=True), MAX_ATTEMPTS, now)
    assert not blocked.dead and blocked.retry_at == now + BLOCKED_RETRY and blocked.attempts == MAX_ATTEMPTS - 1
    assert after_failure(SendFailed("channel_not_found", permanent=True), 1, now).dead
    assert after_failure(SendFailed("HTTP 503"), MAX_ATTEMPTS, now).dead


def test_missing_and_chase(world: MemoryUowFactory, force_config: ForceConfig) -> None:
    tacc = force_config.person("tacc")
    lead = force_config.person("people_services")  # bronze only
    assert tacc is not None and lead is not None
    run_tick(world, force_config, FakePort(), utc(2022, 3, 1, 9))
    report = missing_updates(world, force_config, tacc, NOW)
    assert report.cycle is not None and len(report.owing) == 8
    assert sum(len(o.actions) for o in report.owing) == 27
    with pytest.raises(PermissionDenied):
        missing_updates(world, force_config, lead, NOW)
    with pytest.raises(PermissionDenied):
        request_chase(world, force_config, lead, NOW, "slack")
    chase = request_chase(world, force_config, tacc, NOW, "slack")
    assert chase.queued == len(chase.chased) == 8
    assert request_chase(world, force_config, tacc, NOW + timedelta(seconds=20), "slack").queued == 0
    port = FakePort()
    run_tick(world, force_config, port, NOW + timedelta(seconds=30))
    chases = [m for m in port.posted if m.kind == "chase"]
    assert len(chases) == 8 and chases[0].content.chased_by == "T/ACC"  # type: ignore[union-attr]
    assert request_chase(world, force_config, tacc, NOW + timedelta(minutes=1), "slack").queued == 8
    assert request_chase(world, force_config, tacc, NOW, "teams").chased == []  # nobody has a Teams id
