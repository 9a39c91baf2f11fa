"""Challenges: the Silver chair questions an action's update; its owner answers like a prompt.

Asking stores the challenge, audits it and owes its owner (or whoever covers for them while they
are away) a delivery of kind `challenge`, in the same unit of work: the front end sends it at once
and the tick sends it if that could not. A reply in that message's thread, the update form or a
plain message is an update like any other; the first update after the challenge that says
something (a narrative or evidence) answers it, and the Silver chair who asked is told. Until then
the summaries show the question.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.deliveries import responsible_for
from ncpi_core.domain.ledger import Kind, Owed, Recipient
from ncpi_core.domain.models import Action, Person, Role, Source, Update
from ncpi_core.domain.notices import Notice, Outcome
from ncpi_core.domain.records import Challenge
from ncpi_core.domain.text import check_free_text
from ncpi_core.errors import InvalidTransition
from ncpi_core.storage.base import UnitOfWork, UowFactory
from ncpi_core.usecases.common import (
    audit,
    find_action,
    local_day,
    lock_action,
    name_of,
    require_role,
    tell,
    wrong_status,
)
from ncpi_core.usecases.notices import queue_notices

CHALLENGE_LIFETIME = timedelta(days=28)  # a challenge message that could not go for four weeks is stale


def challenge_key(challenge_id: int, person: str) -> str:
    return f"challenge:{challenge_id}:{person}"


def check_can_challenge(uow_factory: UowFactory, config: ForceConfig, actor: Person, action_id: str) -> Action:
    """Refuse early (before a form is opened) what `ask` would refuse; return the action."""
    require_role(config, actor, (Role.SILVER_CHAIR,), "challenge")
    with uow_factory() as uow:
        action = find_action(uow, action_id)
        _refuse_closed_or_open(uow, config, action.id, action.is_closed, action.status)
    return action


def _refuse_closed_or_open(uow: UnitOfWork, config: ForceConfig, action_id: str, closed: bool, status: str) -> None:
    if closed:
        raise wrong_status(action_id, status, "challenge")
    pending = uow.challenges.open(action_id)
    if pending:
        raise InvalidTransition("challenge.already_open", action_id=action_id,
                                by=name_of(config, pending[0].asked_by), asked=local_day(pending[0].asked_at, config),
                                question=pending[0].question)


def ask(uow_factory: UowFactory, config: ForceConfig, actor: Person, action_id: str, question: str, *,
        now: datetime, today: date, source: Source = Source.SLASH) -> Outcome:
    """The Silver chair challenges an action's latest update with a question for its owner.

    Raises:
        PermissionDenied: `role.required` (the Silver chair only). NotFound: `action.not_found`.
        InvalidInput / PersonalDataRefused: the question (`text.missing`, `text.too_long`, `text.personal_data`).
        InvalidTransition: `action.wrong_status` (a closed action takes no updates to answer with),
            `challenge.already_open` (one question at a time per action).
    """
    require_role(config, actor, (Role.SILVER_CHAIR,), "challenge")
    question = check_free_text("question", question, required=True, example="challenge", action_id=action_id)
    with uow_factory() as uow:
        action = lock_action(uow, action_id)
        _refuse_closed_or_open(uow, config, action.id, action.is_closed, action.status)
        latest = uow.updates.for_action(action.id, limit=1)
        stored = uow.challenges.add(Challenge(action.id, question, actor.id, now,
                                              update_id=latest[0].id if latest else None))
        assert stored.id is not None
        audit(uow, now, "action", action.id, "challenged", actor=actor.id, source=source.value, reason=question)
        who = responsible_for(action, today, uow.absences.active())
        person = config.person(who)
        keys: list[str] = []
        notices: list[Notice] = []
        if person is not None and person.identities:
            owed = Owed(challenge_key(stored.id, who), Kind.CHALLENGE, now, now + CHALLENGE_LIFETIME,
                        Recipient.of_person(who), action_id=action.id, person=who,
                        payload={"challenge_id": stored.id, "question": question, "asked_by": actor.id,
                                 "on_behalf_of": action.owner if who != action.owner else None})
            uow.ledger.add_owed([owed], now)
            keys.append(owed.key)
            notices.append(Notice(who, "challenge.asked", {"by": actor.name, "action_id": action.id}, "info",
                                  action.id))
        uow.commit()
    return Outcome("challenge.asked", {"action_id": action.id, "owner": name_of(config, who),
                                       "reached": bool(keys)},
                   action, notices, keys, stored.id)


def answer_open_challenges(uow: UnitOfWork, config: ForceConfig, actor: Person, update: Update,
                           now: datetime) -> tuple[list[Notice], list[str]]:
    """Inside `record_update`'s unit of work: an update that says something (a narrative or
    evidence) answers every open challenge on its action; each asker is told. Returns the notices
    and their ledger keys (the caller commits)."""
    if update.id is None or not (update.narrative.strip() or update.evidence.strip()):
        return [], []
    notices: list[Notice] = []
    for c in uow.challenges.open(update.action_id):
        c.answered_at, c.answer_update_id, c.answered_by = now, update.id, actor.id
        uow.challenges.save(c)
        audit(uow, now, "action", update.action_id, "challenge_answered", actor=actor.id,
              source=update.source.value, reason=update.narrative or update.evidence)
        notices += tell(config, [c.asked_by], "challenge.answered",
                        {"by": actor.name, "action_id": update.action_id, "question": c.question,
                         "answer": update.narrative or update.evidence, "rag": update.rag.value},
                        action_id=update.action_id, skip=actor.id)
    return notices, queue_notices(uow, notices, now)
