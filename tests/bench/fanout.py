"""Fan-out: one tick prompting 500 leads against a stand-in that allows N chat.postMessage a second.

The floor is what the rate limit alone implies: posting M messages at N a second takes M / N
seconds. The tick is the real one (`ncpi_core.usecases.ledger.run_tick` with `bot.slack.sender`),
so the time includes deriving what is owed, the ledger's claims and leases, rendering, and
waiting out every 429's Retry-After (plus slack_sdk's random jitter).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.slack.gateway import SlackGateway, build_web_client
from bot.slack.sender import DeliverySender
from bot.standin import SlackStandIn
from ncpi_core.config.schema import load_force_config, load_plan_file
from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.sql import SqlUowFactory
from ncpi_core.usecases.ledger import run_tick
from ncpi_core.usecases.plan import load_plan

# Silver meets Tuesday 22 March 2022 at 14:00; prompts are owed from Tuesday 15 March 09:00
# (no Gold reminder is due then, so every message is a prompt).
PROMPTS_DUE = datetime(2022, 3, 15, 9, 30, tzinfo=UTC)
TOKEN = "xoxb-bench-token"


def write_force(folder: Path, leads: int) -> Path:
    """ncpi.yaml and action_plan.yaml with `leads` Bronze leads owning one action each."""
    folder.mkdir(parents=True, exist_ok=True)
    people = ["  - {id: dcc, name: Deputy Chief Constable, slack_user: U0DCC00001, roles: [gold_chair, gold]}",
              "  - {id: tacc, name: T/ACC, slack_user: U0TACC0001, roles: [silver_chair, silver, gold]}",
              "  - {id: coordinator, name: Coordinator, slack_user: U0CPC00001, roles: [admin, silver]}"]
    people += [f"  - {{id: lead{i:04d}, name: Lead {i:04d}, slack_user: {lead_user(i)}, roles: [bronze]}}"
               for i in range(leads)]
    (folder / "ncpi.yaml").write_text("\n".join([
        "force: Benchmark Constabulary", "timezone: Europe/London",
        "channels: {silver: C0SILVER01, gold: C0GOLD0001}", "people:", *people, "meetings:", "  gold:",
        '    - {rrule: "FREQ=MONTHLY;BYDAY=1FR", start: 2022-02-01, time: "10:00"}', "  silver:",
        '    - {rrule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", start: 2022-02-08, time: "14:00"}', "timings:",
        "  prompt_working_days_before_silver: 5", "  nudge_after_working_days: 2",
        "  escalate_to_silver_chair_after_nudges: 1", "  gold_reminder_working_days_before: 5",
        "  gold_summary_working_days_before: 1", "  silver_summary_hours_before: 2", '  send_time: "09:00"',
        "  bank_holidays: england-and-wales", ""]), encoding="utf-8")
    plan = ["plan: {title: Benchmark plan, report: Generated, published: 2022-01-10}", "recommendations:"]
    for r in range((leads + 19) // 20):
        plan += [f"  - id: R{r + 1}", f"    title: Recommendation {r + 1}", "    text: Generated.",
                 "    category: immediate", "    due: 2022-06-30", "    actions:"]
        plan += [f"      - {{id: R{r + 1}.{i - r * 20 + 1}, title: Action of lead {i:04d}, owner: lead{i:04d}, "
                 "due: 2022-06-30}" for i in range(r * 20, min(leads, (r + 1) * 20))]
    (folder / "action_plan.yaml").write_text("\n".join(plan) + "\n", encoding="utf-8")
    return folder


def lead_user(i: int) -> str:
    return f"U9L{i:07d}"


@dataclass
class FanoutResult:
    backend: str
    leads: int
    per_second: int
    posted: int
    wall_s: float
    served_429: int
    warm_dm_cache: bool

    @property
    def floor_s(self) -> float:
        return self.posted / self.per_second

    def row(self) -> dict[str, Any]:
        return {"backend": self.backend, "leads": self.leads, "limit_per_s": self.per_second,
                "posted": self.posted, "wall_s": round(self.wall_s, 2), "floor_s": round(self.floor_s, 2),
                "ratio": round(self.wall_s / self.floor_s, 2), "served_429": self.served_429,
                "dm_channels": "cached" if self.warm_dm_cache else "opened"}


def measure_fanout(db_url: str, folder: Path, leads: int = 500, per_second: int = 50,
                   warm_dm_cache: bool = True) -> FanoutResult:
    """Load a force of `leads` leads into the empty database at `db_url` and time one prompt tick."""
    config_dir = write_force(folder, leads)
    config = load_force_config(config_dir / "ncpi.yaml")
    plan = load_plan_file(config_dir / "action_plan.yaml", config)
    engine = build_engine(db_url)
    uow_factory = SqlUowFactory(engine)
    try:
        with uow_factory() as uow:
            load_plan(plan, config, uow, datetime(2022, 2, 1, 9, tzinfo=UTC))
            uow.commit()
        users = {p.slack_user: p.name for p in config.people if p.slack_user}
        with SlackStandIn(users=users, channels={"C0SILVER01": "silver", "C0GOLD0001": "gold"}) as slack:
            if warm_dm_cache:  # the steady state: DM channels were opened in an earlier cycle
                with uow_factory() as uow:
                    for u in users:
                        uow.conversations.put("slack", u, slack.dm_channel(u), None, PROMPTS_DUE)
                    uow.commit()
            slack.set_rate_limit("chat.postMessage", per_second, retry_after=1)
            port = DeliverySender(SlackGateway(build_web_client(TOKEN, slack.api_url), uow_factory), config)
            started = time.perf_counter()
            for _ in range(5):  # one tick should do; more only if some were left for a retry
                result = run_tick(uow_factory, config, port, PROMPTS_DUE, limit=10_000)
                if not result.failed:
                    break
            wall = time.perf_counter() - started
            posted = sum(1 for c in slack.calls_to("chat.postMessage") if c.ok)
            prompts = sum(1 for m in slack.messages()
                          if str((m.metadata or {}).get("event_payload", {}).get("key", "")).startswith("prompt:"))
            if prompts != leads:
                raise AssertionError(f"{prompts} prompts posted for {leads} leads")
            return FanoutResult("postgresql" if engine.dialect.name == "postgresql" else "sqlite", leads,
                                per_second, posted, wall, slack.served_429, warm_dm_cache)
    finally:
        engine.dispose()
