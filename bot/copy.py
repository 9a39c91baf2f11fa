"""The words of the chat front ends: one catalogue for the core's errors, outcomes and notices.

The core says *what* happened as a code and its facts (`action.not_found` with the id typed and a
few that exist); this module says it in words. A `Voice` says how a front end writes a command:
Slack's is `/ncpi complete R3.2`, Teams' is `complete R3.2`, the terminal's `ncpi …`. Each entry is
a template (`str.format`-ed with the params and the voice as `cmd`, `account`, `platform`) or a
small function for conditional wording. Text here is plain: a front end escapes it for its markup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ncpi_core.domain import pii
from ncpi_core.domain.replies import ReplyProblem
from ncpi_core.domain.summaries.model import Decision, DecisionKind
from ncpi_core.errors import NcpiError
from ncpi_core.usecases.history import HistoryEntry

Params = Mapping[str, Any]


@dataclass(frozen=True)
class Voice:
    """How a front end writes a command and names a person's chat account."""

    command: str  # what a command starts with: "/ncpi " in Slack, "" in Teams
    account: str = "chat id"  # what ncpi.yaml holds for a person on this platform
    platform: str = "The chat app"  # the platform, as the subject of a sentence


SLACK = Voice(command="/ncpi ", account="Slack id", platform="Slack")
CLI = Voice(command="ncpi ")

Words = str | Callable[[Params, Voice], str]


def _say(words: Words, params: Params, voice: Voice) -> str:
    if callable(words):
        return words(params, voice)
    return words.format(**params, cmd=voice.command, account=voice.account, platform=voice.platform)


def _ids(ids: list[str], more: bool) -> str:
    return ", ".join(ids) + (", …" if more else "")


# --- errors: (message, hint) -------------------------------------------------------------------------
_STATUS_PROBLEMS = {
    "open": ("{action_id} is open: nobody has proposed it complete.",
             "The owner proposes it first with `{cmd}complete {action_id}` and a link to the evidence."),
    "proposed": ("{action_id} is proposed complete and awaits the Silver chair's review.",
                 "The Silver chair reviews it with `{cmd}approve {action_id}` or `{cmd}reject {action_id}` "
                 "and a reason."),
    "accepted": ("{action_id} was accepted by Silver and awaits Gold sign-off.",
                 "The Gold chair closes it with `{cmd}signoff {action_id}`."),
    "closed": ("{action_id} is already closed (signed off by Gold).",
               "Nothing more is needed. Ask the Silver chair if it must be reopened."),
    "superseded": ("{action_id} was superseded (closed without delivery).",
                   "Nothing more is needed. Ask the Silver chair if it must be reopened."),
}
_DOING = {"propose": "propose it complete", "approve": "approve", "reject": "reject", "signoff": "sign off",
          "supersede": "supersede", "move_due": "move its due date"}
# what a person tried, in `action.not_owner` and `role.required`
_NOT_OWNER_WHAT = {"update": "update", "propose_complete": "propose complete", "move_due": "move the due date of"}
_ROLE_WHAT = {"closure.approve": "accept a closure", "closure.reject": "reject a closure",
              "closure.signoff": "sign off an action", "action.supersede": "supersede an action",
              "due.approve": "approve a due-date change", "due.reject": "reject a due-date change",
              "chase": "chase updates"}
_DATE_WHAT = {"date": "date", "new_due": "new due date", "start": "start date", "end": "end date"}
# worked examples a refusal of missing text shows (`text.missing`, param `example`)
EXAMPLES = {
    "complete": "`{cmd}complete {action_id} https://intranet/policy/123`",
    "reject": "`{cmd}reject {action_id} the dip-sample shows no change yet`",
    "reject_due": "`{cmd}reject {action_id} due the inspectorate expects it by then`",
    "supersede": "`{cmd}supersede {action_id} replaced by R3.4 after the review`",
    "due": "`{cmd}due {action_id} {date} training slots delayed by the supplier`",
}
# the kinds of personal data of ncpi_core.domain.pii
PII_KINDS = {pii.DOB: "a date of birth", pii.CRIME_REF: "a crime or incident reference", pii.NHS: "an NHS number",
             pii.PHONE: "a phone number", pii.EMAIL: "an email address", pii.POSTCODE: "a postcode",
             pii.CHILD_NAME: "a child's name"}
