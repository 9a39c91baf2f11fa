"""Plain-text updates: a DM such as `R3.2 amber 60% …`, or a reply in the thread of a prompt.

Slack re-delivers events it thinks were lost (`X-Slack-Retry-Num`). A message is identified by
its channel and ts, so a re-delivery stores nothing (the update's idempotency key) and confirms
nothing twice (`Repository.first_time` on the confirmation).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from sqlalchemy import select

from bot.slack.blocks import common as blocks
from bot.slack.deps import Deps
from bot.slack.payloads import IncomingMessage, parse_message_event
from bot.slack.subcommands import help_lines
from ncpi_core.domain.models import Source
from ncpi_core.domain.replies import ParsedReply, parse_reply
from ncpi_core.storage.tables import DeliveryRow
from ncpi_core.usecases.services import UpdateCommand, record_update

log = logging.getLogger(__name__)

HELP_WORDS = {"help", "?", "hi", "hello", "hey"}


def register(app: App, deps: Deps) -> None:
    @app.event("message")
    def on_message(event: dict[str, Any]) -> None:
        message = parse_message_event(event)
        if message is None:
            return  # bot messages, edits, deletions, joins…
        handle_message(deps, message)


def prompt_action(deps: Deps, channel: str, thread_ts: str) -> str | None:
    """The action of the prompt (or nudge) posted at (channel, ts), from the delivery ledger."""
    with deps.uow() as uow:
        assert uow.session is not None
        return uow.session.scalars(
            select(DeliveryRow.action_id).where(DeliveryRow.slack_channel == channel,
                                                DeliveryRow.slack_ts == thread_ts,
                                                DeliveryRow.action_id.is_not(None)).limit(1)
        ).first()


def known_ids(deps: Deps, slack_user: str) -> list[str]:
    """The plan's action ids, the person's own first (so that examples show one of theirs)."""
    with deps.uow() as uow:
        ids = uow.repo.action_ids()
        person = uow.repo.person_by_slack(slack_user)
        own = {a.id for a in uow.repo.actions(owner=person.id) if not a.is_closed} if person else set()
    return sorted(ids, key=lambda i: i not in own)


def handle_message(deps: Deps, message: IncomingMessage) -> None:
    thread_action = (prompt_action(deps, message.channel, message.thread_ts)
                     if message.in_thread and message.thread_ts else None)
    if message.channel_type != "im" and thread_action is None:
        return  # in a channel, only replies to a prompt's thread are ours to read
    reply_ts = message.thread_ts or message.ts  # answer in the thread, never in the open DM
    if message.text.strip().lower() in HELP_WORDS and thread_action is None:
        if deps.first_time(f"answer:{message.key}"):
            text, body = blocks.help_message(help_lines())
            deps.gateway.post(message.channel, text, body, thread_ts=reply_ts)
        return
    parsed = parse_reply(message.text, known_ids(deps, message.user), thread_action)
    if not isinstance(parsed, ParsedReply):
        if deps.first_time(f"answer:{message.key}"):
            deps.gateway.post(message.channel, parsed.text, [blocks.mrkdwn(
                f"{parsed.message}\nFor example: `{parsed.example}`")], thread_ts=reply_ts)
        return
    source = Source.THREAD if thread_action is not None else Source.DM
    cmd = UpdateCommand(action_id=parsed.action_id, rag=parsed.rag, progress=parsed.progress,
                        narrative=parsed.narrative, slack_user=message.user, source=source,
                        idempotency_key=message.key)
    recorded = record_update(cmd, deps.uow, deps.now(), deps.today())
    if recorded.duplicate:
        log.info("re-delivered message %s: nothing stored again", message.key)
    # confirm once, even if the first delivery stored the update and then failed to confirm
    if deps.first_time(f"confirm:{message.key}"):
        text, body = blocks.recorded_message(recorded.action, recorded.update)
        deps.gateway.post(message.channel, text, body, thread_ts=reply_ts)
