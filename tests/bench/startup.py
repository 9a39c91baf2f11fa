"""Start-up: `ncpi --help` and `ncpi summary` as cold processes, and the idle memory of `ncpi run --mode http`."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from .generate import CONFIG_DIR
from .measure import median, percentile, rss_kib

SECRET = "bench-signing-secret-0123456789abcdef"


def ncpi_command() -> list[str]:
    """The installed `ncpi` script (what a user runs), else `python -m bot`."""
    script = shutil.which("ncpi")
    return [script] if script else [sys.executable, "-m", "bot"]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "NCPI_"))}
    env.update({"NCPI_CONFIG_DIR": str(CONFIG_DIR), "PYTHONDONTWRITEBYTECODE": "1"})
    env.update(extra)
    return env


def time_process(argv: list[str], env: dict[str, str], cwd: Path, runs: int) -> list[float]:
    """Wall seconds of `runs` cold runs (each must exit 0)."""
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, timeout=120)
        out.append(time.perf_counter() - started)
        if proc.returncode != 0:
            raise AssertionError(f"{argv} exited {proc.returncode}: {proc.stderr.decode()[-500:]}")
    return out


def startup_rows(db_url: str, cwd: Path, runs: int = 7) -> list[dict[str, Any]]:
    """Cold-start figures: bare Python, `ncpi --help`, `ncpi summary` (text and json)."""
    ncpi = ncpi_command()
    env = clean_env(NCPI_DATABASE_URL=db_url)
    cases = [("python -c pass (floor)", [sys.executable, "-c", "pass"]),
             ("python -c 'import slack_bolt, sqlalchemy' (libraries)",
              [sys.executable, "-c", "import slack_bolt, sqlalchemy, pydantic"]),
             ("ncpi --help", [*ncpi, "--help"]),
             ("ncpi summary", [*ncpi, "summary"]),
             ("ncpi summary --level gold --format json", [*ncpi, "summary", "--level", "gold", "--format", "json"]),
             ("ncpi schedule --format json", [*ncpi, "schedule", "--format", "json"]),
             ("ncpi next", [*ncpi, "next"]),
             ("ncpi check", [*ncpi, "check"])]
    rows: list[dict[str, Any]] = []
    for name, argv in cases:
        samples = [s * 1000 for s in time_process(argv, env, cwd, runs)]
        rows.append({"what": name, "runs": runs, "median_ms": round(median(samples), 1),
                     "p99_ms": round(percentile(samples, 99), 1)})
    floor = rows[0]["median_ms"]
    for row in rows:
        row["vs_python"] = round(row["median_ms"] / floor, 1)
    return rows


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def idle_rss(db_url: str, api_url: str, cwd: Path, settle: float = 2.0,
             slack: Any = None, summaries: int = 0, label: str = "") -> dict[str, Any]:
    """RSS of `ncpi run --mode http` once it answers /healthz and has sat idle for `settle` s; with
    `summaries`, after that many signed `/ncpi summary` commands (each after a fresh write when
    `label` says so: every one a miss), answered through `slack` (the stand-in)."""
    port = free_port()
    env = clean_env(NCPI_DATABASE_URL=db_url, SLACK_BOT_TOKEN="xoxb-bench-token",
                    SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=api_url)
    started = time.perf_counter()
    proc = subprocess.Popen([*ncpi_command(), "run", "--mode", "http", "--port", str(port)], env=env, cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        ready = None
        while time.perf_counter() - started < 60:
            if proc.poll() is not None:
                raise AssertionError(f"ncpi run exited {proc.returncode}: "
                                     f"{proc.stderr.read().decode()[-800:] if proc.stderr else ''}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        ready = time.perf_counter() - started
                        break
            except OSError:
                time.sleep(0.05)
        if ready is None:
            raise AssertionError("ncpi run never answered /healthz")
        time.sleep(settle)
        idle = round(rss_kib(proc.pid) / 1024, 1)
        if not summaries:
            return {"what": "ncpi run --mode http (idle, scheduler on)", "ready_ms": round(ready * 1000),
                    "rss_mib": idle}
        from bot.standin import SlackSender  # the bench's own import, only for this case

        sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", SECRET, timeout=120)
        for i in range(summaries):
            url = slack.new_response_url(channel="C0SILVER01", user="U0TACC0001")
            before = len(slack.responses)
            answer = sender.slash_command("U0TACC0001", "summary gold" if i % 2 else "summary", response_url=url)
            assert answer.status == 200, answer.body[:300]
            deadline = time.monotonic() + 180
            while not answer.body and len(slack.responses) == before and time.monotonic() < deadline:
                time.sleep(0.1)  # the answer came by response URL (acked empty first)
        time.sleep(settle + 3)
        return {"what": f"ncpi run --mode http after {summaries} {label}summaries", "ready_ms": round(ready * 1000),
                "rss_mib": round(rss_kib(proc.pid) / 1024, 1), "idle_rss_mib": idle}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
