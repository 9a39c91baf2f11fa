"""Summaries built from a hand-made PlanState: roll-ups, exceptions, movement, filters, any force's ids."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ncpi_core.domain.calendar import Cycle
from ncpi_core.domain.models import (
    RAG,
    Action,
    ActionStatus,
    Body,
    Category,
    Meeting,
    Person,
    PlanInfo,
    Recommendation,
    Role,
    Source,
    Update,
)
from ncpi_core.domain.plan_state import PlanState
from ncpi_core.domain.summaries.build import build_summary
from ncpi_core.domain.summaries.model import Decision, DecisionKind, ExceptionKind, Level, RollUp
from ncpi_core.errors import InvalidInput, NotFound

TZ = ZoneInfo("Europe/London")
NOW = datetime(2023, 7, 10, 9, 0, tzinfo=UTC)
TODAY = date(2023, 7, 10)
OPENS = datetime(2023, 7, 4, 8, 0, tzinfo=UTC)
CYCLE = Cycle(meeting=Meeting(body=Body.SILVER, starts_at=datetime(2023, 7, 11, 13, tzinfo=UTC)), opens_at=OPENS)
PREV = datetime(2023, 6, 27, 13, tzinfo=UTC)


def person(pid: str, name: str) -> Person:
    return Person(id=pid, name=name, identities={"slack": "U" + pid.upper().ljust(8, "0")},
                  roles=frozenset({Role.BRONZE}))


def upd(action_id: str, rag: RAG, progress: int, at: datetime, narrative: str = "", blockers: str = "",
        evidence: str = "") -> Update:
    return Update(action_id=action_id, rag=rag, progress=progress, narrative=narrative, blockers=blockers,
                  evidence=evidence, source=Source.DM, created_at=at)


def other_force_state(latest: dict[str, Update], statuses: dict[str, ActionStatus] | None = None,
                      dues: dict[str, date] | None = None, as_of: datetime = NOW) -> PlanState:
    """Another force's plan: C1..C8 (C6 six-monthly with a C6.2 action), owners pvp and ops."""
    statuses = statuses or {}
    dues = dues or {}
    recs, actions = [], []
    for i in range(1, 9):
        cat = Category.SIX_MONTHS if i == 6 else Category.IMMEDIATE
        recs.append(Recommendation(id=f"C{i}", title=f"Area {i}", category=cat, due=date(2023, 1, 28), position=i))
        for j, owner in ((1, "pvp"), (2, "ops")):
            aid = f"C{i}.{j}"
            due = dues.get(aid, date(2023, 7, 31))
            actions.append(Action(id=aid, recommendation_id=f"C{i}", title=f"Step {j} for area {i}", owner=owner,
                                  due=due, original_due=date(2023, 7, 31),
                                  status=statuses.get(aid, ActionStatus.OPEN), position=j))
    return PlanState(info=PlanInfo(title="Child protection improvement plan"), recommendations=recs,
                     actions=actions, latest=latest,
                     people={"pvp": person("pvp", "Head of PVP"), "ops": person("ops", "Head of Operations")},
                     as_of=as_of)


@pytest.fixture
def states() -> tuple[PlanState, PlanState]:
    week = timedelta(days=7)
    now_latest = {
        "C1.1": upd("C1.1", RAG.GREEN, 70, OPENS + timedelta(days=1), "Guidance drafted and consulted on"),
        "C1.2": upd("C1.2", RAG.RED, 20, OPENS + timedelta(days=2), "Supplier slipped", "No budget agreed"),
        "C2.1": upd("C2.1", RAG.AMBER, 50, OPENS - 2 * week, "Half the districts done"),  # stale
        "C6.2": upd("C6.2", RAG.BLUE, 100, OPENS + timedelta(days=3), "Delivered", evidence="https://x/doc"),
        "C3.1": upd("C3.1", RAG.GREEN, 100, OPENS + timedelta(days=1)),
    }
    prev_latest = {
        "C1.1": upd("C1.1", RAG.AMBER, 40, PREV - week),
        "C1.2": upd("C1.2", RAG.RED, 10, PREV - week),
        "C2.1": now_latest["C2.1"],
    }
    now = other_force_state(now_latest, statuses={"C6.2": ActionStatus.ACCEPTED, "C3.1": ActionStatus.CLOSED,
                                                  "C3.2": ActionStatus.CLOSED, "C4.1": ActionStatus.PROPOSED},
                            dues={"C5.1": date(2023, 7, 3), "C5.2": date(2023, 6, 1)})
    prev = other_force_state(prev_latest, statuses={"C3.2": ActionStatus.CLOSED},
                             dues={"C5.2": date(2023, 6, 1)}, as_of=PREV)
    return now, prev


