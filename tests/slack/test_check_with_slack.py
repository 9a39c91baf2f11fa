"""`ncpi check` with a token asks Slack: the token, the scopes, the channels and every person's id."""

from __future__ import annotations

import pytest

from bot.cli import main
from bot.standin import SlackStandIn
from ncpi_core.config.schema import ForceConfig


@pytest.fixture
def migrated(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NCPI_DATABASE_URL", f"sqlite:///{tmp_path / 'check.db'}")
    assert main(["db", "upgrade"]) == 0


def _check(monkeypatch: pytest.MonkeyPatch, slack: SlackStandIn, capsys: pytest.CaptureFixture[str],
           token: str = "xoxb-check-token") -> tuple[int, str]:
    monkeypatch.setenv("SLACK_BOT_TOKEN", token)
    monkeypatch.setenv("SLACK_API_URL", slack.api_url)
    capsys.readouterr()
    code = main(["check"])
    return code, capsys.readouterr().out


def test_a_workspace_set_up_as_the_readme_says_passes(migrated: None, force_config: ForceConfig,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    with SlackStandIn.from_config(force_config,
                                  bot_channels={force_config.channels.silver, force_config.channels.gold}) as slack:
        code, out = _check(monkeypatch, slack, capsys)
    assert code == 0, out
    assert "Slack: connected to" in out and "silver channel" in out and "All checks passed." in out


def test_each_problem_is_one_line_with_its_fix(migrated: None, force_config: ForceConfig,
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    users = {p.slack_user: p.name for p in force_config.people if p.id != "head_crime"}
    with SlackStandIn.from_config(force_config, users=users, bot_channels={force_config.channels.silver},
                                  scopes="chat:write,commands,im:history,im:write,users:read") as slack:
        code, out = _check(monkeypatch, slack, capsys)
    assert code == 1
    fails = [line for line in out.splitlines() if line.startswith("FAIL")]
    assert any("not in the gold channel" in f and "/invite" in f for f in fails), out
    assert any("head_crime" in f and "U0CRIME001" in f for f in fails), out
    assert any("channels:read" in f and "reinstall" in f for f in fails), out
    assert "xoxb-check-token" not in out


def test_a_refused_token_says_what_to_do(migrated: None, force_config: ForceConfig,
                                        monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    with SlackStandIn.from_config(force_config, tokens={"xoxb-the-real-one"}) as slack:
        code, out = _check(monkeypatch, slack, capsys, token="xoxb-an-old-one")
    assert code == 1 and "Slack refused the bot token (invalid_auth)" in out
    assert "xoxb-an-old-one" not in out
