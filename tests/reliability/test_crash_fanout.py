"""Crash mid fan-out: `ncpi tick` prompting 200 leads is SIGKILLed at random points, then restarted.

The stand-in runs in this process, so the kill can land at an exact point: when it has stored the
k-th prompt but before it answers (the worst case: posted in Slack, not yet marked sent in the
ledger), or a moment after it answered. After a restart (a few minutes later, past the lease)
every lead must have exactly one prompt in their DM.
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
from typing import Any

import pytest

from bot.standin import SlackStandIn
from ncpi_core.domain.ledger import Kind
from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.sql import SqlUowFactory
from reliability.harness import (
    SILVER_2022_03_08_PROMPTS,
    Figures,
    ForkServer,
    Processes,
    child_env,
    lead_users,
    load_force,
    sqlite_file,
    wait_until,
    write_force,
)

LEADS = 200
REPEATS = int(os.environ.get("NCPI_RELIABILITY_CRASH_REPEATS", "20"))
FANOUTS = 2
SEED = 20220301
MEETING = "silver:20220308T1400Z"  # the cycle whose prompts open at SILVER_2022_03_08_PROMPTS


def prompt_keys_per_user(slack: SlackStandIn, users: list[str]) -> dict[str, list[str]]:
    """The ledger keys of the prompts each user received in their DM (from the metadata)."""
    out: dict[str, list[str]] = {}
    for user in users:
        keys = []
        for m in slack.messages(user):
            payload = (m.metadata or {}).get("event_payload") or {}
            key = str(payload.get("key", ""))
            if key.startswith(f"prompt:{MEETING}:"):
                keys.append(key)
        out[user] = keys
    return out


class KillSwitch:
    """Kills the running tick when the stand-in has seen the k-th successful call to `method`.

    `before_answer`: from inside the stand-in's request thread, before the answer is written
    (the message is in Slack; the tick never hears so). Otherwise from a watcher thread a few
    milliseconds after the answer went back (while the tick writes the ledger).
    """

    def __init__(self, slack: SlackStandIn) -> None:
        self.slack = slack
        self.pid: int | None = None
        self.k = 0
        self.method = "chat.postMessage"
        self.before_answer = True
        self.counts: Counter[str] = Counter()
        self.killed = False
        self._lock = threading.Lock()
        self._original = slack._record
        slack._record = self._record  # type: ignore[method-assign]

    def arm(self, pid: int, method: str, k: int, before_answer: bool) -> None:
        with self._lock:
            self.pid, self.method, self.k, self.before_answer = pid, method, k, before_answer
            self.killed = False

    def _record(self, call: Any) -> None:
        self._original(call)
        if not call.ok:
            return
        with self._lock:
            self.counts[call.method] += 1
            if (self.before_answer and call.method == self.method
                    and self.counts[call.method] >= self.k):
                self._kill()

    def _kill(self) -> None:
        if self.pid is not None and not self.killed:
            ForkServer.kill(self.pid)
            self.killed = True

    def watch(self, rng: random.Random, timeout: float) -> None:
        if self.before_answer:
            return
        if wait_until(lambda: self.counts[self.method] >= self.k, timeout, interval=0.002):
            time.sleep(rng.random() * 0.02)
            with self._lock:
                self._kill()

    def restore(self) -> None:
        self.slack._record = self._original  # type: ignore[method-assign]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A config folder with 200 leads and a SQLite database with their plan loaded."""
    root = tmp_path_factory.mktemp("crash-template")
    config_dir = write_force(root / "config", LEADS, gold=False)
    db_dir = root / "db"
    db_dir.mkdir()
    load_force(sqlite_file(db_dir), config_dir)
    return config_dir, db_dir / "ncpi.db"


