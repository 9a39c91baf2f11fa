"""Governance workflows in Slack: `/ncpi complete|approve|reject|signoff|supersede|due|away|back|history`,
the prompt's "Propose complete" button and modal, and the chairs' review buttons.

Each listener acks, parses, calls one use case (closure, due_dates, absences, history) with the
person resolved from ncpi.yaml, then sends the notices the step queued in the delivery ledger
(`send_now`; the tick sends any that could not go) and answers in the catalogue's words. Refusals
raise `ncpi_core.errors` types: the app's one error handler turns them into a polite ephemeral
answer; inside a modal they come back as `response_action: errors` on the field.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot import copy
from bot.slack.blocks import workflow as bw
from bot.slack.deps import PLATFORM, Deps
from bot.slack.payloads import mentioned_user, parse_button, to_plain_text
from bot.slack.subcommands import CommandContext, Reply, subcommand
from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.models import Source
from ncpi_core.domain.notices import Outcome
from ncpi_core.errors import InvalidInput, NcpiError
from ncpi_core.usecases import absences, closure, due_dates
from ncpi_core.usecases.history import history
from ncpi_core.usecases.ledger import send_now

log = logging.getLogger(__name__)

PROPOSE_COMPLETE = "ncpi_propose_complete"  # the prompt's button (built by deliveries)


# --- helpers ----------------------------------------------------------------------------------------
def _need(ctx: CommandContext, count: int, usage: str) -> None:
    # no <placeholders> in the answer: Slack would read them as markup
    if len(ctx.args) < count:
        raise InvalidInput("command.incomplete", command=usage.split()[0], example=_example(usage))


def _example(usage: str) -> str:
    return (usage.replace("<evidence link or text>", "https://intranet/policy/123")
            .replace("<reason>", "training slots moved to June")
            .replace("YYYY-MM-DD YYYY-MM-DD", "2022-05-09 2022-05-20").replace("YYYY-MM-DD", "2022-07-31")
            .replace("[@deputy]", "@deputy").replace(" [due]", ""))


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


def tell(deps: Deps, outcome: Outcome) -> list[str]:
    """Send the notices the step queued, now; return the names of those who could not be reached.

    The step is already committed with its notices in the ledger: one that cannot go now is
    retried by the tick, and reported back to the person who acted, never undone.
    """
    keys = outcome.delivery_keys
    if not keys:
        return []
    try:
        failed = set(send_now(deps.uow_factory, deps.config, deps.sender, keys, deps.now()).failed_keys)
    except Exception:  # noqa: BLE001 - the ledger keeps them for the tick; the log has the cause
        log.warning("could not send the notices of %s now", outcome.code, exc_info=True)
        failed = set(keys)
    names = [deps.config.person(n.person) for key, n in zip(keys, outcome.notices, strict=True) if key in failed]
    return list(dict.fromkeys(p.name for p in names if p is not None))


def _answer(deps: Deps, outcome: Outcome) -> Reply:
    failed = tell(deps, outcome)
    text, blocks = bw.outcome_reply(outcome, failed)
    return Reply(text=text, blocks=blocks)


def _times(deps: Deps) -> dict[str, Any]:
    return {"now": deps.now(), "today": deps.today()}


# --- sub-commands -------------------------------------------------------------------------------
@subcommand("complete", usage="complete R3.2 <evidence link or text>",
            help="propose one of your actions complete, with its evidence", order=40)
def complete_command(ctx: CommandContext) -> Reply:
    _need(ctx, 2, "complete R3.2 <evidence link or text>")
    deps = ctx.deps
    out = closure.propose_complete(deps.uow_factory, deps.config, ctx.person, ctx.args[0], _after_words(ctx, 1),
                                   source=Source.SLASH, **_times(deps))
    return _answer(deps, out)


@subcommand("approve", usage="approve R3.2 [due]",
            help="Silver chair: accept a closure proposal (or, with `due`, a due-date change)", order=41)
def approve_command(ctx: CommandContext) -> Reply:
    _need(ctx, 1, "approve R3.2 [due]")
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
    _need(ctx, 1, "reject R3.2 <reason>")
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
    _need(ctx, 1, "signoff R3.2")
    deps = ctx.deps
    out = closure.signoff(deps.uow_factory, deps.config, ctx.person, ctx.args[0], source=Source.SLASH,
                          identity=f"{PLATFORM}:{ctx.slack_user}", **_times(deps))
    return _answer(deps, out)


@subcommand("supersede", usage="supersede R3.2 <reason>",
            help="Silver or Gold chair: close an action without delivery, with a reason", order=44)
def supersede_command(ctx: CommandContext) -> Reply:
    _need(ctx, 1, "supersede R3.2 <reason>")
    deps = ctx.deps
    out = closure.supersede(deps.uow_factory, deps.config, ctx.person, ctx.args[0], _after_words(ctx, 1),
                            source=Source.SLASH, **_times(deps))
    return _answer(deps, out)


@subcommand("due", usage="due R3.2 YYYY-MM-DD <reason>",
            help="ask the Silver chair to move an action's due date", order=45)
def due_command(ctx: CommandContext) -> Reply:
    _need(ctx, 2, "due R3.2 YYYY-MM-DD <reason>")
    deps = ctx.deps
    out = due_dates.request_due_change(deps.uow_factory, deps.config, ctx.person, ctx.args[0], ctx.args[1],
                                       _after_words(ctx, 2), source=Source.SLASH, **_times(deps))
    return _answer(deps, out)


@subcommand("away", usage="away YYYY-MM-DD YYYY-MM-DD [@deputy]",
            help="no prompts to you in those days; your deputy gets them", order=46)
def away_command(ctx: CommandContext) -> Reply:
    _need(ctx, 2, "away YYYY-MM-DD YYYY-MM-DD [@deputy]")
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
    _need(ctx, 1, "history R3.2")
    deps = ctx.deps
    messages = bw.history_messages(history(deps.uow_factory, deps.config, ctx.person, ctx.args[0]), deps.core.tz)
    replies = [Reply(text=t, blocks=b) for t, b in messages]
    replies[0].more = replies[1:]
    return replies[0]


# --- buttons and modals ---------------------------------------------------------------------------
def register(app: App, deps: Deps) -> None:
    """Buttons and modals (the sub-commands above register themselves on import)."""

    @app.action(PROPOSE_COMPLETE)
    def on_propose_complete(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        with deps.reporting_errors(body, context):
            open_complete_modal(deps, body)

    @app.view(bw.COMPLETE_MODAL)
    def on_complete_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                              context: BoltContext) -> None:
        submit_complete(deps, ack, body, view, context)

    for action_id in (bw.APPROVE_CLOSURE, bw.APPROVE_DUE, bw.SIGNOFF):
        @app.action(action_id)
        def on_decide(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
            ack()
            with deps.reporting_errors(body, context):
                decide(deps, body, respond)

    for action_id in (bw.REJECT_CLOSURE, bw.REJECT_DUE):
        @app.action(action_id)
        def on_reject(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
            ack()
            with deps.reporting_errors(body, context):
                open_reject_modal(deps, body)

    @app.view(bw.REJECT_MODAL)
    def on_reject_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                            context: BoltContext) -> None:
        submit_reject(deps, ack, body, view, context)


def open_complete_modal(deps: Deps, body: dict[str, Any]) -> None:
    click = parse_button(body)
    # refuse before the form opens: a person should not write evidence for nothing
    action = closure.check_can_propose(deps.uow_factory, deps.config, deps.actor(click.user), click.value,
                                       today=deps.today())
    if not click.trigger_id:
        raise InvalidInput("form.unavailable", instead="complete", action_id=action.id)
    channel = None if click.in_home or not click.message_ts else click.channel
    meta = {"action_id": action.id}
    if channel:
        meta.update(channel=channel, thread_ts=click.message_ts or "")
    deps.gateway.open_view(click.trigger_id, bw.complete_modal(action.id, action.title, meta))


def _meta(view: dict[str, Any]) -> dict[str, Any] | None:
    try:
        data = json.loads(view.get("private_metadata") or "")
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("action_id"), str) else None


def _input(view: dict[str, Any], block_id: str) -> str:
    values = ((view.get("state") or {}).get("values") or {}).get(block_id) or {}
    for element in values.values():
        if isinstance(element, dict):
            return str(element.get("value") or "")
    return ""


def _modal_error(error: NcpiError, block_id: str) -> dict[str, str]:
    """A refusal inside the modal, on its one field (Slack shows at most 2,000 characters there)."""
    return {block_id: copy.error_text(error, copy.SLACK)[:2000]}


def submit_complete(deps: Deps, ack: Ack, body: dict[str, Any], view: dict[str, Any],
                    context: BoltContext | None = None) -> None:
    """Propose complete before acknowledging, so that any refusal is shown inside the modal."""
    meta = _meta(view)
    if meta is None:
        ack(response_action="errors", errors={bw.EVIDENCE_BLOCK: copy.FORM_LOST})
        return
    user = str((body.get("user") or {}).get("id") or "")
    try:
        out = closure.propose_complete(deps.uow_factory, deps.config, deps.actor(user), meta["action_id"],
                                       _input(view, bw.EVIDENCE_BLOCK), source=Source.MODAL, **_times(deps))
    except NcpiError as exc:
        ack(response_action="errors", errors=_modal_error(exc, bw.EVIDENCE_BLOCK))
        return
    ack()  # closes the modal
    with deps.reporting_errors(body, context):
        failed = tell(deps, out)
        text, blocks = bw.outcome_reply(out, failed)
        if meta.get("channel"):
            deps.gateway.post(meta["channel"], text, blocks, thread_ts=meta.get("thread_ts") or None)
        else:
            deps.gateway.post_dm(user, text, blocks)


def decide(deps: Deps, body: dict[str, Any], respond: Respond) -> None:
    """Approve a closure, approve a due change, or sign off, from the button in the chair's DM."""
    click = parse_button(body)
    actor, config, times = deps.actor(click.user), deps.config, _times(deps)
    if click.action_id == bw.APPROVE_CLOSURE:
        out = closure.approve(deps.uow_factory, config, actor, click.value, source=Source.BUTTON, **times)
    elif click.action_id == bw.APPROVE_DUE:
        out = due_dates.approve_due_change(deps.uow_factory, config, actor, click.value, source=Source.BUTTON,
                                           **times)
    else:
        out = closure.signoff(deps.uow_factory, config, actor, click.value, source=Source.BUTTON,
                              identity=f"{PLATFORM}:{click.user}", **times)
    failed = tell(deps, out)
    when = times["now"].astimezone(deps.core.tz).strftime("%d %b %Y %H:%M")
    text, blocks = bw.decided_message(out, actor.name, when)
    if click.message_ts and not click.in_home:
        respond(text=text, blocks=blocks, replace_original=True)  # the buttons are gone: one decision
    if failed:
        text, blocks = bw.outcome_reply(out, failed)
        respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


