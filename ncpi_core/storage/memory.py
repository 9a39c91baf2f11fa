"""The storage port in memory: a fake unit of work for fast use-case tests (no database).

`MemoryUowFactory()` holds one store; each unit of work takes the store's lock (one at a time, as
SQLite's single writer), works on a snapshot taken on enter, swaps it in on `commit()` and drops it
on `rollback()` or on leaving without a commit. Stored values are copies, never shared with a
caller, so a test cannot change the store except through a repository and a commit.
`tests/integration/test_repositories.py` holds this fake to the same contract as SQL.
"""

from __future__ import annotations

import copy
import dataclasses
from datetime import date, datetime
from types import TracebackType
from typing import Any

from ncpi_core.domain.models import Action, ActionStatus, Person, PlanInfo, Recommendation
from ncpi_core.domain.records import Absence
from ncpi_core.errors import StorageUnavailable
from ncpi_core.storage import rules
from ncpi_core.storage.base import (
    AbsenceRepository,
    ConversationRepository,
    DataVersion,
    EventRepository,
    PeopleRepository,
    PlanRepository,
    StateRepository,
    UnitOfWork,
)
from ncpi_core.storage.memory_ledger import MemoryLedgerRepository
from ncpi_core.storage.memory_records import (
    MemoryAssuranceRepository,
    MemoryChallengeRepository,
    MemoryDecisionRepository,
    MemoryEmbeddingRepository,
    MemoryInspectorateRepository,
)
from ncpi_core.storage.memory_store import (
    MemoryAuditRepository,
    MemoryRequestRepository,
    MemoryUpdateRepository,
    Store,
    Tables,
)


class MemoryPlanRepository(PlanRepository):
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def info(self) -> PlanInfo | None:
        info = self._uow.tables.plan_info
        return info.model_copy() if info else None

    def loaded_at(self) -> datetime | None:
        return self._uow.tables.loaded_at

    def save_info(self, info: PlanInfo, loaded_at: datetime) -> None:
        t = self._uow.tables
        t.plan_info, t.loaded_at = info.model_copy(), rules.utc(loaded_at)

    def recommendations(self, include_dropped: bool = False) -> list[Recommendation]:
        recs = sorted(self._uow.tables.recommendations.values(), key=lambda r: (r.position, r.id))
        return [r.model_copy() for r in recs if include_dropped or r.in_plan]

    def save_recommendation(self, rec: Recommendation) -> None:
        self._uow.tables.recommendations[rec.id] = rec.model_copy()

    def _in_order(self) -> list[Action]:
        t = self._uow.tables
        # an inner join on the recommendation, as SQL reads it
        return sorted((a for a in t.actions.values() if a.recommendation_id in t.recommendations),
                      key=lambda a: (t.recommendations[a.recommendation_id].position, a.position, a.id))

    def actions(self, include_dropped: bool = False, owner: str | None = None) -> list[Action]:
        return [a.model_copy() for a in self._in_order()
                if (include_dropped or a.in_plan) and (owner is None or a.owner == owner)]

    def action(self, action_id: str, *, for_update: bool = False) -> Action | None:
        found = self._uow.tables.actions.get(action_id)
        return found.model_copy() if found else None

    def resolve_action_id(self, typed: str) -> str | None:
        ids = self.action_ids()
        if typed in ids:
            return typed
        wanted = typed.strip().lower()
        return next((i for i in ids if i.lower() == wanted), None)

    def action_ids(self) -> list[str]:
        return [a.id for a in self._in_order() if a.in_plan]

    def add_action(self, action: Action) -> None:
        t = self._uow.tables
        if action.recommendation_id not in t.recommendations:
            raise ValueError(f"action {action.id}: no recommendation {action.recommendation_id}")
        if action.id in t.actions:
            raise ValueError(f"action {action.id} is already stored")
        t.actions[action.id] = action.model_copy()

    def change_action(self, action_id: str, expected_version: int, **values: Any) -> Action | None:
        changes = rules.action_changes(values)
        t = self._uow.tables
        found = t.actions.get(action_id)
        if found is None or found.version != expected_version:
            return None
        # validated like a stored row read back (status as ActionStatus, dates as dates)
        changed = Action.model_validate({**found.model_dump(), **changes, "version": expected_version + 1})
        t.actions[action_id] = changed
        return changed.model_copy()

    def statuses(self, recommendation_id: str) -> list[ActionStatus]:
        return [a.status for a in self._in_order()
                if a.recommendation_id == recommendation_id and a.in_plan]


