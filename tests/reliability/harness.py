"""Reliability harness: the figures table, fake secrets, a large generated force, subprocesses."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.bootstrap import ManualClock, build_core, build_slack
from bot.settings import Settings
from bot.slack.gateway import build_web_client
from bot.slack.http import make_http_server
from bot.standin import Message, SentRequest, SlackSender, SlackStandIn
from ncpi_core.config.schema import ForceConfig, load_force_config, load_plan_file
from ncpi_core.storage.engine import Engine, build_engine
from ncpi_core.storage.migrate import upgrade
from ncpi_core.storage.sql import SqlUowFactory
from ncpi_core.usecases.plan import load_plan

HERE = Path(__file__).resolve().parent
LAST_RUN = HERE / "last_run.md"

# Distinctive fake secrets: the secrets scenario looks for them in every log it captured.
BOT_TOKEN = "xoxb-1111-RELIABILITYBOTTOKEN-7f3a9c"
APP_TOKEN = "xapp-1-RELIABILITYAPPTOKEN-2b8e41"
SIGNING_SECRET = "reliability-signing-secret-5d0c66e2"
SECRETS = (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, "RELIABILITYBOTTOKEN", "RELIABILITYAPPTOKEN",
           "5d0c66e2")


# --- figures ------------------------------------------------------------------------------------
@dataclass
class Figure:
    scenario: str
    runs: int
    deliveries: int
    duplicates: int
    losses: int
    inputs: int
    note: str = ""
    seconds: float = 0.0


@dataclass
class Figures:
    rows: list[Figure] = field(default_factory=list)
    fresh: bool = False

    def record(self, scenario: str, *, runs: int = 1, deliveries: int = 0, duplicates: int = 0,
               losses: int = 0, inputs: int = 0, note: str = "", seconds: float = 0.0) -> Figure:
        row = Figure(scenario, runs, deliveries, duplicates, losses, inputs, note, round(seconds, 1))
        self.rows = [r for r in self.rows if r.scenario != scenario] + [row]
        self.fresh = True
        print(f"\n[reliability] {scenario}: runs={runs} deliveries={deliveries} "
              f"duplicates={duplicates} losses={losses} inputs={inputs} {note}")
        return row

    def load_previous(self, path: Path) -> None:
        """Rows of an earlier last_run.md, kept until this run records the same scenario."""
        if not path.exists():
            return
        for line in path.read_text("utf-8").splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) != 8 or not cells[1].isdigit():
                continue
            with contextlib.suppress(ValueError):
                self.rows.append(Figure(cells[0], int(cells[1]), int(cells[2]), int(cells[3]),
                                        int(cells[4]), int(cells[5]), cells[7] + " (earlier run)"
                                        if "(earlier run)" not in cells[7] else cells[7],
                                        float(cells[6])))

    def markdown(self) -> str:
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        lines = [
            "# Reliability: figures from the last run",
            "",
            f"Written by the reliability scenarios (`python -m pytest`, or `python -m pytest tests/reliability`) at {when}.",
            "",
            "| scenario | runs | deliveries | duplicates | losses | inputs tried | seconds | notes |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for r in self.rows:
            lines.append(f"| {r.scenario} | {r.runs} | {r.deliveries} | {r.duplicates} | {r.losses} "
                         f"| {r.inputs} | {r.seconds} | {r.note} |")
        return "\n".join(lines) + "\n"


# --- logs: everything the scenarios logged, for the secrets check -----------------------------
class _Sink(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):  # a line that cannot be formatted is not a leak
            self.lines.append(self.format(record))


@dataclass
class LogSink:
    handler: _Sink
    files: list[Path] = field(default_factory=list)

    def text(self) -> str:
        parts = list(self.handler.lines)
        for f in self.files:
            if f.exists():
                parts.append(f.read_text("utf-8", "replace"))
        return "\n".join(parts)


# --- a large generated force --------------------------------------------------------------------
# Silver meets fortnightly on Tuesdays from 2022-02-08 14:00; prompts open 5 working days before.
SILVER_2022_03_08_PROMPTS = datetime(2022, 3, 1, 9, 30, tzinfo=UTC)  # Tue 1 March, 09:30 GMT
# A Tuesday in the North Yorkshire plan's life: Silver meets at 14:00, updates were asked for.
TUESDAY = datetime(2022, 5, 3, 9, 0, tzinfo=UTC)


def write_force(folder: Path, leads: int, *, gold: bool = True) -> Path:
    """Write ncpi.yaml and action_plan.yaml with `leads` Bronze leads, each owning one action.

    Also the usual chairs and an admin, so that summaries and escalations have somewhere to go.
    """
    folder.mkdir(parents=True, exist_ok=True)
    people = [
        "  - {id: dcc, name: Deputy Chief Constable, slack_user: U0DCC00001, roles: [gold_chair, gold]}",
        "  - {id: tacc, name: T/ACC, slack_user: U0TACC0001, roles: [silver_chair, silver, gold]}",
        "  - {id: coordinator, name: Coordinator, slack_user: U0CPC00001, roles: [admin, silver]}",
    ]
    for i in range(leads):
        people.append(f"  - {{id: lead{i:03d}, name: Lead {i:03d}, slack_user: U9L{i:07d}, roles: [bronze]}}")
    gold_rule = ('    - {rrule: "FREQ=MONTHLY;BYDAY=1FR", start: 2022-02-01, time: "10:00"}' if gold
                 else '    - {rrule: "FREQ=YEARLY", start: 2030-01-04, time: "10:00"}')
    (folder / "ncpi.yaml").write_text("\n".join([
        "force: Reliability Test Constabulary",
        "timezone: Europe/London",
        "channels: {silver: C0SILVER01, gold: C0GOLD0001}",
        "people:",
        *people,
        "meetings:",
        "  gold:",
        gold_rule,
        "  silver:",
        '    - {rrule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", start: 2022-02-08, time: "14:00"}',
        "timings:",
        "  prompt_working_days_before_silver: 5",
        "  nudge_after_working_days: 2",
        "  escalate_to_silver_chair_after_nudges: 1",
        "  gold_reminder_working_days_before: 5",
        "  gold_summary_working_days_before: 1",
        "  silver_summary_hours_before: 2",
        '  send_time: "09:00"',
        "  bank_holidays: england-and-wales",
        "",
    ]), encoding="utf-8")
    plan = ["plan: {title: Reliability plan, report: Generated, published: 2022-01-10}",
            "recommendations:"]
    per_rec = 20
    for r in range(max(1, (leads + per_rec - 1) // per_rec)):
        plan += [f"  - id: R{r + 1}", f"    title: Recommendation {r + 1}",
                 "    text: Generated for the reliability tests.", "    category: immediate",
                 "    due: 2022-06-30", "    actions:"]
        for i in range(r * per_rec, min(leads, (r + 1) * per_rec)):
            plan.append(f"      - {{id: R{r + 1}.{i - r * per_rec + 1}, title: Action of lead {i:03d}, "
                        f"owner: lead{i:03d}, due: 2022-06-30}}")
    (folder / "action_plan.yaml").write_text("\n".join(plan) + "\n", encoding="utf-8")
    return folder


def lead_users(leads: int) -> list[str]:
    return [f"U9L{i:07d}" for i in range(leads)]


# --- databases --------------------------------------------------------------------------------


def sqlite_file(folder: Path) -> str:
    url = f"sqlite:///{folder / 'ncpi.db'}"
    engine = build_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def load_force(db_url: str, config_dir: Path) -> None:
    """Load the generated force's people and plan into the database."""
    config = load_force_config(config_dir / "ncpi.yaml")
    plan = load_plan_file(config_dir / "action_plan.yaml", config)
    engine = build_engine(db_url)
    with SqlUowFactory(engine)() as uow:
        load_plan(plan, config, uow, datetime(2022, 2, 1, 9, tzinfo=UTC))
        uow.commit()
    engine.dispose()


