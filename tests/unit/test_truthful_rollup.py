"""Issue 16's findings, on hand-made plans of two forces: a recommendation past its deadline is
overdue and never Green; not-started actions count in the roll-up; progress and the roll-up's
word are shown for every recommendation, 0 % included; delivered and embedded are counted apart.

Each test here fails on the code before issue 16 (the roll-up was the worst RAG of the actions
that had reported, overdue was checked per action only, and a closed action was "complete").
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.slack.blocks.summary import BUCKET_NAME, EMOJI, summary_messages
from bot.slack.listeners.home import TOTAL_LABELS
from ncpi_core.domain.models import (
    RAG,
    Action,
    ActionStatus,
    Category,
    Person,
    PlanInfo,
    Recommendation,
    Role,
    Source,
    Update,
)
from ncpi_core.domain.plan_state import PlanState
from ncpi_core.domain.summaries.build import build_summary
from ncpi_core.domain.summaries.model import BUCKET_ORDER, ExceptionKind, RollUp, Summary
from ncpi_core.reports.chart import COLOURS, LABELS
from ncpi_core.reports.common import BUCKET_LABEL
from ncpi_core.reports.render import render_summary

TZ = ZoneInfo("Europe/London")
PUBLISHED = date(2022, 3, 29)


def person(pid: str, name: str) -> Person:
    return Person(id=pid, name=name, identities={"slack": "U" + pid.upper()[:9].ljust(9, "0")},
                  roles=frozenset({Role.BRONZE}))


def green(aid: str, progress: int | None, at: datetime, narrative: str = "") -> Update:
    return Update(action_id=aid, rag=RAG.GREEN, progress=progress, narrative=narrative, source=Source.BUTTON,
                  created_at=at)


def nyp_like(latest: dict[str, Update], statuses: dict[str, ActionStatus] | None = None) -> PlanState:
    """The demo's shape: five immediate recommendations due 29 March, their actions due April to June."""
    statuses = statuses or {}
    recs, actions = [], []
    dues = (date(2022, 4, 30), date(2022, 5, 31), date(2022, 6, 30))
    for i in range(1, 6):
        recs.append(Recommendation(id=f"R{i}", title=f"Immediate {i}", category=Category.IMMEDIATE,
                                   due=PUBLISHED, position=i))
        for j, due in enumerate(dues, start=1):
            aid = f"R{i}.{j}"
            actions.append(Action(id=aid, recommendation_id=f"R{i}", title=f"Step {j} of {i}", owner="lead",
                                  due=due, original_due=due, status=statuses.get(aid, ActionStatus.OPEN), position=j))
    return PlanState(info=PlanInfo(title="NCPI improvement plan", published=PUBLISHED), recommendations=recs,
                     actions=actions, latest=latest, people={"lead": person("lead", "Head of Safeguarding")},
                     as_of=datetime(2022, 4, 5, 11, tzinfo=UTC))


CLICK = datetime(2022, 3, 15, 10, 30, tzinfo=UTC)
# what the demo's leads said in the first cycle: mostly one click on "On track, no change"
FIRST_CYCLE = {
    "R1.1": green("R1.1", None, CLICK),  # R1.2, R1.3 not started
    "R2.1": Update(action_id="R2.1", rag=RAG.AMBER, progress=60, narrative="drafted", source=Source.MODAL,
                   created_at=CLICK),
    "R2.2": green("R2.2", None, CLICK), "R2.3": green("R2.3", None, CLICK),
    "R3.1": green("R3.1", None, CLICK), "R3.2": green("R3.2", 70, CLICK, "first cohort trained"),
    "R3.3": green("R3.3", None, CLICK),
    "R4.2": green("R4.2", None, CLICK),  # R4.1 closed below
    "R5.1": green("R5.1", None, CLICK), "R5.2": green("R5.2", None, CLICK), "R5.3": green("R5.3", None, CLICK),
}


def gold_on(day: date, state: PlanState) -> Summary:
    now = datetime(day.year, day.month, day.day, 11, tzinfo=UTC)
    return build_summary("gold", state, now=now, today=day, tz=TZ, force="North Yorkshire Police")


