"""Plain-text updates: a DM such as `R3.2 amber 60% …`, or a reply in the thread of a prompt.

Slack re-delivers events it thinks were lost (`X-Slack-Retry-Num`). A message is identified by
its channel and ts, so a re-delivery stores nothing (the update's idempotency key) and confirms
nothing twice (`uow.events.first_time` on the confirmation).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot import copy
from bot.slack.blocks import common as blocks
from bot.slack.deps import PLATFORM, Deps
from bot.slack.notices import send_queued
from bot.slack.payloads import IncomingMessage, parse_message_event
from bot.slack.subcommands import help_lines
from ncpi_core.domain.ledger import MessageRef
from ncpi_core.domain.models import Source
from ncpi_core.domain.replies import ParsedReply, parse_reply
from ncpi_core.usecases.updates import UpdateCommand, known_action_ids, record_update, thread_action

log = logging.getLogger(__name__)

HELP_WORDS = {"help", "?", "hi", "hello", "hey"}


def register(app: App, deps: Deps) -> None:
    @app.event("message")
    def on_message(event: dict[str, Any]) -> None:
        message = parse_message_event(event)
        if message is None:
            return  # bot messages, edits, deletions, joins…
        handle_message(deps, message)


def handle_message(deps: Deps, message: IncomingMessage) -> None:
    thread = (thread_action(deps.uow_factory, PLATFORM, MessageRef(message.channel, message.thread_ts))
              if message.in_thread and message.thread_ts else None)
    if message.channel_type != "im" and thread is None:
        return  # in a channel, only replies to a prompt's thread are ours to read
    actor = deps.actor(message.user)  # a stranger is told so, and reads nothing of the plan
    reply_ts = message.thread_ts or message.ts  # answer in the thread, never in the open DM
    if message.text.strip().lower() in HELP_WORDS and thread is None:
        if deps.first_time(f"answer:{message.key}"):
            text, body = blocks.help_message(help_lines())
            deps.gateway.post(message.channel, text, body, thread_ts=reply_ts)
        return
    parsed = parse_reply(message.text, known_action_ids(deps.uow_factory, actor.id), thread)
    if not isinstance(parsed, ParsedReply):
        if deps.first_time(f"answer:{message.key}"):
            said = copy.reply_problem_message(parsed, copy.SLACK)
            deps.gateway.post(message.channel, copy.reply_problem_text(parsed, copy.SLACK), [blocks.mrkdwn(
                f"{said}\nFor example: `{parsed.example}`")], thread_ts=reply_ts)
        return
    source = Source.THREAD if thread is not None else Source.DM
    cmd = UpdateCommand(action_id=parsed.action_id, rag=parsed.rag, progress=parsed.progress,
                        narrative=parsed.narrative, source=source, idempotency_key=message.key,
                        author_identity=f"{PLATFORM}:{message.user}")
    recorded = record_update(deps.uow_factory, deps.config, actor, cmd, now=deps.now(), today=deps.today())
    if recorded.duplicate:
        log.info("re-delivered message %s: nothing stored again", message.key)
    send_queued(deps, recorded.delivery_keys, "an answer to a challenge")
    # confirm once, even if the first delivery stored the update and then failed to confirm
    if deps.first_time(f"confirm:{message.key}"):
        text, body = blocks.recorded_message(recorded.action, recorded.update)
        deps.gateway.post(message.channel, text, body, thread_ts=reply_ts)