def prompt_states(db: Path) -> dict[str, int]:
    """How many of the cycle's prompts the ledger holds in each state."""
    engine = build_engine(f"sqlite:///{db}")
    with SqlUowFactory(engine)() as uow:
        rows = uow.ledger.records(kinds=[Kind.PROMPT])
    engine.dispose()
    return dict(Counter(r.state for r in rows if r.key.startswith(f"prompt:{MEETING}:")))


def test_sigkill_mid_fanout_then_restart_sends_each_prompt_once(
        template: tuple[Path, Path], processes: Processes, tmp_path: Path, figures: Figures) -> None:
    """FANOUTS fan-outs to 200 leads; each tick is killed at a random later point (a prompt just
    stored but not answered, a prompt answered but not yet recorded, or a DM being opened) and the
    next tick starts 6 minutes later (past the 5-minute lease); the last tick runs to the end."""
    config_dir, template_db = template
    users = lead_users(LEADS)
    rng = random.Random(SEED)
    started = time.monotonic()
    total_dupes = total_losses = deliveries = kills = 0
    details: list[str] = []
    server = processes.forkserver()
    kills_per_fanout = max(1, REPEATS // FANOUTS)
    with SlackStandIn(users={u: u for u in users}) as slack:
        switch = KillSwitch(slack)
        try:
            for fanout in range(FANOUTS):
                slack.reset()
                switch.counts.clear()
                db = tmp_path / f"fanout{fanout}.db"
                shutil.copy(template_db, db)
                env = child_env(SLACK_API_URL=slack.api_url, NCPI_DATABASE_URL=f"sqlite:///{db}",
                                NCPI_CONFIG_DIR=str(config_dir))
                points = sorted(rng.sample(range(1, LEADS), kills_per_fanout))
                for i, k in enumerate(points):
                    mode = rng.choice(["posted, no answer", "answered, not recorded", "opening the DM"])
                    method = "conversations.open" if mode == "opening the DM" else "chat.postMessage"
                    now = SILVER_2022_03_08_PROMPTS + timedelta(minutes=6 * i)
                    pid = server.start(["tick", "--now", now.isoformat()], env, name=f"crash{fanout}-{i}")
                    # each point counts from where the previous tick stopped
                    switch.arm(pid, method, max(k, switch.counts[method] + 1), mode != "answered, not recorded")
                    switch.watch(rng, timeout=120)
                    rc = server.wait(pid, timeout=120)
                    kills += switch.killed and rc == -signal.SIGKILL
                    details.append(f"fan-out {fanout} tick {i}: {mode} at {k}: rc={rc}")
                # the restart that runs to the end, as `ncpi tick` in a fresh interpreter
                last = SILVER_2022_03_08_PROMPTS + timedelta(minutes=6 * len(points))
                switch.arm(0, "", 10**9, True)
                rc, out = processes.run(["tick", "--now", last.isoformat()], env, timeout=180,
                                        name=f"restart{fanout}")
                assert rc == 0, out
                per_user = prompt_keys_per_user(slack, users)
                dupes = sum(len(v) - 1 for v in per_user.values() if len(v) > 1)
                losses = sum(1 for v in per_user.values() if not v)
                total_dupes += dupes
                total_losses += losses
                deliveries += sum(len(v) for v in per_user.values())
                details.append(f"fan-out {fanout}: {Counter(len(v) for v in per_user.values())}; {out.strip()}")
                assert prompt_states(db) == {"sent": LEADS}, "\n".join(details)
        finally:
            switch.restore()
    figures.record("Crash mid fan-out: SIGKILL `ncpi tick` prompting 200 leads, restart",
                   runs=kills, deliveries=deliveries, duplicates=total_dupes, losses=total_losses,
                   note=f"{FANOUTS} fan-outs of {LEADS}, {kills} kills at random points "
                        "(posted but unanswered / answered but unrecorded / opening a DM)",
                   seconds=time.monotonic() - started)
    print("\n".join(details))
    assert kills >= REPEATS * 3 // 4, "\n".join(details)
    assert (total_dupes, total_losses) == (0, 0), "\n".join(details)