def build(level: str, states: tuple[PlanState, PlanState], **kw: object):  # type: ignore[no-untyped-def]
    now, prev = states
    return build_summary(level, now, now=NOW, today=TODAY, cycle=CYCLE, previous=prev, force="Other Police",
                         tz=TZ, previous_meeting_at=PREV, **kw)  # type: ignore[arg-type]


def test_totals_and_action_detail(states: tuple[PlanState, PlanState]) -> None:
    s = build("silver", states)
    assert s.level == Level.SILVER and s.force == "Other Police"
    assert s.plan_title == "Child protection improvement plan"
    assert s.totals == {"red": 1, "amber": 1, "green": 1, "blue": 3, "embedded": 0, "not_started": 10}
    assert s.total == 16
    assert s.generated_at.utcoffset() == timedelta(hours=1)  # British Summer Time
    assert s.cycle.asked_at == OPENS.astimezone(TZ)
    a = {x.id: x for x in s.actions}
    assert a["C1.2"].owner_name == "Head of Operations" and a["C1.2"].blockers == "No budget agreed"
    assert a["C2.1"].no_update_this_cycle and not a["C1.1"].no_update_this_cycle
    assert not a["C4.1"].no_update_this_cycle  # proposed complete: awaits Silver, owes no update
    assert a["C5.1"].no_update_this_cycle  # open and never updated
    assert not a["C3.2"].no_update_this_cycle  # closed actions owe nothing
    assert a["C5.1"].overdue and a["C5.1"].due_moved and a["C5.1"].original_due == date(2023, 7, 31)
    assert not a["C3.2"].overdue
    assert a["C1.1"].updated_at is not None and a["C1.1"].updated_at.tzinfo is not None


def test_recommendation_rollup(states: tuple[PlanState, PlanState]) -> None:
    s = build("gold", states)
    r = {x.id: x for x in s.recommendations}
    assert [x.id for x in s.recommendations] == [f"C{i}" for i in range(1, 9)]
    assert r["C1"].rag == RAG.RED and r["C1"].progress == 45
    # both actions signed off: delivered, not complete until each is embedded (issue 16)
    assert r["C3"].rollup is RollUp.DELIVERED and not r["C3"].complete
    assert r["C3"].rag == RAG.BLUE and r["C3"].progress == 100
    assert "delivered" in r["C3"].position
    assert r["C6"].category == Category.SIX_MONTHS
    # C6.1 not started; C6.2 accepted, blue: past C6's January deadline, so overdue and Red (issue 16)
    assert r["C6"].rag == RAG.RED and r["C6"].is_overdue
    assert r["C6"].progress == 50
    assert r["C5"].overdue == 2 and "2 overdue" in r["C5"].position
    assert r["C4"].counts["not_started"] == 2 and "awaiting review" in r["C4"].position


def test_gold_exceptions(states: tuple[PlanState, PlanState]) -> None:
    s = build("gold", states)
    ids = {k: [e.action_id for e in s.exceptions_of(k)] for k in ExceptionKind}
    assert ids[ExceptionKind.RED] == ["C1.2"]
    assert ids[ExceptionKind.BLOCKED] == ["C1.2"]
    assert ids[ExceptionKind.OVERDUE] == ["C5.1", "C5.2"]
    assert ids[ExceptionKind.AWAITING_SIGNOFF] == ["C6.2"]
    assert ids[ExceptionKind.AWAITING_REVIEW] == ["C4.1"]
    assert "C6.2" in ids[ExceptionKind.DECISION]
    overdue = s.exceptions_of(ExceptionKind.OVERDUE)[0]
    assert "originally 2023-07-31" in overdue.detail


