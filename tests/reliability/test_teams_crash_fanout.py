"""Crash mid fan-out on Teams: `ncpi tick --platform teams` prompting 200 leads is SIGKILLed at
random points, then restarted past the lease.

The stand-in runs in this process, so the kill lands at an exact point:
- "answered, not recorded": a few milliseconds after the Bot Connector answered the k-th post,
  while the sender writes its journal and the ledger;
- "opening a chat": while Teams is asked for the k-th person's chat (nobody's is stored at first);
- "posted, no answer": the Bot Connector has stored the k-th post but not yet answered.

Teams cannot be searched for a message, so a post in flight when its tick dies is the window the
README describes: Teams stored it, ncpi never heard its id, and the restart sends it again. The
Teams sender keeps one post in flight (`max_in_flight = 1`), so a kill repeats at most one. The
scenario checks that nothing is lost, and that every duplicate is exactly such a post: the
earlier copy went out in the moment before a kill (and its id is in neither the journal nor the
ledger). Whatever had been answered and journalled before the kill is never sent again.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from bot.standin.teams import Call, TeamsStandIn, Tenant
from ncpi_core.domain.ledger import Kind
from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.sql import SqlUowFactory
from reliability.harness import (
    SILVER_2022_03_08_PROMPTS,
    Figures,
    ForkServer,
    Processes,
    load_force,
    sqlite_file,
)
from reliability.teams_harness import teams_env, teams_id, write_teams_force

LEADS = 200
REPEATS = int(os.environ.get("NCPI_RELIABILITY_CRASH_REPEATS", "20"))
FANOUTS = 2
SEED = 20220313
MODES = ("answered, not recorded", "opening a chat", "posted, no answer")
OPS = {"answered, not recorded": "send", "opening a chat": "create", "posted, no answer": "send"}


class KillSwitch:
    """Kills the running tick when the stand-in has handled the k-th successful call of `op`:
    from inside the stand-in's request thread before the answer is written, or from a watcher a
    few milliseconds after it."""

    def __init__(self, standin: TeamsStandIn) -> None:
        self.standin = standin
        self.pid: int | None = None
        self.op, self.k, self.before_answer = "send", 0, True
        self.counts: Counter[str] = Counter()
        self.killed = False
        self.kill_times: list[float] = []
        self._lock = threading.Lock()
        standin.connector.on_call = self._on_call

    def arm(self, pid: int, op: str, k: int, before_answer: bool) -> None:
        with self._lock:
            self.pid, self.op, self.k, self.before_answer, self.killed = pid, op, k, before_answer, False

    def _on_call(self, call: Call) -> None:
        if not call.ok:
            return
        with self._lock:
            self.counts[call.op] += 1
            if self.before_answer and call.op == self.op and self.counts[call.op] >= self.k and not self.killed:
                self._kill()

    def _kill(self) -> None:
        if self.pid is not None and not self.killed:
            ForkServer.kill(self.pid)
            self.killed = True
            self.kill_times.append(time.time())

    def watch(self, rng: random.Random, timeout: float) -> None:
        if self.before_answer:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.counts[self.op] < self.k:
            time.sleep(0.002)
        time.sleep(rng.random() * 0.02)
        with self._lock:
            self._kill()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("teams-crash-template")
    config_dir = write_teams_force(root / "config", LEADS, gold=False)
    db_dir = root / "db"
    db_dir.mkdir()
    load_force(sqlite_file(db_dir), config_dir)
    return config_dir, db_dir / "ncpi.db"


def _prompt_states(db: Path) -> dict[str, int]:
    engine = build_engine(f"sqlite:///{db}")
    with SqlUowFactory(engine)() as uow:
        rows = uow.ledger.records(kinds=[Kind.PROMPT])
    engine.dispose()
    return dict(Counter(r.state for r in rows))


def test_sigkill_mid_fanout_on_teams_then_restart(template: tuple[Path, Path], processes: Processes,
                                                   tmp_path: Path, figures: Figures) -> None:
    config_dir, template_db = template
    leads = {teams_id(f"lead{i:03d}"): f"Lead {i:03d}" for i in range(LEADS)}
    chairs = {teams_id(p): p for p in ("dcc", "tacc", "coordinator")}
    rng = random.Random(SEED)
    started = time.monotonic()
    kills: Counter[str] = Counter()
    totals = {"duplicates": 0, "losses": 0, "unexplained": 0}
    details: list[str] = []
    server = processes.forkserver()
    per_fanout = max(1, REPEATS // FANOUTS)
    with TeamsStandIn(Tenant({**leads, **chairs})) as standin:
        switch = KillSwitch(standin)
        for fanout in range(FANOUTS):
            standin.reset()
            switch.counts.clear()
            switch.kill_times.clear()
            db = tmp_path / f"fanout{fanout}.db"
            shutil.copy(template_db, db)
            env = teams_env(standin, NCPI_DATABASE_URL=f"sqlite:///{db}", NCPI_CONFIG_DIR=str(config_dir))
            points = sorted(rng.sample(range(1, LEADS), per_fanout))
            for i, k in enumerate(points):
                mode = rng.choice(MODES)
                op = OPS[mode]
                now = SILVER_2022_03_08_PROMPTS + timedelta(minutes=6 * i)
                pid = server.start(["tick", "--platform", "teams", "--now", now.isoformat()], env,
                                   name=f"teams-crash{fanout}-{i}")
                switch.arm(pid, op, max(k, switch.counts[op] + 1), mode != "answered, not recorded")
                switch.watch(rng, timeout=120)
                rc = server.wait(pid, timeout=120)
                if switch.killed and rc == -signal.SIGKILL:
                    kills[mode] += 1
                details.append(f"fan-out {fanout} tick {i}: {mode} at {k}: rc={rc}")
            last = SILVER_2022_03_08_PROMPTS + timedelta(minutes=6 * len(points))
            switch.arm(0, "", 10**9, True)
            rc, out = processes.run(["tick", "--platform", "teams", "--now", last.isoformat()], env, timeout=240,
                                    name=f"teams-restart{fanout}")
            assert rc == 0, out
            prompts: dict[str, list[float]] = {aad: [] for aad in leads}
            chats = {standin.chat_of(aad): aad for aad in leads}
            for m in standin.messages():
                if m.kind == "bot" and m.summary.startswith("Update needed for") and m.conversation in chats:
                    prompts[chats[m.conversation]].append(m.at)
            duplicated = {aad: sorted(at) for aad, at in prompts.items() if len(at) > 1}
            # every copy but the last was in flight at one of the kills: stored in the 2 s before it, or
            # (its request already on the wire) in the half second after (a prompt in flight at two
            # kills in a row is sent three times)
            unexplained = [aad for aad, at in duplicated.items()
                           if not all(any(-0.5 <= k - a <= 2.0 for k in switch.kill_times) for a in at[:-1])]
            totals["duplicates"] += sum(len(at) - 1 for at in duplicated.values())
            totals["losses"] += sum(1 for at in prompts.values() if not at)
            totals["unexplained"] += len(unexplained)
            details += [f"  unexplained {aad}: copies at {[round(a - at[0], 3) for a in at]}, kills at "
                        f"{[round(k - at[0], 3) for k in switch.kill_times if -5 < k - at[0] < 30]}"
                        for aad, at in duplicated.items() if aad in unexplained]
            details.append(f"fan-out {fanout}: {Counter(len(at) for at in prompts.values())}; "
                           f"{len(switch.kill_times)} kills; {out.strip()}")
            states = _prompt_states(db)
            assert states.get("sent") == LEADS and set(states) <= {"sent", "stale"}, (states, "\n".join(details))
    n = sum(kills.values())
    figures.record("Teams: SIGKILL `ncpi tick --platform teams` prompting 200 leads, restart",
                   runs=n, deliveries=LEADS * FANOUTS, duplicates=totals["duplicates"], losses=totals["losses"],
                   note=f"{FANOUTS} fan-outs; {kills['posted, no answer']} kills with a post stored but "
                        f"unanswered, {kills['answered, not recorded']} a moment after an answer, "
                        f"{kills['opening a chat']} while opening a chat; every duplicate a post in flight "
                        "at its kill (Teams cannot be searched: README, Connect Microsoft Teams)",
                   seconds=time.monotonic() - started)
    print("\n".join(details))
    assert n >= REPEATS * 3 // 4, "\n".join(details)
    assert totals["losses"] == 0 and totals["unexplained"] == 0, (totals, "\n".join(details))
    assert totals["duplicates"] <= n, (totals, "\n".join(details))  # at most the one post in flight a kill
