"""The words of the core's errors (and the front ends' own refusals): a message and a hint per code."""

from __future__ import annotations

from bot.copy.frontdoor import FRONTDOOR_ERRORS
from bot.copy.setup import SETUP_ERRORS
from bot.copy.voice import CLI, Params, Voice, Words, ids_text, say
from ncpi_core.domain import pii
from ncpi_core.errors import NcpiError

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
    "embedded": ("{action_id} is already embedded (its impact is recorded).",
                 "Nothing more is needed. Ask the Silver chair if it must be reopened."),
}
_DOING = {"propose": "propose it complete", "approve": "approve", "reject": "reject", "signoff": "sign off",
          "supersede": "supersede", "move_due": "move its due date", "challenge": "challenge it",
          "embed": "record it as embedded"}
# what `embed` needs instead: a delivered action (status `closed`)
_EMBED_NEEDS = ("Only a delivered action (signed off by Gold) can be embedded, after its demonstration period: "
                "see `{cmd}history {action_id}`.")
# what a person tried, in `action.not_owner` and `role.required`
_NOT_OWNER_WHAT = {"update": "update", "propose_complete": "propose complete", "move_due": "move the due date of"}
_ROLE_WHAT = {"closure.approve": "accept a closure", "closure.reject": "reject a closure",
              "closure.signoff": "sign off an action", "action.supersede": "supersede an action",
              "due.approve": "approve a due-date change", "due.reject": "reject a due-date change",
              "chase": "chase updates", "challenge": "challenge an update", "decision.record": "record a Gold decision",
              "embed": "record an action as embedded", "assurance.rate": "rate a recommendation's assurance",
              "inspectorate.record": "record the inspectorate's status of a recommendation"}
_DATE_WHAT = {"date": "date", "new_due": "new due date", "start": "start date", "end": "end date",
              "retested_on": "re-test date", "status_on": "inspectorate's date"}
# worked examples a refusal of missing text shows (`text.missing`, param `example`)
EXAMPLES = {
    "complete": "`{cmd}complete {action_id} https://intranet/policy/123`",
    "reject": "`{cmd}reject {action_id} the dip-sample shows no change yet`",
    "reject_due": "`{cmd}reject {action_id} due the inspectorate expects it by then`",
    "supersede": "`{cmd}supersede {action_id} replaced by R3.4 after the review`",
    "due": "`{cmd}due {action_id} {date} training slots delayed by the supplier`",
    "challenge": "`{cmd}challenge {action_id} what does the dip-sample show about supervisors' reviews?`",
    "decision": "`{cmd}decision {subject} fund the screening tool from the reserve because procurement slipped "
                "to July`",
    "embed": "`{cmd}embed {action_id} 2022-09-01 re-audit of 50 cases: 48 met the standard`",
    "assurance": "`{cmd}assurance {subject} partly training is done but the audit is not`",
    "inspectorate": "`{cmd}inspectorate {subject} closed 2022-12-01 revisit found it met`",
}
# the kinds of personal data of ncpi_core.domain.pii
PII_KINDS = {pii.DOB: "a date of birth", pii.CRIME_REF: "a crime or incident reference", pii.NHS: "an NHS number",
             pii.PHONE: "a phone number", pii.EMAIL: "an email address", pii.POSTCODE: "a postcode",
             pii.CHILD_NAME: "a child's name", pii.NI_NUMBER: "a National Insurance number",
             pii.RECORD_ID: "a council, school or health record number", pii.ADDRESS: "a home address",
             pii.SCHOOL: "the name of a school or care home", pii.BANK: "bank or card details"}