def test_decisions_from_requests(states: tuple[PlanState, PlanState]) -> None:
    s = build("gold", states, decisions=[Decision("C2.2", DecisionKind.DUE_CHANGE, date(2023, 9, 30), "partner delay"),
                                         Decision("ZZ9", DecisionKind.SUPERSEDE, reason="ignored: not in the plan")])
    decisions = s.exceptions_of(ExceptionKind.DECISION)
    assert decisions[0].action_id == "C2.2" and "2023-09-30" in decisions[0].detail
    assert decisions[0].detail == "move due date to 2023-09-30: partner delay"
    assert all(d.action_id != "ZZ9" for d in decisions)
    signoff = next(d for d in decisions if d.action_id == "C6.2")  # accepted: Gold signs it off
    assert signoff.decision == Decision("C6.2", DecisionKind.SIGNOFF) and signoff.detail == "sign off as complete"


def test_movement_since_previous_meeting(states: tuple[PlanState, PlanState]) -> None:
    s = build("gold", states)
    m = s.movement
    changes = {c.action_id: (c.before, c.after) for c in m.rag_changes}
    assert changes["C1.1"] == (RAG.AMBER, RAG.GREEN)
    assert changes["C6.2"] == (None, RAG.BLUE)
    assert "C1.2" not in changes  # red then, red now
    assert m.newly_overdue == ["C5.1"]  # C5.2 was already overdue at the previous meeting
    assert m.newly_closed == ["C3.1"]  # C3.2 was closed before
    assert "C2.1" in m.no_update and "C3.1" not in m.no_update
    assert m.since == PREV.astimezone(TZ)


def test_without_previous_or_cycle() -> None:
    state = other_force_state({})
    s = build_summary("silver", state, now=NOW, today=TODAY)
    assert s.movement.rag_changes == [] and len(s.movement.no_update) == 16
    assert s.cycle.asked_at is None and s.cycle.silver_meeting is None


@pytest.mark.parametrize(("only", "expected"), [
    ("overdue", {"C5.1", "C5.2"}),
    ("red", {"C1.2"}),
    ("missing", {"C1.1"} ^ {a for a in {f"C{i}.{j}" for i in range(1, 9) for j in (1, 2)}} - {
        "C1.2", "C6.2", "C3.1", "C3.2", "C4.1"}),
])
def test_filters(states: tuple[PlanState, PlanState], only: str, expected: set[str]) -> None:
    s = build("silver", states, only=only)
    assert {a.id for a in s.actions} == expected
    assert s.total == len(expected)
    assert all(r.actions for r in s.recommendations)


def test_filter_by_recommendation_keeps_its_whole_rollup(states: tuple[PlanState, PlanState]) -> None:
    s = build("silver", states, recommendation="c6")
    assert [r.id for r in s.recommendations] == ["C6"]
    assert [a.id for a in s.actions] == ["C6.1", "C6.2"]
    s = build("silver", states, recommendation="C1", only="red")
    assert [a.id for a in s.actions] == ["C1.2"] and s.recommendations[0].rag == RAG.RED
    assert s.recommendations[0].counts["green"] == 1  # roll-up is of the whole recommendation


def test_filter_with_nothing_matching_is_not_empty_plan(states: tuple[PlanState, PlanState]) -> None:
    s = build("silver", states, recommendation="C2", only="red")
    assert s.recommendations == [] and not s.empty


def test_unknown_recommendation_and_filter(states: tuple[PlanState, PlanState]) -> None:
    with pytest.raises(NotFound) as exc:
        build("gold", states, recommendation="R3")
    assert exc.value.code == "recommendation.not_found" and exc.value.params["ids"][:2] == ["C1", "C2"]
    assert exc.value.params["typed"] == "R3" and exc.value.params["more"] is False
    with pytest.raises(InvalidInput):
        build("gold", states, only="amber")
    with pytest.raises(ValueError):
        build("bronze", states)


def test_empty_plan() -> None:
    state = PlanState(info=None, recommendations=[], actions=[], latest={}, people={}, as_of=NOW)
    s = build_summary("gold", state, now=NOW, today=TODAY)
    assert s.empty and s.total == 0


def test_dropped_actions_are_hidden(states: tuple[PlanState, PlanState]) -> None:
    now, prev = states
    now.actions[0] = now.actions[0].model_copy(update={"in_plan": False})
    s = build_summary("silver", now, now=NOW, today=TODAY)
    assert "C1.1" not in {a.id for a in s.actions}
