"""`ncpi run` as a person starts it: clear one-line errors, then the bot serving real HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from bot.standin import SlackSender, SlackStandIn
from tests.slack.conftest import BOT_TOKEN, SIGNING_SECRET, SILVER_CHAIR, wait_for

ROOT = Path(__file__).resolve().parents[2]


def ncpi_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "NCPI_"))}
    env["NCPI_CONFIG_DIR"] = str(ROOT / "config")
    env.update(extra)
    return env


def run_ncpi(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", "run", *args], env=ncpi_env(**env),
                          capture_output=True, text=True, timeout=60, cwd=ROOT)


@pytest.mark.parametrize(("args", "env", "names"), [
    ((), {}, "SLACK_BOT_TOKEN is not set"),
    ((), {"SLACK_BOT_TOKEN": "abc123"}, "SLACK_BOT_TOKEN does not look like a bot token"),
    (("--mode", "http"), {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is not set"),
    (("--mode", "socket"), {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN is not set"),
    ((), {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-wrong"},
     "SLACK_APP_TOKEN does not look like an app-level token"),
])
def test_missing_or_malformed_secrets_are_one_clear_line(args: tuple[str, ...], env: dict[str, str],
                                                         names: str) -> None:
    result = run_ncpi(*args, **env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ncpi run: ") and names in lines[0]
    assert "Traceback" not in result.stderr


def test_an_unmigrated_database_says_what_to_run(tmp_path: Path) -> None:
    result = run_ncpi("--mode", "http", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                      NCPI_DATABASE_URL=f"sqlite:///{tmp_path}/empty.db")
    assert result.returncode == 1
    assert "ncpi db upgrade" in result.stderr and "Traceback" not in result.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_ncpi_run_http_serves_slack_and_healthz_and_logs_no_secret(slack: SlackStandIn,
                                                                   bot_engine: object,
                                                                   bot_db_url: str) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--mode", "http", "--port", str(port), "--no-scheduler"],
        env=ncpi_env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                     SLACK_API_URL=slack.api_url, NCPI_DATABASE_URL=bot_db_url, NCPI_LOG_LEVEL="DEBUG"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        def healthy() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    return r.status == 200
            except OSError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                return False

        wait_for(healthy, timeout=20, what="ncpi run to answer /healthz")
        sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET)
        url = slack.new_response_url("C0SILVER01", SILVER_CHAIR)
        answer = sender.slash_command(SILVER_CHAIR, "summary", response_url=url)
        assert answer.status == 200 and answer.elapsed < 3
        reply = wait_for(lambda: slack.responses, what="the summary")[0]
        assert "Silver summary" in reply.text
        assert sender.slash_command(SILVER_CHAIR, "summary", signing="forged").status == 401
        assert all(c.token == BOT_TOKEN for c in slack.calls)  # SLACK_API_URL reached every call
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            _, stderr = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, stderr = proc.communicate()
    assert proc.returncode == 0, stderr
    assert "ncpi serving Slack" in stderr
    assert BOT_TOKEN not in stderr and SIGNING_SECRET not in stderr
