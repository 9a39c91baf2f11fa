"""`ncpi demo` runs a whole cycle through the real bot and leaves a database to explore."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.slack.demo import run_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, object]:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    out = io.StringIO()
    result = run_demo(url, out=out)
    return url, out.getvalue(), result


def test_the_tour_covers_the_whole_cycle(demo: tuple[str, str, object]) -> None:
    _, text, result = demo
    kinds = result.by_kind  # type: ignore[attr-defined]
    assert kinds["prompt"] == 27 and kinds["gold_reminder"] == 8
    assert kinds["nudge"] >= 1 and kinds["escalation"] == 1
    assert kinds["silver_summary"] == 1 and kinds["gold_summary"] == 1
    assert kinds.get("file_share") == 1  # the chart with the Gold summary
    for day in ("Friday 11 March 2022", "Tuesday 15 March 2022", "Tuesday 22 March 2022"):
        assert day in text
    # the four ways a lead answers, and the one who never does
    assert "fills in the update form" in text and "sends a DM" in text
    assert "replies in the prompt's thread" in text and "clicks: [On track]" in text
    assert re.search(r"Reminder: no update yet for R1\.1", text)
    # closure: proposed, accepted, signed off
    assert "proposes R4.1 complete" in text and "signed off R4.1" in text
    assert "Gold summary" in text and "Silver summary" in text
    assert result.invalid_payloads == 0 and result.broadcast_mentions == 0  # type: ignore[attr-defined]


def test_the_database_is_left_for_summary_and_export(demo: tuple[str, str, object], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    url, _, _ = demo
    monkeypatch.setenv("NCPI_DATABASE_URL", url)
    capsys.readouterr()
    assert main(["summary", "--level", "gold"]) == 0
    gold = capsys.readouterr().out
    assert "R10" in gold and "R7.1" in gold  # every recommendation; the red exception
    out = tmp_path / "pack.xlsx"
    assert main(["export", "--format", "xlsx", "--out", str(out)]) == 0
    assert out.stat().st_size > 5000
