"""The North Yorkshire plan loaded into the in-memory store: what the governance use-case tests stand on."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain.ledger import DeliveryRecord, Kind
from ncpi_core.domain.models import Action, Person
from ncpi_core.domain.records import AuditEntry, Request, RequestKind, RequestState
from ncpi_core.storage.memory import MemoryUowFactory
from ncpi_core.usecases.plan import load_plan

T0 = datetime(2022, 5, 3, 9, 0, tzinfo=UTC)  # a Tuesday; R3.2 (head_ld) is due 2022-06-30


def at(minutes: float = 0) -> dict[str, Any]:
    """`now` and `today` (UTC date) so many minutes after T0."""
    t = T0 + timedelta(minutes=minutes)
    return {"now": t, "today": t.date()}


def on(day: date, hour: int = 9) -> dict[str, Any]:
    return {"now": datetime(day.year, day.month, day.day, hour, tzinfo=UTC), "today": day}


def loaded(config: ForceConfig, plan: PlanFile) -> MemoryUowFactory:
    factory = MemoryUowFactory()
    with factory() as uow:
        load_plan(plan, config, uow, datetime(2022, 3, 1, 9, tzinfo=UTC))
        uow.commit()
    return factory


def who(config: ForceConfig, person_id: str) -> Person:
    person = config.person(person_id)
    assert person is not None, person_id
    return person


def action(factory: MemoryUowFactory, action_id: str) -> Action:
    with factory() as uow:
        found = uow.plan.action(action_id)
    assert found is not None
    return found


def trail(factory: MemoryUowFactory, entity: str = "action", entity_id: str | None = None) -> list[AuditEntry]:
    with factory() as uow:
        return uow.audit.trail(entity, entity_id)


def notices(factory: MemoryUowFactory) -> list[DeliveryRecord]:
    with factory() as uow:
        return uow.ledger.records(kinds=[Kind.NOTICE])


def pending(factory: MemoryUowFactory, action_id: str, kind: RequestKind) -> Request | None:
    with factory() as uow:
        return uow.requests.pending(action_id, kind)


def decided(factory: MemoryUowFactory, action_id: str, kind: RequestKind, state: RequestState) -> Request | None:
    with factory() as uow:
        return uow.requests.latest(action_id, kind, state)
