"""Silver and Gold's governance words in Teams: `challenge R3.2 <question>`, `embed R3.2 [date]
<impact evidence>` and `decision R7 <decision> because <rationale>` (registered on import)."""

from __future__ import annotations

import re

from bot.copy.commands import require_words
from bot.teams.commands.registry import CommandContext, Reply, command
from bot.teams.commands.workflow import after_words, answer, times
from ncpi_core.domain.decisions import split_rationale
from ncpi_core.usecases import challenges, decisions, embedding

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")



@command("challenge", usage="challenge R3.2 <question>",
         help="Silver chair: ask an action's owner about its latest update (shown until answered)", order=50)
def challenge_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 1, "challenge")
    deps = ctx.deps
    return answer(ctx, challenges.ask(deps.uow_factory, deps.config, ctx.person, ctx.args[0], after_words(ctx, 1),
                                      **times(ctx)))


@command("embed", usage="embed R3.2 [YYYY-MM-DD] <impact evidence>",
         help="Silver chair, admin: a delivered action's impact, re-tested after its demonstration period", order=51)
def embed_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 1, "embed")
    deps = ctx.deps
    dated = len(ctx.args) > 1 and bool(DATE.match(ctx.args[1]))
    return answer(ctx, embedding.embed(deps.uow_factory, deps.config, ctx.person, ctx.args[0],
                                       after_words(ctx, 2 if dated else 1), ctx.args[1] if dated else None,
                                       **times(ctx)))


@command("decision", usage="decision R7 <decision> because <rationale>",
         help="Gold chair, admin: record a Gold decision and its rationale in the decision log", order=52)
def decision_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 1, "decision")
    deps = ctx.deps
    decision, rationale = split_rationale(after_words(ctx, 1))
    return answer(ctx, decisions.record_decision(deps.uow_factory, deps.config, ctx.person, ctx.args[0], decision,
                                                 rationale, **times(ctx)))
