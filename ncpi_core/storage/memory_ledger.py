"""The delivery ledger in memory: the same claims, leases and conditional steps as SQL's."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from ncpi_core.domain.ledger import (
    Claim,
    DeliveryRecord,
    DeliveryState,
    Kind,
    MessageRef,
    Owed,
    PromptRecord,
    Recipient,
    Sent,
)
from ncpi_core.storage import rules
from ncpi_core.storage.base import LedgerRepository
from ncpi_core.storage.memory_store import DeliveryRow, Tabled


class MemoryLedgerRepository(LedgerRepository):
    def __init__(self, uow: Tabled) -> None:
        self._uow = uow

    def _rows(self, keep: Callable[[DeliveryRow], bool] = lambda _: True) -> list[DeliveryRow]:
        return [d for _, d in sorted(self._uow.tables.deliveries.items()) if keep(d)]

    def _write(self, row: DeliveryRow, values: dict[str, Any]) -> DeliveryRow:
        changed = dataclasses.replace(row, **values)
        self._uow.tables.deliveries[row.id] = changed
        return changed

    def add_owed(self, owed: Sequence[Owed], now: datetime) -> int:
        t = self._uow.tables
        added = 0
        for o in owed:
            if o.key in t.delivery_keys:
                continue
            row = DeliveryRow(
                id=t.next_id("deliveries"), key=o.key, kind=rules.plain(o.kind), recipient=str(o.recipient),
                due_at=rules.utc(o.due_at), expires_at=rules.utc(o.expires_at) if o.expires_at else None,
                created_at=rules.utc(now), payload=copy.deepcopy(o.payload), meeting=o.meeting,
                action_id=o.action_id, person=o.person)
            t.deliveries[row.id] = row
            t.delivery_keys[row.key] = row.id
            added += 1
        return added

    def mark_stale(self, now: datetime) -> int:
        expired = self._rows(lambda d: d.state in rules.RETRYABLE_STATES and d.expires_at is not None
                             and d.expires_at <= now)
        for row in expired:
            self._write(row, rules.stale())
        return len(expired)

    def sent_facts(self, meeting_keys: Sequence[str], kinds: Iterable[Kind]) -> dict[str, Sent]:
        meetings, wanted = set(meeting_keys), {rules.plain(k) for k in kinds}
        return {d.key: Sent(d.key, d.state, d.person, d.sent_at, _where(d))
                for d in self._rows(lambda d: d.meeting in meetings and d.kind in wanted)}

    def _claim(self, rows: list[DeliveryRow], worker: str, lease_until: datetime) -> list[Claim]:
        claims = []
        for row in rows:
            recover = row.state == DeliveryState.SENDING.value
            row = self._write(row, rules.claimed(worker, lease_until, row.attempts))
            claims.append(Claim(row.id, row.key, row.kind, Recipient.parse(row.recipient), row.meeting,
                                row.action_id, row.person, copy.deepcopy(row.payload), row.attempts,
                                recover, row.created_at, row.expires_at))
        return claims

    def claim_due(self, now: datetime, worker: str, lease_until: datetime, limit: int,
                  exclude_kinds: Iterable[Kind] = ()) -> list[Claim]:
        excluded = {rules.plain(k) for k in exclude_kinds}

        def due(d: DeliveryRow) -> bool:
            if d.kind in excluded:
                return False
            if d.state in rules.RETRYABLE_STATES:
                return d.due_at <= now and (d.next_attempt_at is None or d.next_attempt_at <= now)
            return d.state == DeliveryState.SENDING.value and d.lease_until is not None and d.lease_until <= now

        rows = sorted(self._rows(due), key=lambda d: (d.due_at, d.id))[:max(0, limit)]
        return self._claim(rows, worker, lease_until)

    def claim_keys(self, keys: Sequence[str], now: datetime, worker: str,
                   lease_until: datetime) -> list[Claim]:
        t = self._uow.tables
        rows = [t.deliveries[t.delivery_keys[k]] for k in dict.fromkeys(keys) if k in t.delivery_keys]
        ready = [d for d in rows if d.state == DeliveryState.PENDING.value and d.due_at <= now]
        return self._claim(ready, worker, lease_until)

    def _held(self, claim_id: int, worker: str) -> DeliveryRow | None:
        row = self._uow.tables.deliveries.get(claim_id)
        if row is None or row.state != DeliveryState.SENDING.value or row.lease_owner != worker:
            return None
        return row

    def _finish(self, claim_id: int, worker: str, values: dict[str, Any]) -> bool:
        row = self._held(claim_id, worker)
        if row is None:
            return False
        self._write(row, values)
        return True

    def still_mine(self, claim_id: int, worker: str) -> bool:
        return self._held(claim_id, worker) is not None

    def mark_sent(self, claim_id: int, worker: str, platform: str, where: MessageRef,
                  at: datetime) -> bool:
        return self._finish(claim_id, worker, rules.sent(platform, where, at))

    def mark_done(self, claim_id: int, worker: str, state: str) -> bool:
        return self._finish(claim_id, worker, rules.done(state))

    def mark_retry(self, claim_id: int, worker: str, retry_at: datetime, error: str, *,
                   outcome_unknown: bool = False, attempts: int | None = None) -> bool:
        return self._finish(claim_id, worker, rules.retry(retry_at, error, outcome_unknown=outcome_unknown,
                                                          attempts=attempts))

    def mark_dead(self, claim_id: int, worker: str, error: str) -> bool:
        return self._finish(claim_id, worker, rules.dead(error))

    def action_of_message(self, platform: str, where: MessageRef) -> str | None:
        found = self._rows(lambda d: d.platform == platform and d.conversation == where.conversation
                           and d.message_ref == where.message and d.action_id is not None
                           and d.kind in rules.THREAD_KINDS)
        return found[0].action_id if found else None

    def prompts_sent(self, until: datetime, *, sent_from: datetime | None = None,
                     action_ids: Collection[str] | None = None) -> list[PromptRecord]:
        prompts = self._rows(lambda d: d.kind == Kind.PROMPT.value and d.state == DeliveryState.SENT.value
                             and d.sent_at is not None and d.sent_at <= until
                             and (sent_from is None or d.sent_at >= sent_from)
                             and (action_ids is None or d.action_id in action_ids)
                             and d.person is not None and d.action_id is not None)
        updates = self._uow.tables.updates.values()
        out = []
        for d in sorted(prompts, key=lambda d: (d.sent_at, d.id)):
            assert d.sent_at is not None and d.person is not None and d.action_id is not None
            sent_at = d.sent_at
            answered = min((u.created_at for u in updates if u.action_id == d.action_id
                            and sent_at <= u.created_at <= until), default=None)
            out.append(PromptRecord(d.person, d.action_id, sent_at, d.meeting, answered, d.id))
        return out

    def get(self, key: str) -> DeliveryRecord | None:
        t = self._uow.tables
        found = t.delivery_keys.get(key)
        return _record(t.deliveries[found]) if found is not None else None

    def records(self, kinds: Iterable[Kind] | None = None,
                states: Iterable[str] | None = None) -> list[DeliveryRecord]:
        wanted = {rules.plain(k) for k in kinds} if kinds is not None else None
        in_states = {rules.plain(s) for s in states} if states is not None else None
        return [_record(d) for d in self._rows(lambda d: (wanted is None or d.kind in wanted)
                                               and (in_states is None or d.state in in_states))]


def _where(d: DeliveryRow) -> MessageRef | None:
    if d.conversation is None or d.message_ref is None:
        return None
    return MessageRef(d.conversation, d.message_ref)


def _record(d: DeliveryRow) -> DeliveryRecord:
    return DeliveryRecord(
        id=d.id, key=d.key, kind=d.kind, recipient=Recipient.parse(d.recipient), state=d.state,
        person=d.person, action_id=d.action_id, meeting=d.meeting, attempts=d.attempts, due_at=d.due_at,
        sent_at=d.sent_at, platform=d.platform, where=_where(d), last_error=d.last_error,
        payload=copy.deepcopy(d.payload))
