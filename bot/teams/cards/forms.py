"""The cards people act on: an action with its buttons, and the forms those buttons open in place
(an update, the evidence that an action is complete, a reason to reject). Each button is an
`Action.Execute` whose verb the bot answers with the card that replaces this one."""

from __future__ import annotations

from typing import Any

from bot.teams.cards.common import (
    Card,
    Element,
    Run,
    card,
    clip,
    day,
    execute,
    heading,
    note,
    rag_runs,
    rich,
    words,
)
from ncpi_core.domain.models import RAG, RAG_MEANING, Action, Update

# verbs of the buttons (data: {"action_id": …})
ON_TRACK, UPDATE_OPEN, UPDATE_SAVE, UPDATE_CANCEL = "ncpi.on_track", "ncpi.update", "ncpi.update.save", "ncpi.back"
COMPLETE_OPEN, COMPLETE_SAVE = "ncpi.complete", "ncpi.complete.save"
APPROVE_CLOSURE, APPROVE_DUE, SIGNOFF = "ncpi.approve", "ncpi.approve_due", "ncpi.signoff"
REJECT_OPEN, REJECT_SAVE = "ncpi.reject", "ncpi.reject.save"
# the inputs of the forms
RAG_INPUT, PROGRESS_INPUT, NARRATIVE_INPUT, BLOCKERS_INPUT, EVIDENCE_INPUT, REASON_INPUT = (
    "rag", "progress", "narrative", "blockers", "evidence", "reason")
FIELD_INPUTS = {"narrative": NARRATIVE_INPUT, "blockers": BLOCKERS_INPUT, "evidence": EVIDENCE_INPUT,
                "reason": REASON_INPUT}
MAX_INPUT = 3000
REPLY_HINT = "or reply here with a message, e.g. R3.2 amber 60% slots delayed"


def prompt_buttons(action_id: str) -> list[Element]:
    """The contract with the bot's card handler: three buttons, data = the action id."""
    data = {"action_id": action_id}
    return [execute("On track, no change", ON_TRACK, data, "positive"), execute("Update…", UPDATE_OPEN, data),
            execute("Propose complete", COMPLETE_OPEN, data)]


def last_update(latest: Update | None) -> Element:
    if latest is None:
        return rich(Run("Last update: ", bold=True), "none yet.")
    parts = [Run(f"Last update ({day(latest.created_at.date())}): ", bold=True), *rag_runs(latest.rag, latest.progress)]
    if latest.narrative:
        parts += ["\n", clip(latest.narrative, 500)]
    if latest.blockers:
        parts += ["\n", Run("Blockers: ", italic=True), clip(latest.blockers, 500)]
    return rich(*parts)


def action_lines(action: Action) -> Element:
    due = f"Due {day(action.due)}" + (f" (originally {day(action.original_due)})"
                                      if action.original_due != action.due else "")
    return rich(Run(f"Action {action.id}", bold=True), f" — {action.title}\n{due}")


def action_card(action: Action, latest: Update | None, lead: str = "") -> Card:
    """One action, its last update and its buttons (what Cancel and the `update` command show)."""
    body: list[Element] = [heading(f"Update {action.id}")]
    if lead:
        body += words(lead)
    body += [action_lines(action), last_update(latest), note(REPLY_HINT.replace("R3.2", action.id))]
    return card(body, prompt_buttons(action.id) if not action.is_closed else [], fallback=f"Update {action.id}")


def _error(text: str | None) -> list[Element]:
    return [rich(Run(f"⚠ {t}", color="attention", bold=True)) for t in (text or "").splitlines() if t.strip()]


def _text_input(input_id: str, label: str, placeholder: str, value: str, multiline: bool, required: bool,
                error: str | None) -> list[Element]:
    field: Element = {"type": "Input.Text", "id": input_id, "label": label, "placeholder": placeholder,
                      "isMultiline": multiline, "maxLength": MAX_INPUT, "value": value[:MAX_INPUT]}
    if required:
        field.update(isRequired=True, errorMessage=f"{label} is needed.")
    return [field, *_error(error)]


