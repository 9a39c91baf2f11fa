"""The update modal's submission: validate inside the modal, record, then confirm where it was opened."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot import copy
from bot.slack.blocks import common as blocks
from bot.slack.deps import PLATFORM, Deps
from bot.slack.notices import send_queued
from bot.slack.payloads import RAG_BLOCK, parse_modal_metadata, parse_update_view
from ncpi_core.domain.models import Source
from ncpi_core.usecases.updates import UpdateCommand, record_update

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    @app.view(blocks.UPDATE_MODAL)
    def on_update_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                            context: BoltContext) -> None:
        submit_update(deps, ack, body, view, context)


def submit_update(deps: Deps, ack: Ack, body: dict[str, Any], view: dict[str, Any],
                  context: BoltContext | None = None) -> None:
    """Record the modal's update before acknowledging, so that any refusal shows in the modal.

    Domain errors raised here (personal data, permission, closed action) reach the app's error
    handler before the ack, which answers `response_action: errors` on the right field.
    """
    user = str((body.get("user") or {}).get("id") or "")
    meta = parse_modal_metadata(deps.seal.open(view.get("private_metadata"), user))
    if meta is None:  # not sealed by the bot for this person (lost, edited, or someone else's)
        ack(response_action="errors", errors={RAG_BLOCK: copy.FORM_LOST})
        return
    form = parse_update_view(view)
    if isinstance(form, dict):
        ack(response_action="errors", errors=form)
        return
    actor = deps.actor(user)
    cmd = UpdateCommand(action_id=meta.action_id, rag=form.rag, progress=form.progress,
                        narrative=form.narrative, blockers=form.blockers, evidence=form.evidence,
                        source=Source.MODAL, idempotency_key=f"slack-view:{view.get('id')}",
                        author_identity=f"{PLATFORM}:{user}")
    recorded = record_update(deps.uow_factory, deps.config, actor, cmd, now=deps.now(), today=deps.today())
    ack()  # closes the modal
    with deps.reporting_errors(body, context):
        send_queued(deps, recorded.delivery_keys, "an answer to a challenge")
        if not deps.first_time(f"confirm:slack-view:{view.get('id')}"):
            return
        text, body_blocks = blocks.recorded_message(recorded.action, recorded.update)
        if meta.channel:
            deps.gateway.post(meta.channel, text, body_blocks, thread_ts=meta.thread_ts)
        else:
            deps.gateway.post_dm(user, text, body_blocks)
