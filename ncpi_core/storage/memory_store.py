"""The in-memory store's tables, and its repositories of updates, audit and requests.

Rows are kept as immutable values (or copies nobody else holds): a snapshot is a shallow copy of
each table, and a change replaces a row instead of editing it.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from ncpi_core.domain.models import Action, Person, PlanInfo, Recommendation, Update
from ncpi_core.domain.records import (
    Absence,
    AuditEntry,
    Challenge,
    DecisionRecord,
    Embedding,
    Request,
    RequestKind,
    RequestState,
)
from ncpi_core.domain.scrutiny import AssuranceRecord, InspectorateRecord
from ncpi_core.domain.verification import says_nothing
from ncpi_core.storage import rules
from ncpi_core.storage.base import AuditRepository, RequestRepository, UpdateRepository

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class DeliveryRow:
    """One ledger row, with the columns of the SQL table."""

    id: int
    key: str
    kind: str
    recipient: str
    due_at: datetime
    expires_at: datetime | None
    created_at: datetime
    payload: dict[str, Any]
    meeting: str | None = None
    action_id: str | None = None
    person: str | None = None
    state: str = "pending"
    attempts: int = 0
    next_attempt_at: datetime | None = None
    lease_owner: str | None = None
    lease_until: datetime | None = None
    last_error: str | None = None
    platform: str | None = None
    conversation: str | None = None
    message_ref: str | None = None
    sent_at: datetime | None = None


@dataclass
class Tables:
    """Everything stored, table by table."""

    plan_info: PlanInfo | None = None
    loaded_at: datetime | None = None
    recommendations: dict[str, Recommendation] = field(default_factory=dict)
    actions: dict[str, Action] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    updates: dict[int, Update] = field(default_factory=dict)
    update_keys: dict[str, int] = field(default_factory=dict)
    audit: dict[int, AuditEntry] = field(default_factory=dict)
    requests: dict[int, Request] = field(default_factory=dict)
    absences: dict[int, Absence] = field(default_factory=dict)
    deliveries: dict[int, DeliveryRow] = field(default_factory=dict)
    delivery_keys: dict[str, int] = field(default_factory=dict)
    events: dict[str, datetime] = field(default_factory=dict)
    state: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    conversations: dict[tuple[str, str], tuple[str, dict[str, Any] | None, datetime]] = \
        field(default_factory=dict)
    challenges: dict[int, Challenge] = field(default_factory=dict)
    decisions: dict[int, DecisionRecord] = field(default_factory=dict)
    embeddings: dict[int, Embedding] = field(default_factory=dict)
    assurances: dict[int, AssuranceRecord] = field(default_factory=dict)
    inspectorate: dict[int, InspectorateRecord] = field(default_factory=dict)
    last_ids: dict[str, int] = field(default_factory=dict)

    def copy(self) -> Tables:
        """A snapshot: each table copied, the (never edited) rows shared."""
        return Tables(**{f.name: _copied(getattr(self, f.name)) for f in dataclasses.fields(self)})

    def next_id(self, table: str) -> int:
        self.last_ids[table] = self.last_ids.get(table, 0) + 1
        return self.last_ids[table]


def _copied(value: Any) -> Any:
    return dict(value) if isinstance(value, dict) else value


class Store:
    """The committed state, and the lock that lets one unit of work at a time use it."""

    def __init__(self) -> None:
        self.tables = Tables()
        self.commits = 0
        # re-entrant: a unit of work opened inside another in the same thread reads, as SQL would
        self.lock = threading.RLock()


class Tabled(Protocol):
    """What a memory repository needs of its unit of work: the working copy of the tables."""

    @property
    def tables(self) -> Tables: ...


class MemoryUpdateRepository(UpdateRepository):
    def __init__(self, uow: Tabled) -> None:
        self._uow = uow

    def add(self, update: Update, idempotency_key: str | None = None) -> Update | None:
        t = self._uow.tables
        if idempotency_key is not None and idempotency_key in t.update_keys:
            return None
        if update.action_id not in t.actions:
            raise ValueError(f"update of an unknown action {update.action_id}")
        new_id = t.next_id("updates")
        t.updates[new_id] = update.model_copy(update={"id": new_id, "created_at": rules.utc(update.created_at)})
        if idempotency_key is not None:
            t.update_keys[idempotency_key] = new_id
        return t.updates[new_id].model_copy()

    def _newest_first(self, as_of: datetime | None = None) -> list[Update]:
        rows = (u for u in self._uow.tables.updates.values() if as_of is None or u.created_at <= as_of)
        return sorted(rows, key=lambda u: (u.created_at, u.id or 0), reverse=True)

    def latest(self, as_of: datetime | None = None,
               action_ids: Sequence[str] | None = None) -> dict[str, Update]:
        wanted = set(action_ids) if action_ids is not None else None
        latest: dict[str, Update] = {}
        for u in self._newest_first(as_of):
            if u.action_id not in latest and (wanted is None or u.action_id in wanted):
                latest[u.action_id] = u.model_copy()
        return latest

    def actions_updated_after(self, update_id: int | None) -> set[str]:
        return {u.action_id for u in self._newest_first() if update_id is None or (u.id or 0) > update_id}

    def for_action(self, action_id: str, limit: int | None = None) -> list[Update]:
        rows = [u.model_copy() for u in self._newest_first() if u.action_id == action_id]
        return rows[:limit] if limit else rows

    def all(self, since: datetime | None = None, until: datetime | None = None) -> Iterator[Update]:
        rows = [u.model_copy() for u in reversed(self._newest_first(until))
                if since is None or u.created_at > since]
        return iter(rows)

    def wordless_since(self, as_of: datetime | None = None) -> dict[str, datetime]:
        by_action: dict[str, list[Update]] = {}
        for u in self._newest_first(as_of):
            if u.action_id in self._uow.tables.actions:
                by_action.setdefault(u.action_id, []).append(u)
        out = {}
        for action_id, newest_first in by_action.items():
            last_said = next((u.created_at for u in newest_first if not says_nothing(u)), None)
            run = [u.created_at for u in newest_first if last_said is None or u.created_at > last_said]
            if run:
                out[action_id] = min(run)
        return out


class MemoryAuditRepository(AuditRepository):
    def __init__(self, uow: Tabled) -> None:
        self._uow = uow

    def add(self, entry: AuditEntry) -> None:
        t = self._uow.tables
        new_id = t.next_id("audit")
        t.audit[new_id] = dataclasses.replace(entry, id=new_id, at=rules.utc(entry.at),
                                              old=rules.audit_text(entry.old),
                                              new=rules.audit_text(entry.new))

    def _in_order(self) -> list[AuditEntry]:
        return sorted(self._uow.tables.audit.values(), key=lambda e: (e.at, e.id or 0))

    def trail(self, entity: str | None = None, entity_id: str | None = None) -> list[AuditEntry]:
        return [e for e in self._in_order()
                if (entity is None or e.entity == entity) and (entity_id is None or e.entity_id == entity_id)]

    def changes_since(self, at: datetime, entity: str, fields: Sequence[str]) -> list[AuditEntry]:
        return [e for e in reversed(self._in_order())
                if e.entity == entity and e.at > at and e.field in fields]


class MemoryRequestRepository(RequestRepository):
    def __init__(self, uow: Tabled) -> None:
        self._uow = uow

    def add(self, request: Request) -> Request:
        t = self._uow.tables
        if request.action_id not in t.actions:
            raise ValueError(f"request on an unknown action {request.action_id}")
        request.id = t.next_id("requests")
        t.requests[request.id] = _utc_request(request)
        return request

    def save(self, request: Request) -> None:
        t = self._uow.tables
        if request.id not in t.requests:
            raise ValueError(f"no stored request {request.id}")
        decided = _utc_request(request)
        t.requests[request.id] = dataclasses.replace(
            t.requests[request.id], state=decided.state, decided_by=decided.decided_by,
            decided_at=decided.decided_at, decision_reason=decided.decision_reason,
            signed_off_by=decided.signed_off_by, signed_off_at=decided.signed_off_at)

    def _of(self, action_id: str, kind: RequestKind, state: RequestState) -> list[Request]:
        return [r for r in self._uow.tables.requests.values()
                if r.action_id == action_id and r.kind == kind and r.state == state]

    def pending(self, action_id: str, kind: RequestKind) -> Request | None:
        rows = self._of(action_id, kind, RequestState.PENDING)
        newest = max(rows, key=lambda r: (r.requested_at, r.id or 0), default=None)
        return dataclasses.replace(newest) if newest else None

    def latest(self, action_id: str, kind: RequestKind, state: RequestState) -> Request | None:
        # undecided ones last, as SQL's `decided_at DESC NULLS LAST`
        rows = self._of(action_id, kind, state)
        newest = max(rows, key=lambda r: (r.decided_at is not None, r.decided_at or _EPOCH, r.id or 0),
                     default=None)
        return dataclasses.replace(newest) if newest else None

    def all_pending(self, kinds: Iterable[RequestKind]) -> list[Request]:
        wanted = set(kinds)
        rows = [r for r in self._uow.tables.requests.values()
                if r.state == RequestState.PENDING and r.kind in wanted]
        return [dataclasses.replace(r) for r in sorted(rows, key=lambda r: (r.requested_at, r.id or 0))]


def _utc_request(r: Request) -> Request:
    return dataclasses.replace(
        r, kind=RequestKind(r.kind), state=RequestState(r.state), requested_at=rules.utc(r.requested_at),
        decided_at=rules.utc(r.decided_at) if r.decided_at else None,
        signed_off_at=rules.utc(r.signed_off_at) if r.signed_off_at else None)
