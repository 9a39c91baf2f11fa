"""The chart tells the truth too: every recommendation has a bar to see (0 % included) and its
roll-up in words beside it; delivered and embedded actions are stacked apart; the alternative
text says all of it (issue 16: on main a recommendation at 0 % had no bar and no word)."""

from __future__ import annotations

from matplotlib.patches import Rectangle  # the test extra installs matplotlib: never skipped

from ncpi_core.domain.summaries.chart import ChartData, RecProgress, describe_chart
from ncpi_core.domain.summaries.model import RollUp
from ncpi_core.reports.chart import chart_figure, render_chart_png

DATA = ChartData(
    title="North Yorkshire Police: NCPI improvement plan",
    points=[("18 Mar\n2022", {"red": 1, "amber": 2, "green": 21, "blue": 1, "embedded": 0, "not_started": 2}),
            ("now\n05 Apr", {"red": 1, "amber": 2, "green": 19, "blue": 1, "embedded": 2, "not_started": 2})],
    progress=[RecProgress("R1", 0, RollUp.OVERDUE), RecProgress("R2", 20, RollUp.OVERDUE),
              RecProgress("R6", 0, RollUp.NOT_STARTED), RecProgress("R7", 10, RollUp.RED),
              RecProgress("R8", 100, RollUp.DELIVERED), RecProgress("R9", 100, RollUp.COMPLETE),
              RecProgress("R10", 0, RollUp.GREEN, unverified=2)])


def _panels() -> tuple[object, object]:
    fig = chart_figure(DATA)
    left, right = fig.axes
    return left, right


def test_every_recommendation_has_a_bar_to_see_even_at_zero() -> None:
    _, right = _panels()
    bars = [p for p in right.patches if isinstance(p, Rectangle)]  # type: ignore[attr-defined]
    assert len(bars) == len(DATA.progress)
    assert all(b.get_width() > 0 for b in bars)  # main drew width 0 for R1 and R6: nothing to see


def test_each_bar_says_its_progress_and_roll_up_in_words() -> None:
    _, right = _panels()
    words = {t.get_text() for t in right.texts}  # type: ignore[attr-defined]
    assert {"0% · RED (OVERDUE)", "20% · RED (OVERDUE)", "0% · NOT STARTED", "10% · RED", "100% · DELIVERED",
            "100% · COMPLETE", "0% · GREEN (2 unverified)"} <= words


def test_delivered_and_embedded_are_stacked_apart_with_their_own_legend() -> None:
    left, _ = _panels()
    legend = [t.get_text() for t in left.get_legend().get_texts()]  # type: ignore[attr-defined]
    assert "Embedded" in legend and "Blue (closed)" in legend
    assert render_chart_png(DATA).startswith(b"\x89PNG")


def test_the_alternative_text_says_what_the_chart_shows() -> None:
    alt = describe_chart(DATA)
    assert "R1 0% RED (OVERDUE)" in alt and "R6 0% NOT STARTED" in alt and "R9 100% COMPLETE" in alt
    assert "R10 0% GREEN (2 unverified)" in alt
    assert "Now: 27 actions, 1 red, 2 amber, 19 green, 1 closed, 2 embedded, 2 not started." in alt
