"""Workflow buttons and modals in Slack: the prompt's "Propose complete" button and its evidence
form, and the chairs' review buttons (approve, reject with a reason, sign off) in their DMs.

A form's submission is decided before it is acknowledged, so that a refusal is shown inside the
form on its field; after the step, its notices are sent at once and the outcome is said where the
form was opened (the prompt's thread, or a DM).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot import copy
from bot.slack.blocks import workflow as bw
from bot.slack.blocks.common import PROPOSE_COMPLETE
from bot.slack.deps import PLATFORM, Deps
from bot.slack.notices import send_notices
from bot.slack.payloads import parse_button
from ncpi_core.domain.models import Source
from ncpi_core.errors import InvalidInput, NcpiError
from ncpi_core.usecases import closure, due_dates

log = logging.getLogger(__name__)


def _times(deps: Deps) -> dict[str, Any]:
    return {"now": deps.now(), "today": deps.today()}


def register(app: App, deps: Deps) -> None:
    """The propose-complete button and modal, the review buttons, and the reject modal."""

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
    view = bw.complete_modal(action.id, action.title, meta)
    view["private_metadata"] = deps.seal.seal(meta, click.user)
    deps.gateway.open_view(click.trigger_id, view)


def _meta(deps: Deps, view: dict[str, Any], body: dict[str, Any]) -> dict[str, Any] | None:
    """The form's metadata, only as the bot sealed it for the person submitting (None: lost)."""
    user = str((body.get("user") or {}).get("id") or "")
    data = deps.seal.open(view.get("private_metadata"), user)
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
    meta = _meta(deps, view, body)
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
        failed = send_notices(deps, out)
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
    failed = send_notices(deps, out)
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
    view = bw.reject_modal(click.value, kind, meta)
    view["private_metadata"] = deps.seal.seal(meta, click.user)
    deps.gateway.open_view(click.trigger_id, view)


def submit_reject(deps: Deps, ack: Ack, body: dict[str, Any], view: dict[str, Any],
                  context: BoltContext | None = None) -> None:
    meta = _meta(deps, view, body)
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
        failed = send_notices(deps, out)
        text, blocks = bw.outcome_reply(out, failed)
        if meta.get("channel") and meta.get("message_ts"):
            deps.gateway.post(meta["channel"], text, blocks, thread_ts=meta["message_ts"])
        else:
            deps.gateway.post_dm(user, text, blocks)
