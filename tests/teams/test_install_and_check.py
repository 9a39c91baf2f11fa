"""Conversation references (a bot may message a person only once its app is installed for them) and
`ncpi check --platform teams`: Teams ids, credentials named but never shown, and whom ncpi cannot
reach yet with the fix (an app setup policy)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from bot.standin.teams import render_posted
from tests.conftest import CONFIG_DIR
from tests.teams.conftest import TeamsHarness


def _stored(teams: TeamsHarness) -> dict[str, Any]:
    with teams.core.uow() as uow:
        return {a: uow.conversations.get("teams", a) for a in uow.conversations.addresses("teams")}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_installation_keeps_the_reference_and_welcomes_once(teams: TeamsHarness) -> None:
    stored = _stored(teams)
    ld = teams.id("head_ld")
    conversation, reference = stored[ld]
    assert conversation == teams.standin.chat_of(ld)
    assert reference["serviceUrl"] == teams.standin.service_url and reference["conversation"]["tenantId"]
    assert any(a.startswith("team:") for a in stored)
    welcomes = [m for m in teams.bot_said("head_ld") if "I am ncpi" in render_posted(m)]
    assert len(welcomes) == 1  # installationUpdate and conversationUpdate both came: one welcome
    teams.client.install(ld)  # an upgrade re-sends both
    assert len([m for m in teams.bot_said("head_ld") if "I am ncpi" in render_posted(m)]) == 1


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_stranger_installing_the_app_is_told_what_ncpi_is_not(teams: TeamsHarness) -> None:
    stranger = teams.standin.tenant.add_user("0badc0de-0000-4000-8000-000000000003", "Someone Else").aad
    teams.client.install(stranger)
    said = teams.standin.bot_messages(teams.standin.chat_of(stranger))
    assert len(said) == 1 and "not in its list of people" in render_posted(said[0])


def _write_config(folder: Path, teams_ids: dict[str, str], channels: dict[str, str],
                  bad: dict[str, str] | None = None) -> Path:
    doc = yaml.safe_load((CONFIG_DIR / "ncpi.yaml").read_text())
    for person in doc["people"]:
        person["teams_user"] = (bad or {}).get(person["id"], teams_ids.get(person["id"]))
        if person["teams_user"] is None:
            del person["teams_user"]
    doc["channels"] = {body: {"slack": doc["channels"][body], "teams": channels[body]} for body in ("silver", "gold")}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ncpi.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    (folder / "action_plan.yaml").write_text((CONFIG_DIR / "action_plan.yaml").read_text())
    return folder


def _env(teams: TeamsHarness, monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    for name, value in teams.standin.settings().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("NCPI_CONFIG_DIR", str(folder))
    monkeypatch.setenv("NCPI_DATABASE_URL", str(teams.core.engine.url.render_as_string(hide_password=False)))


def _ids(teams: TeamsHarness) -> tuple[dict[str, str], dict[str, str]]:
    people = {p.id: str(p.teams_user) for p in teams.config.people if p.teams_user}
    channels = {b: str(teams.config.channel(b, "teams")) for b in ("silver", "gold")}
    return people, channels


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_check_lists_whom_ncpi_cannot_reach_and_the_fix(teams: TeamsHarness, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    people, channels = _ids(teams)
    people.pop("opfcc")  # no teams_user at all
    teams.client.uninstall(teams.id("head_crime"))
    _env(teams, monkeypatch, _write_config(tmp_path / "config", people, channels))
    assert main(["check", "--platform", "teams"]) == 0  # warnings, no problem
    out = capsys.readouterr().out
    assert "Microsoft Entra accepts the bot's credentials" in out
    assert "MICROSOFT_APP_PASSWORD set (not shown)" in out and teams.standin.login.secret not in out
    (line,) = [x for x in out.splitlines() if "cannot reach head_crime" in x]
    assert line.startswith("warn") and "app setup policy" in line and "Setup policies" in line
    assert "opfcc (OPFCC Head of Policy) has no teams_user" in out
    assert "cannot reach head_ld" not in out


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_check_names_each_bad_teams_id_and_its_line(teams: TeamsHarness, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    people, channels = _ids(teams)
    folder = _write_config(tmp_path / "config", people, {**channels, "gold": "General"}, bad={"tacc": "U0TACC0001"})
    _env(teams, monkeypatch, folder)
    assert main(["check", "--platform", "teams"]) == 1
    out = capsys.readouterr().out
    (tacc,) = [x for x in out.splitlines() if "'U0TACC0001' is not a Microsoft Entra object id" in x]
    assert tacc.startswith("FAIL") and ", line " in tacc and "Object ID" in tacc
    (gold,) = [x for x in out.splitlines() if "'General' is not a Teams channel id" in x]
    assert "channels.gold.teams" in gold and "Get link to channel" in gold


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("change", "said"), [
    ({"MICROSOFT_APP_ID": ""}, "MICROSOFT_APP_ID is not set."),
    ({"MICROSOFT_APP_ID": "ncpi-bot"}, "MICROSOFT_APP_ID does not look like an app id."),
    ({"MICROSOFT_APP_PASSWORD": ""}, "MICROSOFT_APP_PASSWORD is not set."),
    ({"MICROSOFT_APP_TENANT_ID": "contoso"}, "MICROSOFT_APP_TENANT_ID does not look like a tenant id."),
    ({"MICROSOFT_APP_PASSWORD": "an-expired-secret"}, "Microsoft Entra refused the bot's credentials"),
])
def test_check_says_which_credential_is_wrong_without_showing_it(teams: TeamsHarness, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str],
                                                                 change: dict[str, str], said: str) -> None:
    people, channels = _ids(teams)
    _env(teams, monkeypatch, _write_config(tmp_path / "config", people, channels))
    for name, value in change.items():
        monkeypatch.setenv(name, value)
    assert main(["check", "--platform", "teams"]) == 1
    out = capsys.readouterr().out
    (line,) = [x for x in out.splitlines() if said in x]
    assert line.startswith("FAIL")
    assert "an-expired-secret" not in out and teams.standin.login.secret not in out
