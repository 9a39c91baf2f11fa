"""The words of the chat front ends: one catalogue for the core's errors, outcomes and notices.

The core says *what* happened as a code and its facts (`action.not_found` with the id typed and a
few that exist); this package says it in words. A `Voice` says how a front end writes a command:
Slack's is `/ncpi complete R3.2`, Teams' is `complete R3.2`, the terminal's `ncpi …`. Each entry is
a template (`str.format`-ed with the params and the voice as `cmd`, `account`, `platform`) or a
small function for conditional wording. Text here is plain: a front end escapes it for its markup.

`errors` words the refusals, `workflow` the outcomes, notices and history of a step, `replies` a
reply that could not be read and the front ends' own lines; `voice` holds the voices.
"""

from bot.copy.errors import (
    ERRORS,
    EXAMPLES,
    PII_KINDS,
    REPHRASE,
    error_parts,
    error_text,
    field_refusal,
    finding_text,
)
from bot.copy.replies import (
    DATABASE_DOWN,
    FORM_LOST,
    REPLY_PROBLEMS,
    UNEXPECTED,
    already_on_track,
    decision_hint,
    not_reached,
    reply_problem_message,
    reply_problem_text,
)
from bot.copy.voice import CLI, SLACK, TEAMS, Voice, Words
from bot.copy.workflow import (
    EVENTS,
    NOTICES,
    OUTCOMES,
    Coded,
    history_detail,
    history_what,
    notice_text,
    outcome_text,
)

__all__ = [
    "CLI", "DATABASE_DOWN", "ERRORS", "EVENTS", "EXAMPLES", "FORM_LOST", "NOTICES", "OUTCOMES", "PII_KINDS",
    "REPHRASE", "REPLY_PROBLEMS", "SLACK", "TEAMS", "UNEXPECTED", "Coded", "Voice", "Words", "already_on_track",
    "decision_hint", "error_parts", "error_text", "field_refusal", "finding_text", "history_detail",
    "history_what", "not_reached", "notice_text", "outcome_text", "reply_problem_message", "reply_problem_text",
]
