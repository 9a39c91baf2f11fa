"""`/ncpi`: run the sub-command from `bot.slack.subcommands.REGISTRY` and answer, in the ack when in time.

This module registers `my`, `update` and `help`; other modules register theirs.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.slack.blocks import common as blocks
from bot.slack.deps import PLATFORM, Deps
from bot.slack.payloads import ModalMetadata, parse_command_text
from bot.slack.subcommands import REGISTRY, CommandContext, Reply, help_lines, subcommand
from bot.slack.text import escape
from ncpi_core.domain.models import Person
from ncpi_core.errors import InvalidInput
from ncpi_core.usecases.plan import actions_of
from ncpi_core.usecases.updates import check_can_update

log = logging.getLogger(__name__)

COMMAND = re.compile(r"^/ncpi")  # also /ncpi-test etc. when a second app is installed for trials


# Slack waits 3 s for a command's HTTP answer. An answer ready within ACK_BUDGET goes in the body
# (one message, no response-URL post); otherwise the command is acknowledged empty at the budget and
# answered later. Kept well under 3 s: a sub-command that waits on Slack itself (a rate-limited
# views.open, say) must not hold the acknowledgement, and the network takes its share.
ACK_BUDGET = 0.5


class AckOnce:
    """A command's one acknowledgement: with its answer when that is ready in time, else empty."""

    def __init__(self, ack: Ack) -> None:
        self._ack = ack
        self._lock = threading.Lock()
        self.given = False

    def empty(self) -> None:
        with self._lock:
            if not self.given:
                self.given = True
                self._ack()

    def answer(self, text: str, blocks: list[dict[str, Any]] | None) -> bool:
        """Acknowledge with the answer itself (Bolt's `ack(text=…, blocks=…)`); False when too late."""
        with self._lock:
            if self.given:
                return False
            self.given = True
            self._ack(text=text, blocks=blocks, response_type="ephemeral")
            return True


def register(app: App, deps: Deps) -> None:
    @app.command(COMMAND)
    def on_ncpi(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        once = AckOnce(ack)
        timer = threading.Timer(ACK_BUDGET, once.empty)  # within Slack's 3 seconds, always
        timer.daemon = True
        timer.start()
        try:
            with deps.reporting_errors(body, context):
                try:
                    run_command(deps, body, respond, once)
                except Exception:
                    once.empty()  # acknowledged before the error is answered
                    raise
        finally:
            timer.cancel()
            once.empty()


def run_command(deps: Deps, body: dict[str, Any], respond: Respond, once: AckOnce | None = None) -> None:
    """Dispatch one `/ncpi` command and send its reply (errors go to the app's error handler)."""
    name, args, rest = parse_command_text(body.get("text"))
    slack_user = str(body.get("user_id") or "")
    person = deps.actor(slack_user)  # a stranger reads nothing, not even the help
    sub = REGISTRY.get(name)
    if sub is None:
        sub = REGISTRY["help"]
        if name:
            rest = name
    ctx = CommandContext(deps=deps, slack_user=slack_user, person=person,
                         channel_id=str(body.get("channel_id") or ""), args=args, rest=rest,
                         now=deps.now(), trigger_id=body.get("trigger_id"), team_id=body.get("team_id"))
    reply = sub.handler(ctx)
    if reply is not None:
        send_reply(deps, ctx, reply, respond, once)


def send_reply(deps: Deps, ctx: CommandContext, reply: Reply, respond: Respond, once: AckOnce | None = None) -> None:
    """Ephemeral answers go in the acknowledgement's body when they are one message and ready in
    time, else by response URL; public ones are posted to the channel."""
    messages = [reply, *reply.more]
    if once is not None and not reply.public and not reply.more and once.answer(reply.text, reply.blocks):
        messages = []  # (a file, if any, follows in the DM)
    elif once is not None:
        once.empty()
    for message in messages:
        if reply.public:
            deps.gateway.post(ctx.channel_id, message.text, message.blocks)
        else:
            respond(text=message.text, blocks=message.blocks, response_type="ephemeral",
                    replace_original=False)
    if reply.file is not None:
        filename, content, title = reply.file
        channel = ctx.channel_id if reply.public else deps.gateway.dm_channel(ctx.slack_user)
        deps.gateway.upload_file(channel, filename, content, title)


# --- help ---------------------------------------------------------------------------------------
@subcommand("help", usage="help", help="everything `/ncpi` can do", order=900)
def help_command(ctx: CommandContext) -> Reply:
    text, body = blocks.help_message(help_lines())
    if ctx.rest and ctx.rest.split()[0].lower() != "help":
        word = escape(ctx.rest.split()[0])
        body.insert(0, blocks.mrkdwn(f"I don't know `{word}`. Here is what works:"))
        text = f"I don't know {word}. {text}"
    return Reply(text=text, blocks=body)


# --- my -------------------------------------------------------------------------------------------
@subcommand("my", usage="my", help="your actions with their latest update", order=20)
def my_command(ctx: CommandContext) -> Reply:
    actions, latest = actions_of(ctx.deps.uow_factory, ctx.person.id)
    text, body = blocks.my_actions_message(actions, latest, ctx.deps.today(), ctx.person.name)
    return Reply(text=text, blocks=body)


# --- update ---------------------------------------------------------------------------------------
@subcommand("update", usage="update R3.2", help="open the update form for one of your actions", order=30)
def update_command(ctx: CommandContext) -> Reply | None:
    deps = ctx.deps
    if not ctx.args:
        actions, _ = actions_of(deps.uow_factory, ctx.person.id)
        open_ids = [a.id for a in actions if not a.is_closed]
        if len(open_ids) != 1:
            raise InvalidInput("update.which_action", open_ids=open_ids)
        ctx.args = open_ids[:1]
    open_update_modal(deps, ctx.person, ctx.args[0], ctx.trigger_id, channel=None, thread_ts=None)
    return None


def open_update_modal(deps: Deps, actor: Person, action_id: str, trigger_id: str | None,
                      channel: str | None, thread_ts: str | None) -> None:
    """Check the person may update the action, then open the form (trigger ids last 3 seconds)."""
    if not trigger_id:
        raise InvalidInput("form.unavailable", instead="update", action_id=action_id)
    action, latest = check_can_update(deps.uow_factory, deps.config, actor, action_id, today=deps.today())
    meta = ModalMetadata(action_id=action.id, channel=channel, thread_ts=thread_ts)
    view = blocks.update_modal(action, latest, meta)
    view["private_metadata"] = deps.seal.seal(meta.data(), actor.identities.get(PLATFORM, ""))
    deps.gateway.open_view(trigger_id, view)