# --- subprocesses -------------------------------------------------------------------------------
def child_env(**overrides: str) -> dict[str, str]:
    """The environment of an `ncpi` child: no developer SLACK_/NCPI_ variables, fake secrets."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "NCPI_")) or k == "NCPI_TEST_POSTGRES_URL"}
    env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
               PYTHONUNBUFFERED="1", NCPI_CONFIG_DIR=str(HERE.parents[1] / "config"))
    env.update(overrides)
    return env


class Processes:
    """Starts `ncpi` children with their output in log files; kills every one at the end."""

    def __init__(self, folder: Path, sink: LogSink) -> None:
        self.folder = folder
        self.sink = sink
        self.started: list[subprocess.Popen[bytes]] = []
        self.logs: dict[int, Path] = {}
        self.fork_logs: dict[int, Path] = {}
        self._n = 0

    def start(self, args: list[str], env: dict[str, str], name: str = "ncpi") -> subprocess.Popen[bytes]:
        self._n += 1
        log = self.folder / f"{name}-{self._n}.log"
        self.sink.files.append(log)
        with open(log, "wb") as out:
            proc = subprocess.Popen([sys.executable, "-m", "bot", *args], env=env, stdout=out,
                                    stderr=subprocess.STDOUT, cwd=self.folder,
                                    start_new_session=True)
        self.started.append(proc)
        self.logs[proc.pid] = log
        return proc

    def run(self, args: list[str], env: dict[str, str], timeout: float = 120,
            name: str = "ncpi") -> tuple[int, str]:
        proc = self.start(args, env, name)
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill(proc)
            raise
        return rc, self.output(proc)

    def output(self, proc: subprocess.Popen[bytes]) -> str:
        return self.logs[proc.pid].read_text("utf-8", "replace")

    @staticmethod
    def kill(proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)

    def forkserver(self) -> ForkServer:
        """A warm interpreter that forks `ncpi` commands (see forkserver.py); killed at the end."""
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(HERE.parent), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        proc = subprocess.Popen([sys.executable, "-m", "reliability.forkserver"], env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=self.folder,
                                start_new_session=True, text=True, bufsize=1)
        self.started.append(proc)  # type: ignore[arg-type]
        return ForkServer(proc, self)

    def stop_all(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                self.kill(proc, signal.SIGTERM)
        for proc in self.started:
            self.kill(proc)


class ForkServer:
    """The test's side of forkserver.py: fork `ncpi` commands, wait for them, kill them."""

    def __init__(self, proc: subprocess.Popen[str], owner: Processes) -> None:
        self.proc = proc
        self.owner = owner
        self._n = 0
        ready = self._read(timeout=120)
        if "ready" not in ready:
            raise RuntimeError(f"the fork server did not start: {ready}")

    def _read(self, timeout: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            raise TimeoutError("the fork server did not answer")
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the fork server exited")
        return dict(json.loads(line))

    def _ask(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return self._read(timeout)

    def start(self, args: list[str], env: dict[str, str], name: str = "ncpi") -> int:
        self._n += 1
        log = self.owner.folder / f"{name}-fork{self._n}.log"
        self.owner.sink.files.append(log)
        pid = int(self._ask({"run": args, "env": env, "log": str(log), "cwd": str(self.owner.folder)},
                            timeout=30)["pid"])
        self.owner.fork_logs[pid] = log
        return pid

    def wait(self, pid: int, timeout: float = 120) -> int | None:
        rc = self._ask({"wait": pid, "timeout": timeout}, timeout=timeout + 30)["rc"]
        return None if rc is None else int(rc)

    def run(self, args: list[str], env: dict[str, str], timeout: float = 120,
            name: str = "ncpi") -> tuple[int | None, str]:
        pid = self.start(args, env, name)
        rc = self.wait(pid, timeout)
        if rc is None:
            self.kill(pid)
            self.wait(pid, 10)
        return rc, self.owner.fork_logs[pid].read_text("utf-8", "replace")

    @staticmethod
    def kill(pid: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def wait_until(predicate: Callable[[], object], timeout: float, interval: float = 0.05) -> bool:
    """Poll `predicate` until it is true or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


# --- the Bolt app over HTTP on loopback, in this process ----------------------------------------
class AppUnderTest:
    """The Slack front end as `build_slack` wires it on a core, served by `make_http_server` on
    127.0.0.1; signed requests from `SlackSender`."""

    def __init__(self, slack: SlackStandIn, db_url: str, config: ForceConfig, now: datetime,
                 engine: Engine | None = None) -> None:
        self.slack = slack
        self.clock = ManualClock(now)
        self.engine = engine or build_engine(db_url)
        settings = Settings(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,  # type: ignore[call-arg]
                            SLACK_API_URL=slack.api_url, NCPI_DATABASE_URL=db_url)
        self.core = build_core(settings, clock=self.clock, config=config, engine=self.engine)
        self.runtime = build_slack(self.core, client=build_web_client(BOT_TOKEN, slack.api_url),
                                   signing_secret=SIGNING_SECRET)
        self.app, self.deps = self.runtime.app, self.runtime.deps
        self.server = make_http_server(self.app, self.core, host="127.0.0.1", port=0)
        self._thread = threading.Thread(target=self.server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.sender = SlackSender(f"{self.url}/slack/events", SIGNING_SECRET)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.engine.dispose()

    def __enter__(self) -> AppUnderTest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- what Slack sends ---------------------------------------------------------------------
    def command(self, user: str, text: str, channel: str = "C0SILVER01", **kwargs: Any) -> SentRequest:
        url = self.slack.new_response_url(channel=channel, user=user)
        return self.sender.slash_command(user, text, channel_id=channel, response_url=url, **kwargs)

    def dm(self, user: str, text: str, thread_ts: str | None = None, **kwargs: Any) -> SentRequest:
        channel = self.slack.dm_channel(user)
        ts = kwargs.pop("ts", None) or self.slack.add_user_message(channel, user, text, thread_ts)
        return self.sender.message_im(user, text, channel, ts=ts, thread_ts=thread_ts, **kwargs)

    def health(self) -> tuple[int, str]:
        import urllib.error
        import urllib.request

        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=10) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

    # --- what the bot did -----------------------------------------------------------------------
    def said_to(self, user: str) -> list[Message]:
        """Everything the bot showed `user`: response-URL answers, ephemerals and DMs, in order."""
        dm = self.slack.dm_channel(user)
        out = [m for m in self.slack.responses if m.to_user == user]
        out += self.slack.ephemerals(user)
        out += [m for m in self.slack.messages(dm) if m.user != user]
        return sorted(out, key=lambda m: m.at)

    def wait_said(self, user: str, count: int, timeout: float = 10.0) -> list[Message]:
        wait_until(lambda: len(self.said_to(user)) >= count, timeout, interval=0.02)
        return self.said_to(user)


def message_text(message: Message) -> str:
    """A message's text and the text of its blocks, for looking for words in it."""
    return message.text + "\n" + json.dumps(message.blocks, ensure_ascii=False)


def free_loopback_port() -> int:
    """A port nothing listens on right now (for a server to start on, or to find refused)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