def update_form(action: Action, latest: Update | None, values: dict[str, Any] | None = None,
                errors: dict[str, str] | None = None) -> Card:
    """The update form for one action, filled with what was typed (or its latest RAG and progress)."""
    values, errors = values or {}, errors or {}
    rag = str(values.get(RAG_INPUT) or (latest.rag.value if latest else ""))
    progress = values.get(PROGRESS_INPUT, latest.progress if latest else None)
    choice: Element = {"type": "Input.ChoiceSet", "id": RAG_INPUT, "label": "RAG status", "style": "expanded",
                       "isRequired": True, "errorMessage": "Choose how it is going.",
                       "choices": [{"title": f"{r.value.capitalize()} ({RAG_MEANING[r]})", "value": r.value}
                                   for r in (RAG.GREEN, RAG.AMBER, RAG.RED, RAG.BLUE)]}
    if rag:
        choice["value"] = rag
    number: Element = {"type": "Input.Number", "id": PROGRESS_INPUT, "label": "Progress (%)", "min": 0, "max": 100,
                       "placeholder": "0 to 100"}
    if isinstance(progress, int | float) or (isinstance(progress, str) and progress.strip().isdigit()):
        number["value"] = int(progress)
    body: list[Element] = [heading(f"Update {action.id}"), action_lines(action), *_error(errors.get("form")),
                           choice, *_error(errors.get(RAG_INPUT)), number, *_error(errors.get(PROGRESS_INPUT))]
    body += _text_input(NARRATIVE_INPUT, "What has happened since the last update?",
                        "Progress only: never names or details of a child or a case.",
                        str(values.get(NARRATIVE_INPUT) or ""), True, True, errors.get(NARRATIVE_INPUT))
    body += _text_input(BLOCKERS_INPUT, "Blockers (optional)", "Anything Silver or Gold should unblock.",
                        str(values.get(BLOCKERS_INPUT) or ""), True, False, errors.get(BLOCKERS_INPUT))
    body += _text_input(EVIDENCE_INPUT, "Evidence (optional)", "A link to a document, or where it is kept.",
                        str(values.get(EVIDENCE_INPUT) or ""), False, False, errors.get(EVIDENCE_INPUT))
    data = {"action_id": action.id}
    return card(body, [execute("Save update", UPDATE_SAVE, data, "positive", inputs=True),
                       execute("Cancel", UPDATE_CANCEL, data)], fallback=f"Update {action.id}")


def complete_form(action: Action, value: str = "", error: str | None = None) -> Card:
    """Asks for the evidence that an action is complete."""
    body: list[Element] = [heading("Propose complete"), action_lines(action)]
    body += _text_input(EVIDENCE_INPUT, "Evidence that it is done",
                        "A link to the document, audit or report. No names or details of a child or a case.",
                        value, True, True, error)
    body.append(note("The Silver chair reviews it next, then the Gold chair signs it off."))
    data = {"action_id": action.id}
    return card(body, [execute("Propose", COMPLETE_SAVE, data, "positive", inputs=True),
                       execute("Cancel", UPDATE_CANCEL, data)], fallback=f"Propose {action.id} complete")


def reject_form(action_id: str, kind: str, value: str = "", error: str | None = None) -> Card:
    """Asks the Silver chair why a closure (or a due-date change) is rejected."""
    what = "closure" if kind == "closure" else "due-date change"
    body = [heading("Reject"), rich(f"Reject the {what} of ", Run(action_id, bold=True),
                                    ". The owner will see your reason.")]
    body += _text_input(REASON_INPUT, "Reason", "What is missing or what should change.", value, True, True, error)
    return card(body, [execute("Reject", REJECT_SAVE, {"action_id": action_id, "kind": kind}, "destructive",
                               inputs=True)], fallback=f"Reject {action_id}")


def decision_buttons(kind: str, action_id: str) -> list[Element]:
    """The buttons of a notice that asks for a decision (none for `info`)."""
    data = {"action_id": action_id}
    if kind == "review_closure":
        return [execute("Approve", APPROVE_CLOSURE, data, "positive"),
                execute("Reject…", REJECT_OPEN, {**data, "kind": "closure"}, "destructive")]
    if kind == "review_due":
        return [execute("Approve new date", APPROVE_DUE, data, "positive"),
                execute("Reject…", REJECT_OPEN, {**data, "kind": "due_change"}, "destructive")]
    if kind == "signoff":
        return [execute("Sign off (close)", SIGNOFF, data, "positive")]
    return []
