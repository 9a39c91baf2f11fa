"""Prompt buttons: "On track" records a green update keeping the last progress; "Update…" opens the modal.

(`ncpi_propose_complete` belongs to the workflows module.)
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot import copy
from bot.slack.blocks import common as blocks
from bot.slack.deps import PLATFORM, Deps
from bot.slack.listeners.commands import open_update_modal
from bot.slack.payloads import parse_button
from ncpi_core.domain.models import RAG, Source
from ncpi_core.usecases.updates import UpdateCommand, record_update

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    @app.action(blocks.UPDATE_OPEN)
    def on_update_open(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        with deps.reporting_errors(body, context):
            click = parse_button(body)
            # from a prompt, confirm in its thread; from App Home, a modal or an ephemeral list, by DM
            channel, thread_ts = click.thread or (None, None)
            open_update_modal(deps, deps.actor(click.user), click.value, click.trigger_id, channel=channel,
                              thread_ts=thread_ts)

    @app.action(blocks.ON_TRACK)
    def on_track(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        ack()
        with deps.reporting_errors(body, context):
            record_on_track(deps, body, respond)


def record_on_track(deps: Deps, body: dict[str, Any], respond: Respond) -> None:
    click = parse_button(body)
    actor = deps.actor(click.user)
    # one "on track" per prompt message and person: a double click stores one update
    key = f"slack-button:{click.channel}:{click.message_ts}:{click.user}:{click.value}"
    cmd = UpdateCommand(action_id=click.value, rag=RAG.GREEN, keep_progress=True, source=Source.BUTTON,
                        idempotency_key=key, author_identity=f"{PLATFORM}:{click.user}")
    recorded = record_update(deps.uow_factory, deps.config, actor, cmd, now=deps.now(), today=deps.today())
    if not deps.first_time(f"confirm:{key}"):
        respond(text=copy.already_on_track(recorded.action.id), response_type="ephemeral",
                replace_original=False)
        return
    text, body_blocks = blocks.recorded_message(recorded.action, recorded.update, by_button=True)
    if click.thread is not None:
        channel, thread_ts = click.thread
        deps.gateway.post(channel, text, body_blocks, thread_ts=thread_ts)
    else:
        deps.gateway.post_dm(click.user, text, body_blocks)