def open_reject_modal(deps: Deps, body: dict[str, Any]) -> None:
    click = parse_button(body)
    kind = "closure" if click.action_id == bw.REJECT_CLOSURE else "due_change"
    if not click.trigger_id:
        raise InvalidInput("form.unavailable", instead="reject" if kind == "closure" else "reject_due",
                           action_id=click.value)
    meta = {"action_id": click.value, "kind": kind}
    if click.channel and click.message_ts and not click.in_home:
        meta.update(channel=click.channel, message_ts=click.message_ts)
    deps.gateway.open_view(click.trigger_id, bw.reject_modal(click.value, kind, meta))


def submit_reject(deps: Deps, ack: Ack, body: dict[str, Any], view: dict[str, Any],
                  context: BoltContext | None = None) -> None:
    meta = _meta(view)
    if meta is None:
        ack(response_action="errors", errors={bw.REASON_BLOCK: copy.FORM_LOST})
        return
    user = str((body.get("user") or {}).get("id") or "")
    reason, config = _input(view, bw.REASON_BLOCK), deps.config
    try:
        actor = deps.actor(user)
        if meta.get("kind") == "due_change":
            out = due_dates.reject_due_change(deps.uow_factory, config, actor, meta["action_id"], reason,
                                              source=Source.MODAL, **_times(deps))
        else:
            out = closure.reject(deps.uow_factory, config, actor, meta["action_id"], reason, source=Source.MODAL,
                                 **_times(deps))
    except NcpiError as exc:
        ack(response_action="errors", errors=_modal_error(exc, bw.REASON_BLOCK))
        return
    ack()
    with deps.reporting_errors(body, context):
        failed = tell(deps, out)
        text, blocks = bw.outcome_reply(out, failed)
        if meta.get("channel") and meta.get("message_ts"):
            deps.gateway.post(meta["channel"], text, blocks, thread_ts=meta["message_ts"])
        else:
            deps.gateway.post_dm(user, text, blocks)
