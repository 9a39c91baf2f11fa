"""Small facts kept by key, in SQL: events already handled, named state, where to reach people."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from ncpi_core.storage.base import ConversationRepository, EventRepository, StateRepository
from ncpi_core.storage.sql.common import CONVERSATIONS, EVENTS, STATE, SqlRepository


class SqlEventRepository(SqlRepository, EventRepository):
    def first_time(self, key: str, now: datetime) -> bool:
        # a concurrent transaction handling the same event makes this one wait, then skip
        return bool(self._insert_ignoring(EVENTS, ["key"], [{"key": key, "received_at": now}],
                                          returning="key"))


class SqlStateRepository(SqlRepository, StateRepository):
    def get(self, name: str) -> str | None:
        value: str | None = self._db.scalar(select(STATE.c.value).where(STATE.c.name == name))
        return value

    def put(self, name: str, value: str, now: datetime) -> None:
        self._upsert(STATE, ["name"], {"name": name, "value": value, "updated_at": now})

    def put_if_absent(self, name: str, value: str, now: datetime) -> bool:
        return bool(self._insert_ignoring(STATE, ["name"], [{"name": name, "value": value, "updated_at": now}],
                                          returning="name"))


class SqlConversationRepository(SqlRepository, ConversationRepository):
    def get(self, platform: str, address: str) -> tuple[str, dict[str, Any] | None] | None:
        row = self._db.execute(select(CONVERSATIONS.c.conversation, CONVERSATIONS.c.reference).where(
            CONVERSATIONS.c.platform == platform, CONVERSATIONS.c.address == address)).first()
        return (row.conversation, row.reference) if row else None

    def put(self, platform: str, address: str, conversation: str,
            reference: dict[str, Any] | None, now: datetime) -> None:
        # an upsert: a replica that stored the same address a moment ago is no error
        self._upsert(CONVERSATIONS, ["platform", "address"], {
            "platform": platform, "address": address, "conversation": conversation,
            "reference": reference, "updated_at": now})

    def addresses(self, platform: str) -> set[str]:
        return set(self._db.scalars(select(CONVERSATIONS.c.address).where(CONVERSATIONS.c.platform == platform)))

    def conversations(self, platform: str) -> dict[str, str]:
        q = select(CONVERSATIONS.c.address, CONVERSATIONS.c.conversation).where(CONVERSATIONS.c.platform == platform)
        return {r.address: r.conversation for r in self._db.execute(q)}
