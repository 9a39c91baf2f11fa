"""The words of a workflow step: what the person who acted reads (outcomes), what the people it
concerns read (notices), and an action's history."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from bot.copy.voice import Params, Voice, Words, say
from ncpi_core.usecases.history import HistoryEntry


# --- outcomes: what the person who acted is told ------------------------------------------------------
def _completes(p: Params) -> str:
    return (f" {p['recommendation_id']} is complete: all its actions are embedded or superseded."
            if p.get("complete") else "")


def _delivered(p: Params) -> str:
    """After a sign-off that delivers the last open action: delivered is not yet complete."""
    if p.get("complete") or not p.get("delivered"):
        return ""
    return (f" All actions of {p['recommendation_id']} are now delivered; it is complete once each is embedded "
            "(its impact recorded after the demonstration period).")


def _challenge_asked(p: Params, v: Voice) -> str:
    if p.get("reached"):
        return (f"Asked {p['owner']} about {p['action_id']}: your question is in their DMs, to answer like a prompt. "
                "It shows in the summaries until they do.")
    return (f"Recorded your challenge on {p['action_id']}, but {p['owner']} cannot be reached in chat: please tell "
            "them. It shows in the summaries until they answer with an update.")


def _decision_recorded(p: Params, v: Voice) -> str:
    text = f"Recorded Gold's decision on {p['subject']}: {p['decision']} (rationale: {p['rationale']})."
    cleared = ([f"{p['subject']} missed its deadline"] if p.get("overdue_cleared") else []) + [
        f"{aid} is red" for aid in p.get("red_cleared") or []]
    if cleared:
        text += " It answers the decision the summaries asked for (" + "; ".join(cleared) + ")."
    return text + " It shows in the next summaries and in the history."


def _away_recorded(p: Params, v: Voice) -> str:
    window = f"from {p['first']} to {p['last']}"
    lines = [f"Noted: {'you are' if p['self'] else p['name'] + ' is'} away {window}. "
             "No prompts or nudges go to you then."]
    if p["replaced"]:
        lines.append(f"This replaces {p['replaced']} earlier absence(s) overlapping these dates.")
    lines += [f"{name} will get the prompts for {', '.join(ids)}." for name, ids in p["covered"]]
    if p["uncovered"]:
        lines.append(f"Nobody covers {', '.join(p['uncovered'])} (no deputy in the plan): name one with "
                     f"`{v.command}away FROM TO @deputy` if they need updates meanwhile.")
    return "\n".join(lines)


OUTCOMES: dict[str, Words] = {
    "closure.proposed": "{action_id} is proposed complete; the Silver chair has been asked to review it.",
    "closure.accepted": "{action_id} accepted; the Gold chair has been asked to sign it off.",
    "closure.rejected": "{action_id} sent back to its owner with your reason; it is open again.",
    "closure.signed_off": lambda p, v: f"{p['action_id']} signed off and closed.{_completes(p)}{_delivered(p)}",
    "action.superseded": lambda p, v: f"{p['action_id']} superseded: closed without delivery.{_completes(p)}",
    "due.requested": "Asked the Silver chair to move {action_id} to {new_due} (now due {due}).",
    "due.approved": "{action_id} is now due {due} (originally {original_due}).",
    "due.rejected": "Due-date change for {action_id} rejected; it stays due {due}.",
    "absence.recorded": _away_recorded,
    "challenge.asked": _challenge_asked,
    "decision.recorded": _decision_recorded,
    "embed.recorded": lambda p, v: f"{p['action_id']} is embedded: {p['impact']} (re-tested {p['retested']})."
                                   f"{_completes(p)}",
    "assurance.recorded": lambda p, v: f"Recorded the PCC's assurance of {p['recommendation_id']}: {p['words']}"
                                       + (f" (was {p['previous']})" if p.get("previous") else "")
                                       + f". Comment: {p['comment']}. It shows in the Gold summary and the PCC pack.",
    "inspectorate.recorded": lambda p, v: f"Recorded the inspectorate's status of {p['recommendation_id']}: "
                                          f"{p['words']} on {p['on']}" + (f" ({p['note']})" if p.get("note") else "")
                                          + (f". The current status stays {p['current']} ({p['current_on']}), "
                                             "which is dated later" if p.get("current") else "")
                                          + ". It shows in the Gold summary beside the force's position.",
    "absence.ended": lambda p, v: f"Welcome back: {p['count']} absence(s) ended or cancelled; prompts come to "
                                  f"{'you' if p['self'] else p['name']} again.",
}


class Coded(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def params(self) -> Mapping[str, Any]: ...


def outcome_text(outcome: Coded, voice: Voice) -> str:
    """What a workflow step did, for the person who acted."""
    return say(OUTCOMES.get(outcome.code, outcome.code), outcome.params, voice)


# --- notices: what the people a step concerns are told (first line, then detail lines) --------------
NOTICES: dict[str, Words] = {
    "closure.proposed": "{by} proposes {action_id} complete: {title}.\nEvidence: {evidence}\n"
                        "Approve with `{cmd}approve {action_id}` or reject with `{cmd}reject {action_id} <reason>`.",
    "closure.accepted": "{by} accepted {action_id} as complete: {title}.\nEvidence: {evidence}\n"
                        "Sign it off with `{cmd}signoff {action_id}`.",
    "closure.accepted_owner": "{by} accepted {action_id} as complete; it now awaits Gold sign-off.",
    "closure.rejected": "{by} did not accept {action_id} as complete yet.\nReason: {reason}\n"
                        "It stays open. Propose it again with `{cmd}complete {action_id}` and the evidence when ready.",
    "closure.signed_off": lambda p, v: f"{p['by']} signed off {p['action_id']} ({p['title']}); it is closed."
    + (f" All actions of {p['recommendation_id']} are now embedded or superseded: the recommendation is complete."
       if p.get("complete") else _delivered(p)),
    "action.superseded": "{by} superseded {action_id} ({title}): it is closed without delivery and needs no more "
                         "updates.\nReason: {reason}",
    "due.requested": "{by} asks to move {action_id} ({title}) from {due} to {new_due} (originally due "
                     "{original_due}).\nReason: {reason}\nApprove with `{cmd}approve {action_id} due` or reject "
                     "with `{cmd}reject {action_id} due <reason>`.",
    "due.approved": "{by} approved moving {action_id} to {due} (was {old_due}; originally due {original_due}).",
    "due.rejected": lambda p, v: f"{p['by']} did not agree to move {p['action_id']} to {p.get('asked') or '?'}; "
                                 f"it stays due {p['due']}.\nReason: {p['reason']}",
    "absence.covering": lambda p, v: f"{p['name']} is away from {p['first']} to {p['last']}. You will get their "
                                     f"prompts for {', '.join(p['action_ids'])} and may update them then.",
    "absence.ended": "{name} is back; you no longer cover their actions.",
    "challenge.asked": "{by} asks you about {action_id}.",
    "challenge.answered": "{by} answered your challenge on {action_id} ({rag}).\nYou asked: {question}\n"
                          "Answer: {answer}",
    "decision.recorded": "Gold decision on {subject} ({by}): {decision}\nRationale: {rationale}",
    "assurance.recorded": "{by} rated {recommendation_id} ({title}) {words}.\nComment: {comment}",
    "inspectorate.recorded": lambda p, v: f"The inspectorate's status of {p['recommendation_id']} ({p['title']}) "
                                          f"is now recorded as {p['words']} on {p['on']} (by {p['by']})."
                                          + (f"\nNote: {p['note']}" if p.get("note") else ""),
    "embed.recorded": lambda p, v: f"{p['by']} recorded {p['action_id']} ({p['title']}) as embedded, re-tested "
                                   f"{p['retested']}." + (f" All actions of {p['recommendation_id']} are now embedded "
                                                          "or superseded: the recommendation is complete."
                                                          if p.get("complete") else "")
                                   + f"\nImpact: {p['impact']}",
}


def notice_text(notice: Coded, voice: Voice) -> str:
    """A notice's words: its first line says what happened, the rest (if any) the detail."""
    return say(NOTICES.get(notice.code, notice.code), notice.params, voice)