_FORM_INSTEAD = {
    "update": "DM me instead, e.g. `{action_id} amber 60% what changed`.",
    "complete": "Use `{cmd}complete {action_id}` and a link to the evidence instead.",
    "reject": "Use `{cmd}reject {action_id}` and a reason.",
    "reject_due": "Use `{cmd}reject {action_id} due` and a reason.",
}
REPHRASE = ("ncpi keeps action-plan progress only, never details of a child or a case. "
            "Please rephrase without them and send it again.")


def finding_text(field: str, kind: str) -> str:
    """One personal-data finding, naming the field and the kind (never the text)."""
    return f"the {field} looks like it contains {PII_KINDS.get(kind, kind)}"


def field_refusal(kind: str) -> str:
    """A personal-data refusal shown on the form field it is about."""
    return (f"This looks like it contains {PII_KINDS.get(kind, kind)}. ncpi keeps action-plan progress only; "
            "please rephrase without it.")


def _not_found(p: Params, v: Voice) -> str:
    shown = f"'{p['action_id']}'" if p.get("action_id") is not None else "with that id"
    return f"There is no action {shown} in the plan."


def _not_owner(p: Params, v: Voice) -> str:
    who = f"its owner ({p['owner']})" + (f", its deputy ({p['deputy']})" if p.get("deputy") else "")
    if p.get("cover"):
        return f"Only {who}, someone covering for the owner, or a plan administrator can."
    return f"Only {who} or a plan administrator can."


def _wrong_status(p: Params, v: Voice, part: int) -> str:
    said = _STATUS_PROBLEMS.get(p["status"], ("{action_id} is {status}.", ""))
    text = _say(said[part], p, v)
    return f"Cannot {_DOING.get(p['doing'], p['doing'])}: {text}" if part == 0 else text


def _role_hint(p: Params, v: Voice) -> str:
    holders = p.get("holders")
    if holders is None:
        return ""
    return f"Ask {' or '.join(holders)}." if holders else "Nobody holds that role in ncpi.yaml."


def _role_message(p: Params, v: Voice) -> str:
    names = " or ".join(r.replace("_", " ") for r in p["roles"])
    return f"Sorry, only the {names} can {_ROLE_WHAT.get(p['what'], p['what'])}."


def _date_unreadable(p: Params, v: Voice) -> str:
    shown = f"'{p['typed']}'" if p.get("typed") is not None else "given"
    return f"The {_DATE_WHAT.get(p['what'], p['what'])} {shown} is not a date I can read."


def _personal_data(p: Params, v: Voice) -> str:
    return "Nothing was saved: " + "; ".join(finding_text(f, k) for f, k in p["findings"]) + "."


def _admin_only(p: Params, v: Voice) -> str:
    what = "record someone else's absence" if p["what"] == "away" else "end someone else's absence"
    return f"Sorry, only a plan administrator can {what}."