def test_past_its_deadline_with_open_actions_a_recommendation_is_overdue_and_red_never_green() -> None:
    # 5 April 2022, a week after the 29 March deadline: main showed R3, R4, R5 Green at 0-50 % and none overdue
    s = gold_on(date(2022, 4, 5), nyp_like(FIRST_CYCLE, {"R4.1": ActionStatus.CLOSED}))
    recs = {r.id: r for r in s.recommendations}
    for rid in ("R1", "R2", "R3", "R4", "R5"):
        assert recs[rid].rag == RAG.RED and recs[rid].rag != RAG.GREEN, rid
        assert recs[rid].is_overdue and recs[rid].rollup is RollUp.OVERDUE
    assert [e.action_id for e in s.exceptions_of(ExceptionKind.RECOMMENDATION_OVERDUE)] == [
        "R1", "R2", "R3", "R4", "R5"]
    assert "R4.1" not in [e.action_id for e in s.exceptions_of(ExceptionKind.RECOMMENDATION_OVERDUE)]
    # every format says so, in words
    text = render_summary(s, "text")
    assert text.count("RED (OVERDUE)") == 5 and "GREEN" not in text.split("RECOMMENDATIONS")[1]
    assert "5 overdue" in text
    data = json.loads(render_summary(s, "json"))
    assert [r["rollup"] for r in data["recommendations"]] == ["overdue"] * 5
    assert all(r["is_overdue"] for r in data["recommendations"])
    blocks = json.dumps(summary_messages(s))
    assert blocks.count(":red_circle: *Red (overdue)*") == 5
    rows = list(csv.DictReader(io.StringIO(render_summary(
        build_summary("silver", nyp_like(FIRST_CYCLE), now=s.generated_at, today=s.today, tz=TZ), "csv"))))
    assert len(rows) == 15 and {(r["recommendation_position"], r["recommendation_overdue"]) for r in rows} == {
        ("overdue", "yes")}


def test_on_its_deadline_day_a_recommendation_is_not_yet_overdue() -> None:
    s = gold_on(PUBLISHED, nyp_like({aid: green(aid, 50, CLICK, "on plan") for aid in
                                     ("R3.1", "R3.2", "R3.3")}))
    r3 = next(r for r in s.recommendations if r.id == "R3")
    assert not r3.is_overdue and r3.rag == RAG.GREEN  # every action said Green, with words, and none is late
    assert s.exceptions_of(ExceptionKind.RECOMMENDATION_OVERDUE) == []


def test_not_started_actions_count_all_not_started_is_not_started() -> None:
    s = gold_on(date(2022, 3, 21), nyp_like(FIRST_CYCLE))
    recs = {r.id: r for r in s.recommendations}
    # R1: one Green click, two actions nobody has reported on: main rolled it up Green at 0 %
    assert recs["R1"].rag == RAG.AMBER and recs["R1"].rollup is RollUp.AMBER
    assert "2 not started" in recs["R1"].position and recs["R1"].progress == 0
    # every action said Green: Green
    assert recs["R5"].rag == RAG.GREEN
    empty = gold_on(date(2022, 3, 21), nyp_like({}))
    for r in empty.recommendations:
        assert r.rollup is RollUp.NOT_STARTED and r.rag is None and r.progress == 0
    text = render_summary(empty, "text")
    assert text.count("NOT STARTED") == 5 and text.count(" 0%") >= 5


def test_an_action_past_its_own_due_date_makes_its_recommendation_red() -> None:
    state = nyp_like({aid: green(aid, 90, CLICK, "nearly there") for aid in ("R6.1",)})
    state.recommendations.append(Recommendation(id="R6", title="Three months", category=Category.THREE_MONTHS,
                                                due=date(2022, 6, 29), position=6))
    state.actions.append(Action(id="R6.1", recommendation_id="R6", title="Standards", owner="lead",
                                due=date(2022, 5, 31), original_due=date(2022, 5, 31)))
    s = gold_on(date(2022, 6, 6), state)
    r6 = next(r for r in s.recommendations if r.id == "R6")
    assert not r6.is_overdue and r6.rag == RAG.RED  # its own action is late, whatever its owner said


def test_reported_blue_is_not_delivered_and_signed_off_is_delivered_not_complete() -> None:
    reported = {aid: Update(action_id=aid, rag=RAG.BLUE, progress=100, narrative="done", source=Source.DM,
                            created_at=CLICK) for aid in ("R2.1", "R2.2", "R2.3")}
    s = gold_on(date(2022, 3, 21), nyp_like(reported, {"R3.1": ActionStatus.CLOSED, "R3.2": ActionStatus.CLOSED,
                                                       "R3.3": ActionStatus.CLOSED}))
    recs = {r.id: r for r in s.recommendations}
    # main: R2 Blue (complete) on its owners' word, before Silver or Gold saw any evidence
    assert recs["R2"].rag == RAG.GREEN and not recs["R2"].complete
    assert "3 reported complete" in recs["R2"].position
    # main: R3 complete once signed off; now delivered, complete only when embedded
    assert recs["R3"].rollup is RollUp.DELIVERED and recs["R3"].delivered and not recs["R3"].complete
    assert recs["R3"].rag == RAG.BLUE and recs["R3"].progress == 100
    assert recs["R3"].position.startswith("delivered, to be embedded: 3 delivered")


