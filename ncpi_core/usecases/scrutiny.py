"""Scrutiny from outside the force: the PCC's office rates a recommendation (assured, partly
assured, not assured, with a comment) and a plan administrator records the inspectorate's own dated
status of it. Both are append-only trails beside the force's position, audited on the
recommendation, shown in the Gold summary and the packs; the Gold chair is told of each.
"""

from __future__ import annotations

from datetime import date, datetime

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.models import Person, Recommendation, Role, Source
from ncpi_core.domain.notices import Outcome
from ncpi_core.domain.scrutiny import (
    AssuranceRecord,
    InspectorateRecord,
    current_statuses,
    latest_by_recommendation,
    read_assurance,
    read_inspectorate_status,
)
from ncpi_core.domain.text import check_free_text
from ncpi_core.errors import InvalidInput, NotFound
from ncpi_core.storage.base import UnitOfWork, UowFactory
from ncpi_core.usecases.common import (
    _SAFE_ECHO,
    SAMPLE_IDS,
    audit,
    holders,
    parse_date,
    require_role,
    tell,
)
from ncpi_core.usecases.notices import queue_notices


def find_recommendation(uow: UnitOfWork, typed: str) -> Recommendation:
    """The recommendation in the plan with this id (exactly, else ignoring case).

    Raises:
        NotFound: `recommendation.not_found` with `typed` (echoed only when plainly an id), `ids`, `more`.
    """
    wanted = typed.strip()
    recs = [r for r in uow.plan.recommendations() if r.in_plan]
    found = next((r for r in recs if r.id == wanted), None) or next(
        (r for r in recs if r.id.lower() == wanted.lower()), None)
    if found is None:
        ids = [r.id for r in recs]
        raise NotFound("recommendation.not_found", typed=wanted if _SAFE_ECHO.fullmatch(wanted) else "with that id",
                       ids=ids[:SAMPLE_IDS * 2], more=len(ids) > SAMPLE_IDS * 2)
    return found


def _after(said: str, n: int) -> str:
    """`said` without its first `n` words."""
    parts = said.split(None, n)
    return parts[n] if len(parts) > n else ""


def rate(uow_factory: UowFactory, config: ForceConfig, actor: Person, recommendation: str, said: str, *,
         now: datetime, source: Source = Source.SLASH) -> Outcome:
    """Record the PCC's assurance rating of one recommendation: `said` is what followed its id,
    the rating (`assured`, `partly`, `partly assured`, `not`, …) then the comment.

    Raises:
        PermissionDenied: `role.required` (the PCC's office).
        InvalidInput: `assurance.unknown_rating` (naming the ratings), `text.missing`/`text.too_long`.
        PersonalDataRefused: the comment looks personal.
        NotFound: `recommendation.not_found`.
    """
    require_role(config, actor, (Role.PCC,), "assurance.rate")
    rating, used = read_assurance(said.split())
    comment = check_free_text("comment", _after(said, used), required=True, example="assurance", subject=recommendation)
    with uow_factory() as uow:
        rec = find_recommendation(uow, recommendation)
        before = latest_by_recommendation(uow.assurances.all(rec.id)).get(rec.id)
        stored = uow.assurances.add(AssuranceRecord(rec.id, rating, comment, actor.id, now, source.value))
        audit(uow, now, "recommendation", rec.id, "assurance", field="assurance",
              old=before.rating.value if before else None, new=rating.value, actor=actor.id,
              source=source.value, reason=comment)
        facts = {"by": actor.name, "recommendation_id": rec.id, "title": rec.title, "rating": rating.value,
                 "words": stored.words, "comment": comment,
                 "previous": before.words if before else None}
        notices = tell(config, holders(config, Role.GOLD_CHAIR), "assurance.recorded", facts, skip=actor.id)
        keys = queue_notices(uow, notices, now)
        uow.commit()
    return Outcome("assurance.recorded", facts, None, notices, keys, stored.id)


def record_inspectorate(uow_factory: UowFactory, config: ForceConfig, actor: Person, recommendation: str,
                        said: str, *, now: datetime, today: date, source: Source = Source.SLASH) -> Outcome:
    """Record the inspectorate's status of one recommendation: `said` is what followed its id,
    the status (`closed`, `being progressed`, …), then an optional date (YYYY-MM-DD, the
    inspectorate's; today by default), then an optional note.

    Raises:
        PermissionDenied: `role.required` (a plan administrator).
        InvalidInput: `inspectorate.unknown_status` (naming the statuses), `date.unreadable`,
            `inspectorate.future_date`, `text.too_long`.
        PersonalDataRefused: the note looks personal.
        NotFound: `recommendation.not_found`.
    """
    require_role(config, actor, (Role.ADMIN,), "inspectorate.record")
    status, used = read_inspectorate_status(said.split())
    rest = _after(said, used)
    on = today
    if rest[:1].isdigit():
        on = parse_date(rest.split()[0], "status_on")
        rest = _after(rest, 1)
        if on > today:
            raise InvalidInput("inspectorate.future_date", status_on=on.isoformat(), today=today.isoformat())
    note = check_free_text("note", rest, required=False, example="inspectorate", subject=recommendation)
    with uow_factory() as uow:
        rec = find_recommendation(uow, recommendation)
        before = current_statuses(uow.inspectorate.all(rec.id)).get(rec.id)
        stored = uow.inspectorate.add(InspectorateRecord(rec.id, status, on, note, actor.id, now, source.value))
        audit(uow, now, "recommendation", rec.id, "inspectorate", field="inspectorate_status",
              old=before.status.value if before else None, new=status.value, actor=actor.id,
              source=source.value, reason=note or None)
        current = current_statuses([*([before] if before else []), stored])[rec.id]
        facts = {"by": actor.name, "recommendation_id": rec.id, "title": rec.title, "status": status.value,
                 "words": stored.words, "on": on.isoformat(), "note": note,
                 "current": current.words if current != stored else None,
                 "current_on": current.status_on.isoformat()}
        notices = tell(config, holders(config, Role.GOLD_CHAIR), "inspectorate.recorded", facts, skip=actor.id)
        keys = queue_notices(uow, notices, now)
        uow.commit()
    return Outcome("inspectorate.recorded", facts, None, notices, keys, stored.id)
