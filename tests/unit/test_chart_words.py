"""The RAG chart says its statuses in words: alternative text for screen readers, labels on the bars."""

from __future__ import annotations

import pytest

from ncpi_core.domain.summaries.chart import ChartData, RecProgress, describe_chart
from ncpi_core.domain.summaries.model import RollUp

DATA = ChartData("Force: plan", [("04 Mar\n2022", {"red": 1, "green": 20, "not_started": 6}),
                                 ("now\n22 Mar", {"red": 1, "amber": 2, "green": 21, "blue": 1, "not_started": 2})],
                 [RecProgress("R1", 40, RollUp.GREEN), RecProgress("R4", 100, RollUp.COMPLETE),
                  RecProgress("R9", 0, RollUp.NOT_STARTED)])


def test_the_alternative_text_summarises_the_position_now_then_and_per_recommendation() -> None:
    alt = describe_chart(DATA)
    assert "Now: 27 actions, 1 red, 2 amber, 21 green, 1 closed, 0 embedded, 2 not started." in alt
    assert "At the first meeting shown (04 Mar 2022): 1 red, 0 amber, 20 green" in alt
    assert "R1 40% GREEN; R4 100% COMPLETE; R9 0% NOT STARTED" in alt


def test_a_long_plan_is_shortened_at_a_word_within_the_limit() -> None:
    many = ChartData("T", DATA.points, [RecProgress(f"R{i}", i, RollUp.AMBER) for i in range(200)])
    alt = describe_chart(many, limit=300)
    assert len(alt) <= 300 and alt.endswith("…")


def test_the_bars_carry_patterns_and_words() -> None:
    pytest.importorskip("matplotlib")
    from ncpi_core.reports import chart

    assert len(set(chart.HATCH.values())) == len(chart.HATCH)  # one pattern per status
    png = chart.render_chart_png(DATA)
    assert png.startswith(b"\x89PNG")
