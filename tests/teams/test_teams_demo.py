"""`ncpi demo --platform teams` runs the same whole cycle through the real Teams bot and leaves a database."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.teams.demo import TeamsDemoResult, run_teams_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, TeamsDemoResult]:
    url = f"sqlite:///{tmp_path_factory.mktemp('teams-demo') / 'demo.db'}"
    out = io.StringIO()
    result = run_teams_demo(url, out=out)
    return url, out.getvalue(), result


def test_the_tour_covers_the_whole_cycle_in_teams(demo: tuple[str, str, TeamsDemoResult]) -> None:
    _, text, result = demo
    kinds = result.by_kind
    assert kinds["prompt"] == 27 and kinds["gold_reminder"] == 8
    assert kinds["nudge"] >= 1 and kinds["escalation"] == 1
    assert kinds["silver_summary"] == 1 and kinds["gold_summary"] == 1
    for day in ("Friday 11 March 2022", "Tuesday 15 March 2022", "Tuesday 22 March 2022"):
        assert day in text
    # the four ways a lead answers in Teams, and the one who never does
    assert "presses: [Update…]" in text and "presses: [Save update]" in text
    assert "messages ncpi: R6.1 amber 40%" in text and "replies to the prompt: green 70%" in text
    assert "presses: [On track, no change]" in text and "↻ the card now reads:" in text
    assert "Reminder: no update yet for R1.1" in text
    # closure by the chairs' buttons; the summaries in their channels, the chart with its text
    assert "proposes R4.1 complete" in text and "presses: [Approve]" in text
    assert "presses: [Sign off (close)]" in text and "signed off and closed" in text
    assert "→ #gold channel" in text and "Gold summary" in text and "[image: Chart of" in text
    assert "→ #silver channel" in text and "Silver summary" in text
    assert "🟠 Amber" in text and "(at risk)" in text
    # beyond the force: the PCC's office rates, an observer is refused and reads, the inspectorate's status
    assert "Recorded the PCC's assurance of R4: partly assured" in text
    assert "Sorry, as an observer you cannot sign off an action" in text
    assert "Recorded the inspectorate's status of R4: being progressed" in text
    assert "PCC's assurance: partly assured" in text and "Inspectorate: being progressed since 2022-03-21" in text
    assert result.invalid_payloads == 0 and result.refused == 0


def test_the_database_is_left_for_summary(demo: tuple[str, str, TeamsDemoResult], monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    url, _, _ = demo
    monkeypatch.setenv("NCPI_DATABASE_URL", url)
    capsys.readouterr()
    assert main(["summary", "--level", "gold", "--now", "2022-03-22T12:30"]) == 0
    gold = capsys.readouterr().out
    assert "R10" in gold and "R7.1" in gold and "partly assured" in gold


def test_ncpi_demo_platform_teams_needs_no_tenant(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--platform", "teams", "--quiet", "--database", f"sqlite:///{tmp_path / 'd.db'}"]) == 0
    out = capsys.readouterr().out
    assert "stand-in for Microsoft Teams" in out and "Done in" in out and "27 prompt" in out


def test_a_slack_command_never_loads_the_agents_sdk() -> None:
    import subprocess

    code = ("import sys; from bot.cli import main; main(['summary', '--level', 'gold']); "
            "print(sorted(m for m in sys.modules if m.startswith(('microsoft_agents', 'aiohttp', 'msal'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout + result.stderr
