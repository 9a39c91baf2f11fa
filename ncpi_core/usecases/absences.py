"""Absences: no prompts or nudges to someone away; their deputy (named, or each action's plan
deputy) gets them and may update the actions meanwhile.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain import permissions
from ncpi_core.domain.models import Person, Role, Source
from ncpi_core.domain.notices import Notice, Outcome
from ncpi_core.domain.records import Absence
from ncpi_core.domain.text import refuse_personal_data
from ncpi_core.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from ncpi_core.storage.base import UowFactory
from ncpi_core.usecases.common import audit, name_of, parse_date, tell
from ncpi_core.usecases.notices import queue_notices


def _absentee(config: ForceConfig, actor: Person, person_id: str | None, what: str) -> Person:
    """Whose absence this is: the actor's own, or (for an administrator only) `person_id`'s.

    Raises:
        PermissionDenied: `absence.admin_only` (what: away or back).
        NotFound: `person.not_found` (person_id).
    """
    if actor.read_only:  # an observer or the PCC's office owns nothing and is never prompted
        raise permissions.read_only_refusal(actor, what)
    if person_id is None or person_id == actor.id:
        return actor
    if not actor.has(Role.ADMIN):
        raise PermissionDenied("absence.admin_only", what=what)
    found = config.person(person_id)
    if found is None:
        raise NotFound("person.not_found", person_id=person_id)
    return found


def set_away(uow_factory: UowFactory, config: ForceConfig, actor: Person, start: str | date,
             end: str | date, deputy: str | None = None, *, person_id: str | None = None, now: datetime,
             today: date, source: Source = Source.SLASH) -> Outcome:
    """Record that a person is away from `start` to `end` (inclusive), optionally naming a deputy.

    `deputy` is a person id from ncpi.yaml (the front end resolves a mention to one); None means
    each action's plan deputy covers. Only an administrator may record someone else's absence
    (`person_id`). An absence overlapping an earlier one replaces it. Whoever covers is told
    (`absence.covering`).
    """
    person = _absentee(config, actor, person_id, "away")
    first, last = parse_date(start, "start"), parse_date(end, "end")
    window = {"first": first.isoformat(), "last": last.isoformat()}
    if last < first:
        raise InvalidInput("absence.end_before_start", **window)
    if last < today:
        raise InvalidInput("absence.in_past", today=today.isoformat(), **window)
    cover: Person | None = None
    if deputy:
        cover = config.person(deputy.strip())
        if cover is None:
            refuse_personal_data({"deputy": deputy})  # "away … covering for Jayden's mum": said as such
            raise NotFound("absence.deputy_unknown")
        if cover.id == person.id:
            raise InvalidInput("absence.own_deputy")
    with uow_factory() as uow:
        replaced = uow.absences.overlapping(person.id, first, last)
        for old in replaced:
            old.cancelled_at = now
            uow.absences.save(old)
            audit(uow, now, "absence", str(old.id), "cancelled", actor=actor.id, source=source.value,
                  reason="replaced by a new absence")
        absence = uow.absences.add(Absence(person=person.id, start=first, end=last,
                                           deputy=cover.id if cover else None, created_by=actor.id, created_at=now))
        audit(uow, now, "absence", str(absence.id), "away", field="person", new=person.id, actor=actor.id,
              source=source.value,
              reason=f"{first.isoformat()} to {last.isoformat()}" + (f", deputy {cover.id}" if cover else ""))
        covered: dict[str, list[str]] = {}
        uncovered = []
        for a in uow.plan.actions(owner=person.id):
            if a.is_closed:
                continue
            who = cover.id if cover else a.deputy
            if who:
                covered.setdefault(who, []).append(a.id)
            else:
                uncovered.append(a.id)
        notices: list[Notice] = []
        for who, ids in covered.items():
            notices += tell(config, [who], "absence.covering", {"name": person.name, "action_ids": ids, **window},
                            skip=actor.id)
        keys = queue_notices(uow, notices, now)
        uow.commit()
    facts = {"self": person.id == actor.id, "name": person.name, "replaced": len(replaced),
             "covered": [[name_of(config, who), ids] for who, ids in covered.items()], "uncovered": uncovered,
             **window}
    return Outcome("absence.recorded", facts, None, notices, keys, absence.id)


def back(uow_factory: UowFactory, config: ForceConfig, actor: Person, *, person_id: str | None = None,
         now: datetime, today: date, source: Source = Source.SLASH) -> Outcome:
    """End the person's current absence and cancel future ones; their deputies are told.

    A future absence gets `cancelled_at`. One under way since before today is cut short to end
    yesterday rather than cancelled, so the record still says they were away on those days and
    nobody is nudged for that window after the event.
    """
    person = _absentee(config, actor, person_id, "back")
    itself = person.id == actor.id
    with uow_factory() as uow:
        absences = uow.absences.current_and_future(person.id, today)
        if not absences:
            raise InvalidTransition("absence.none", name=None if itself else person.name)
        deputies: list[str] = []
        for a in absences:
            if a.deputy:
                deputies.append(a.deputy)
            if a.start < today:
                audit(uow, now, "absence", str(a.id), "ended", field="end", old=a.end,
                      new=today - timedelta(days=1), actor=actor.id, source=source.value, reason="back early")
                a.end = today - timedelta(days=1)
            else:
                a.cancelled_at = now
                audit(uow, now, "absence", str(a.id), "cancelled", actor=actor.id, source=source.value,
                      reason="back")
            uow.absences.save(a)
        notices = tell(config, deputies, "absence.ended", {"name": person.name}, skip=actor.id)
        keys = queue_notices(uow, notices, now)
        uow.commit()
    return Outcome("absence.ended", {"count": len(absences), "self": itself, "name": person.name}, None,
                   notices, keys)


def absences_on(uow_factory: UowFactory, day: date) -> dict[str, str | None]:
    """Who is away on `day` (local date) → the deputy they named (None: each action's plan deputy)."""
    with uow_factory() as uow:
        return {a.person: a.deputy for a in uow.absences.on(day)}
