"""`/ncpi next`, `/ncpi missing` and `/ncpi chase`: the calendar and who owes an update.

Handlers run after the `/ncpi` listener has acknowledged Slack. `chase` only queues deliveries in
the ledger (one per person and minute, so a double click sends once); the tick thread sends them.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.cli.schedule import next_lines
from bot.slack.subcommands import CommandContext, Reply, subcommand
from bot.slack.text import chunk_lines, escape
from ncpi_core.domain import permissions
from ncpi_core.domain.models import Role
from ncpi_core.usecases.schedule import MissingReport, missing_updates, request_chase

log = logging.getLogger(__name__)


def _blocks(text: str) -> list[dict[str, Any]]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": piece}}
            for piece in chunk_lines(text.splitlines())][:50]


def _when(ctx: CommandContext, dt: Any) -> str:
    local = dt.astimezone(ctx.deps.core.tz)
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M}"


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
        who = f"<@{o.slack_user}>" if o.slack_user else escape(o.name)
        away = " _(away)_" if o.away else ""
        lines.append(f"• {who}{away} — {', '.join(escape(a.id) for a in o.actions)}")
    n = sum(len(o.actions) for o in report.owing)
    people = len(report.owing)
    lines.append(f"{n} action{'s' if n != 1 else ''}, {people} {'person' if people == 1 else 'people'}. "
                 "`/ncpi chase` nudges them now.")
    return "\n".join(lines)


@subcommand("missing", usage="missing", help="who owes an update this cycle (Silver and Gold)", order=41)
def missing_command(ctx: CommandContext) -> Reply:
    person = permissions.require_person(ctx.person, ctx.slack_user)
    permissions.require_read_summary(person)
    core = ctx.deps.core
    text = missing_text(ctx, missing_updates(core.uow, core.config, ctx.now))
    return Reply(text=text, blocks=_blocks(text))


@subcommand("chase", usage="chase", help="nudge everyone who owes an update, now (Silver chair, admin)",
            order=42)
def chase_command(ctx: CommandContext) -> Reply:
    person = permissions.require_person(ctx.person, ctx.slack_user)
    permissions.require_role(person, (Role.SILVER_CHAIR, Role.ADMIN), "chase updates")
    core = ctx.deps.core
    report, queued = request_chase(core.uow, core.config, ctx.now, person.id)
    if report.cycle is None or not report.owing:
        text = missing_text(ctx, report)
        return Reply(text=text, blocks=_blocks(text))
    chased = [o for o in report.owing if o.slack_user and not o.away]
    away = [o for o in report.owing if o.away]
    names = ", ".join(f"<@{o.slack_user}>" for o in chased) or "nobody"
    text = f"Chasing {len(chased)} people now: {names}."
    if queued == 0 and chased:
        text = f"Already chasing them this minute: {names}."
    if away:
        text += f"\nNot chased (away): {', '.join(escape(o.name) for o in away)}."
    scheduler = getattr(ctx.deps, "scheduler", None)
    if scheduler is not None and hasattr(scheduler, "wake"):
        scheduler.wake()
    return Reply(text=text, blocks=_blocks(text))


def register(app: Any, deps: Any) -> None:
    """The sub-commands above are registered on import; no Bolt listeners of our own."""
    log.debug("schedule sub-commands registered: next, missing, chase")