# how to say the same thing without the detail, per kind (shown with a refusal)
PII_INSTEAD = {pii.CHILD_NAME: 'say "the child", "the young person" or "a 12-year-old" instead of a name',
               pii.DOB: 'give an age ("a 12-year-old") instead of a date of birth',
               pii.CRIME_REF: 'say "one case" or "a case from the dip-sample" instead of its reference',
               pii.RECORD_ID: 'say "one case" instead of its record number',
               pii.NHS: "leave the number out: the plan never needs it",
               pii.NI_NUMBER: "leave the number out: the plan never needs it",
               pii.BANK: "leave the details out: the plan never needs them",
               pii.PHONE: 'name the team or role to contact ("the MASH duty desk") instead of a number',
               pii.EMAIL: 'name the team or role to contact ("the MASH duty desk") instead of an address',
               pii.POSTCODE: 'name the district ("in Selby") instead of a postcode',
               pii.ADDRESS: 'name the district ("in Selby") instead of an address',
               pii.SCHOOL: 'say "a local primary school" or "a children\'s home" instead of its name'}
_FORM_INSTEAD = {
    "update": "DM me instead, e.g. `{action_id} amber 60% what changed`.",
    "complete": "Use `{cmd}complete {action_id}` and a link to the evidence instead.",
    "reject": "Use `{cmd}reject {action_id}` and a reason.",
    "reject_due": "Use `{cmd}reject {action_id} due` and a reason.",
    "challenge": "Use `{cmd}challenge {action_id}` and your question instead.",
}
REPHRASE = ("ncpi keeps action-plan progress only, never details of a child or a case. "
            "Please rephrase without them and send it again.")


def rephrase(kinds: list[str], again: str = "Then send it again.") -> str:
    """How to rephrase a refused text: the rule, then what to say instead for each kind found."""
    instead = list(dict.fromkeys(PII_INSTEAD[k] for k in kinds if k in PII_INSTEAD))
    if not instead:
        return REPHRASE
    return ("ncpi keeps action-plan progress only, never details of a child or a case. Instead, "
            + "; ".join(instead) + ". " + again)


def finding_text(field: str, kind: str) -> str:
    """One personal-data finding, naming the field and the kind (never the text)."""
    return f"the {field} looks like it contains {PII_KINDS.get(kind, kind)}"


def field_refusal(kind: str) -> str:
    """A personal-data refusal shown on the form field it is about, with what to write instead."""
    instead = PII_INSTEAD.get(kind, "please rephrase without it")
    return f"This looks like it contains {PII_KINDS.get(kind, kind)}. ncpi keeps action-plan progress only: {instead}."


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
    if part == 1 and p["doing"] == "embed" and p["status"] != "embedded":
        said = (said[0], _EMBED_NEEDS)
    text = say(said[part], p, v)
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


# what someone who only reads may still do, by role (`role.read_only`)
_READ_ONLY_CAN = {"observer": "read the summaries (`{cmd}summary gold`), the coming meetings (`{cmd}next`) and an "
                              "action's history (`{cmd}history R3.2`); the plan administrator can send you the packs",
                  "pcc": "rate a recommendation (`{cmd}assurance R4 assured|partly|not <comment>`) and read the "
                         "summaries, `{cmd}next` and `{cmd}history R3.2`"}
_READ_ONLY_WHAT = {"update": "update an action", "propose_complete": "propose an action complete",
                   "move_due": "move a due date", "away": "record an absence", "back": "end an absence"}
_READ_ONLY_AS = {"observer": "an observer", "pcc": "the PCC's office"}


def _read_only(p: Params, v: Voice) -> str:
    roles = [r for r in p.get("roles") or [] if r in _READ_ONLY_AS]
    who = " and ".join(_READ_ONLY_AS[r] for r in roles) or "someone who reads the plan"
    what = _ROLE_WHAT.get(p["what"]) or _READ_ONLY_WHAT.get(p["what"]) or str(p["what"]).replace("_", " ")
    return f"Sorry, as {who} you cannot {what}: ncpi keeps the plan's steps for the force's own leads."


def _read_only_hint(p: Params, v: Voice) -> str:
    can = [say(_READ_ONLY_CAN[r], p, v) for r in ("pcc", "observer") if r in (p.get("roles") or [])]
    return "You can " + (can[0] if can else say(_READ_ONLY_CAN["observer"], p, v)) + "."


