"""Reading the plan in Teams: `help`, `my`, `update R3.2`, `summary …`, `history R3.2`, `next`,
`missing` and `chase` (each registered on import; `chase` only queues in the ledger)."""

from __future__ import annotations

from datetime import datetime

from bot.cli.schedule import next_lines
from bot.copy.commands import require_words
from bot.teams.cards.forms import update_form
from bot.teams.cards.replies import help_card, history_cards, lines_card, my_cards
from bot.teams.cards.summary import summary_cards
from bot.teams.commands.registry import CommandContext, Reply, command, help_lines
from bot.teams.ids import PLATFORM
from ncpi_core.domain import permissions
from ncpi_core.errors import InvalidInput
from ncpi_core.usecases.history import history
from ncpi_core.usecases.missing import MissingReport, missing_updates, request_chase
from ncpi_core.usecases.plan import actions_of
from ncpi_core.usecases.summaries import read_summary_words, recommendation_ids, summary_now
from ncpi_core.usecases.updates import check_can_update

SUMMARY_USAGE = "summary [silver|gold] [R3] [overdue|missing|red] [report=VSA] [type=area_for_improvement] [post]"
MAX_SUMMARY_CARDS = 4  # more parts than this helps nobody in a chat: the first part and `ncpi export` instead


@command("help", usage="help", help="everything you can ask me", order=900)
def help_command(ctx: CommandContext) -> Reply:
    return Reply([help_card(help_lines())], "ncpi commands")


@command("my", usage="my", help="your actions with their latest update", order=20)
def my_command(ctx: CommandContext) -> Reply:
    actions, latest = actions_of(ctx.deps.uow_factory, ctx.person.id)
    return Reply(my_cards(actions, latest, ctx.deps.today(), ctx.person.name), f"Your actions ({len(actions)})")


@command("update", usage="update R3.2", help="the update form for one of your actions", order=30)
def update_command(ctx: CommandContext) -> Reply:
    deps = ctx.deps
    if not ctx.args:
        actions, _ = actions_of(deps.uow_factory, ctx.person.id)
        open_ids = [a.id for a in actions if not a.is_closed]
        if len(open_ids) != 1:
            raise InvalidInput("update.which_action", open_ids=open_ids)
        ctx.args = open_ids[:1]
    action, latest = check_can_update(deps.uow_factory, deps.config, ctx.person, ctx.args[0], today=deps.today())
    return Reply([update_form(action, latest)], f"Update {action.id}")


@command("summary", usage=SUMMARY_USAGE,
         help="the plan's position now (Silver and Gold members); in a channel, `post` shares it there", order=10)
def summary_command(ctx: CommandContext) -> Reply:
    permissions.require_read_summary(ctx.person)
    deps = ctx.deps
    ask = read_summary_words(ctx.args, recommendation_ids(deps.uow_factory), SUMMARY_USAGE)
    level, recommendation, only, post = ask.level, ask.recommendation, ask.only, ask.post
    summary = summary_now(deps.uow_factory, deps.config, ctx.now, level, recommendation, only,
                          cache=deps.summary_cache, **ask.narrow)
    cards = summary_cards(summary)
    if len(cards) > MAX_SUMMARY_CARDS:
        cards = cards[:1] + [lines_card("The rest of this summary", [
            f"This summary runs to {len(cards)} parts, more than a chat should show at once: the first part "
            "is above. For the whole of it run `ncpi export --format markdown` or `ncpi summary`, or "
            "narrow it down (`summary silver R3`, `summary overdue`)."])]
    return Reply(cards, str(cards[0].get("fallbackText", "Summary")), public=post and ctx.in_channel)


@command("history", usage="history R3.2", help="an action's whole trail: updates, decisions, dates", order=48)
def history_command(ctx: CommandContext) -> Reply:
    require_words(ctx.args, 1, "history R3.2")
    deps = ctx.deps
    found = history(deps.uow_factory, deps.config, ctx.person, ctx.args[0])
    return Reply(history_cards(found, deps.core.tz), f"History of {found.action.id}")


@command("next", usage="next", help="the next meetings and the deadlines before them", order=40)
def next_command(ctx: CommandContext) -> Reply:
    return Reply([lines_card("Next meetings", next_lines(ctx.deps.core, ctx.now))], "Next meetings")


def _when(ctx: CommandContext, dt: datetime) -> str:
    local = dt.astimezone(ctx.deps.core.tz)
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M}"


def missing_lines(ctx: CommandContext, report: MissingReport) -> tuple[str, list[str]]:
    if report.cycle is None:
        return "Updates owed", ["No update cycle is open just now: prompts go out before each Silver meeting "
                                "(message me `next`)."]
    c = report.cycle
    title = f"Updates owed for Silver on {_when(ctx, c.closes_at)}"
    lines = [f"Asked for from {_when(ctx, c.opens_at)}."]
    if not report.owing:
        return title, lines + ["Everyone has updated this cycle. 🎉"]
    for o in report.owing:
        lines.append(f"• {o.name}{' (away)' if o.away else ''} — {', '.join(a.id for a in o.actions)}")
    n, people = sum(len(o.actions) for o in report.owing), len(report.owing)
    lines.append(f"{n} action{'s' if n != 1 else ''}, {people} {'person' if people == 1 else 'people'}. "
                 "`chase` nudges them now.")
    return title, lines


@command("missing", usage="missing", help="who owes an update this cycle (Silver and Gold)", order=41)
def missing_command(ctx: CommandContext) -> Reply:
    deps = ctx.deps
    title, lines = missing_lines(ctx, missing_updates(deps.uow_factory, deps.config, ctx.person, ctx.now))
    return Reply([lines_card(title, lines)], title)


@command("chase", usage="chase", help="nudge everyone who owes an update, now (Silver chair, admin)", order=42)
def chase_command(ctx: CommandContext) -> Reply:
    deps = ctx.deps
    result = request_chase(deps.uow_factory, deps.config, ctx.person, ctx.now, PLATFORM)
    report = result.report
    if report.cycle is None or not report.owing:
        title, lines = missing_lines(ctx, report)
        return Reply([lines_card(title, lines)], title)
    names = ", ".join(o.name for o in result.chased) or "nobody"
    text = f"Chasing {len(result.chased)} people now: {names}."
    if result.queued == 0 and result.chased:
        text = f"Already chasing them this minute: {names}."
    away = [o.name for o in report.owing if o.away]
    lines = [text] + ([f"Not chased (away): {', '.join(away)}."] if away else [])
    if deps.scheduler is not None:
        deps.scheduler.wake()
    return Reply([lines_card("Chase", lines)], text)