class MemoryPeopleRepository(PeopleRepository):
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def all(self, include_inactive: bool = False) -> list[Person]:
        people = sorted(self._uow.tables.people.values(), key=lambda p: p.id)
        return [p.model_copy(deep=True) for p in people if include_inactive or p.active]

    def get(self, person_id: str) -> Person | None:
        found = self._uow.tables.people.get(person_id)
        return found.model_copy(deep=True) if found and found.active else None

    def save(self, person: Person) -> None:
        self._uow.tables.people[person.id] = person.model_copy(deep=True)

    def names(self) -> dict[str, str]:
        return {p.id: p.name for p in self._uow.tables.people.values()}


class MemoryAbsenceRepository(AbsenceRepository):
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def _live(self, person: str | None = None) -> list[Absence]:
        rows = sorted(self._uow.tables.absences.values(), key=lambda a: a.id or 0)
        return [a for a in rows if a.cancelled_at is None and (person is None or a.person == person)]

    def add(self, absence: Absence) -> Absence:
        if absence.created_by is None or absence.created_at is None:
            raise ValueError("an absence is stored with who recorded it and when")
        t = self._uow.tables
        absence.id = t.next_id("absences")
        t.absences[absence.id] = dataclasses.replace(
            absence, created_at=rules.utc(absence.created_at),
            cancelled_at=rules.utc(absence.cancelled_at) if absence.cancelled_at else None)
        return absence

    def save(self, absence: Absence) -> None:
        t = self._uow.tables
        if absence.id not in t.absences:
            raise ValueError(f"no stored absence {absence.id}")
        t.absences[absence.id] = dataclasses.replace(
            t.absences[absence.id], end=absence.end,
            cancelled_at=rules.utc(absence.cancelled_at) if absence.cancelled_at else None)

    def active(self) -> list[Absence]:
        return [dataclasses.replace(a) for a in sorted(self._live(), key=_created)]

    def overlapping(self, person: str, first: date, last: date) -> list[Absence]:
        return [dataclasses.replace(a) for a in self._live(person) if a.start <= last and a.end >= first]

    def current_and_future(self, person: str, today: date) -> list[Absence]:
        return [dataclasses.replace(a) for a in self._live(person) if a.end >= today]

    def on(self, day: date) -> list[Absence]:
        return [dataclasses.replace(a) for a in sorted(self._live(), key=_created) if a.start <= day <= a.end]

    def covered_by(self, deputy: str, day: date) -> set[str]:
        return {a.person for a in self._live() if a.deputy == deputy and a.start <= day <= a.end}


def _created(a: Absence) -> tuple[datetime | None, int]:
    return a.created_at, a.id or 0


class MemoryEventRepository(EventRepository):
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def first_time(self, key: str, now: datetime) -> bool:
        events = self._uow.tables.events
        if key in events:
            return False
        events[key] = rules.utc(now)
        return True


class MemoryStateRepository(StateRepository):
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def get(self, name: str) -> str | None:
        found = self._uow.tables.state.get(name)
        return found[0] if found else None

    def put(self, name: str, value: str, now: datetime) -> None:
        self._uow.tables.state[name] = (value, rules.utc(now))

    def put_if_absent(self, name: str, value: str, now: datetime) -> bool:
        if name in self._uow.tables.state:
            return False
        self.put(name, value, now)
        return True


