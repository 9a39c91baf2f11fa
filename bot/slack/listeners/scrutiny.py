"""Scrutiny from outside the force in Slack: `/ncpi assurance R4 partly <comment>` (the PCC's office)
and `/ncpi inspectorate R4 closed 2022-12-01 [note]` (a plan administrator)."""

from __future__ import annotations

from slack_bolt import App

from bot.copy.commands import require_words
from bot.slack.deps import Deps
from bot.slack.listeners.governance import _after, _answer
from bot.slack.subcommands import CommandContext, Reply, subcommand
from ncpi_core.domain.models import Source
from ncpi_core.usecases import scrutiny


@subcommand("assurance", usage="assurance R4 assured|partly|not <comment>",
            help="PCC's office: rate a recommendation (assured, partly assured, not assured) with a comment",
            order=53)
def assurance_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 2, "assurance")
    deps = ctx.deps
    return _answer(deps, scrutiny.rate(deps.uow_factory, deps.config, ctx.person, ctx.args[0], _after(ctx, 1),
                                       now=deps.now(), source=Source.SLASH))


@subcommand("inspectorate", usage="inspectorate R4 <status> [YYYY-MM-DD] [note]",
            help="admin: the inspectorate's own status of a recommendation (awaiting review, being progressed, "
                 "closed, re-opened, superseded)", order=54)
def inspectorate_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 2, "inspectorate")
    deps = ctx.deps
    return _answer(deps, scrutiny.record_inspectorate(deps.uow_factory, deps.config, ctx.person, ctx.args[0],
                                                      _after(ctx, 1), now=deps.now(), today=deps.today(),
                                                      source=Source.SLASH))


def register(app: App, deps: Deps) -> None:
    """Nothing beyond the sub-commands (registered on import)."""
