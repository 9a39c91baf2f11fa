"""Closing an action: the owner proposes it complete with evidence, the Silver chair accepts or
rejects it, the Gold chair signs it off; a chair may instead supersede it (closed without delivery).

open → proposed → accepted → closed, or back to open on rejection; any open state → superseded.
Each step validates first, then in one unit of work locks the action, checks its version, writes
the request and the status, audits the step and queues its notices in the delivery ledger.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.models import RAG, Action, ActionStatus, Person, Role, Source, Update
from ncpi_core.domain.notices import Outcome
from ncpi_core.domain.records import Request, RequestKind, RequestState
from ncpi_core.domain.text import check_free_text
from ncpi_core.storage.base import UowFactory
from ncpi_core.usecases.common import (
    audit,
    change_action,
    find_action,
    holders,
    local_day,
    lock_action,
    name_of,
    owner_side,
    recommendation_complete,
    recommendation_delivered,
    require_owner_side,
    require_role,
    tell,
    wrong_status,
)
from ncpi_core.usecases.notices import queue_notices


def propose_complete(uow_factory: UowFactory, config: ForceConfig, actor: Person, action_id: str,
                     evidence: str, *, now: datetime, today: date, source: Source = Source.SLASH) -> Outcome:
    """The owner (deputy, cover or admin) proposes an action complete, with evidence.

    open → proposed. The Silver chair is told (`closure.proposed`, kind review_closure).

    No Blue update is written here: Blue means "complete", and only Gold's sign-off makes an
    action complete; a Blue update now would show the action Blue in every summary before Silver
    or Gold had seen the evidence. The proposal lives in `requests` and `audit` (summaries show
    `proposed` as awaiting Silver review); sign-off appends the Blue update carrying the evidence.
    """
    evidence = check_free_text("evidence", evidence, required=True, example="complete", action_id=action_id)
    with uow_factory() as uow:
        action = lock_action(uow, action_id)
        require_owner_side(uow, actor, action, today, "propose_complete")
        if action.status != ActionStatus.OPEN:
            raise wrong_status(action.id, action.status, "propose")
        req = uow.requests.add(Request(action_id=action.id, kind=RequestKind.CLOSURE, state=RequestState.PENDING,
                                       requested_by=actor.id, requested_at=now, evidence=evidence))
        action = change_action(uow, action, status=ActionStatus.PROPOSED)
        audit(uow, now, "action", action.id, "proposed", field="status", old="open", new="proposed",
              actor=actor.id, source=source.value, reason=f"evidence: {evidence}")
        notices = tell(config, holders(config, Role.SILVER_CHAIR), "closure.proposed",
                       {"by": actor.name, "action_id": action.id, "title": action.title, "evidence": evidence},
                       "review_closure", action.id, skip=actor.id)
        keys = queue_notices(uow, notices, now)
        uow.commit()
    return Outcome("closure.proposed", {"action_id": action.id}, action, notices, keys, req.id)


def approve(uow_factory: UowFactory, config: ForceConfig, actor: Person, action_id: str, *,
            now: datetime, today: date, source: Source = Source.SLASH) -> Outcome:
    """The Silver chair accepts a closure proposal: proposed → accepted; the Gold chair is asked to sign off."""
    require_role(config, actor, (Role.SILVER_CHAIR,), "closure.approve")
    with uow_factory() as uow:
        action = lock_action(uow, action_id, ActionStatus.PROPOSED, "approve")
        req = uow.requests.pending(action.id, RequestKind.CLOSURE)
        evidence = req.evidence if req else ""
        if req is not None:
            req.state, req.decided_by, req.decided_at = RequestState.APPROVED, actor.id, now
            uow.requests.save(req)
        action = change_action(uow, action, status=ActionStatus.ACCEPTED)
        audit(uow, now, "action", action.id, "approved", field="status", old="proposed", new="accepted",
              actor=actor.id, source=source.value)
        notices = tell(config, holders(config, Role.GOLD_CHAIR), "closure.accepted",
                       {"by": actor.name, "action_id": action.id, "title": action.title, "evidence": evidence},
                       "signoff", action.id, skip=actor.id)
        notices += tell(config, owner_side(config, action), "closure.accepted_owner",
                        {"by": actor.name, "action_id": action.id}, action_id=action.id, skip=actor.id)
        keys = queue_notices(uow, notices, now)
        uow.commit()
    return Outcome("closure.accepted", {"action_id": action.id}, action, notices, keys, req.id if req else None)


def reject(uow_factory: UowFactory, config: ForceConfig, actor: Person, action_id: str, reason: str, *,
           now: datetime, today: date, source: Source = Source.SLASH) -> Outcome:
    """The Silver chair sends a closure proposal back to the owner with a reason: proposed → open."""
    require_role(config, actor, (Role.SILVER_CHAIR,), "closure.reject")
    reason = check_free_text("reason", reason, required=True, example="reject", action_id=action_id)
    with uow_factory() as uow:
        action = lock_action(uow, action_id, ActionStatus.PROPOSED, "reject")
        req = uow.requests.pending(action.id, RequestKind.CLOSURE)
        if req is not None:
            req.state, req.decided_by, req.decided_at = RequestState.REJECTED, actor.id, now
            req.decision_reason = reason
            uow.requests.save(req)
        action = change_action(uow, action, status=ActionStatus.OPEN)
        audit(uow, now, "action", action.id, "rejected", field="status", old="proposed", new="open",
              actor=actor.id, source=source.value, reason=reason)
        notices = tell(config, owner_side(config, action), "closure.rejected",
                       {"by": actor.name, "action_id": action.id, "reason": reason}, action_id=action.id,
                       skip=actor.id)
        keys = queue_notices(uow, notices, now)
        uow.commit()
    return Outcome("closure.rejected", {"action_id": action.id}, action, notices, keys, req.id if req else None)


def signoff(uow_factory: UowFactory, config: ForceConfig, actor: Person, action_id: str, *,
            now: datetime, today: date, source: Source = Source.SLASH, identity: str | None = None) -> Outcome:
    """The Gold chair signs off an accepted action: accepted → closed, with a Blue update carrying
    the evidence (`identity`: the account it came from, "platform:id", kept on that update)."""
    require_role(config, actor, (Role.GOLD_CHAIR,), "closure.signoff")
    with uow_factory() as uow:
        action = lock_action(uow, action_id, ActionStatus.ACCEPTED, "signoff")
        req = uow.requests.latest(action.id, RequestKind.CLOSURE, RequestState.APPROVED)
        evidence = req.evidence if req else ""
        if req is not None:
            req.state, req.signed_off_by, req.signed_off_at = RequestState.SIGNED_OFF, actor.id, now
            uow.requests.save(req)
        action = change_action(uow, action, status=ActionStatus.CLOSED)
        audit(uow, now, "action", action.id, "signed_off", field="status", old="accepted", new="closed",
              actor=actor.id, source=source.value)
        # One Blue update, so every reader of "latest update" agrees with the status and shows the evidence.
        steps = []
        if req is not None:
            steps.append(f"proposed by {name_of(config, req.requested_by)} on {local_day(req.requested_at, config)}")
            if req.decided_by and req.decided_at:
                steps.append(f"accepted by {name_of(config, req.decided_by)} on {local_day(req.decided_at, config)}")
        steps.append(f"signed off by {actor.name} on {local_day(now, config)}")
        uow.updates.add(Update(action_id=action.id, rag=RAG.BLUE, progress=100,
                               narrative="Closed: " + "; ".join(steps) + ".", evidence=evidence, author=actor.id,
                               author_identity=identity, source=source, created_at=now))
        # delivered, not complete: a recommendation is complete when each action is embedded (or superseded)
        complete = recommendation_complete(uow, action.recommendation_id)
        facts = {"by": actor.name, "action_id": action.id, "title": action.title,
                 "recommendation_id": action.recommendation_id, "complete": complete,
                 "delivered": recommendation_delivered(uow, action.recommendation_id)}
        notices = tell(config, owner_side(config, action) + holders(config, Role.SILVER_CHAIR),
                       "closure.signed_off", facts, action_id=action.id, skip=actor.id)
        keys = queue_notices(uow, notices, now)
        uow.commit()
    return Outcome("closure.signed_off", facts, action, notices, keys, req.id if req else None,
                   action.recommendation_id if complete else None)


def supersede(uow_factory: UowFactory, config: ForceConfig, actor: Person, action_id: str, reason: str, *,
              now: datetime, today: date, source: Source = Source.SLASH) -> Outcome:
    """The Silver or Gold chair closes an action without delivery, with a reason (→ superseded).

    Any pending closure or due-date request on it is withdrawn.
    """
    require_role(config, actor, (Role.SILVER_CHAIR, Role.GOLD_CHAIR), "action.supersede")
    reason = check_free_text("reason", reason, required=True, example="supersede", action_id=action_id)
    with uow_factory() as uow:
        action = lock_action(uow, action_id)
        if action.is_closed:
            raise wrong_status(action.id, action.status, "supersede")
        old = action.status
        # A closure awaiting Silver (pending) or Gold (approved), and a due change, are withdrawn.
        open_requests = [uow.requests.pending(action.id, RequestKind.CLOSURE),
                         uow.requests.pending(action.id, RequestKind.DUE_CHANGE)]
        if action.status == ActionStatus.ACCEPTED:
            open_requests.append(uow.requests.latest(action.id, RequestKind.CLOSURE, RequestState.APPROVED))
        for pending in filter(None, open_requests):
            pending.state, pending.decision_reason = RequestState.WITHDRAWN, "the action was superseded"
            if pending.decided_by is None:
                pending.decided_by, pending.decided_at = actor.id, now
            uow.requests.save(pending)
        req = uow.requests.add(Request(action_id=action.id, kind=RequestKind.SUPERSEDE, state=RequestState.APPROVED,
                                       requested_by=actor.id, requested_at=now, reason=reason,
                                       decided_by=actor.id, decided_at=now))
        action = change_action(uow, action, status=ActionStatus.SUPERSEDED)
        audit(uow, now, "action", action.id, "superseded", field="status", old=old, new="superseded",
              actor=actor.id, source=source.value, reason=reason)
        complete = recommendation_complete(uow, action.recommendation_id)
        notices = tell(config, owner_side(config, action), "action.superseded",
                       {"by": actor.name, "action_id": action.id, "title": action.title, "reason": reason},
                       action_id=action.id, skip=actor.id)
        keys = queue_notices(uow, notices, now)
        uow.commit()
    return Outcome("action.superseded", {"action_id": action.id, "recommendation_id": action.recommendation_id,
                                         "complete": complete},
                   action, notices, keys, req.id, action.recommendation_id if complete else None)


def pending_review(uow_factory: UowFactory, action_id: str) -> Literal["closure", "due_change"] | None:
    """What on this action awaits the Silver chair: a closure proposal first, else a due change."""
    with uow_factory() as uow:
        resolved = uow.plan.resolve_action_id(action_id.strip())
        action = uow.plan.action(resolved) if resolved is not None else None
        if action is None:
            return None
        if action.status == ActionStatus.PROPOSED:
            return "closure"
        return "due_change" if uow.requests.pending(action.id, RequestKind.DUE_CHANGE) is not None else None


def check_can_propose(uow_factory: UowFactory, config: ForceConfig, actor: Person, action_id: str, *,
                      today: date) -> Action:
    """Refuse early (before a form is opened) what `propose_complete` would refuse; return the action."""
    with uow_factory() as uow:
        action = find_action(uow, action_id)
        require_owner_side(uow, actor, action, today, "propose_complete")
    if action.status != ActionStatus.OPEN:
        raise wrong_status(action.id, action.status, "propose")
    return action
