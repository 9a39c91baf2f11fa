"""Recording an update: one reply about one action, from a form, a message, a thread or a button.

The actor is resolved by the front end (from ncpi.yaml) before anything here runs. The text is
checked first (length, personal data), then the action and the actor's right to update it, and
the update is appended in one unit of work, keyed so that a re-delivered event stores nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from pydantic import BaseModel, Field

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain import permissions
from ncpi_core.domain.ledger import MessageRef
from ncpi_core.domain.models import RAG, Action, Person, Source, Update
from ncpi_core.domain.notices import Notice
from ncpi_core.domain.text import MAX_NARRATIVE, refuse_personal_data
from ncpi_core.errors import InvalidInput, InvalidTransition
from ncpi_core.storage.base import UnitOfWork, UowFactory
from ncpi_core.usecases.challenges import answer_open_challenges
from ncpi_core.usecases.common import covering_for, find_action, name_of

UPDATE_TEXT_FIELDS = ("narrative", "blockers", "evidence")


class UpdateCommand(BaseModel):
    """One update as a person gave it, already parsed from whatever way it came.

    `keep_progress` (the "on track" button) keeps the progress of the action's latest update.
    `author_identity` is the account it came from ("platform:id"), kept with the update.
    """

    action_id: str
    rag: RAG
    progress: int | None = Field(default=None, ge=0, le=100)
    narrative: str = ""
    blockers: str = ""
    evidence: str = ""
    source: Source
    idempotency_key: str | None = None
    keep_progress: bool = False
    author_identity: str | None = None


@dataclass
class Recorded:
    update: Update
    action: Action
    duplicate: bool = False  # True when this was a re-delivery and nothing new was stored
    # the Silver chair's challenges this update answered: who is told (send with `send_now`)
    notices: list[Notice] = field(default_factory=list)
    delivery_keys: list[str] = field(default_factory=list)


def check_text(cmd: UpdateCommand) -> None:
    """Refuse overlong or personal text before anything is stored.

    Raises:
        InvalidInput: `update.too_long` (field, length, limit).
        PersonalDataRefused: `text.personal_data`.
    """
    texts = {name: getattr(cmd, name) for name in UPDATE_TEXT_FIELDS}
    for name, text in texts.items():
        if len(text) > MAX_NARRATIVE:
            raise InvalidInput("update.too_long", field=name, length=len(text), limit=MAX_NARRATIVE)
    refuse_personal_data(texts)


def _updatable(uow: UnitOfWork, config: ForceConfig, actor: Person, typed: str, today: date) -> Action:
    """The action, if the actor may update it and it still takes updates."""
    action = find_action(uow, typed, echo=True)
    permissions.require_update(actor, action, covering_for(uow, actor.id, today),
                               name_of=lambda pid: name_of(config, pid))
    if action.is_closed:
        raise InvalidTransition("update.action_closed", action_id=action.id, status=action.status.value)
    return action


def record_update(uow_factory: UowFactory, config: ForceConfig, actor: Person, cmd: UpdateCommand, *,
                  now: datetime, today: date) -> Recorded:
    """Store one update after checking the text, the action and the actor's right to update it.

    A re-delivered event (same idempotency key) stores nothing and returns `duplicate`. An update
    that says something (a narrative or evidence) answers the action's open challenges, in the
    same unit of work; the askers' notices are queued in the ledger (`Recorded.delivery_keys`).

    Raises:
        NotFound: `action.not_found`. PermissionDenied: `action.not_owner`.
        InvalidTransition: `update.action_closed`. InvalidInput / PersonalDataRefused: see check_text.
    """
    check_text(cmd)
    with uow_factory() as uow:
        action = _updatable(uow, config, actor, cmd.action_id, today)
        progress = cmd.progress
        if cmd.keep_progress:
            last = uow.updates.for_action(action.id, limit=1)
            progress = last[0].progress if last else None
        update = Update(action_id=action.id, rag=cmd.rag, progress=progress, narrative=cmd.narrative.strip(),
                        blockers=cmd.blockers.strip(), evidence=cmd.evidence.strip(), author=actor.id,
                        author_identity=cmd.author_identity, source=cmd.source, created_at=now)
        stored = uow.updates.add(update, cmd.idempotency_key)
        if stored is None:
            previous = uow.updates.for_action(action.id, limit=1)
            return Recorded(update=previous[0] if previous else update, action=action, duplicate=True)
        notices, keys = answer_open_challenges(uow, config, actor, stored, now)
        uow.commit()
        return Recorded(update=stored, action=action, notices=notices, delivery_keys=keys)


def check_can_update(uow_factory: UowFactory, config: ForceConfig, actor: Person, action_id: str, *,
                     today: date) -> tuple[Action, Update | None]:
    """Refuse early (before a form is opened) what `record_update` would refuse.

    Returns the action and its latest update (to fill the form in).
    """
    with uow_factory() as uow:
        action = _updatable(uow, config, actor, action_id, today)
        latest = uow.updates.for_action(action.id, limit=1)
    return action, latest[0] if latest else None


def thread_action(uow_factory: UowFactory, platform: str, where: MessageRef) -> str | None:
    """The action of the prompt (or nudge) posted at `where`: a reply in its thread updates it."""
    with uow_factory() as uow:
        return uow.ledger.action_of_message(platform, where)


def known_action_ids(uow_factory: UowFactory, person_id: str) -> list[str]:
    """The plan's action ids, the person's own open ones first (so that examples show one of theirs)."""
    with uow_factory() as uow:
        ids = uow.plan.action_ids()
        own = {a.id for a in uow.plan.actions(owner=person_id) if not a.is_closed}
    return sorted(ids, key=lambda i: i not in own)
