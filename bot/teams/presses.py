"""The buttons of ncpi's cards (`Action.Execute`): "On track, no change", "Update…" and its form,
"Propose complete" and its form, and the chairs' decisions on a notice.

Teams replaces the card with the one the bot answers an `adaptiveCard/action` with (Universal
Actions), so a card that has been answered shows what was done and no buttons: nobody presses
twice. A double press that arrives anyway is recognised by the card's message id and stores
nothing. A refusal (someone else's action, a step out of order) is answered with a message and
leaves the card as it was; a form's bad input comes back in the form, on its field, with what
was typed kept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bot import copy
from bot.teams.activities import CardPress
from bot.teams.cards import forms
from bot.teams.cards.common import Card
from bot.teams.cards.replies import decided_card, outcome_card, recorded_card
from bot.teams.deps import PLATFORM, TeamsDeps
from bot.teams.notices import send_notices
from ncpi_core.domain.models import RAG, Source
from ncpi_core.domain.notices import Outcome
from ncpi_core.errors import InvalidInput, NcpiError, PersonalDataRefused
from ncpi_core.usecases import closure, due_dates
from ncpi_core.usecases.updates import UpdateCommand, check_can_update, record_update

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pressed:
    """The answer to a press: a card that replaces the pressed one, or a message beside it."""

    card: Card | None = None
    message: str | None = None


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    return str(value).strip() if isinstance(value, str | int | float) else ""


def _action_id(press: CardPress) -> str:
    value = press.data.get("action_id")
    if not isinstance(value, str) or not value:
        raise InvalidInput("form.unavailable", instead="update", action_id="R3.2")
    return value


def handle_press(deps: TeamsDeps, press: CardPress) -> Pressed:
    """Do what the button asks, as the person who pressed it; refusals are answered, never raised."""
    try:
        actor = deps.actor(press.aad)
        handler = HANDLERS.get(press.verb)
        if handler is None:
            return Pressed(message="This button belongs to an older version of ncpi. Message me `help` to see "
                                   "what works now.")
        return handler(deps, press, actor)
    except NcpiError as exc:
        return Pressed(message=copy.error_text(exc, copy.TEAMS))


def _times(deps: TeamsDeps, source: Source) -> dict[str, Any]:
    return {"now": deps.now(), "today": deps.today(), "source": source}


def on_track(deps: TeamsDeps, press: CardPress, actor: Any) -> Pressed:
    action_id = _action_id(press)
    # one "on track" per card message and person: a double press stores one update
    key = f"teams-card:{press.conversation}:{press.message_id}:{press.aad}:{action_id}"
    cmd = UpdateCommand(action_id=action_id, rag=RAG.GREEN, keep_progress=True, source=Source.BUTTON,
                        idempotency_key=key, author_identity=f"{PLATFORM}:{press.aad}")
    recorded = record_update(deps.uow_factory, deps.config, actor, cmd, now=deps.now(), today=deps.today())
    if recorded.duplicate:
        return Pressed(message=copy.already_on_track(recorded.action.id))
    return Pressed(card=recorded_card(recorded.action, recorded.update, by_button=True))


def open_update(deps: TeamsDeps, press: CardPress, actor: Any) -> Pressed:
    action, latest = check_can_update(deps.uow_factory, deps.config, actor, _action_id(press), today=deps.today())
    return Pressed(card=forms.update_form(action, latest))


def back(deps: TeamsDeps, press: CardPress, actor: Any) -> Pressed:
    action, latest = check_can_update(deps.uow_factory, deps.config, actor, _action_id(press), today=deps.today())
    return Pressed(card=forms.action_card(action, latest))


def _form_errors(exc: NcpiError) -> dict[str, str]:
    """A refusal on the form field it is about; personal data on each field it was found in."""
    if isinstance(exc, PersonalDataRefused):
        found = {forms.FIELD_INPUTS[name]: copy.field_refusal(kind)
                 for name, kind in exc.params.get("findings") or [] if name in forms.FIELD_INPUTS}
        return found or {forms.NARRATIVE_INPUT: copy.error_text(exc, copy.TEAMS)}
    field = exc.params.get("field")
    if isinstance(field, str) and field in forms.FIELD_INPUTS:
        return {forms.FIELD_INPUTS[field]: copy.error_text(exc, copy.TEAMS)}
    return {"form": copy.error_text(exc, copy.TEAMS)}


def save_update(deps: TeamsDeps, press: CardPress, actor: Any) -> Pressed:
    action, latest = check_can_update(deps.uow_factory, deps.config, actor, _action_id(press), today=deps.today())
    data = press.data
    errors: dict[str, str] = {}
    rag_word = _text(data, forms.RAG_INPUT).lower()
    if rag_word not in {r.value for r in RAG}:
        errors[forms.RAG_INPUT] = "Choose how it is going: green, amber, red or blue."
    progress_text = _text(data, forms.PROGRESS_INPUT)
    progress: int | None = None
    if progress_text:
        try:
            progress = int(float(progress_text))
        except ValueError:
            progress = -1
        if progress < 0 or progress > 100 or str(progress) != progress_text.split(".")[0]:
            errors[forms.PROGRESS_INPUT] = f"Progress is a whole percentage from 0 to 100, not {progress_text[:20]}."
    narrative = _text(data, forms.NARRATIVE_INPUT)
    if not narrative:
        errors[forms.NARRATIVE_INPUT] = "Say what has happened since the last update (progress only)."
    if errors:
        return Pressed(card=forms.update_form(action, latest, data, errors))
    cmd = UpdateCommand(action_id=action.id, rag=RAG(rag_word), progress=progress, narrative=narrative,
                        blockers=_text(data, forms.BLOCKERS_INPUT), evidence=_text(data, forms.EVIDENCE_INPUT),
                        source=Source.CARD, idempotency_key=f"teams-form:{press.conversation}:{press.message_id}",
                        author_identity=f"{PLATFORM}:{press.aad}")
    try:
        recorded = record_update(deps.uow_factory, deps.config, actor, cmd, now=deps.now(), today=deps.today())
    except (InvalidInput, PersonalDataRefused) as exc:
        return Pressed(card=forms.update_form(action, latest, data, _form_errors(exc)))
    return Pressed(card=recorded_card(recorded.action, recorded.update))


def open_complete(deps: TeamsDeps, press: CardPress, actor: Any) -> Pressed:
    # refuse before the form opens: a person should not write evidence for nothing
    action = closure.check_can_propose(deps.uow_factory, deps.config, actor, _action_id(press), today=deps.today())
    return Pressed(card=forms.complete_form(action))


def save_complete(deps: TeamsDeps, press: CardPress, actor: Any) -> Pressed:
    action = closure.check_can_propose(deps.uow_factory, deps.config, actor, _action_id(press), today=deps.today())
    evidence = _text(press.data, forms.EVIDENCE_INPUT)
    try:
        outcome = closure.propose_complete(deps.uow_factory, deps.config, actor, action.id, evidence,
                                           **_times(deps, Source.CARD))
    except (InvalidInput, PersonalDataRefused) as exc:
        return Pressed(card=forms.complete_form(action, evidence, next(iter(_form_errors(exc).values()))))
    return Pressed(card=outcome_card(outcome, send_notices(deps, outcome)))


def decide(deps: TeamsDeps, press: CardPress, actor: Any) -> Pressed:
    """Approve a closure, approve a due change, or sign off, from the button on the chair's notice."""
    action_id, times = _action_id(press), _times(deps, Source.BUTTON)
    outcome: Outcome
    if press.verb == forms.APPROVE_CLOSURE:
        outcome = closure.approve(deps.uow_factory, deps.config, actor, action_id, **times)
    elif press.verb == forms.APPROVE_DUE:
        outcome = due_dates.approve_due_change(deps.uow_factory, deps.config, actor, action_id, **times)
    else:
        outcome = closure.signoff(deps.uow_factory, deps.config, actor, action_id, identity=f"{PLATFORM}:{press.aad}",
                                  **times)
    failed = send_notices(deps, outcome)
    when = times["now"].astimezone(deps.core.tz).strftime("%d %b %Y %H:%M")
    card = decided_card(outcome, actor.name, when)
    if failed:
        card["body"] += outcome_card(outcome, failed)["body"][-1:]
    return Pressed(card=card)


