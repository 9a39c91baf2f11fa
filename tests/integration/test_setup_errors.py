"""Errors a force's IT can act on: each first-hour mistake is one line naming what is wrong and the fix.

Every case is tried through the `ncpi` command as a person would meet it (exit status 1, one line
on stderr, never a traceback), against commands that open the database and one that only reads it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser, main

DB_COMMANDS = (["db", "upgrade"], ["summary"])


def one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    capsys.readouterr()
    assert main(argv) == 1
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize("argv", DB_COMMANDS, ids=" ".join)
@pytest.mark.parametrize(("url", "words"), [
    ("mysql://ncpi:secret@db.example/ncpi", ["'mysql' database", "does not support", "postgresql://"]),
    ("oracle+cx_oracle://u:p@h/x", ["'oracle+cx_oracle' database", "does not support"]),
    ("postgresql://ncpi:secret@db.example:port/ncpi", ["cannot be read", "port is not a number", "***"]),
    ("not a url at all", ["cannot be read", "no scheme://", "sqlite:///ncpi.db"]),
    ("sqlite:////no/such/folder/ncpi.db", ["/no/such/folder", "does not exist", "mkdir -p /no/such/folder"]),
], ids=["unknown-scheme", "another-scheme", "malformed-port", "not-a-url", "folder-missing"])
def test_a_database_url_that_cannot_work_is_one_line_naming_the_fix(
        url: str, words: list[str], argv: list[str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NCPI_DATABASE_URL", url)
    err = one_line_error(capsys, argv)
    for w in words:
        assert w in err
    assert "secret" not in err


@pytest.mark.parametrize("argv", DB_COMMANDS, ids=" ".join)
def test_postgresql_without_its_driver_names_the_extra_to_install(
        argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as after `pip install .` without [postgres]
    monkeypatch.setenv("NCPI_DATABASE_URL", "postgresql://ncpi:secret@127.0.0.1:5432/ncpi")
    err = one_line_error(capsys, argv)
    assert "psycopg" in err and "pip install 'ncpi[postgres]'" in err


@pytest.mark.postgres
@pytest.mark.parametrize("argv", DB_COMMANDS, ids=" ".join)
def test_a_database_that_does_not_exist_is_named_with_how_to_create_it(
        argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    base = os.environ.get("NCPI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    monkeypatch.setenv("NCPI_DATABASE_URL", base.rsplit("/", 1)[0] + "/ncpi_never_created")
    err = one_line_error(capsys, argv)
    assert "no database named ncpi_never_created" in err and "createdb ncpi_never_created" in err
    assert "try again" not in err  # retrying never creates a database


def test_an_unknown_time_zone_gives_examples(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NCPI_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("NCPI_TIMEZONE", "BST")
    err = one_line_error(capsys, ["summary"])
    assert "'BST'" in err and "Europe/London" in err and "UTC" in err


@pytest.mark.parametrize("url", ["not a url", "ftp://slack.example/api/", "https:///api/"])
def test_an_api_url_that_cannot_work_is_one_line_naming_the_fix(
        url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # slack_sdk would raise ValueError or SlackRequestError deep inside auth.test: a traceback
    monkeypatch.setenv("NCPI_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_API_URL", url)
    err = one_line_error(capsys, ["check"])
    assert "SLACK_API_URL" in err and "not an http(s) address" in err and "ncpi standin" in err


def test_check_creates_no_database_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NCPI_CONFIG_DIR", str(Path(__file__).resolve().parents[2] / "config"))
    monkeypatch.setenv("NCPI_DATABASE_URL", "sqlite:///ncpi.db")
    main(["check"])
    assert "ncpi db upgrade" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_chart_refuses_a_suffix_it_cannot_write(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NCPI_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    err = one_line_error(capsys, ["chart", "--out", str(tmp_path / "x.jpg")])
    assert ".jpg" in err and ".png" in err and not (tmp_path / "x.jpg").exists()


def test_version_and_help_on_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith("ncpi ")
    missing = []

    def walk(parser: object, path: str) -> None:
        for action in parser._actions:  # type: ignore[attr-defined]
            if action.option_strings and not action.help:
                missing.append(f"{path} {action.option_strings[0]}")
            for name, sub in (getattr(action, "choices", None) or {}).items() if hasattr(action, "_name_parser_map") \
                    else ():
                walk(sub, f"{path} {name}")

    walk(build_parser(), "ncpi")
    assert missing == []


@pytest.mark.parametrize("command", ["schedule", "demo --quiet"])
def test_a_closed_pipe_ends_quietly_like_other_unix_tools(command: str, tmp_path: Path) -> None:
    env = {**os.environ, "NCPI_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
           "NCPI_CONFIG_DIR": str(Path(__file__).resolve().parents[2] / "config")}
    extra = " --to 2030-12-31" if command == "schedule" else f" --database sqlite:///{tmp_path / 'd.db'}"
    script = f"{sys.executable} -m bot.cli {command}{extra} | head -n 1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", script], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=240)
    assert done.stdout.count("\n") == 1
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
    assert done.returncode in (0, 141)