class MemoryConversationRepository(ConversationRepository):
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def get(self, platform: str, address: str) -> tuple[str, dict[str, Any] | None] | None:
        found = self._uow.tables.conversations.get((platform, address))
        return (found[0], copy.deepcopy(found[1])) if found else None

    def put(self, platform: str, address: str, conversation: str,
            reference: dict[str, Any] | None, now: datetime) -> None:
        self._uow.tables.conversations[(platform, address)] = (conversation, copy.deepcopy(reference),
                                                               rules.utc(now))

    def addresses(self, platform: str) -> set[str]:
        return {address for p, address in self._uow.tables.conversations if p == platform}

    def conversations(self, platform: str) -> dict[str, str]:
        return {address: found[0] for (p, address), found in self._uow.tables.conversations.items() if p == platform}


class MemoryUnitOfWork(UnitOfWork):
    """One unit of work on a `Store`: serialised with every other, as one SQLite writer at a time."""

    def __init__(self, store: Store, lock_timeout: float = 30.0) -> None:
        self.store = store
        self.lock_timeout = lock_timeout
        self._tables: Tables | None = None
        self._seen = 0
        self.plan = MemoryPlanRepository(self)
        self.people = MemoryPeopleRepository(self)
        self.updates = MemoryUpdateRepository(self)
        self.audit = MemoryAuditRepository(self)
        self.requests = MemoryRequestRepository(self)
        self.absences = MemoryAbsenceRepository(self)
        self.ledger = MemoryLedgerRepository(self)
        self.events = MemoryEventRepository(self)
        self.state = MemoryStateRepository(self)
        self.conversations = MemoryConversationRepository(self)
        self.challenges = MemoryChallengeRepository(self)
        self.decisions = MemoryDecisionRepository(self)
        self.embeddings = MemoryEmbeddingRepository(self)
        self.assurances = MemoryAssuranceRepository(self)
        self.inspectorate = MemoryInspectorateRepository(self)

    @property
    def tables(self) -> Tables:
        """The working copy; only inside `with`."""
        if self._tables is None:
            raise RuntimeError("use the unit of work inside `with uow_factory() as uow:`")
        return self._tables

    def __enter__(self) -> MemoryUnitOfWork:
        if self._tables is not None:
            raise RuntimeError("this unit of work is already open; make a new one per use case")
        if not self.store.lock.acquire(timeout=self.lock_timeout):
            raise StorageUnavailable()  # as a database whose writer never lets go
        self._tables = self.store.tables.copy()
        self._seen = self.store.commits
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._tables = None
        self.store.lock.release()

    def commit(self) -> None:
        tables = self.tables
        if self.store.commits != self._seen:
            # only a unit of work nested in this one (same thread) can have committed meanwhile
            raise RuntimeError("a nested unit of work committed inside this one; its writes would be lost")
        self.store.tables = tables
        self.store.commits += 1
        self._seen = self.store.commits
        self._tables = tables.copy()  # later writes must not reach the committed state

    def rollback(self) -> None:
        self.tables  # noqa: B018 - refuses outside `with`
        self._tables = self.store.tables.copy()

    def data_version(self) -> DataVersion:
        t = self.tables
        updates = max(t.updates, default=None)
        audit = max(t.audit, default=None)
        sent = [d.sent_at for d in t.deliveries.values() if d.sent_at is not None]
        return DataVersion(
            updates=updates,
            updates_at=max((u.created_at for u in t.updates.values()), default=None),
            audit=audit, audit_at=t.audit[audit].at if audit is not None else None,
            deliveries=max(t.deliveries, default=None), sent_at=max(sent, default=None))


class MemoryUowFactory:
    """Makes units of work over one in-memory store (`factory.store` holds the committed state)."""

    def __init__(self, store: Store | None = None, lock_timeout: float = 30.0) -> None:
        self.store = store or Store()
        self.lock_timeout = lock_timeout

    def __call__(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.store, self.lock_timeout)


__all__ = ["MemoryUnitOfWork", "MemoryUowFactory", "Store"]
