"""`/ncpi summary`: the plan's position now, to the person (or, with `post`, to the channel)."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from slack_bolt import App

from bot import copy
from bot.copy import decision_hint
from bot.slack.blocks import common as blocks
from bot.slack.blocks.summary import summary_messages
from bot.slack.deps import PLATFORM, Deps
from bot.slack.subcommands import CommandContext, Reply, subcommand
from ncpi_core.domain import permissions
from ncpi_core.domain.summaries.model import Summary
from ncpi_core.errors import PermissionDenied
from ncpi_core.reports.render import render_summary
from ncpi_core.usecases.summaries import read_summary_words, summary_reads

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    """The sub-command below is registered on import; no Bolt listeners of its own."""


# --- summary --------------------------------------------------------------------------------------
SUMMARY_USAGE = "summary [silver|gold] [R3] [overdue|missing|red] [report=VSA] [type=area_for_improvement] [post]"


@subcommand("summary", usage=SUMMARY_USAGE,
            help="the plan's position now (Silver and Gold members); `post` shares it here", order=10)
def summary_command(ctx: CommandContext) -> Reply:
    permissions.require_read_summary(ctx.person)
    deps = ctx.deps
    # one unit of work: the data version once, then what is kept for it (the answer itself, finished)
    with summary_reads(deps.uow_factory, deps.config, ctx.now, deps.summary_cache) as reads:
        ask = read_summary_words(ctx.args, reads.recommendation_ids(), SUMMARY_USAGE)
        level, recommendation, only, post = ask.level, ask.recommendation, ask.only, ask.post
        if post:
            try:  # only where ncpi.yaml says this level may be shown, never wherever it is typed
                permissions.require_post_summary(deps.config, level, PLATFORM, ctx.channel_id)
            except PermissionDenied as refusal:
                log.info("refused to post a %s summary in %s", level, ctx.channel_id)
                # the words name channels as links (ncpi.yaml's ids, no user text): not escaped
                return Reply(text=copy.error_text(refusal, copy.SLACK))
        tz = deps.core.tz
        return reads.finished("slack:post" if post else "slack", level, recommendation, only,
                              lambda summary: summary_reply(summary, post, ctx.now.astimezone(tz)),
                              size=reply_size, **ask.narrow)


# A response URL takes at most five posts, and a channel flooded with parts helps nobody: a longer
# summary is answered with its first part (the totals and exceptions) and the whole as a file.
MAX_SUMMARY_MESSAGES = 4


def summary_reply(summary: Summary, post: bool, local_now: datetime) -> Reply:
    """The summary as the command's answer: its messages, or the first and the whole as a file."""
    messages = summary_messages(summary)  # each within Slack's limits; long summaries are split
    if len(messages) > MAX_SUMMARY_MESSAGES:
        return _summary_as_file(summary, messages, post, local_now)
    replies = [Reply(text=text, blocks=body, public=post) for text, body in messages]
    first = replies[0]
    first.more = replies[1:]
    return first


def reply_size(reply: Reply) -> int:
    """The bytes a kept answer holds, near enough: its JSON and its file."""
    messages = [reply, *reply.more]
    return (sum(len(m.text) + len(json.dumps(m.blocks or [])) for m in messages)
            + (len(reply.file[1]) if reply.file else 0) + 1024)


def _summary_as_file(summary: Summary, messages: list[tuple[str, list[dict[str, Any]]]], post: bool,
                     local_now: datetime) -> Reply:
    text, body = messages[0]
    where = "below" if post else "in your DM with ncpi"
    note = (f"This summary runs to {len(messages)} messages, more than Slack should show at once: "
            f"the first part is here and the whole summary is attached {where} as a Markdown file.")
    body = [*body[:49], blocks.mrkdwn(note)]
    stamp = local_now.strftime("%Y-%m-%d-%H%M")
    level = summary.level.value
    content = render_summary(summary, "markdown", hint=decision_hint).encode("utf-8")
    return Reply(text=f"{text} {note}", blocks=body, public=post,
                 file=(f"ncpi-{level}-summary-{stamp}.md", content, f"{level.capitalize()} summary {stamp}"))
