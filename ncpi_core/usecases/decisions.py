"""Gold's decision log: the Gold chair (or an administrator) records a decision with its rationale.

A decision is about a recommendation or an action. It is stored with who and when, audited on its
subject (so it is in the export's audit and in `history` of every action it concerns), shown in
the next summaries' "since the previous meeting", and clears the "decision needed" of an overdue
recommendation or a Red action it is about. The owners of the actions it concerns are told.
"""

from __future__ import annotations

from datetime import date, datetime

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.deadlines import recommendation_overdue
from ncpi_core.domain.models import RAG, Action, Person, Recommendation, Role, Source
from ncpi_core.domain.notices import Outcome
from ncpi_core.domain.records import DecisionRecord
from ncpi_core.domain.text import check_free_text
from ncpi_core.errors import NotFound
from ncpi_core.storage.base import UnitOfWork, UowFactory
from ncpi_core.usecases.common import SAMPLE_IDS, audit, owner_side, require_role, tell
from ncpi_core.usecases.notices import queue_notices


def _subject(uow: UnitOfWork, typed: str) -> tuple[Recommendation, Action | None]:
    """The recommendation a decision is about, and the action when it is about one."""
    wanted = typed.strip()
    recs = uow.plan.recommendations()
    rec = next((r for r in recs if r.id == wanted), None) or next(
        (r for r in recs if r.id.lower() == wanted.lower()), None)
    if rec is not None:
        return rec, None
    action_id = uow.plan.resolve_action_id(wanted)
    action = uow.plan.action(action_id) if action_id is not None else None
    if action is not None and action.in_plan:
        owner_rec = next((r for r in recs if r.id == action.recommendation_id), None)
        if owner_rec is not None:
            return owner_rec, action
    ids = [r.id for r in recs]
    raise NotFound("decision.subject_not_found", typed=wanted if len(wanted) <= 64 and wanted.isprintable() else None,
                   ids=ids[:SAMPLE_IDS * 2], more=len(ids) > SAMPLE_IDS * 2)


def record_decision(uow_factory: UowFactory, config: ForceConfig, actor: Person, subject: str, decision: str,
                    rationale: str, *, now: datetime, today: date, source: Source = Source.SLASH) -> Outcome:
    """Record one Gold decision on a recommendation (`R7`) or an action (`R7.1`).

    Raises:
        PermissionDenied: `role.required` (the Gold chair or an administrator).
        InvalidInput / PersonalDataRefused: the decision or the rationale (missing, too long, personal data).
        NotFound: `decision.subject_not_found` (with `typed`, a sample of `ids`, and `more`).
    """
    require_role(config, actor, (Role.GOLD_CHAIR, Role.ADMIN), "decision.record")
    decision = check_free_text("decision", decision, required=True, example="decision", subject=subject)
    rationale = check_free_text("rationale", rationale, required=True, example="decision", subject=subject)
    with uow_factory() as uow:
        rec, action = _subject(uow, subject)
        concerned = [action] if action is not None else [a for a in uow.plan.actions() if a.recommendation_id == rec.id]
        latest = uow.updates.latest(action_ids=[a.id for a in concerned]) if concerned else {}
        stored = uow.decisions.add(DecisionRecord(
            subject=action.id if action is not None else rec.id, recommendation_id=rec.id, decision=decision,
            rationale=rationale, decided_by=actor.id, decided_at=now, source=source.value))
        audit(uow, now, "action" if action is not None else "recommendation", stored.subject, "decision",
              field="decision", new=decision, actor=actor.id, source=source.value, reason=rationale)
        overdue = action is None and recommendation_overdue(rec.due, [a.status for a in concerned], today)
        red = [a.id for a in concerned if not a.is_closed and a.id in latest and latest[a.id].rag == RAG.RED]
        people = [p for a in concerned if not a.is_closed for p in owner_side(config, a)]
        facts = {"by": actor.name, "subject": stored.subject, "recommendation_id": rec.id, "decision": decision,
                 "rationale": rationale}
        notices = tell(config, people, "decision.recorded", facts, action_id=action.id if action else None,
                       skip=actor.id)
        keys = queue_notices(uow, notices, now)
        uow.commit()
    return Outcome("decision.recorded", {**facts, "overdue_cleared": overdue, "red_cleared": red},
                   action, notices, keys, stored.id)
