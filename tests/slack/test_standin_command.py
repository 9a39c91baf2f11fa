"""`ncpi standin` starts the local Slack and prints what to set; `ncpi tick` and `ncpi run` then work against it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / "config"


def _start(env: dict[str, str], cwd: Path) -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "standin", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env, cwd=cwd)
    told: dict[str, str] = {}
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(told) < 3:
        line = proc.stdout.readline()
        if m := re.match(r"\s+export (SLACK_\w+)=(\S+)", line):
            told[m[1]] = m[2]
    return proc, told


def test_standin_prints_the_settings_and_tick_and_run_work_against_it(tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "NCPI_"))}
    base["NCPI_CONFIG_DIR"] = str(CONFIG)
    proc, told = _start(base, tmp_path)
    try:
        assert set(told) == {"SLACK_API_URL", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"}
        assert told["SLACK_API_URL"].startswith("http://127.0.0.1:") and told["SLACK_BOT_TOKEN"].startswith("xoxb-")
        env = {**base, **told, "NCPI_DATABASE_URL": f"sqlite:///{tmp_path / 'try.db'}"}

        def ncpi(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
            return subprocess.run([sys.executable, "-m", "bot.cli", *argv], capture_output=True, text=True,
                                  env=env, cwd=tmp_path, timeout=timeout)

        assert ncpi("db", "upgrade").returncode == 0 and ncpi("plan", "load").returncode == 0
        ticked = ncpi("tick", "--now", "2022-03-01T09:00")
        assert ticked.returncode == 0, ticked.stderr
        assert int(re.search(r"sent=(\d+)", ticked.stdout)[1]) >= 27  # type: ignore[index]
        run = subprocess.Popen([sys.executable, "-X", "faulthandler", "-m", "bot.cli", "run", "--port", "0", "--no-scheduler"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path)
        try:
            assert run.stdout is not None
            deadline, started = time.monotonic() + 60, ""
            while time.monotonic() < deadline and "new connection" not in started:
                started += run.stdout.readline()
            assert "Socket Mode" in started and "new connection" in started
        finally:
            run.terminate()
            try:
                run.wait(timeout=30)
            except subprocess.TimeoutExpired:
                import signal
                run.send_signal(signal.SIGABRT)
                print(run.communicate(timeout=30)[0][-6000:])
                raise
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert out.count("chat.postMessage") >= 27 and "apps.connections.open" in out
    urllib.request.getproxies()  # (no network is used: every URL above is 127.0.0.1)
