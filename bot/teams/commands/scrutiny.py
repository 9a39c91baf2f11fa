"""Scrutiny from outside the force in Teams: `assurance R4 partly <comment>` (the PCC's office) and
`inspectorate R4 closed 2022-12-01 [note]` (a plan administrator), registered on import."""

from __future__ import annotations

from bot.copy.commands import require_words
from bot.teams.commands.registry import CommandContext, Reply, command
from bot.teams.commands.workflow import after_words, answer, times
from ncpi_core.usecases import scrutiny


@command("assurance", usage="assurance R4 assured|partly|not <comment>",
         help="PCC's office: rate a recommendation (assured, partly assured, not assured) with a comment", order=53)
def assurance_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 2, "assurance")
    deps = ctx.deps
    now = times(ctx)
    return answer(ctx, scrutiny.rate(deps.uow_factory, deps.config, ctx.person, ctx.args[0], after_words(ctx, 1),
                                     now=now["now"], source=now["source"]))


@command("inspectorate", usage="inspectorate R4 <status> [YYYY-MM-DD] [note]",
         help="admin: the inspectorate's own status of a recommendation (awaiting review, being progressed, "
              "closed, re-opened, superseded)", order=54)
def inspectorate_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 2, "inspectorate")
    deps = ctx.deps
    return answer(ctx, scrutiny.record_inspectorate(deps.uow_factory, deps.config, ctx.person, ctx.args[0],
                                                    after_words(ctx, 1), **times(ctx)))
