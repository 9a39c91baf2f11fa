"""Due-date changes on the in-memory store: ask, approve or reject, replace; the original date kept."""

from __future__ import annotations

from datetime import date

import pytest

from bot.copy import SLACK, error_text, notice_text, outcome_text
from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain.records import RequestKind, RequestState
from ncpi_core.errors import (
    InvalidInput,
    InvalidTransition,
    NcpiError,
    PermissionDenied,
    PersonalDataRefused,
)
from ncpi_core.storage.memory import MemoryUowFactory
from ncpi_core.usecases import closure, due_dates
from tests.unit.governance_world import (
    action,
    at,
    decided,
    loaded,
    notices,
    on,
    pending,
    trail,
    who,
)


@pytest.fixture
def world(force_config: ForceConfig, plan_file: PlanFile) -> MemoryUowFactory:
    return loaded(force_config, plan_file)


def test_a_due_change_approved_keeps_the_original_and_tells_both(world: MemoryUowFactory,
                                                                  force_config: ForceConfig) -> None:
    owner, chair = who(force_config, "head_ld"), who(force_config, "tacc")
    out = due_dates.request_due_change(world, force_config, owner, "R3.2", "2022-07-31",
                                       "training slots delayed to June", **at())
    assert [(n.person, n.kind) for n in out.notices] == [("tacc", "review_due")]
    assert notice_text(out.notices[0], SLACK) == (
        "Head of Learning & Development asks to move R3.2 (Briefing and training for frontline officers) from "
        "2022-06-30 to 2022-07-31 (originally due 2022-06-30).\nReason: training slots delayed to June\n"
        "Approve with `/ncpi approve R3.2 due` or reject with `/ncpi reject R3.2 due <reason>`.")
    assert outcome_text(out, SLACK) == "Asked the Silver chair to move R3.2 to 2022-07-31 (now due 2022-06-30)."
    assert out.action is not None and out.action.version == 2  # a decision on an older request now fails
    assert action(world, "R3.2").due == date(2022, 6, 30)  # nothing moves until the chair agrees

    out = due_dates.approve_due_change(world, force_config, chair, "R3.2", **at(30))
    assert out.action is not None and (out.action.due, out.action.original_due) == (date(2022, 7, 31),
                                                                                    date(2022, 6, 30))
    assert outcome_text(out, SLACK) == "R3.2 is now due 2022-07-31 (originally 2022-06-30)."
    assert [n.person for n in out.notices] == ["head_ld"]
    assert notice_text(out.notices[0], SLACK) == ("T/ACC approved moving R3.2 to 2022-07-31 (was 2022-06-30; "
                                                  "originally due 2022-06-30).")
    assert len(notices(world)) == 2
    # a second move keeps the very first date as the original; the admin who asked is told too
    due_dates.request_due_change(world, force_config, who(force_config, "coordinator"), "R3.2", date(2022, 8, 31),
                                 "supplier again", **at(60))
    out = due_dates.approve_due_change(world, force_config, chair, "R3.2", **at(61))
    assert out.action is not None and (out.action.due, out.action.original_due) == (date(2022, 8, 31),
                                                                                    date(2022, 6, 30))
    assert [n.person for n in out.notices] == ["head_ld", "coordinator"]
    changed = [(e.event, e.old, e.new, e.reason) for e in trail(world, "action", "R3.2") if e.event == "due_changed"]
    assert changed == [("due_changed", "2022-06-30", "2022-07-31", "training slots delayed to June"),
                       ("due_changed", "2022-07-31", "2022-08-31", "supplier again")]


def test_a_second_request_replaces_the_first_and_a_rejection_keeps_the_date(world: MemoryUowFactory,
                                                                             force_config: ForceConfig) -> None:
    owner, chair = who(force_config, "head_ld"), who(force_config, "tacc")
    due_dates.request_due_change(world, force_config, owner, "R3.2", "2022-07-31", "first ask", **at())
    due_dates.request_due_change(world, force_config, owner, "R3.2", "2022-07-15", "second thoughts", **at(1))
    withdrawn = decided(world, "R3.2", RequestKind.DUE_CHANGE, RequestState.WITHDRAWN)
    assert withdrawn is not None and withdrawn.decision_reason == "replaced by a newer request"
    request = pending(world, "R3.2", RequestKind.DUE_CHANGE)
    assert request is not None and request.new_due == date(2022, 7, 15)
    assert "due_change_withdrawn" in [e.event for e in trail(world, "action", "R3.2")]
    out = due_dates.reject_due_change(world, force_config, chair, "R3.2", "the inspectorate expects June", **at(2))
    assert out.action is not None and out.action.due == date(2022, 6, 30)
    assert notice_text(out.notices[0], SLACK) == ("T/ACC did not agree to move R3.2 to 2022-07-15; it stays due "
                                                  "2022-06-30.\nReason: the inspectorate expects June")
    assert outcome_text(out, SLACK) == "Due-date change for R3.2 rejected; it stays due 2022-06-30."
    before = world.store.commits
    with pytest.raises(InvalidTransition) as err:
        due_dates.reject_due_change(world, force_config, chair, "R3.2", "again", **at(3))
    assert error_text(err.value, SLACK) == "Nobody has asked to move the due date of R3.2. There is nothing to reject."
    assert world.store.commits == before


