"""A plan in the in-memory store and a recording chat port: what the ledger's unit tests stand on."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime

from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain.ledger import MessageRef
from ncpi_core.domain.models import Action, Recommendation
from ncpi_core.ports import Outgoing, SendFailed
from ncpi_core.storage.memory import MemoryUowFactory

SILVER_8_MARCH = "silver:20220308T1400Z"
LOADED_AT = datetime(2022, 2, 20, 9, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def seed(factory: MemoryUowFactory, config: ForceConfig, plan: PlanFile) -> MemoryUowFactory:
    """The plan and the people of ncpi.yaml, stored through the repositories."""
    with factory() as uow:
        uow.plan.save_info(plan.plan, LOADED_AT)
        for p in config.persons():
            uow.people.save(p)
        for i, r in enumerate(plan.recommendations):
            uow.plan.save_recommendation(Recommendation(id=r.id, title=r.title, text=r.text, category=r.category,
                                                        due=r.due, position=i))
            for j, a in enumerate(r.actions):
                uow.plan.add_action(Action(id=a.id, recommendation_id=r.id, title=a.title, owner=a.owner,
                                           deputy=a.deputy, due=a.due, original_due=a.due, position=j))
        uow.commit()
    return factory


class FakePort:
    """Records every post by key; can fail on demand; finds what it posted (thread-safe)."""

    def __init__(self, platform: str = "slack") -> None:
        self.platform = platform
        self.posted: list[Outgoing] = []
        self.failures: dict[str, list[SendFailed]] = {}
        self.post_then_fail: set[str] = set()
        self.lock = threading.Lock()
        self.finds = 0
        self.on_send: list[str] = []  # keys in the order send() was called

    def send(self, message: Outgoing) -> MessageRef:
        with self.lock:
            self.on_send.append(message.key)
            queued = self.failures.get(message.key) or self.failures.get("*")
            if queued:
                exc = queued.pop(0) if len(queued) > 1 or message.key in self.failures else queued[0]
                if message.key in self.post_then_fail:
                    self.posted.append(message)
                raise exc
            self.posted.append(message)
            return MessageRef("D0FAKE", f"{len(self.posted)}.000100")

    def find_sent(self, message: Outgoing, since: datetime) -> MessageRef | None:
        with self.lock:
            self.finds += 1
            for i, m in enumerate(self.posted):
                if m.key == message.key:
                    return MessageRef("D0FAKE", f"{i + 1}.000100")
        return None

    def counts(self) -> Counter[str]:
        return Counter(m.key for m in self.posted)
