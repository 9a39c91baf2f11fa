"""Issue 16 in Slack: `/ncpi challenge|embed|decision`, and the Silver summary's "Challenge…" button
with its form.

The button acks at once, refuses early (in an ephemeral answer) whoever may not challenge, and
opens the form within the trigger's three seconds; the form's submission is decided before it is
acknowledged, so a refusal shows on its field. After a step, its deliveries (the challenge to the
owner, a decision's or an embedding's notices) go at once through the ledger (`send_now`; the tick
sends whatever could not), and the outcome is said in the catalogue's words.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot import copy
from bot.copy.commands import require_words
from bot.slack.blocks import governance as bg
from bot.slack.blocks import workflow as bw
from bot.slack.blocks.summary import CHALLENGE_OPEN
from bot.slack.deps import Deps
from bot.slack.listeners.reviews import _input, _meta, _modal_error
from bot.slack.notices import send_notices
from bot.slack.payloads import parse_button, to_plain_text
from bot.slack.subcommands import CommandContext, Reply, subcommand
from ncpi_core.domain.decisions import split_rationale
from ncpi_core.domain.models import Source
from ncpi_core.domain.notices import Outcome
from ncpi_core.errors import InvalidInput, NcpiError
from ncpi_core.usecases import challenges, decisions, embedding

log = logging.getLogger(__name__)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")



def _after(ctx: CommandContext, n: int) -> str:
    """The text after the first `n` words, as typed (links unwrapped, &amp; undone)."""
    rest = ctx.rest
    for _ in range(n):
        parts = rest.split(None, 1)
        rest = parts[1] if len(parts) > 1 else ""
    return to_plain_text(rest.strip())


def _answer(deps: Deps, outcome: Outcome) -> Reply:
    failed = send_notices(deps, outcome)
    text, blocks = bw.outcome_reply(outcome, failed)
    return Reply(text=text, blocks=blocks)


# --- sub-commands -------------------------------------------------------------------------------
@subcommand("challenge", usage="challenge R3.2 <question>",
            help="Silver chair: ask an action's owner about its latest update (shown until answered)", order=50)
def challenge_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 1, "challenge")
    deps = ctx.deps
    out = challenges.ask(deps.uow_factory, deps.config, ctx.person, ctx.args[0], _after(ctx, 1),
                         now=deps.now(), today=deps.today(), source=Source.SLASH)
    return _answer(deps, out)


@subcommand("embed", usage="embed R3.2 [YYYY-MM-DD] <impact evidence>",
            help="Silver chair, admin: a delivered action's impact, re-tested after its demonstration period",
            order=51)
def embed_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 1, "embed")
    deps = ctx.deps
    dated = len(ctx.args) > 1 and bool(DATE.match(ctx.args[1]))
    out = embedding.embed(deps.uow_factory, deps.config, ctx.person, ctx.args[0], _after(ctx, 2 if dated else 1),
                          ctx.args[1] if dated else None, now=deps.now(), today=deps.today(), source=Source.SLASH)
    return _answer(deps, out)


@subcommand("decision", usage="decision R7 <decision> because <rationale>",
            help="Gold chair, admin: record a Gold decision and its rationale in the decision log", order=52)
def decision_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 1, "decision")
    deps = ctx.deps
    decision, rationale = split_rationale(_after(ctx, 1))
    out = decisions.record_decision(deps.uow_factory, deps.config, ctx.person, ctx.args[0], decision, rationale,
                                    now=deps.now(), today=deps.today(), source=Source.SLASH)
    return _answer(deps, out)


# --- the summary's button and its form ------------------------------------------------------------
def register(app: App, deps: Deps) -> None:
    """The "Challenge…" button on the Silver summary's action lines, and its form."""

    @app.action(CHALLENGE_OPEN)
    def on_challenge_open(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()  # within Slack's 3 seconds; the check and the form follow
        with deps.reporting_errors(body, context):
            open_challenge_modal(deps, body)

    @app.view(bg.CHALLENGE_MODAL)
    def on_challenge_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                               context: BoltContext) -> None:
        submit_challenge(deps, ack, body, view, context)


def open_challenge_modal(deps: Deps, body: dict[str, Any]) -> None:
    click = parse_button(body)
    actor = deps.actor(click.user)
    # refuse before the form opens: only the Silver chair asks, one open question per action
    action = challenges.check_can_challenge(deps.uow_factory, deps.config, actor, click.value)
    if not click.trigger_id:
        raise InvalidInput("form.unavailable", instead="challenge", action_id=action.id)
    meta = {"action_id": action.id}
    view = bg.challenge_modal(action.id, action.title, meta)
    view["private_metadata"] = deps.seal.seal(meta, click.user)  # only this chair's submission routes by it
    deps.gateway.open_view(click.trigger_id, view)


def submit_challenge(deps: Deps, ack: Ack, body: dict[str, Any], view: dict[str, Any],
                     context: BoltContext | None = None) -> None:
    """Ask before acknowledging, so that a refusal (personal data, a question already open) shows in the form."""
    meta = _meta(deps, view, body)
    if meta is None:
        ack(response_action="errors", errors={bg.QUESTION_BLOCK: copy.FORM_LOST})
        return
    user = str((body.get("user") or {}).get("id") or "")
    try:
        out = challenges.ask(deps.uow_factory, deps.config, deps.actor(user), meta["action_id"],
                             _input(view, bg.QUESTION_BLOCK), now=deps.now(), today=deps.today(),
                             source=Source.MODAL)
    except NcpiError as exc:
        ack(response_action="errors", errors=_modal_error(exc, bg.QUESTION_BLOCK))
        return
    ack()  # closes the form
    with deps.reporting_errors(body, context):
        failed = send_notices(deps, out)
        text, blocks = bw.outcome_reply(out, failed)
        deps.gateway.post_dm(user, text, blocks)
