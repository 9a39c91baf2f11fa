"""The delivery ledger in SQL: one row per message owed, claimed under a lease, sent once.

Exactly once across crashes, restarts and replicas rests on the statements here:
- rows go in idempotently by key (INSERT … ON CONFLICT DO NOTHING);
- a claim marks rows `sending` under a worker's lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
  two replicas never claim one row; SQLite's transaction holds its one write lock from BEGIN);
- every later step is a conditional UPDATE that writes only while the worker still holds the lease.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, func, or_, select, update

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
from ncpi_core.storage.sql.common import CHUNK, DELIVERIES, UPDATES, SqlRepository, chunks

D = DELIVERIES.c
SENDING = DeliveryState.SENDING.value


def _where(row: Any) -> MessageRef | None:  # any result row with the two columns
    if row.conversation is None or row.message_ref is None:
        return None
    return MessageRef(row.conversation, row.message_ref)


def to_record(row: Row[Any]) -> DeliveryRecord:
    return DeliveryRecord(
        id=row.id, key=row.key, kind=row.kind, recipient=Recipient.parse(row.recipient), state=row.state,
        person=row.person, action_id=row.action_id, meeting=row.meeting, attempts=row.attempts,
        due_at=row.due_at, sent_at=row.sent_at, platform=row.platform, where=_where(row),
        last_error=row.last_error, payload=dict(row.payload or {}))


class SqlLedgerRepository(SqlRepository, LedgerRepository):
    def add_owed(self, owed: Sequence[Owed], now: datetime) -> int:
        if not owed:
            return 0
        # most of what a tick derives is already in the ledger: look the keys up first (an index
        # probe each), and insert only the rest
        unique: dict[str, Owed] = {}
        for o in owed:
            unique.setdefault(o.key, o)  # the first of each key wins
        known: set[str] = set()
        for some in chunks(list(unique), CHUNK):
            known.update(self._db.scalars(select(D.key).where(D.key.in_(some))))
        rows = [{"key": o.key, "kind": rules.plain(o.kind), "meeting": o.meeting, "action_id": o.action_id,
                 "person": o.person, "recipient": str(o.recipient), "due_at": o.due_at,
                 "expires_at": o.expires_at, "state": DeliveryState.PENDING.value, "attempts": 0,
                 "created_at": now, "payload": o.payload} for o in unique.values() if o.key not in known]
        return len(self._insert_ignoring(DELIVERIES, ["key"], rows, returning="id"))

    def mark_stale(self, now: datetime) -> int:
        done = self._db.execute(update(DELIVERIES).where(
            D.state.in_(rules.RETRYABLE_STATES), D.expires_at.is_not(None), D.expires_at <= now,
        ).values(rules.stale()))
        return done.rowcount or 0

    def sent_facts(self, meeting_keys: Sequence[str], kinds: Iterable[Kind]) -> dict[str, Sent]:
        wanted = [rules.plain(k) for k in kinds]
        facts: dict[str, Sent] = {}
        for some in chunks(list(meeting_keys), CHUNK):
            q = select(D.key, D.state, D.person, D.sent_at, D.conversation, D.message_ref).where(
                D.meeting.in_(some), D.kind.in_(wanted))
            facts.update((r.key, Sent(r.key, r.state, r.person, r.sent_at, _where(r)))
                         for r in self._db.execute(q))
        return facts

    def _claim(self, rows: list[Row[Any]], worker: str, lease_until: datetime) -> list[Claim]:
        if not rows:
            return []
        recovering = {r.id for r in rows if r.state == SENDING}
        claimed = {r.id: r for r in self._db.execute(
            update(DELIVERIES).where(D.id.in_([r.id for r in rows]))
            .values(state=SENDING, lease_owner=worker, lease_until=lease_until, attempts=D.attempts + 1)
            .returning(*DELIVERIES.c))}
        return [Claim(r.id, r.key, r.kind, Recipient.parse(r.recipient), r.meeting, r.action_id, r.person,
                      dict(r.payload or {}), r.attempts, r.id in recovering, r.created_at, r.expires_at)
                for r in (claimed[row.id] for row in rows)]

    def claim_due(self, now: datetime, worker: str, lease_until: datetime, limit: int,
                  exclude_kinds: Iterable[Kind] = ()) -> list[Claim]:
        q = select(D.id, D.state).where(or_(
            and_(D.state.in_(rules.RETRYABLE_STATES), D.due_at <= now,
                 or_(D.next_attempt_at.is_(None), D.next_attempt_at <= now)),
            and_(D.state == SENDING, D.lease_until <= now),
        ))
        excluded = [rules.plain(k) for k in exclude_kinds]
        if excluded:
            q = q.where(D.kind.not_in(excluded))
        q = q.order_by(D.due_at, D.id).limit(max(0, limit))
        rows = list(self._db.execute(self._locked(q, skip_locked=True)))
        return self._claim(rows, worker, lease_until)

    def claim_keys(self, keys: Sequence[str], now: datetime, worker: str,
                   lease_until: datetime) -> list[Claim]:
        wanted = list(dict.fromkeys(keys))
        found: dict[str, Row[Any]] = {}
        for some in chunks(wanted, CHUNK):
            q = select(D.id, D.state, D.key).where(
                D.key.in_(some), D.state == DeliveryState.PENDING.value, D.due_at <= now)
            found.update((r.key, r) for r in self._db.execute(self._locked(q, skip_locked=True)))
        return self._claim([found[k] for k in wanted if k in found], worker, lease_until)

    def _finish(self, claim_id: int, worker: str, values: dict[str, Any]) -> bool:
        """Write the outcome if `worker` still holds the lease (else another took over: leave it)."""
        done = self._db.execute(update(DELIVERIES).where(
            D.id == claim_id, D.lease_owner == worker, D.state == SENDING).values(values))
        return done.rowcount == 1

    def still_mine(self, claim_id: int, worker: str) -> bool:
        owner = self._db.scalar(select(D.lease_owner).where(D.id == claim_id, D.state == SENDING))
        return owner is not None and owner == worker

    def mark_sent(self, claim_id: int, worker: str, platform: str, where: MessageRef,
                  at: datetime) -> bool:
        # a prompt's first answer may already be stored (an update between the claim and now)
        first_answer = (select(func.min(UPDATES.c.created_at)).where(
            UPDATES.c.action_id == D.action_id, UPDATES.c.created_at >= rules.utc(at))
            .correlate(DELIVERIES).scalar_subquery())
        return self._finish(claim_id, worker, {**rules.sent(platform, where, at), "answered_at": first_answer})

    def mark_done(self, claim_id: int, worker: str, state: str) -> bool:
        return self._finish(claim_id, worker, rules.done(state))

    def mark_retry(self, claim_id: int, worker: str, retry_at: datetime, error: str, *,
                   outcome_unknown: bool = False, attempts: int | None = None) -> bool:
        return self._finish(claim_id, worker, rules.retry(retry_at, error, outcome_unknown=outcome_unknown,
                                                          attempts=attempts))

    def mark_dead(self, claim_id: int, worker: str, error: str) -> bool:
        return self._finish(claim_id, worker, rules.dead(error))

    def action_of_message(self, platform: str, where: MessageRef) -> str | None:
        found: str | None = self._db.scalar(select(D.action_id).where(
            D.platform == platform, D.conversation == where.conversation, D.message_ref == where.message,
            D.action_id.is_not(None), D.kind.in_(rules.THREAD_KINDS)).order_by(D.id).limit(1))
        return found

    def prompts_sent(self, until: datetime, *, sent_from: datetime | None = None,
                     action_ids: Collection[str] | None = None) -> list[PromptRecord]:
        # each prompt's first answer is kept on its row (written when either is stored): no search
        q = (select(D.id, D.person, D.action_id, D.sent_at, D.meeting, D.answered_at)
             .where(D.kind == Kind.PROMPT.value, D.state == DeliveryState.SENT.value, D.sent_at.is_not(None),
                    D.sent_at <= until, D.person.is_not(None), D.action_id.is_not(None))
             .order_by(D.sent_at, D.id))
        if sent_from is not None:
            q = q.where(D.sent_at >= sent_from)
        rows: list[Any] = []
        if action_ids is None:
            rows = list(self._db.execute(q))
        else:
            for some in chunks(sorted(action_ids), CHUNK):
                rows += self._db.execute(q.where(D.action_id.in_(some)))
            rows.sort(key=lambda r: (r.sent_at, r.id))
        return [PromptRecord(r.person, r.action_id, r.sent_at, r.meeting,
                             r.answered_at if r.answered_at is not None and r.answered_at <= until else None, r.id)
                for r in rows]

    def get(self, key: str) -> DeliveryRecord | None:
        row = self._db.execute(select(DELIVERIES).where(D.key == key)).first()
        return to_record(row) if row else None

    def records(self, kinds: Iterable[Kind] | None = None,
                states: Iterable[str] | None = None) -> list[DeliveryRecord]:
        q = select(DELIVERIES).order_by(D.id)
        if kinds is not None:
            q = q.where(D.kind.in_([rules.plain(k) for k in kinds]))
        if states is not None:
            q = q.where(D.state.in_([rules.plain(s) for s in states]))
        return [to_record(r) for r in self._db.execute(q)]
