"""Replicas on Teams: three `ncpi run --platform teams` processes share one PostgreSQL and one Teams
stand-in through a simulated month (May 2022, North Yorkshire's plan). At every step three
`ncpi tick --platform teams --now …` run at once, as three replicas' schedulers would; people
answer about half their prompts (a message, or a reply to the prompt), and Teams delivers each
activity to every replica. Every delivery goes exactly once, every update is stored once."""

from __future__ import annotations

import random
import socket
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from bot.standin.teams import TeamsStandIn
from bot.standin.teams.tenant import with_teams_ids
from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain.calendar import WorkingDays
from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.sql import SqlUowFactory
from ncpi_core.usecases.plan import load_plan
from reliability.harness import Figures, Processes, wait_until
from reliability.teams_harness import teams_env
from tests.conftest import CONFIG_DIR

REPLICAS = 3
LONDON = ZoneInfo("Europe/London")
FIRST, LAST = date(2022, 5, 1), date(2022, 5, 31)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def tick_moments() -> list[datetime]:
    wd = WorkingDays("england-and-wales")
    out, day = [], FIRST
    while day <= LAST:
        if wd.is_working(day):  # after the 09:00 send time and the Silver summary's 12:00
            out.append(datetime(day.year, day.month, day.day, 12, 5, tzinfo=LONDON).astimezone(UTC))
        day += timedelta(days=1)
    return out


def _write_config(folder: Path, config: ForceConfig) -> Path:
    doc = yaml.safe_load((CONFIG_DIR / "ncpi.yaml").read_text())
    for person in doc["people"]:
        found = config.person(person["id"])
        person["teams_user"] = found.identity("teams") if found else None
    doc["channels"] = {b: {"slack": doc["channels"][b], "teams": config.channel(b, "teams")} for b in ("silver", "gold")}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ncpi.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    return folder


def test_three_teams_replicas_through_a_month(private_postgres: str, force_config: ForceConfig, plan_file: PlanFile,
                                              processes: Processes, figures: Figures, tmp_path: Path) -> None:
    started = time.monotonic()
    config = with_teams_ids(force_config)
    config_dir = _write_config(tmp_path / "config", config)
    engine = build_engine(private_postgres)
    uows = SqlUowFactory(engine)
    with uows() as uow:
        load_plan(plan_file, config, uow, datetime(2022, 3, 1, 9, tzinfo=UTC))
        uow.commit()
    rng = random.Random(2022)
    replies: set[str] = set()
    activity_sends = 0
    with TeamsStandIn.from_config(config) as standin:
        env = teams_env(standin, NCPI_DATABASE_URL=private_postgres, NCPI_CONFIG_DIR=str(config_dir),
                        NCPI_LOG_LEVEL="INFO")
        ports = [free_port() for _ in range(REPLICAS)]
        for port in ports:
            # their schedulers would tick at today's real date: the month's ticks come from `ncpi tick`
            processes.start(["run", "--platform", "teams", "--port", str(port), "--no-scheduler"], env,
                            name=f"teams-replica{port}")
        assert wait_until(lambda: all(healthy(p) for p in ports)
                          or any(p.poll() is not None for p in processes.started), 120, interval=0.5)
        assert all(healthy(p) for p in ports), [processes.output(p) for p in processes.started]
        clients = [standin.client(f"http://127.0.0.1:{p}/api/messages") for p in ports]
        for person in config.people:  # the app setup policy installs it: Teams tells one replica
            assert person.teams_user is not None
            for delivered in clients[0].install(person.teams_user):
                assert delivered.status in (200, 202), delivered
        server = processes.forkserver()
        moments = tick_moments()
        rcs: Counter[int | None] = Counter()
        answered: set[str] = set()
        with ThreadPoolExecutor(max_workers=REPLICAS * 2) as pool:
            for now in moments:
                pids = [server.start(["tick", "--platform", "teams", "--now", now.isoformat()], env, name=f"tick{i}")
                        for i in range(REPLICAS)]
                rcs.update(server.wait(pid, 180) for pid in pids)
                for m in standin.bot_messages():
                    if not m.summary.startswith("Update needed for") or m.id in answered:
                        continue
                    answered.add(m.id)
                    user = standin.tenant.user(m.conversation)
                    if user is None or rng.random() < 0.5:
                        continue
                    action_id = m.summary.split()[3]
                    as_reply = rng.random() < 0.5
                    words = f"amber {rng.randint(1, 99)}% on the way"
                    activity = clients[0]._base("message", user, clients[0]._personal(user))  # noqa: SLF001
                    activity.update(text=words if as_reply else f"{action_id} {words}", textFormat="plain")
                    if as_reply:
                        activity["replyToId"] = m.id
                    # Teams delivers the same activity (same id) to every replica
                    results = list(pool.map(lambda c, a=activity: c.send(a), clients))
                    assert all(r.status in (200, 202) for r in results), [r.body for r in results]
                    replies.add(activity["id"])
                    activity_sends += REPLICAS
        time.sleep(1.0)
        messages = standin.messages()
    # what the ledger sent: every bot message but the answers to people's messages
    proactive = [m for m in messages if m.kind == "bot" and m.summary and m.reply_to not in replies]
    announced = Counter((m.conversation, m.summary) for m in proactive)
    confirmations = Counter(m.reply_to for m in messages if m.kind == "bot" and m.reply_to in replies)
    posted = {m.id for m in messages if m.kind == "bot"}
    may = (datetime(2022, 5, 1, tzinfo=UTC), datetime(2022, 6, 1, tzinfo=UTC))
    with uows() as uow:
        rows = uow.ledger.records()
        updates = sum(1 for _ in uow.updates.all())
    engine.dispose()
    in_may = [r for r in rows if may[0] <= r.due_at < may[1]]
    states = Counter(r.state for r in in_may)
    kinds = Counter(r.kind for r in rows if r.state == "sent")
    sent_missing = [r.key for r in rows if r.state == "sent" and (r.where is None or r.where.message not in posted)]
    dupes = sum(n - 1 for n in announced.values() if n > 1) + sum(n - 1 for n in confirmations.values() if n > 1)
    dupes += max(0, updates - len(replies))
    unsent = {k: v for k, v in states.items() if k in ("pending", "sending", "failed", "dead")}
    losses = sum(unsent.values()) + states.get("stale", 0) + len(sent_missing) + max(0, len(replies) - updates)
    losses += sum(1 for r in replies if confirmations[r] == 0)
    figures.record("Teams replicas: 3 × `ncpi run --platform teams` + 3 concurrent `ncpi tick --platform teams` "
                   "per step, one PostgreSQL, a month", runs=len(moments) * REPLICAS, deliveries=len(proactive),
                   duplicates=dupes, losses=losses, inputs=activity_sends,
                   note=f"May 2022, {len(moments)} steps; sent {dict(sorted(kinds.items()))}; {len(replies)} replies "
                        f"each delivered to all 3 replicas → {updates} stored, {sum(confirmations.values())} confirmed",
                   seconds=time.monotonic() - started)
    assert set(rcs) == {0}, rcs
    assert dupes == 0, [k for k, n in announced.items() if n > 1]
    assert losses == 0, (unsent, states, sent_missing, updates, len(replies))
    assert kinds.get("prompt", 0) > 20 and kinds.get("silver_summary", 0) >= 2 and kinds.get("gold_summary", 0) >= 1
