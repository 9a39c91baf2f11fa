"""Replicas: three `ncpi run --mode http` processes share one PostgreSQL and one Slack stand-in
through a simulated month (May 2022, North Yorkshire's plan). At every simulated tick three
`ncpi tick --now …` processes run at once, as three replicas' schedulers would; people answer
their prompts, each event delivered by Slack to every replica. Every delivery goes exactly once,
and every event is stored once."""

from __future__ import annotations

import random
import socket
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.standin import SlackSender, SlackStandIn
from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain.calendar import WorkingDays
from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.sql import SqlUowFactory
from ncpi_core.usecases.plan import load_plan
from reliability.harness import SIGNING_SECRET, Figures, Processes, child_env, wait_until

REPLICAS = 3
LONDON = ZoneInfo("Europe/London")
FIRST, LAST = date(2022, 5, 1), date(2022, 5, 31)
# local: after the 09:00 send time and the Silver summary's 12:00, before Silver meets at 14:00
TICK_TIMES = ((12, 5),)


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
    out = []
    day = FIRST
    while day <= LAST:
        if wd.is_working(day):
            out += [datetime(day.year, day.month, day.day, h, m, tzinfo=LONDON).astimezone(UTC)
                    for h, m in TICK_TIMES]
        day += timedelta(days=1)
    return out


def key_of(message: Any) -> str:
    return str(((message.metadata or {}).get("event_payload") or {}).get("key", ""))


def test_three_replicas_through_a_month(private_postgres: str, force_config: ForceConfig,
                                        plan_file: PlanFile, processes: Processes,
                                        figures: Figures) -> None:
    started = time.monotonic()
    engine = build_engine(private_postgres)
    uows = SqlUowFactory(engine)
    with uows() as uow:
        load_plan(plan_file, force_config, uow, datetime(2022, 3, 1, 9, tzinfo=UTC))
        uow.commit()
    owners = {user: p.id for p in force_config.persons() if (user := p.identity("slack"))}
    rng = random.Random(2022)
    replies_sent: set[str] = set()
    event_sends = 0
    with SlackStandIn.from_config(force_config) as slack:
        env = child_env(SLACK_API_URL=slack.api_url, NCPI_DATABASE_URL=private_postgres,
                        NCPI_LOG_LEVEL="INFO")
        ports = [free_port() for _ in range(REPLICAS)]
        for port in ports:
            # their own schedulers would tick at today's real date: the simulated month's ticks
            # come from `ncpi tick --now` below instead, three at once, as three replicas' would
            processes.start(["run", "--mode", "http", "--port", str(port), "--no-scheduler"], env,
                            name=f"replica{port}")
        assert wait_until(lambda: all(healthy(p) for p in ports)
                          or any(p.poll() is not None for p in processes.started), 120, interval=0.5)
        assert all(healthy(p) for p in ports), \
            [processes.output(p) for p in processes.started]
        senders = [SlackSender(f"http://127.0.0.1:{p}/slack/events", SIGNING_SECRET) for p in ports]
        server = processes.forkserver()
        moments = tick_moments()
        rcs: Counter[int | None] = Counter()
        seen_prompts: set[str] = set()
        with ThreadPoolExecutor(max_workers=REPLICAS * 2) as pool:
            for now in moments:
                pids = [server.start(["tick", "--now", now.isoformat()], env, name=f"tick{i}")
                        for i in range(REPLICAS)]
                rcs.update(server.wait(pid, 120) for pid in pids)
                # people answer about half the new prompts, by DM or in the prompt's thread;
                # Slack delivers each event to every replica (the same event_id and ts)
                for m in slack.messages():
                    key = key_of(m)
                    if not key.startswith("prompt:") or key in seen_prompts:
                        continue
                    seen_prompts.add(key)
                    if rng.random() < 0.5:
                        continue
                    user = next((u for u in owners if slack.dm_channel(u) == m.channel), None)
                    if user is None:
                        continue
                    action_id = key.rsplit(":", 1)[1]
                    in_thread = rng.random() < 0.5
                    words = f"amber {rng.randint(1, 99)}% on the way"
                    said = words if in_thread else f"{action_id} {words}"
                    ts = slack.add_user_message(m.channel, user, said, m.ts if in_thread else None)
                    event_id = f"Ev{abs(hash((key, ts))) % 10**10:010d}"
                    list(pool.map(lambda s, u=user, t=said, c=m.channel, ts=ts, th=in_thread, e=event_id,
                                  mts=m.ts: s.message_im(u, t, c, ts=ts, thread_ts=mts if th else None,
                                                         event_id=e), senders))
                    replies_sent.add(f"{m.channel}:{ts}")
                    event_sends += REPLICAS
        time.sleep(1.0)  # the last replies' confirmations
        keys = Counter(key_of(m) for m in slack.messages() if key_of(m))
        first_parts = Counter(k for k in keys if "#" not in k)
    may = (datetime(2022, 5, 1, tzinfo=UTC), datetime(2022, 6, 1, tzinfo=UTC))
    with uows() as uow:
        rows = uow.ledger.records()
        updates = sum(1 for _ in uow.updates.all())
    in_may = [r for r in rows if may[0] <= r.due_at < may[1]]
    states = Counter(r.state for r in in_may)
    ledger_sent = {r.key for r in rows if r.state == "sent"}
    breakdown = sorted(Counter((r.kind, r.state) for r in in_may if r.state != "sent").items())
    kinds = Counter(r.kind for r in rows if r.state == "sent")
    engine.dispose()
    dupes = sum(n - 1 for n in keys.values() if n > 1) + max(0, updates - len(replies_sent))
    unsent = {k: v for k, v in states.items() if k in ("pending", "sending", "failed", "dead")}
    stale = states.get("stale", 0)
    missing = len(ledger_sent - set(first_parts))
    losses = sum(unsent.values()) + stale + missing + max(0, len(replies_sent) - updates)
    figures.record("Replicas: 3 × `ncpi run --mode http` + 3 concurrent `ncpi tick` per step, "
                   "one PostgreSQL, a month", runs=len(moments) * REPLICAS,
                   deliveries=sum(first_parts.values()), duplicates=dupes, losses=losses,
                   inputs=event_sends,
                   note=f"May 2022, {len(moments)} steps; sent {dict(sorted(kinds.items()))}; "
                        f"{len(replies_sent)} replies each delivered to all 3 replicas → {updates} stored",
                   seconds=time.monotonic() - started)
    assert set(rcs) == {0}, rcs
    assert dupes == 0, [k for k, n in keys.items() if n > 1]
    assert losses == 0, (unsent, stale, missing, updates, len(replies_sent), breakdown)
    assert kinds.get("prompt", 0) > 20 and kinds.get("silver_summary", 0) >= 2
