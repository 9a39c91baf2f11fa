"""No surprise sends: a first start before the send time DMs no one, a catch-up says so in the log,
and a dry run works out what would go without sending or recording anything."""

from __future__ import annotations

import logging

import pytest
from ledger_world import FakePort, seed, utc

from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain.ledger import PERSONAL_KINDS
from ncpi_core.storage.memory import MemoryUowFactory
from ncpi_core.usecases.ledger import run_tick
from ncpi_core.usecases.ledger.dry_run import would_send

# prompts for Silver on Tue 8 March 2022 are owed from Tue 1 March at 09:00 (send time)
WEDNESDAY_0759 = utc(2022, 3, 2, 7, 59)  # London is on GMT in early March
WEDNESDAY_0900 = utc(2022, 3, 2, 9, 0)


@pytest.fixture
def world(force_config: ForceConfig, plan_file: PlanFile) -> MemoryUowFactory:
    return seed(MemoryUowFactory(), force_config, plan_file)


def test_a_first_start_before_the_send_time_dms_no_one(world: MemoryUowFactory, force_config: ForceConfig) -> None:
    port = FakePort()
    run_tick(world, force_config, port, WEDNESDAY_0759)
    assert [m.kind for m in port.posted if m.kind in PERSONAL_KINDS] == []
    run_tick(world, force_config, port, WEDNESDAY_0900)
    assert sum(m.kind == "prompt" for m in port.posted) == 27  # at the send time, and once


def catch_ups(caplog: pytest.LogCaptureFixture) -> list[str]:
    found = [r.getMessage() for r in caplog.records if "catching up" in r.getMessage()]
    caplog.clear()
    return found


def test_a_catch_up_after_downtime_announces_itself_once(world: MemoryUowFactory, force_config: ForceConfig,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    port = FakePort()
    run_tick(world, force_config, port, utc(2022, 2, 28, 9, 0))  # Monday: running
    catch_ups(caplog)  # (a first start owes what fell due before it: said too)
    run_tick(world, force_config, port, utc(2022, 2, 28, 9, 1))
    assert catch_ups(caplog) == []  # running normally: nothing late
    run_tick(world, force_config, port, WEDNESDAY_0900)  # down from Monday 09:01 to Wednesday 09:00
    said = catch_ups(caplog)
    assert len(said) == 1 and "catching up: 27 message(s)" in said[0]  # the prompts owed from Tuesday 09:00
    run_tick(world, force_config, port, utc(2022, 3, 2, 9, 1))
    assert catch_ups(caplog) == []


def test_a_dry_run_lists_what_would_go_and_changes_nothing(world: MemoryUowFactory,
                                                           force_config: ForceConfig) -> None:
    before = would_send(world, force_config, "slack", WEDNESDAY_0900)
    assert sum(o.kind == "prompt" for o in before) == 27
    with world() as uow:
        assert uow.ledger.records() == []  # nothing recorded
    assert would_send(world, force_config, "slack", WEDNESDAY_0759) == [o for o in before if o.kind not in
                                                                         PERSONAL_KINDS and o.due_at <= WEDNESDAY_0759]
    port = FakePort()
    run_tick(world, force_config, port, WEDNESDAY_0900)
    assert {m.key for m in port.posted} == {o.key for o in before}  # the dry run said what the tick sent
    assert would_send(world, force_config, "slack", WEDNESDAY_0900) == []  # and once sent, nothing more