ERRORS: dict[str, tuple[Words, Words]] = {
    "person.unknown": ("You are not in this plan's list of people, so ncpi cannot show or change anything for you.",
                       "Ask the plan administrator to add your {account} to config/ncpi.yaml."),
    "person.not_found": ("'{person_id}' is not one of the people in ncpi.yaml.", "Use a person id from it."),
    "action.not_found": (_not_found, lambda p, v: f"Action ids look like {_ids(p['examples'], p['more'])}."
                         if p["examples"] else "No plan is loaded yet."),
    "action.not_owner": (lambda p, v: f"Sorry, you cannot {_NOT_OWNER_WHAT.get(p['what'], p['what'])} "
                         f"{p['action_id']}.", _not_owner),
    "action.changed_meanwhile": ("{action_id} was changed by someone else a moment ago.",
                                 "Nothing was saved. Look at it again (`{cmd}history {action_id}`) and retry "
                                 "if it is still needed."),
    "action.wrong_status": (lambda p, v: _wrong_status(p, v, 0), lambda p, v: _wrong_status(p, v, 1)),
    "role.required": (_role_message, _role_hint),
    "summary.readers_only": ("Sorry, summaries are for Silver and Gold members.",
                             "Use `{cmd}my` to see your own actions."),
    "history.readers_only": ("Sorry, the history of {action_id} is for Silver and Gold members and its owner.",
                             "Use `{cmd}my` to see your own actions."),
    "text.missing": ("The {field} is missing.",
                     lambda p, v: "For example: " + _say(EXAMPLES.get(p["example"]) or str(p["example"]), p, v)),
    "text.too_long": ("The {field} is {length:,} characters long.",
                      "Please keep it under {limit:,} characters; link to a document for the detail."),
    "text.personal_data": (_personal_data, REPHRASE),
    "update.too_long": ("The {field} is {length:,} characters long.",
                        "Please keep it under {limit:,} characters (a short summary is best; "
                        "link to a document for the detail)."),
    "update.action_closed": ("{action_id} is {status}; it takes no more updates.",
                             "Ask the Silver chair if it needs reopening."),
    "update.which_action": ("Which action? For example `{cmd}update R3.2`.",
                            lambda p, v: "Your open actions: "
                            + (", ".join(p["open_ids"][:8]) if p["open_ids"] else "you own none") + "."),
    "date.unreadable": (_date_unreadable, "Write it as YYYY-MM-DD, for example 2022-06-30."),
    "due.not_in_future": ("The new due date {new_due} is not in the future.", "Choose a date after {today}."),
    "due.unchanged": ("{action_id} is already due on {due}.", "Give a different date to ask for a change."),
    "due.nothing_to_approve": ("Nobody has asked to move the due date of {action_id}.",
                               "The owner asks first with `{cmd}due {action_id} YYYY-MM-DD` and a reason."),
    "due.requested_date_passed": ("The requested date {new_due} has already passed.",
                                  "Reject it with `{cmd}reject {action_id} due` and a reason, and ask the owner "
                                  "for a new date."),
    "due.nothing_to_reject": ("Nobody has asked to move the due date of {action_id}.", "There is nothing to reject."),
    "absence.admin_only": (_admin_only, lambda p, v: _say(
        "Record your own with `{cmd}away YYYY-MM-DD YYYY-MM-DD [@deputy]`." if p["what"] == "away"
        else "Use `{cmd}back` for your own.", p, v)),
    "absence.end_before_start": ("The end date {last} is before the start date {first}.",
                                 "Give the first day away, then the last: `{cmd}away 2022-05-03 2022-05-17`."),
    "absence.in_past": ("{first} to {last} is wholly in the past.", "Give dates from {today} on."),
    "absence.deputy_unknown": ("The deputy you named is not one of the people in this plan.",
                               "Name someone from ncpi.yaml with an @mention, or leave the deputy out so each "
                               "action's plan deputy covers."),
    "absence.own_deputy": ("You cannot be your own deputy.", "Name someone else, or leave the deputy out."),
    "absence.none": (lambda p, v: "You have no current or future absence recorded." if p.get("name") is None
                     else f"{p['name']} has no current or future absence recorded.",
                     "Nothing to cancel. `{cmd}away FROM TO [@deputy]` records one."),
    "command.incomplete": ("Something is missing from `{cmd}{command}`.", "For example `{cmd}{example}`."),
    "form.unavailable": ("{platform} did not send what is needed to open a form here.",
                         lambda p, v: _say(_FORM_INSTEAD[p["instead"]], p, v)),
    "recommendation.not_found": ("There is no recommendation '{typed}' in the plan.",
                                 lambda p, v: f"Recommendation ids are {_ids(p['ids'], p['more'])}."
                                 if p["ids"] else "No plan is loaded yet."),
    "summary.unknown_filter": ("'{only}' is not a summary filter.",
                               lambda p, v: f"Use one of {', '.join(p['filters'])}."),
    "summary.unknown_word": ("I don't understand `{word}` in `{cmd}summary`.",
                             "Try `{cmd}{usage}` (recommendations are {sample}…)."),
    "chart.unavailable": ("Charts need matplotlib, which is not installed.", "Run: pip install 'ncpi[charts]'"),
    "when.unreadable": ("'{typed}' is not a date or date-time.",
                        "Use YYYY-MM-DD or YYYY-MM-DDTHH:MM (local time), e.g. 2022-03-01T09:00."),
    "when.reversed": ("--to is before --from.", "Give --from YYYY-MM-DD --to YYYY-MM-DD in order."),
    "storage.unavailable": ("The database did not answer.", "Please try again shortly."),
    "storage.schema_missing": ("The database has no ncpi tables yet (or an older schema).",
                               "Run `ncpi db upgrade` first."),
    "file.invalid": (lambda p, v: "\n".join(p["problems"]), ""),
}


def error_parts(error: NcpiError, voice: Voice) -> tuple[str, str]:
    """(what went wrong, what would work) for a person, in this voice."""
    entry = ERRORS.get(error.code)
    if entry is None:  # a code nobody worded yet: still one clear line, never a traceback
        return f"That could not be done ({error.code}).", ""
    return _say(entry[0], error.params, voice), _say(entry[1], error.params, voice)


