"""The words of a reply that could not be read, and the front ends' own lines."""

from __future__ import annotations

from bot.copy.voice import Voice, Words, ids_text, say
from ncpi_core.domain.replies import ReplyProblem
from ncpi_core.domain.summaries.model import Decision, DecisionKind

# --- replies that could not be read -----------------------------------------------------------------
REPLY_PROBLEMS: dict[str, Words] = {
    "reply.empty": "That message was empty, so nothing was recorded.",
    "reply.no_plan": "There is no plan loaded yet, so there is no action to update.",
    "reply.unknown_action": lambda p, v: f"There is no action '{p['typed']}' in the plan "
                                         f"(ids look like {ids_text(p['examples'], p['more'])}).",
    "reply.no_action_id": "Start with the action id, then how it is going.",
    "reply.no_rag": "Say how {action_id} is going: green (on track), amber (at risk), red (off track) "
                    "or blue (complete).",
    "reply.bad_progress": "Progress is a whole percentage from 0 to 100, not {said}.",
}


def reply_problem_message(problem: ReplyProblem, voice: Voice) -> str:
    return say(REPLY_PROBLEMS.get(problem.code, problem.code), problem.params, voice)


def reply_problem_text(problem: ReplyProblem, voice: Voice) -> str:
    """What was wrong with a reply, and one that works, as one line."""
    return f"{reply_problem_message(problem, voice)} For example: `{problem.example}`"


# --- the front ends' own lines ------------------------------------------------------------------------
def decision_hint(decision: Decision) -> str:
    """After a decision in a summary: who answers it, with which command (as summaries have always said)."""
    if decision.kind is DecisionKind.SIGNOFF:
        return f" (Gold chair: `signoff {decision.action_id}`)"
    if decision.kind in (DecisionKind.OVERDUE, DecisionKind.RED):
        return f" (Gold chair: `decision {decision.action_id} … because …`)"
    return ""


DATABASE_DOWN = "The database is not answering; please try again shortly."
UNEXPECTED = ("Sorry, something went wrong on ncpi's side and nothing was changed by this request. "
              "It has been logged; please try again, or tell the plan administrator if it keeps happening.")
FORM_LOST = "This form has lost track of its action; please close it and open it again."


def not_reached(names: list[str]) -> str:
    """Said after an outcome when some of the people it concerns could not be messaged just now."""
    return "\n(I could not reach " + ", ".join(names) + " by DM just now; please tell them.)"


def already_on_track(action_id: str) -> str:
    return f"Already recorded: {action_id} on track, from this message."