REFUSALS = [
    ("2022-05-02", "late", InvalidInput, "The new due date 2022-05-02 is not in the future. Choose a date after "
     "2022-05-03."),
    ("2022-05-03", "late", InvalidInput, None),
    ("30/06/2022", "late", InvalidInput, "The new due date '30/06/2022' is not a date I can read. Write it as "
     "YYYY-MM-DD, for example 2022-06-30."),
    ("<!channel>", "late", InvalidInput, "The new due date given is not a date I can read. Write it as YYYY-MM-DD, "
     "for example 2022-06-30."),
    ("2022-06-30", "late", InvalidInput, "R3.2 is already due on 2022-06-30. Give a different date to ask for a "
     "change."),
    ("2022-07-30", "", InvalidInput, "The reason is missing. For example: `/ncpi due R3.2 2022-06-02 training slots "
     "delayed by the supplier`"),
    ("2022-07-30", "ring 07700 900123", PersonalDataRefused, None),
]


@pytest.mark.parametrize(("new_date", "reason", "error", "said"), REFUSALS)
def test_bad_requests_are_refused_and_store_nothing(world: MemoryUowFactory, force_config: ForceConfig,
                                                    new_date: str, reason: str, error: type[NcpiError],
                                                    said: str | None) -> None:
    before = world.store.commits
    with pytest.raises(error) as err:
        due_dates.request_due_change(world, force_config, who(force_config, "head_ld"), "R3.2", new_date, reason,
                                     **at())
    if said is not None:
        assert error_text(err.value, SLACK) == said
    assert world.store.commits == before


def test_only_the_owner_side_asks_and_only_the_silver_chair_decides(world: MemoryUowFactory,
                                                                    force_config: ForceConfig) -> None:
    with pytest.raises(PermissionDenied) as err:
        due_dates.request_due_change(world, force_config, who(force_config, "head_crime"), "R3.2", "2022-07-30",
                                     "late", **at())
    assert error_text(err.value, SLACK) == ("Sorry, you cannot move the due date of R3.2. Only its owner (head_ld), "
                                            "someone covering for the owner, or a plan administrator can.")
    due_dates.request_due_change(world, force_config, who(force_config, "head_ld"), "R3.2", "2022-07-30", "late",
                                 **at())
    for step, args in ((due_dates.approve_due_change, ()), (due_dates.reject_due_change, ("no",))):
        with pytest.raises(PermissionDenied) as denied:
            step(world, force_config, who(force_config, "dcc"), "R3.2", *args, **at(1))  # type: ignore[operator]
        assert error_text(denied.value, SLACK).endswith("due-date change. Ask T/ACC.")


def test_nothing_to_approve_a_passed_date_and_a_closed_action(world: MemoryUowFactory,
                                                              force_config: ForceConfig) -> None:
    owner, chair = who(force_config, "head_ld"), who(force_config, "tacc")
    with pytest.raises(InvalidTransition) as none:
        due_dates.approve_due_change(world, force_config, chair, "R3.2", **at())
    assert error_text(none.value, SLACK) == ("Nobody has asked to move the due date of R3.2. The owner asks first "
                                             "with `/ncpi due R3.2 YYYY-MM-DD` and a reason.")
    due_dates.request_due_change(world, force_config, owner, "R3.2", "2022-07-31", "late", **at())
    before = world.store.commits
    with pytest.raises(InvalidInput) as passed:
        due_dates.approve_due_change(world, force_config, chair, "R3.2", **on(date(2022, 8, 1)))
    assert error_text(passed.value, SLACK) == ("The requested date 2022-07-31 has already passed. Reject it with "
                                               "`/ncpi reject R3.2 due` and a reason, and ask the owner for a new date.")
    assert world.store.commits == before
    closure.supersede(world, force_config, chair, "R3.2", "replaced", **at(1))
    with pytest.raises(InvalidTransition) as closed:
        due_dates.request_due_change(world, force_config, owner, "R3.2", "2022-09-01", "late", **at(2))
    assert error_text(closed.value, SLACK).startswith("Cannot move its due date: R3.2 was superseded")