# --- an action's history ------------------------------------------------------------------------------
EVENTS = {
    "created": "added to the plan", "changed": "changed", "dropped": "dropped from the plan file",
    "proposed": "proposed complete", "approved": "accepted by Silver", "rejected": "closure rejected",
    "signed_off": "signed off by Gold (closed)", "superseded": "superseded",
    "due_change_requested": "asked to move the due date", "due_changed": "due date changed",
    "due_change_rejected": "due-date change rejected", "due_change_withdrawn": "due-date request withdrawn",
    "challenged": "challenged by Silver", "challenge_answered": "challenge answered", "decision": "Gold decision",
    "embedded": "embedded (impact recorded)", "assurance": "PCC's assurance", "inspectorate": "inspectorate status",
}


def history_what(entry: HistoryEntry) -> str:
    """A short name for one step of an action's history."""
    if entry.update is not None:
        return "update"
    return EVENTS.get(entry.event, entry.event.replace("_", " "))


def history_detail(entry: HistoryEntry) -> str:
    """What changed in one step, with its reason or evidence (user text: escape before posting)."""
    u = entry.update
    if u is not None:
        bits = [u.rag.value.upper() + (f" {u.progress}%" if u.progress is not None else "")]
        bits += [t for t in (u.narrative, f"blockers: {u.blockers}" if u.blockers else "",
                             f"evidence: {u.evidence}" if u.evidence else "") if t]
        return " — ".join(bits)
    if entry.event == "decision":
        on = f"on {entry.subject}: " if entry.subject else ""
        return f"{on}{entry.new}" + (f"; rationale: {entry.reason}" if entry.reason else "")
    if entry.event == "changed" and entry.field:
        detail = f"{entry.field}: {entry.old} → {entry.new}"
    elif entry.field == "due" and entry.event != "due_change_withdrawn":
        detail = f"due {entry.old} → {entry.new}"
    else:
        detail = ""
    if entry.reason:
        detail = f"{detail}; {entry.reason}" if detail else entry.reason
    return detail
