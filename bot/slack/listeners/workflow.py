"""Governance workflows in Slack: `/ncpi complete|approve|reject|signoff|supersede|due|away|back|history`
(the prompt's "Propose complete" button and the chairs' review buttons are in `reviews.py`).

Each listener acks, parses, calls one use case (closure, due_dates, absences, history) with the
person resolved from ncpi.yaml, then sends the notices the step queued in the delivery ledger
(`send_now`; the tick sends any that could not go) and answers in the catalogue's words. Refusals
raise `ncpi_core.errors` types: the app's one error handler turns them into a polite ephemeral
answer; inside a modal they come back as `response_action: errors` on the field.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.copy.commands import require_words
from bot.slack.blocks import workflow as bw
from bot.slack.deps import PLATFORM, Deps
from bot.slack.listeners import reviews
from bot.slack.notices import send_notices
from bot.slack.payloads import mentioned_user, to_plain_text
from bot.slack.subcommands import CommandContext, Reply, subcommand
from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.models import Source
from ncpi_core.domain.notices import Outcome
from ncpi_core.usecases import absences, closure, due_dates
from ncpi_core.usecases.history import history

log = logging.getLogger(__name__)


# --- helpers ----------------------------------------------------------------------------------------
def _after_words(ctx: CommandContext, n: int) -> str:
    """The text after the first `n` words, as typed (links unwrapped, &amp; undone)."""
    rest = ctx.rest
    for _ in range(n):
        parts = rest.split(None, 1)
        rest = parts[1] if len(parts) > 1 else ""
    return to_plain_text(rest.strip())


def deputy_id(config: ForceConfig, ref: str) -> str:
    """The person a deputy reference names (a mention, a Slack id or a person id), as a person id;
    what was typed when it names nobody in ncpi.yaml (the use case then says so)."""
    said = mentioned_user(ref)
    person = config.person_by_identity(PLATFORM, said) or config.person(said)
    return person.id if person else said


def _answer(deps: Deps, outcome: Outcome) -> Reply:
    failed = send_notices(deps, outcome)
    text, blocks = bw.outcome_reply(outcome, failed)
    return Reply(text=text, blocks=blocks)


def _times(deps: Deps) -> dict[str, Any]:
    return {"now": deps.now(), "today": deps.today()}


# --- sub-commands -------------------------------------------------------------------------------
@subcommand("complete", usage="complete R3.2 <evidence link or text>",
            help="propose one of your actions complete, with its evidence", order=40)
def complete_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 2, "complete R3.2 <evidence link or text>")
    deps = ctx.deps
    out = closure.propose_complete(deps.uow_factory, deps.config, ctx.person, ctx.args[0], _after_words(ctx, 1),
                                   source=Source.SLASH, **_times(deps))
    return _answer(deps, out)


@subcommand("approve", usage="approve R3.2 [due]",
            help="Silver chair: accept a closure proposal (or, with `due`, a due-date change)", order=41)
def approve_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 1, "approve R3.2 [due]")
    deps, aid = ctx.deps, ctx.args[0]
    explicit_due = [w.lower() for w in ctx.args[1:2]] == ["due"]
    if explicit_due or closure.pending_review(deps.uow_factory, aid) == "due_change":
        out = due_dates.approve_due_change(deps.uow_factory, deps.config, ctx.person, aid, source=Source.SLASH,
                                           **_times(deps))
    else:  # a closure, or nothing pending: approve() says what is wrong
        out = closure.approve(deps.uow_factory, deps.config, ctx.person, aid, source=Source.SLASH, **_times(deps))
    return _answer(deps, out)


@subcommand("reject", usage="reject R3.2 [due] <reason>",
            help="Silver chair: send a closure proposal (or a due-date change) back, with a reason", order=42)
def reject_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 1, "reject R3.2 <reason>")
    deps, aid = ctx.deps, ctx.args[0]
    explicit_due = [w.lower() for w in ctx.args[1:2]] == ["due"]
    if explicit_due or closure.pending_review(deps.uow_factory, aid) == "due_change":
        reason = _after_words(ctx, 2 if explicit_due else 1)
        out = due_dates.reject_due_change(deps.uow_factory, deps.config, ctx.person, aid, reason,
                                          source=Source.SLASH, **_times(deps))
    else:
        out = closure.reject(deps.uow_factory, deps.config, ctx.person, aid, _after_words(ctx, 1),
                             source=Source.SLASH, **_times(deps))
    return _answer(deps, out)


@subcommand("signoff", usage="signoff R3.2", help="Gold chair: sign off an accepted action (closes it)",
            order=43)
def signoff_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 1, "signoff R3.2")
    deps = ctx.deps
    out = closure.signoff(deps.uow_factory, deps.config, ctx.person, ctx.args[0], source=Source.SLASH,
                          identity=f"{PLATFORM}:{ctx.slack_user}", **_times(deps))
    return _answer(deps, out)


@subcommand("supersede", usage="supersede R3.2 <reason>",
            help="Silver or Gold chair: close an action without delivery, with a reason", order=44)
def supersede_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 1, "supersede R3.2 <reason>")
    deps = ctx.deps
    out = closure.supersede(deps.uow_factory, deps.config, ctx.person, ctx.args[0], _after_words(ctx, 1),
                            source=Source.SLASH, **_times(deps))
    return _answer(deps, out)


@subcommand("due", usage="due R3.2 YYYY-MM-DD <reason>",
            help="ask the Silver chair to move an action's due date", order=45)
def due_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 2, "due R3.2 YYYY-MM-DD <reason>")
    deps = ctx.deps
    out = due_dates.request_due_change(deps.uow_factory, deps.config, ctx.person, ctx.args[0], ctx.args[1],
                                       _after_words(ctx, 2), source=Source.SLASH, **_times(deps))
    return _answer(deps, out)


@subcommand("away", usage="away YYYY-MM-DD YYYY-MM-DD [@deputy]",
            help="no prompts to you in those days; your deputy gets them", order=46)
def away_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 2, "away YYYY-MM-DD YYYY-MM-DD [@deputy]")
    deps = ctx.deps
    deputy = _after_words(ctx, 2)
    out = absences.set_away(deps.uow_factory, deps.config, ctx.person, ctx.args[0], ctx.args[1],
                            deputy_id(deps.config, deputy) if deputy else None, source=Source.SLASH,
                            **_times(deps))
    return _answer(deps, out)


@subcommand("back", usage="back", help="end your absence: prompts come to you again", order=47)
def back_command(ctx: CommandContext) -> Reply:
    deps = ctx.deps
    out = absences.back(deps.uow_factory, deps.config, ctx.person, source=Source.SLASH, **_times(deps))
    return _answer(deps, out)


@subcommand("history", usage="history R3.2", help="an action's whole trail: updates, decisions, dates",
            order=48)
def history_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 1, "history R3.2")
    deps = ctx.deps
    messages = bw.history_messages(history(deps.uow_factory, deps.config, ctx.person, ctx.args[0]), deps.core.tz)
    replies = [Reply(text=t, blocks=b) for t, b in messages]
    replies[0].more = replies[1:]
    return replies[0]


def register(app: App, deps: Deps) -> None:
    """The buttons and modals of the workflows (the sub-commands above register themselves on import)."""
    reviews.register(app, deps)
