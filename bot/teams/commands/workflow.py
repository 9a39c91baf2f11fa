"""The governance workflows as words to the bot in Teams: `complete`, `approve`, `reject`, `signoff`,
`supersede`, `due`, `away` and `back` (the buttons of the prompts and notices are in `bot.teams.presses`).

Each calls one use case with the person resolved from ncpi.yaml, sends the notices the step queued
in the ledger at once (the tick sends any that could not go), and answers in the catalogue's words.
"""

from __future__ import annotations

from typing import Any

from bot.copy.commands import require_words
from bot.teams.cards.replies import outcome_card
from bot.teams.commands.registry import CommandContext, Reply, command
from bot.teams.ids import PLATFORM
from bot.teams.notices import send_notices
from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.models import Source
from ncpi_core.domain.notices import Outcome
from ncpi_core.usecases import absences, closure, due_dates


def after_words(ctx: CommandContext, n: int) -> str:
    """The text after the first `n` words, as typed."""
    rest = ctx.rest
    for _ in range(n):
        parts = rest.split(None, 1)
        rest = parts[1] if len(parts) > 1 else ""
    return rest.strip()


def deputy_id(config: ForceConfig, ref: str) -> str:
    """The person a deputy reference names (`@head_crime`, an @mention of their name, their Entra
    object id), as a person id; what was typed when it names nobody (the use case then says so)."""
    said = ref.strip().lstrip("@").strip()
    person = config.person(said) or config.person_by_identity(PLATFORM, said)
    if person is None:
        person = next((p.to_person() for p in config.people if p.name.lower() == said.lower()), None)
    return person.id if person else said


def answer(ctx: CommandContext, outcome: Outcome) -> Reply:
    failed = send_notices(ctx.deps, outcome)
    card = outcome_card(outcome, failed)
    return Reply([card], str(card.get("fallbackText", "")))


def times(ctx: CommandContext) -> dict[str, Any]:
    return {"now": ctx.deps.now(), "today": ctx.deps.today(), "source": Source.COMMAND}


@command("complete", usage="complete R3.2 <evidence link or text>",
         help="propose one of your actions complete, with its evidence", order=40)
def complete_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 2, "complete R3.2 <evidence link or text>")
    deps = ctx.deps
    return answer(ctx, closure.propose_complete(deps.uow_factory, deps.config, ctx.person, ctx.args[0],
                                                after_words(ctx, 1), **times(ctx)))


@command("approve", usage="approve R3.2 [due]",
         help="Silver chair: accept a closure proposal (or, with `due`, a due-date change)", order=41)
def approve_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 1, "approve R3.2 [due]")
    deps, aid = ctx.deps, ctx.args[0]
    if [w.lower() for w in ctx.args[1:2]] == ["due"] or closure.pending_review(deps.uow_factory, aid) == "due_change":
        return answer(ctx, due_dates.approve_due_change(deps.uow_factory, deps.config, ctx.person, aid, **times(ctx)))
    return answer(ctx, closure.approve(deps.uow_factory, deps.config, ctx.person, aid, **times(ctx)))


@command("reject", usage="reject R3.2 [due] <reason>",
         help="Silver chair: send a closure proposal (or a due-date change) back, with a reason", order=42)
def reject_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 1, "reject R3.2 <reason>")
    deps, aid = ctx.deps, ctx.args[0]
    explicit_due = [w.lower() for w in ctx.args[1:2]] == ["due"]
    if explicit_due or closure.pending_review(deps.uow_factory, aid) == "due_change":
        reason = after_words(ctx, 2 if explicit_due else 1)
        return answer(ctx, due_dates.reject_due_change(deps.uow_factory, deps.config, ctx.person, aid, reason,
                                                       **times(ctx)))
    return answer(ctx, closure.reject(deps.uow_factory, deps.config, ctx.person, aid, after_words(ctx, 1),
                                      **times(ctx)))


@command("signoff", usage="signoff R3.2", help="Gold chair: sign off an accepted action (closes it)", order=43)
def signoff_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 1, "signoff R3.2")
    deps = ctx.deps
    return answer(ctx, closure.signoff(deps.uow_factory, deps.config, ctx.person, ctx.args[0],
                                       identity=f"{PLATFORM}:{ctx.aad}", **times(ctx)))


@command("supersede", usage="supersede R3.2 <reason>",
         help="Silver or Gold chair: close an action without delivery, with a reason", order=44)
def supersede_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 1, "supersede R3.2 <reason>")
    deps = ctx.deps
    return answer(ctx, closure.supersede(deps.uow_factory, deps.config, ctx.person, ctx.args[0],
                                         after_words(ctx, 1), **times(ctx)))


@command("due", usage="due R3.2 YYYY-MM-DD <reason>", help="ask the Silver chair to move an action's due date",
         order=45)
def due_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 2, "due R3.2 YYYY-MM-DD <reason>")
    deps = ctx.deps
    return answer(ctx, due_dates.request_due_change(deps.uow_factory, deps.config, ctx.person, ctx.args[0],
                                                    ctx.args[1], after_words(ctx, 2), **times(ctx)))


@command("away", usage="away YYYY-MM-DD YYYY-MM-DD [@deputy]",
         help="no prompts to you in those days; your deputy gets them", order=46)
def away_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 2, "away YYYY-MM-DD YYYY-MM-DD [@deputy]")
    deps = ctx.deps
    deputy = after_words(ctx, 2)
    return answer(ctx, absences.set_away(deps.uow_factory, deps.config, ctx.person, ctx.args[0], ctx.args[1],
                                         deputy_id(deps.config, deputy) if deputy else None, **times(ctx)))


@command("back", usage="back", help="end your absence: prompts come to you again", order=47)
def back_command(ctx: CommandContext) -> Reply:
    deps = ctx.deps
    return answer(ctx, absences.back(deps.uow_factory, deps.config, ctx.person, **times(ctx)))