def open_reject(deps: TeamsDeps, press: CardPress, actor: Any) -> Pressed:
    kind = "due_change" if press.data.get("kind") == "due_change" else "closure"
    return Pressed(card=forms.reject_form(_action_id(press), kind))


def save_reject(deps: TeamsDeps, press: CardPress, actor: Any) -> Pressed:
    action_id = _action_id(press)
    kind = "due_change" if press.data.get("kind") == "due_change" else "closure"
    reason = _text(press.data, forms.REASON_INPUT)
    try:
        if kind == "due_change":
            outcome = due_dates.reject_due_change(deps.uow_factory, deps.config, actor, action_id, reason,
                                                  **_times(deps, Source.CARD))
        else:
            outcome = closure.reject(deps.uow_factory, deps.config, actor, action_id, reason,
                                     **_times(deps, Source.CARD))
    except (InvalidInput, PersonalDataRefused) as exc:
        return Pressed(card=forms.reject_form(action_id, kind, reason, next(iter(_form_errors(exc).values()))))
    return Pressed(card=outcome_card(outcome, send_notices(deps, outcome)))


HANDLERS = {
    forms.ON_TRACK: on_track, forms.UPDATE_OPEN: open_update, forms.UPDATE_CANCEL: back,
    forms.UPDATE_SAVE: save_update, forms.COMPLETE_OPEN: open_complete, forms.COMPLETE_SAVE: save_complete,
    forms.APPROVE_CLOSURE: decide, forms.APPROVE_DUE: decide, forms.SIGNOFF: decide,
    forms.REJECT_OPEN: open_reject, forms.REJECT_SAVE: save_reject,
}
