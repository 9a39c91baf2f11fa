"""Moving a due date: the owner asks, with a reason; the Silver chair approves or rejects.

The original due date is kept (`original_due`) and shown beside the current one. A second
request while one is pending replaces it (the first is withdrawn, and audited).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.models import Person, Role, Source
from ncpi_core.domain.notices import Outcome
from ncpi_core.domain.records import Request, RequestKind, RequestState
from ncpi_core.domain.text import check_free_text
from ncpi_core.errors import InvalidInput, InvalidTransition
from ncpi_core.storage.base import UowFactory
from ncpi_core.usecases.common import (
    audit,
    change_action,
    holders,
    lock_action,
    owner_side,
    parse_date,
    require_owner_side,
    require_role,
    tell,
    wrong_status,
)
from ncpi_core.usecases.notices import queue_notices


def request_due_change(uow_factory: UowFactory, config: ForceConfig, actor: Person, action_id: str,
                       new_date: str | date, reason: str, *, now: datetime, today: date,
                       source: Source = Source.SLASH) -> Outcome:
    """The owner (deputy, cover or admin) asks to move the due date; the Silver chair is asked
    (`due.requested`, kind review_due)."""
    new_due = parse_date(new_date, "new_due")
    if new_due <= today:
        raise InvalidInput("due.not_in_future", new_due=new_due.isoformat(), today=today.isoformat())
    reason = check_free_text("reason", reason, required=True, example="due", action_id=action_id,
                             date=(today + timedelta(days=30)).isoformat())
    with uow_factory() as uow:
        action = lock_action(uow, action_id)
        require_owner_side(uow, actor, action, today, "move_due")
        if action.is_closed:
            raise wrong_status(action.id, action.status, "move_due")
        if new_due == action.due:
            raise InvalidInput("due.unchanged", action_id=action.id, due=new_due.isoformat())
        previous = uow.requests.pending(action.id, RequestKind.DUE_CHANGE)
        if previous is not None:
            previous.state, previous.decided_by, previous.decided_at = RequestState.WITHDRAWN, actor.id, now
            previous.decision_reason = "replaced by a newer request"
            uow.requests.save(previous)
            audit(uow, now, "action", action.id, "due_change_withdrawn", field="due", new=previous.new_due,
                  actor=actor.id, source=source.value, reason="replaced by a newer request")
        req = uow.requests.add(Request(action_id=action.id, kind=RequestKind.DUE_CHANGE, state=RequestState.PENDING,
                                       requested_by=actor.id, requested_at=now, new_due=new_due, reason=reason))
        # No change but the version, so that a concurrent decision on the old request fails.
        changed = change_action(uow, action)
        audit(uow, now, "action", action.id, "due_change_requested", field="due", old=action.due, new=new_due,
              actor=actor.id, source=source.value, reason=reason)
        notices = tell(config, holders(config, Role.SILVER_CHAIR), "due.requested",
                       {"by": actor.name, "action_id": action.id, "title": action.title,
                        "due": action.due.isoformat(), "new_due": new_due.isoformat(),
                        "original_due": action.original_due.isoformat(), "reason": reason},
                       "review_due", action.id, skip=actor.id)
        keys = queue_notices(uow, notices, now)
        uow.commit()
    return Outcome("due.requested", {"action_id": action.id, "new_due": new_due.isoformat(),
                                     "due": action.due.isoformat()}, changed, notices, keys, req.id)


def approve_due_change(uow_factory: UowFactory, config: ForceConfig, actor: Person, action_id: str, *,
                       now: datetime, today: date, source: Source = Source.SLASH) -> Outcome:
    """The Silver chair approves the pending due change; `original_due` is kept, `due` changes."""
    require_role(config, actor, (Role.SILVER_CHAIR,), "due.approve")
    with uow_factory() as uow:
        action = lock_action(uow, action_id)
        req = uow.requests.pending(action.id, RequestKind.DUE_CHANGE)
        if req is None or req.new_due is None:
            raise InvalidTransition("due.nothing_to_approve", action_id=action.id)
        if req.new_due <= today:
            raise InvalidInput("due.requested_date_passed", action_id=action.id, new_due=req.new_due.isoformat())
        old_due = action.due
        req.state, req.decided_by, req.decided_at = RequestState.APPROVED, actor.id, now
        uow.requests.save(req)
        action = change_action(uow, action, due=req.new_due)
        audit(uow, now, "action", action.id, "due_changed", field="due", old=old_due, new=req.new_due,
              actor=actor.id, source=source.value, reason=req.reason)
        facts = {"by": actor.name, "action_id": action.id, "due": action.due.isoformat(),
                 "old_due": old_due.isoformat(), "original_due": action.original_due.isoformat()}
        notices = tell(config, owner_side(config, action) + [req.requested_by], "due.approved", facts,
                       action_id=action.id, skip=actor.id)
        keys = queue_notices(uow, notices, now)
        uow.commit()
    return Outcome("due.approved", facts, action, notices, keys, req.id)


def reject_due_change(uow_factory: UowFactory, config: ForceConfig, actor: Person, action_id: str,
                      reason: str, *, now: datetime, today: date, source: Source = Source.SLASH) -> Outcome:
    """The Silver chair refuses the pending due change, with a reason; the date stays."""
    require_role(config, actor, (Role.SILVER_CHAIR,), "due.reject")
    reason = check_free_text("reason", reason, required=True, example="reject_due", action_id=action_id)
    with uow_factory() as uow:
        action = lock_action(uow, action_id)
        req = uow.requests.pending(action.id, RequestKind.DUE_CHANGE)
        if req is None:
            raise InvalidTransition("due.nothing_to_reject", action_id=action.id)
        req.state, req.decided_by, req.decided_at = RequestState.REJECTED, actor.id, now
        req.decision_reason = reason
        uow.requests.save(req)
        action = change_action(uow, action)
        audit(uow, now, "action", action.id, "due_change_rejected", field="due", old=action.due, new=req.new_due,
              actor=actor.id, source=source.value, reason=reason)
        facts = {"by": actor.name, "action_id": action.id, "due": action.due.isoformat(),
                 "asked": req.new_due.isoformat() if req.new_due else None, "reason": reason}
        notices = tell(config, owner_side(config, action) + [req.requested_by], "due.rejected", facts,
                       action_id=action.id, skip=actor.id)
        keys = queue_notices(uow, notices, now)
        uow.commit()
    return Outcome("due.rejected", facts, action, notices, keys, req.id)
