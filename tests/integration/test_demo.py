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
    # two cycles: 27 prompts, then 26 (R4.1 is delivered); Gold reminders for 18 March, 1 and 8 April
    assert kinds["prompt"] == 27 + 26 and kinds["gold_reminder"] == 3 * 8
    assert kinds["nudge"] >= 1 and kinds["escalation"] == 1
    assert kinds["silver_summary"] == 1 and kinds["gold_summary"] == 2
    assert kinds.get("file_share") == 2  # the chart with each Gold summary
    assert kinds["challenge"] == 2  # the Silver chair's two questions, each owed to its owner
    for day in ("Friday 11 March 2022", "Tuesday 15 March 2022", "Tuesday 22 March 2022", "Friday 01 April 2022"):
        assert day in text
    # the four ways a lead answers, and the one who never does
    assert "fills in the update form" in text and "sends a DM" in text
    assert "replies in the prompt's thread" in text and "clicks: [On track]" in text
    assert re.search(r"Reminder: no update yet for R1\.1", text)
    # closure: proposed, accepted, signed off
    assert "proposes R4.1 complete" in text and "signed off R4.1" in text
    assert "Gold summary" in text and "Silver summary" in text
    assert result.invalid_payloads == 0 and result.broadcast_mentions == 0  # type: ignore[attr-defined]


def test_the_tour_shows_what_issue_16_made_true(demo: tuple[str, str, object]) -> None:
    _, text, _ = demo
    last = text.split("Deputy Chief Constable types: /ncpi summary gold")[1]
    # the overdue recommendations, never Green; progress for every one, 0 % included
    assert last.count("Red (overdue)") == 5 and "Red (overdue) R5 Strategy discussions and information sharing — 0%" in last
    # unverified greens: kept Green by clicks with no words for two cycles
    assert re.search(r"Green 23 \(1[0-9] unverified\)", last) and "Unverified Green" in last
    # a challenge from the Silver summary's button, answered in its thread; another still open at Gold
    assert "clicks: [Challenge…] on R2.2's line of the Silver summary" in text and "Challenge: R2.2" in text
    assert "asks in the challenge form" in text
    assert "replies in the challenge's thread" in text and "answered your challenge on R2.2" in text
    assert "Challenges awaiting an answer (1)" in last and "R5.1" in last.split("Challenges awaiting")[1][:200]
    # a Gold decision: in the next summary's "since the previous meeting", clearing R1's decision needed
    assert "Gold decision on R1 (Deputy Chief Constable, 01 Apr 10:40)" in last
    needed = last.split("Decisions needed")[1].split("Since the previous")[0]
    assert "R2 Response" in needed and "R1 Recognising" not in needed
    # delivered is not embedded: too soon; and the plan's clocks
    assert "can be recorded as embedded from 2022-06-16" in text
    assert "six-week date for the action plan: Tue 10 May 2022" in last


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
