"""Tick CPU per message against the number of leads: one prompt tick with a platform that answers
at once (no Slack, no network), so the CPU counted is the tick's own: deriving what is owed,
recording it, claiming, building the content and writing the outcome. One sender thread, so the
measuring thread does all of it (`time.thread_time`)."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ncpi_core.config.schema import load_force_config, load_plan_file
from ncpi_core.domain.ledger import MessageRef
from ncpi_core.ports import Outgoing
from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.sql import SqlUowFactory
from ncpi_core.usecases.ledger import run_tick
from ncpi_core.usecases.plan import load_plan

from .fanout import PROMPTS_DUE, write_force


class InstantPort:
    """A platform that takes every message at once (what is left is the tick's own work)."""

    platform = "slack"

    def __init__(self) -> None:
        self.sent = 0
        self._ts = itertools.count(1)

    def send(self, message: Outgoing) -> MessageRef:
        self.sent += 1
        return MessageRef("D0", f"{next(self._ts)}.000")

    def find_sent(self, message: Outgoing, since: datetime) -> MessageRef | None:
        return None


@dataclass
class TickCpu:
    backend: str
    leads: int
    messages: int
    cpu_s: float
    wall_s: float

    def row(self) -> dict[str, Any]:
        return {"backend": self.backend, "leads": self.leads, "messages": self.messages,
                "cpu_s": round(self.cpu_s, 2), "wall_s": round(self.wall_s, 2),
                "cpu_ms_per_message": round(1000 * self.cpu_s / max(1, self.messages), 3)}


def measure_tick_cpu(db_url: str, folder: Path, leads: int) -> TickCpu:
    config_dir = write_force(folder, leads)
    config = load_force_config(config_dir / "ncpi.yaml")
    plan = load_plan_file(config_dir / "action_plan.yaml", config)
    engine = build_engine(db_url)
    uow_factory = SqlUowFactory(engine)
    try:
        with uow_factory() as uow:
            load_plan(plan, config, uow, datetime(2022, 2, 1, 9, tzinfo=UTC))
            uow.commit()
        port = InstantPort()
        cpu, wall = time.thread_time(), time.perf_counter()
        run_tick(uow_factory, config, port, PROMPTS_DUE, limit=10**6, senders=1)
        return TickCpu("postgresql" if engine.dialect.name == "postgresql" else "sqlite", leads, port.sent,
                       time.thread_time() - cpu, time.perf_counter() - wall)
    finally:
        engine.dispose()
