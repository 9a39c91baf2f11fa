"""The findings of issue 16, as a Gold chair met them running the demo, through interfaces that
existed before the fix (so each test fails on that code by its assertion, not by an import):

1. On 5 April 2022, a week after the 29 March deadline, the five immediate recommendations showed
   Green and none overdue: overdue was checked per action only.
2. A recommendation's RAG was the worst among actions that had reported: one whose actions had not
   started could show Green at 0 %.
3. In the chart's per-recommendation panel, recommendations at 0 % had no bar.
4. Greens kept by one click on "On track, no change", with no narrative, were not told apart.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from matplotlib.axes import Axes

from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain.models import RAG, Source
from ncpi_core.reports.chart import render_chart_png
from ncpi_core.reports.render import render_summary
from ncpi_core.storage.memory import MemoryUowFactory
from ncpi_core.usecases.charts import chart_data
from ncpi_core.usecases.plan import load_plan
from ncpi_core.usecases.summaries import summary_now
from ncpi_core.usecases.updates import UpdateCommand, record_update

FIRST_CYCLE = datetime(2022, 3, 15, 10, 30, tzinfo=UTC)  # prompts for Silver on 22 March went out at 09:00
FIFTH_OF_APRIL = datetime(2022, 4, 5, 11, 0, tzinfo=UTC)
# what the demo's leads did in the first cycle (owner, action, the update; None: "On track, no change")
REPLIES: list[tuple[str, str, tuple[RAG, int, str] | None]] = [
    ("head_safeguarding", "R2.1", (RAG.AMBER, 60, "Revised risk assessment drafted")),
    ("head_crime", "R6.1", (RAG.AMBER, 40, "standards drafted, consultation with CPS slipped a week")),
    ("head_ld", "R3.2", (RAG.GREEN, 70, "first cohort trained, second booked for April")),
    ("head_crime", "R6.2", (RAG.GREEN, 50, "review cycle live in two districts")),
    ("head_crime", "R7.1", (RAG.RED, 20, "screening tool procurement delayed; decision needed at Gold")),
    *[(owner, aid, None) for owner, aids in (
        ("head_safeguarding", ("R2.2", "R2.3", "R5.1", "R5.2")), ("head_ld", ("R7.2", "R9.1", "R9.2", "R9.3")),
        ("people_services", ("R8.1", "R8.2", "R8.3")),
        ("business_insight", ("R1.2", "R3.1", "R5.3", "R6.3", "R10.1", "R10.2")),
        ("communications", ("R3.3",)), ("head_cjc", ("R4.2",))) for aid in aids],
]


@pytest.fixture
def demo_world(force_config: ForceConfig, plan_file: PlanFile) -> MemoryUowFactory:
    """The example plan after the demo's first cycle (Head of Customer Contact never answers)."""
    world = MemoryUowFactory()
    with world() as uow:
        load_plan(plan_file, force_config, uow, datetime(2022, 3, 1, 9, tzinfo=UTC))
        uow.commit()
    for owner, aid, said in REPLIES:
        person = force_config.person(owner)
        assert person is not None
        cmd = (UpdateCommand(action_id=aid, rag=RAG.GREEN, keep_progress=True, source=Source.BUTTON)
               if said is None else UpdateCommand(action_id=aid, rag=said[0], progress=said[1], narrative=said[2],
                                                  source=Source.DM))
        record_update(world, force_config, person, cmd, now=FIRST_CYCLE, today=FIRST_CYCLE.date())
    return world


def _rows(text: str) -> dict[str, str]:
    """The Gold text summary's recommendation table, a row per recommendation id."""
    table = text.split("RECOMMENDATIONS", 1)[1]
    return {line.split()[0]: line for line in table.splitlines() if line[:1] == "R"}


def test_finding_1_past_the_deadline_the_immediate_recommendations_are_overdue_not_green(
        demo_world: MemoryUowFactory, force_config: ForceConfig) -> None:
    s = summary_now(demo_world, force_config, FIFTH_OF_APRIL, "gold")
    recs = {r.id: r for r in s.recommendations}
    for rid in ("R1", "R2", "R3", "R4", "R5"):  # due 29 March, every one with actions open
        assert recs[rid].rag == RAG.RED, f"{rid} is past its deadline with open actions: {recs[rid].rag}"
    rows = _rows(render_summary(s, "text"))
    for rid in ("R1", "R2", "R3", "R4", "R5"):
        assert "OVERDUE" in rows[rid] and "GREEN" not in rows[rid], rows[rid]
    assert "R6" in rows and "OVERDUE" not in rows["R6"]  # due 29 June: not yet


def test_finding_2_a_recommendation_with_actions_not_started_is_not_green(
        demo_world: MemoryUowFactory, force_config: ForceConfig) -> None:
    s = summary_now(demo_world, force_config, datetime(2022, 3, 21, 11, tzinfo=UTC), "gold")
    r1 = next(r for r in s.recommendations if r.id == "R1")
    # R1.2 clicked "On track"; R1.1 and R1.3 never reported: main showed R1 Green at 0 %
    assert r1.rag != RAG.GREEN and r1.rag == RAG.AMBER
    assert "GREEN" not in _rows(render_summary(s, "text"))["R1"]


def test_finding_3_every_recommendation_has_a_bar_in_the_chart_zero_included(
        demo_world: MemoryUowFactory, force_config: ForceConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: dict[str, Any] = {}
    barh, text = Axes.barh, Axes.text

    def record_barh(self: Axes, y: Any, width: Any, *args: Any, **kwargs: Any) -> Any:
        drawn["widths"] = list(width)
        return barh(self, y, width, *args, **kwargs)

    def record_text(self: Axes, x: Any, y: Any, s: str, *args: Any, **kwargs: Any) -> Any:
        drawn.setdefault("labels", []).append(s)
        return text(self, x, y, s, *args, **kwargs)

    monkeypatch.setattr(Axes, "barh", record_barh)
    monkeypatch.setattr(Axes, "text", record_text)
    data = chart_data(demo_world, force_config, FIFTH_OF_APRIL)
    assert render_chart_png(data).startswith(b"\x89PNG")
    assert len(drawn["widths"]) == 10
    assert all(w > 0 for w in drawn["widths"]), drawn["widths"]  # main drew 0 %: no bar at all
    # and each bar says its roll-up in words (colour is never the only carrier)
    assert sum("OVERDUE" in label for label in drawn["labels"]) == 5


def test_finding_4_greens_kept_by_clicks_with_no_words_are_marked_unverified(
        demo_world: MemoryUowFactory, force_config: ForceConfig) -> None:
    s = summary_now(demo_world, force_config, FIFTH_OF_APRIL, "gold")
    assert s.totals["green"] == 21  # as the finding counted them
    text = render_summary(s, "text")
    assert "Green 21 (19 unverified)" in text  # 19 of the 21 came from one click, no narrative
    silver = render_summary(summary_now(demo_world, force_config, FIFTH_OF_APRIL, "silver"), "markdown")
    assert silver.count("Unverified:") == 19