def _admin_only(p: Params, v: Voice) -> str:
    what = "record someone else's absence" if p["what"] == "away" else "end someone else's absence"
    return f"Sorry, only a plan administrator can {what}."


ERRORS: dict[str, tuple[Words, Words]] = {
    "person.unknown": ("You are not in this plan's list of people, so ncpi cannot show or change anything for you.",
                       "Ask the plan administrator to add your {account} to config/ncpi.yaml."),
    "person.not_found": ("'{person_id}' is not one of the people in ncpi.yaml.", "Use a person id from it."),
    "action.not_found": (_not_found, lambda p, v: f"Action ids look like {ids_text(p['examples'], p['more'])}."
                         if p["examples"] else "No plan is loaded yet."),
    "action.not_owner": (lambda p, v: f"Sorry, you cannot {_NOT_OWNER_WHAT.get(p['what'], p['what'])} "
                         f"{p['action_id']}.", _not_owner),
    "action.changed_meanwhile": ("{action_id} was changed by someone else a moment ago.",
                                 "Nothing was saved. Look at it again (`{cmd}history {action_id}`) and retry "
                                 "if it is still needed."),
    "action.wrong_status": (lambda p, v: _wrong_status(p, v, 0), lambda p, v: _wrong_status(p, v, 1)),
    "role.required": (_role_message, _role_hint),
    "role.read_only": (_read_only, _read_only_hint),
    "summary.readers_only": ("Sorry, summaries are for Silver and Gold members, the PCC's office and observers.",
                             "Use `{cmd}my` to see your own actions."),
    "history.readers_only": ("Sorry, the history of {action_id} is for Silver and Gold members, the PCC's office, observers "
                             "and its owner.",
                             "Use `{cmd}my` to see your own actions."),
    "text.missing": ("The {field} is missing.",
                     lambda p, v: "For example: " + say(EXAMPLES.get(p["example"]) or str(p["example"]), p, v)),
    "text.too_long": ("The {field} is {length:,} characters long.",
                      "Please keep it under {limit:,} characters; link to a document for the detail."),
    "text.personal_data": (_personal_data, lambda p, v: rephrase(
        [k for _, k in p["findings"]], "Then load the file again." if v == CLI else "Then send it again.")),
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
    "absence.admin_only": (_admin_only, lambda p, v: say(
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
                         lambda p, v: say(_FORM_INSTEAD[p["instead"]], p, v)),
    "challenge.already_open": ("{action_id} already has an open challenge from {by} ({asked}): {question}",
                               "It shows in the summaries until the owner answers it with an update; "
                               "ask again after that."),
    "decision.subject_not_found": (lambda p, v: "There is no recommendation or action "
                                   + (f"'{p['typed']}'" if p.get("typed") else "with that id") + " in the plan.",
                                   lambda p, v: f"Recommendations are {ids_text(p['ids'], p['more'])}; an action "
                                   "id such as R7.1 works too." if p["ids"] else "No plan is loaded yet."),
    "embed.too_soon": ("{action_id} was delivered on {delivered}; it can be recorded as embedded from {earliest}, "
                       "after the {days}-day demonstration period.",
                       "Re-test it then and record the impact with `{cmd}embed {action_id} YYYY-MM-DD "
                       "<impact evidence>`."),
    "embed.retest_in_future": ("The re-test date {retested} is in the future.",
                               "Give the day it was re-tested: {today} or earlier."),
    "embed.retest_before_delivery": ("{action_id} was re-tested on {retested}, before it was delivered on "
                                     "{delivered}.", "Give a re-test after delivery, with its result."),
    "assurance.unknown_rating": (lambda p, v: (f"'{p['typed']}' is not" if p.get("typed") else "That is not")
                                 + " an assurance rating.",
                                 lambda p, v: "Use one of " + ", ".join(p["ratings"]) + ", e.g. "
                                 + say(EXAMPLES["assurance"], {"subject": "R4", **p}, v) + "."),
    "inspectorate.unknown_status": (lambda p, v: (f"'{p['typed']}' is not" if p.get("typed") else "That is not")
                                    + " one of the inspectorate's statuses.",
                                    lambda p, v: "Use one of " + ", ".join(s.replace("_", " ") for s in p["statuses"])
                                    + ", then the inspectorate's date (YYYY-MM-DD) and a note, e.g. "
                                    + say(EXAMPLES["inspectorate"], {"subject": "R4", **p}, v) + "."),
    "inspectorate.future_date": ("The inspectorate's date {status_on} is in the future.",
                                 "Give the day the inspectorate set the status: {today} or earlier."),
    "recommendation.not_found": ("There is no recommendation '{typed}' in the plan.",
                                 lambda p, v: f"Recommendation ids are {ids_text(p['ids'], p['more'])}."
                                 if p["ids"] else "No plan is loaded yet."),
    "summary.unknown_filter": ("'{only}' is not a summary filter.",
                               lambda p, v: f"Use one of {', '.join(p['filters'])}."),
    "summary.unknown_report": (lambda p, v: (f"There is no report '{p['typed']}'" if p.get("typed")
                                             else "There is no such report") + " in the plan.",
                               lambda p, v: "Reports are " + ", ".join(p["reports"]) + "." if p["reports"]
                               else "This plan holds one report: leave the report filter out."),
    "summary.unknown_type": (lambda p, v: (f"'{p['typed']}' is not" if p.get("typed") else "That is not")
                             + " a type of item.", lambda p, v: "Use type= one of " + ", ".join(p["types"]) + "."),
    "summary.unknown_word": ("I don't understand `{word}` in `{cmd}summary`.",
                             "Try `{cmd}{usage}` (recommendations are {sample}…)."),
    # a chat channel is never told to run a command: the words are for the person who installed ncpi
    "chart.unavailable": ("The chart cannot be drawn: matplotlib is missing from this installation.",
                          lambda p, v: "Reinstall ncpi (pip install ncpi includes it)." if v is CLI
                          else "The force's IT can reinstall ncpi, which includes it."),
    "chart.format_unsupported": ("A chart cannot be written as a {suffix} file.",
                                 "End --out with one of {formats}, e.g. --out chart.png."),
    "tick.future": ("--now {when} is in the future (it is now {now}): ncpi tick would send today what is "
                    "only owed then.", "Add --dry-run to see what would be sent, or --force to send it anyway."),
    "demo.stalled": ("The demo's bot gave {got} of the {expected} answer(s) to {what} expected within {seconds:.0f} s.",
                     "The machine may be very busy: run ncpi demo again (the demo waits for answers, "
                     "not for time, so this is rare)."),
    "when.unreadable": ("'{typed}' is not a date or date-time.",
                        "Use YYYY-MM-DD or YYYY-MM-DDTHH:MM (local time), e.g. 2022-03-01T09:00."),
    "when.reversed": ("--to is before --from.", "Give --from YYYY-MM-DD --to YYYY-MM-DD in order."),
    "storage.unavailable": ("The database did not answer.", "Please try again shortly."),
    "storage.schema_missing": ("The database has no ncpi tables yet (or an older schema).",
                               "Run `ncpi db upgrade` first."),
    "file.invalid": (lambda p, v: "\n".join(p["problems"]), ""),
    **SETUP_ERRORS,
    **FRONTDOOR_ERRORS,
}


def error_parts(error: NcpiError, voice: Voice) -> tuple[str, str]:
    """(what went wrong, what would work) for a person, in this voice."""
    entry = ERRORS.get(error.code)
    if entry is None:  # a code nobody worded yet: still one clear line, never a traceback
        return f"That could not be done ({error.code}).", ""
    return say(entry[0], error.params, voice), say(entry[1], error.params, voice)


def error_text(error: NcpiError, voice: Voice) -> str:
    """The message and its hint as one line."""
    message, hint = error_parts(error, voice)
    return f"{message} {hint}".strip()
