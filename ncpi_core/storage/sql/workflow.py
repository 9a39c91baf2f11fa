"""What the governance workflows keep besides updates: requests and absences, in SQL."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Row, select, update

from ncpi_core.domain.records import Absence, Request, RequestKind, RequestState
from ncpi_core.storage import rules
from ncpi_core.storage.base import AbsenceRepository, RequestRepository
from ncpi_core.storage.sql.common import ABSENCES, REQUESTS, SqlRepository


def to_request(row: Row[Any]) -> Request:
    return Request(action_id=row.action_id, kind=RequestKind(row.kind), state=RequestState(row.state),
                   requested_by=row.requested_by, requested_at=row.requested_at, evidence=row.evidence or "",
                   new_due=row.new_due, reason=row.reason or "", decided_by=row.decided_by,
                   decided_at=row.decided_at, decision_reason=row.decision_reason,
                   signed_off_by=row.signed_off_by, signed_off_at=row.signed_off_at, id=row.id)


def to_absence(row: Row[Any]) -> Absence:
    return Absence(person=row.person, start=row.start, end=row.end, deputy=row.deputy,
                   created_by=row.created_by, created_at=row.created_at, cancelled_at=row.cancelled_at,
                   id=row.id)


class SqlRequestRepository(SqlRepository, RequestRepository):
    def add(self, request: Request) -> Request:
        request.id = self._db.execute(REQUESTS.insert().values(
            action_id=request.action_id, kind=rules.plain(request.kind), state=rules.plain(request.state),
            evidence=request.evidence, new_due=request.new_due, reason=request.reason,
            requested_by=request.requested_by, requested_at=request.requested_at,
            decided_by=request.decided_by, decided_at=request.decided_at,
            decision_reason=request.decision_reason, signed_off_by=request.signed_off_by,
            signed_off_at=request.signed_off_at).returning(REQUESTS.c.id)).scalar_one()
        return request

    def save(self, request: Request) -> None:
        done = self._db.execute(update(REQUESTS).where(REQUESTS.c.id == request.id).values(
            state=rules.plain(request.state), decided_by=request.decided_by, decided_at=request.decided_at,
            decision_reason=request.decision_reason, signed_off_by=request.signed_off_by,
            signed_off_at=request.signed_off_at))
        if done.rowcount != 1:
            raise ValueError(f"no stored request {request.id}")

    def _of(self, action_id: str, kind: RequestKind, state: RequestState) -> Any:
        return select(REQUESTS).where(REQUESTS.c.action_id == action_id, REQUESTS.c.kind == rules.plain(kind),
                                      REQUESTS.c.state == rules.plain(state))

    def pending(self, action_id: str, kind: RequestKind) -> Request | None:
        row = self._db.execute(self._of(action_id, kind, RequestState.PENDING)
                               .order_by(REQUESTS.c.requested_at.desc(), REQUESTS.c.id.desc()).limit(1)).first()
        return to_request(row) if row else None

    def latest(self, action_id: str, kind: RequestKind, state: RequestState) -> Request | None:
        # NULLS LAST written out: PostgreSQL sorts NULL first in DESC, SQLite last
        row = self._db.execute(self._of(action_id, kind, state).order_by(
            REQUESTS.c.decided_at.is_(None), REQUESTS.c.decided_at.desc(), REQUESTS.c.id.desc())
            .limit(1)).first()
        return to_request(row) if row else None

    def all_pending(self, kinds: Iterable[RequestKind]) -> list[Request]:
        q = (select(REQUESTS).where(REQUESTS.c.state == RequestState.PENDING.value,
                                    REQUESTS.c.kind.in_([rules.plain(k) for k in kinds]))
             .order_by(REQUESTS.c.requested_at, REQUESTS.c.id))
        return [to_request(r) for r in self._db.execute(q)]


class SqlAbsenceRepository(SqlRepository, AbsenceRepository):
    def add(self, absence: Absence) -> Absence:
        if absence.created_by is None or absence.created_at is None:
            raise ValueError("an absence is stored with who recorded it and when")
        absence.id = self._db.execute(ABSENCES.insert().values(
            person=absence.person, start=absence.start, end=absence.end, deputy=absence.deputy,
            created_by=absence.created_by, created_at=absence.created_at,
            cancelled_at=absence.cancelled_at).returning(ABSENCES.c.id)).scalar_one()
        return absence

    def save(self, absence: Absence) -> None:
        done = self._db.execute(update(ABSENCES).where(ABSENCES.c.id == absence.id).values(
            end=absence.end, cancelled_at=absence.cancelled_at))
        if done.rowcount != 1:
            raise ValueError(f"no stored absence {absence.id}")

    def _live(self) -> Any:
        return select(ABSENCES).where(ABSENCES.c.cancelled_at.is_(None))

    def active(self) -> list[Absence]:
        q = self._live().order_by(ABSENCES.c.created_at, ABSENCES.c.id)
        return [to_absence(r) for r in self._db.execute(q)]

    def overlapping(self, person: str, first: date, last: date) -> list[Absence]:
        q = self._live().where(ABSENCES.c.person == person, ABSENCES.c.start <= last,
                               ABSENCES.c.end >= first).order_by(ABSENCES.c.id)
        return [to_absence(r) for r in self._db.execute(self._locked(q))]

    def current_and_future(self, person: str, today: date) -> list[Absence]:
        q = self._live().where(ABSENCES.c.person == person, ABSENCES.c.end >= today).order_by(ABSENCES.c.id)
        return [to_absence(r) for r in self._db.execute(self._locked(q))]

    def on(self, day: date) -> list[Absence]:
        q = (self._live().where(ABSENCES.c.start <= day, ABSENCES.c.end >= day)
             .order_by(ABSENCES.c.created_at, ABSENCES.c.id))
        return [to_absence(r) for r in self._db.execute(q)]

    def covered_by(self, deputy: str, day: date) -> set[str]:
        q = select(ABSENCES.c.person).where(ABSENCES.c.cancelled_at.is_(None), ABSENCES.c.deputy == deputy,
                                            ABSENCES.c.start <= day, ABSENCES.c.end >= day)
        return set(self._db.scalars(q))
