"""`ncpi check` with a token asks Slack: the token, the scopes, the channels and every person's id."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.slack.ids import is_channel_id, is_user_id
from bot.standin import SlackStandIn
from ncpi_core.config.schema import ForceConfig

ROOT = Path(__file__).resolve().parents[2]


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
    channels = {force_config.channel("silver", "slack"), force_config.channel("gold", "slack")}
    with SlackStandIn.from_config(force_config, bot_channels=channels) as slack:
        code, out = _check(monkeypatch, slack, capsys)
    assert code == 0, out
    assert "Slack: connected to" in out and "silver channel" in out and "All checks passed." in out


def test_each_problem_is_one_line_with_its_fix(migrated: None, force_config: ForceConfig,
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    users = {p.slack_user: p.name for p in force_config.people if p.id != "head_crime"}
    with SlackStandIn.from_config(force_config, users=users, bot_channels={force_config.channel("silver", "slack")},
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


def test_slack_ids_of_the_wrong_shape_are_named_with_their_line(
        migrated: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # the core keeps any chat id as an opaque string; `ncpi check` knows Slack's shapes
    config = tmp_path / "config"
    config.mkdir()
    shutil.copy(ROOT / "config" / "action_plan.yaml", config)
    text = (ROOT / "config" / "ncpi.yaml").read_text(encoding="utf-8")
    (config / "ncpi.yaml").write_text(
        text.replace("slack_user: U0CRIME001", "slack_user: crime-lead")
            .replace("{silver: C0SILVER01, gold: C0GOLD0001}", "{silver: '#silver', gold: {teams: 'x'}}"),
        encoding="utf-8")
    monkeypatch.setenv("NCPI_CONFIG_DIR", str(config))
    capsys.readouterr()
    assert main(["check"]) == 1
    fails = [line for line in capsys.readouterr().out.splitlines() if line.startswith("FAIL")]
    assert fails == [
        f"FAIL {config / 'ncpi.yaml'}, line 6, field 'channels.silver': '#silver' is not a Slack channel id "
        "(C… or G…): copy it from the bottom of the channel's details",
        f"FAIL {config / 'ncpi.yaml'}, line 6, field 'channels.gold.slack': no Slack channel for Gold: give the id "
        "(C… or G…) of the channel its summaries are posted in",
        f"FAIL {config / 'ncpi.yaml'}, line 13, field 'people.5.slack_user': 'crime-lead' is not a Slack member "
        "id (U… or W…): copy it from their profile (⋮ → Copy member ID)",
    ]


def test_the_shapes_of_slack_ids() -> None:
    assert [is_user_id(v) for v in ("U0CRIME001", "W012A3CDE", "u0crime001", "C0SILVER01", "U")] == [
        True, True, False, False, False]
    assert [is_channel_id(v) for v in ("C0SILVER01", "G0PRIVATE1", "D0DM000001", "#silver", "U0CRIME001")] == [
        True, True, False, False, False]


@pytest.mark.parametrize(("method", "answer"), [
    ("conversations.info", {}),  # no channel at all
    ("conversations.info", {"channel": "C0SILVER01"}),  # a string where an object belongs
    ("users.info", {"user": None}),
    ("auth.test", {"team": None, "user": 7}),
])
def test_a_malformed_slack_answer_is_a_problem_line_not_a_traceback(
        method: str, answer: dict[str, object], migrated: None, force_config: ForceConfig,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.standin.methods import METHODS

    monkeypatch.setitem(METHODS, method, lambda ws, p, ctx: dict(answer))
    channels = {force_config.channel("silver", "slack"), force_config.channel("gold", "slack")}
    with SlackStandIn.from_config(force_config, bot_channels=channels) as slack:
        code, out = _check(monkeypatch, slack, capsys)
    assert code == 1, out
    fails = [line for line in out.splitlines() if line.startswith("FAIL")]
    assert any(method in f and "shape Slack documents" in f and "SLACK_API_URL" in f for f in fails), out
    assert "Traceback" not in out
