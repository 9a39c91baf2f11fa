"""`/ncpi next`, `/ncpi missing` and `/ncpi chase`: the calendar and who owes an update.

Handlers run after the `/ncpi` listener has acknowledged Slack. `chase` only queues deliveries in
the ledger (one per person and minute, so a double click sends once); the tick thread sends them.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_bolt import App

from bot.cli.schedule import next_lines
from bot.slack.deps import PLATFORM, Deps
from bot.slack.subcommands import CommandContext, Reply, subcommand
from bot.slack.text import chunk_lines, escape
from ncpi_core.usecases.missing import MissingReport, Owing, missing_updates, request_chase

log = logging.getLogger(__name__)


def _blocks(text: str) -> list[dict[str, Any]]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": piece}}
            for piece in chunk_lines(text.splitlines())][:50]


def _when(ctx: CommandContext, dt: datetime) -> str:
    local = dt.astimezone(ctx.deps.core.tz)
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M}"


def _mention(ctx: CommandContext, o: Owing) -> str:
    """`<@U…>` for someone with a Slack id in ncpi.yaml, else their name."""
    person = ctx.deps.config.person(o.person)
    user = person.identity(PLATFORM) if person else None
    return f"<@{user}>" if user else escape(o.name)


@subcommand("next", usage="next", help="the next meetings and the deadlines before them", order=40)
def next_command(ctx: CommandContext) -> Reply:
    lines = next_lines(ctx.deps.core, ctx.now)
    text = "*Next meetings*\n" + "\n".join(escape(line) for line in lines)
    return Reply(text=text, blocks=_blocks(text))


def missing_text(ctx: CommandContext, report: MissingReport) -> str:
    if report.cycle is None:
        return "No update cycle is open just now: prompts go out before each Silver meeting (see `/ncpi next`)."
    c = report.cycle
    head = (f"*Updates owed for Silver on {_when(ctx, c.closes_at)}* "
            f"(asked {_when(ctx, c.opens_at)})")
    if not report.owing:
        return head + "\nEveryone has updated this cycle. :tada:"
    lines = [head]
    for o in report.owing:
        away = " _(away)_" if o.away else ""
        lines.append(f"• {_mention(ctx, o)}{away} — {', '.join(escape(a.id) for a in o.actions)}")
    n = sum(len(o.actions) for o in report.owing)
    people = len(report.owing)
    lines.append(f"{n} action{'s' if n != 1 else ''}, {people} {'person' if people == 1 else 'people'}. "
                 "`/ncpi chase` nudges them now.")
    return "\n".join(lines)


@subcommand("missing", usage="missing", help="who owes an update this cycle (Silver and Gold)", order=41)
def missing_command(ctx: CommandContext) -> Reply:
    deps = ctx.deps
    text = missing_text(ctx, missing_updates(deps.uow_factory, deps.config, ctx.person, ctx.now))
    return Reply(text=text, blocks=_blocks(text))


@subcommand("chase", usage="chase", help="nudge everyone who owes an update, now (Silver chair, admin)",
            order=42)
def chase_command(ctx: CommandContext) -> Reply:
    deps = ctx.deps
    result = request_chase(deps.uow_factory, deps.config, ctx.person, ctx.now, PLATFORM)
    report = result.report
    if report.cycle is None or not report.owing:
        text = missing_text(ctx, report)
        return Reply(text=text, blocks=_blocks(text))
    away = [o for o in report.owing if o.away]
    names = ", ".join(_mention(ctx, o) for o in result.chased) or "nobody"
    text = f"Chasing {len(result.chased)} people now: {names}."
    if result.queued == 0 and result.chased:
        text = f"Already chasing them this minute: {names}."
    if away:
        text += f"\nNot chased (away): {', '.join(escape(o.name) for o in away)}."
    if deps.scheduler is not None:
        deps.scheduler.wake()
    return Reply(text=text, blocks=_blocks(text))


def register(app: App, deps: Deps) -> None:
    """The sub-commands above are registered on import; no Bolt listeners of our own."""
    log.debug("schedule sub-commands registered: next, missing, chase")