def error_text(error: NcpiError, voice: Voice) -> str:
    """The message and its hint as one line."""
    message, hint = error_parts(error, voice)
    return f"{message} {hint}".strip()


# --- outcomes: what the person who acted is told ------------------------------------------------------
def _completes(p: Params) -> str:
    return (f" {p['recommendation_id']} is complete: all its actions are closed or superseded."
            if p.get("complete") else "")


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
    "closure.signed_off": lambda p, v: f"{p['action_id']} signed off and closed.{_completes(p)}",
    "action.superseded": lambda p, v: f"{p['action_id']} superseded: closed without delivery.{_completes(p)}",
    "due.requested": "Asked the Silver chair to move {action_id} to {new_due} (now due {due}).",
    "due.approved": "{action_id} is now due {due} (originally {original_due}).",
    "due.rejected": "Due-date change for {action_id} rejected; it stays due {due}.",
    "absence.recorded": _away_recorded,
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
    return _say(OUTCOMES.get(outcome.code, outcome.code), outcome.params, voice)


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
    + (f" All actions of {p['recommendation_id']} are now closed: the recommendation is complete."
       if p.get("complete") else ""),
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
}


def notice_text(notice: Coded, voice: Voice) -> str:
    """A notice's words: its first line says what happened, the rest (if any) the detail."""
    return _say(NOTICES.get(notice.code, notice.code), notice.params, voice)


# --- replies that could not be read -----------------------------------------------------------------
REPLY_PROBLEMS: dict[str, Words] = {
    "reply.empty": "That message was empty, so nothing was recorded.",
    "reply.no_plan": "There is no plan loaded yet, so there is no action to update.",
    "reply.unknown_action": lambda p, v: f"There is no action '{p['typed']}' in the plan "
                                         f"(ids look like {_ids(p['examples'], p['more'])}).",
    "reply.no_action_id": "Start with the action id, then how it is going.",
    "reply.no_rag": "Say how {action_id} is going: green (on track), amber (at risk), red (off track) "
                    "or blue (complete).",
    "reply.bad_progress": "Progress is a whole percentage from 0 to 100, not {said}.",
}


def reply_problem_message(problem: ReplyProblem, voice: Voice) -> str:
    return _say(REPLY_PROBLEMS.get(problem.code, problem.code), problem.params, voice)


def reply_problem_text(problem: ReplyProblem, voice: Voice) -> str:
    """What was wrong with a reply, and one that works, as one line."""
    return f"{reply_problem_message(problem, voice)} For example: `{problem.example}`"


# --- an action's history ------------------------------------------------------------------------------
EVENTS = {
    "created": "added to the plan", "changed": "changed", "dropped": "dropped from the plan file",
    "proposed": "proposed complete", "approved": "accepted by Silver", "rejected": "closure rejected",
    "signed_off": "signed off by Gold (closed)", "superseded": "superseded",
    "due_change_requested": "asked to move the due date", "due_changed": "due date changed",
    "due_change_rejected": "due-date change rejected", "due_change_withdrawn": "due-date request withdrawn",
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
    if entry.event == "changed" and entry.field:
        detail = f"{entry.field}: {entry.old} → {entry.new}"
    elif entry.field == "due" and entry.event != "due_change_withdrawn":
        detail = f"due {entry.old} → {entry.new}"
    else:
        detail = ""
    if entry.reason:
        detail = f"{detail}; {entry.reason}" if detail else entry.reason
    return detail


# --- the front ends' own lines ------------------------------------------------------------------------
def decision_hint(decision: Decision) -> str:
    """After a decision in a summary: who answers it, with which command (as summaries have always said)."""
    return f" (Gold chair: `signoff {decision.action_id}`)" if decision.kind is DecisionKind.SIGNOFF else ""


DATABASE_DOWN = "The database is not answering; please try again shortly."
UNEXPECTED = ("Sorry, something went wrong on ncpi's side and nothing was changed by this request. "
              "It has been logged; please try again, or tell the plan administrator if it keeps happening.")
FORM_LOST = "This form has lost track of its action; please close it and open it again."


def not_reached(names: list[str]) -> str:
    """Said after an outcome when some of the people it concerns could not be messaged just now."""
    return "\n(I could not reach " + ", ".join(names) + " by DM just now; please tell them.)"


def already_on_track(action_id: str) -> str:
    return f"Already recorded: {action_id} on track, from this message."