def test_delivered_and_embedded_are_counted_apart_and_complete_needs_every_action_embedded() -> None:
    statuses = {"R3.1": ActionStatus.EMBEDDED, "R3.2": ActionStatus.EMBEDDED, "R3.3": ActionStatus.SUPERSEDED,
                "R4.1": ActionStatus.EMBEDDED, "R4.2": ActionStatus.CLOSED, "R4.3": ActionStatus.CLOSED}
    s = gold_on(date(2022, 7, 1), nyp_like({}, statuses))
    recs = {r.id: r for r in s.recommendations}
    assert s.totals["embedded"] == 3 and s.totals["blue"] == 3  # delivered 2 + superseded 1
    assert recs["R3"].complete and recs["R3"].rollup is RollUp.COMPLETE
    assert recs["R3"].position == "complete: 2 embedded, 1 superseded"
    assert recs["R4"].rollup is RollUp.DELIVERED and not recs["R4"].complete and not recs["R4"].is_overdue
    text = render_summary(s, "text")
    assert "Embedded 3" in text and "COMPLETE" in text and "DELIVERED" in text
    assert "1 delivered (to be embedded) · 1 complete" in text


@pytest.mark.parametrize("fmt", ["text", "markdown", "csv", "json"])
def test_every_format_shows_progress_and_the_roll_up_for_every_recommendation(fmt: str) -> None:
    s = build_summary("silver", other_force(), now=datetime(2023, 9, 4, 9, tzinfo=UTC), today=date(2023, 9, 4),
                      tz=TZ)
    out = render_summary(s, fmt)
    if fmt == "json":
        shown = [(r["id"], r["progress"], r["rollup"]) for r in json.loads(out)["recommendations"]]
        assert shown == [("P1", 80, "overdue"), ("P2", 0, "not_started"), ("P3", 40, "green")]
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [(r["recommendation_id"], r["recommendation_position"]) for r in rows] == [
            ("P1", "overdue"), ("P2", "not_started"), ("P3", "green")]
    else:
        table = out.split("ecommendations")[-1] if fmt == "markdown" else out.split("RECOMMENDATIONS")[1]
        for rid, word, pct in (("P1", "RED (OVERDUE)", "80%"), ("P2", "NOT STARTED", "0%"), ("P3", "GREEN", "40%")):
            line = next(x for x in table.splitlines() if x.strip(" |").startswith(rid))
            assert word in line and pct in line, line


def other_force() -> PlanState:
    """Another force's plan, its own ids and dates: P1 past its deadline, P2 not started, P3 on track."""
    recs = [Recommendation(id="P1", title="Missing from home", category=Category.SIX_MONTHS, due=date(2023, 8, 31)),
            Recommendation(id="P2", title="Referrals", category=Category.OTHER, due=date(2024, 1, 31), position=1),
            Recommendation(id="P3", title="Custody", category=Category.OTHER, due=date(2024, 1, 31), position=2)]
    acts = [Action(id="P1-a", recommendation_id="P1", title="Policy", owner="pvp", due=date(2023, 8, 31),
                   original_due=date(2023, 8, 31)),
            Action(id="P2-a", recommendation_id="P2", title="Audit", owner="pvp", due=date(2023, 12, 1),
                   original_due=date(2023, 12, 1)),
            Action(id="P3-a", recommendation_id="P3", title="Review", owner="pvp", due=date(2023, 12, 1),
                   original_due=date(2023, 12, 1))]
    at = datetime(2023, 8, 1, 9, tzinfo=UTC)
    latest = {"P1-a": green("P1-a", 80, at, "almost"), "P3-a": green("P3-a", 40, at, "on plan")}
    return PlanState(info=PlanInfo(title="Plan"), recommendations=recs, actions=acts, latest=latest,
                     people={"pvp": person("pvp", "Head of PVP")}, as_of=at + timedelta(days=30))


def test_another_forces_plan_rolls_up_by_the_same_rules() -> None:
    s = build_summary("gold", other_force(), now=datetime(2023, 9, 4, 9, tzinfo=UTC), today=date(2023, 9, 4),
                      tz=TZ)
    assert [(r.id, r.rollup, r.progress) for r in s.recommendations] == [
        ("P1", RollUp.OVERDUE, 80), ("P2", RollUp.NOT_STARTED, 0), ("P3", RollUp.GREEN, 40)]


def test_every_surface_has_a_word_for_every_bucket() -> None:
    buckets = {b.value for b in BUCKET_ORDER}
    assert "embedded" in buckets
    for table in (BUCKET_NAME, EMOJI, TOTAL_LABELS, BUCKET_LABEL):
        assert set(table) == buckets
    assert {b.value for b in LABELS} == {b.value for b in COLOURS} == buckets
