"""What the bot answers a person with in Teams: the update it recorded, a step's outcome, a
decision taken, a refusal, `my`, `help`, an action's history and the calendar — each a card."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from bot import copy
from bot.teams.cards.common import (
    Card,
    Element,
    Part,
    Run,
    card,
    clip,
    day,
    execute,
    heading,
    note,
    pack,
    rag_runs,
    rich,
    said,
    words,
)
from bot.teams.cards.forms import UPDATE_OPEN
from ncpi_core.domain.models import Action, ActionStatus, Update
from ncpi_core.domain.notices import Outcome
from ncpi_core.usecases.history import History

STATUS_WORDS = {ActionStatus.PROPOSED: "awaiting Silver review", ActionStatus.ACCEPTED: "awaiting Gold sign-off",
                ActionStatus.CLOSED: "closed", ActionStatus.SUPERSEDED: "superseded"}
INTRO = ("ncpi runs the action plan's Gold/Silver/Bronze cycle. Message me an update such as "
         "`R3.2 amber 60% training slots delayed to June`, or use the buttons on a prompt. "
         "These words work as a message to me (in a channel, @mention me first):")


def text_card(text: str, title: str = "") -> Card:
    """Plain words of the catalogue (several lines), as a card."""
    body = ([heading(title)] if title else []) + words(text)
    return card(body, fallback=clip(text.splitlines()[0] if text else title, 200))


def error_card(text: str) -> Card:
    return card([rich(Run("⚠ ", color="attention", bold=True), *words_parts(text))], fallback=clip(text, 200))


def words_parts(text: str) -> list[Part]:
    """One line of the catalogue's words as runs (`code` in monospace)."""
    return said(" ".join(text.splitlines()))


def recorded_card(action: Action, update: Update, by_button: bool = False) -> Card:
    """What was recorded, as the person will read it back."""
    body: list[Element] = [rich("Recorded for ", Run(f"{action.id} {action.title}", bold=True), ": ",
                                *rag_runs(update.rag, update.progress))]
    if update.narrative:
        body.append(rich(Run(update.narrative, italic=True)))
    if update.blockers:
        body.append(rich(Run("Blockers: ", bold=True), update.blockers))
    if update.evidence:
        body.append(rich(Run("Evidence: ", bold=True), update.evidence))
    tail = "To correct it, send another update; the latest one counts."
    body.append(note(("Progress kept as before. " if by_button else "") + tail))
    fallback = f"Recorded for {action.id}: {update.rag.value}" + (f" {update.progress}%" if update.progress is not None
                                                                 else "")
    return card(body, fallback=fallback)


def outcome_card(outcome: Outcome, failed: Sequence[str] = ()) -> Card:
    text = copy.outcome_text(outcome, copy.TEAMS) + (copy.not_reached(list(failed)) if failed else "")
    return text_card(text.replace("by DM", "in a chat"))


def decided_card(outcome: Outcome, by: str, when: str) -> Card:
    """What replaces a notice once its button was used: the decision, no more buttons."""
    text = f"{copy.outcome_text(outcome, copy.TEAMS)} ({by}, {when})"
    return card([rich(Run("✅ ", color="good"), text)], fallback=clip(text, 200))


def action_line(action: Action, latest: Update | None, today: date) -> Element:
    """One action with its latest update, for `my`."""
    parts: list[Part] = [Run(action.id, bold=True), f" {action.title}\n",
                              *rag_runs(latest.rag if latest else None, latest.progress if latest else None)]
    if action.status in STATUS_WORDS:
        parts.append(Run(f" · {STATUS_WORDS[action.status]}", italic=True))
    if action.is_overdue(today):
        parts.append(Run(f" · overdue (was due {day(action.due)})", bold=True, color="attention"))
    else:
        parts.append(f" · due {day(action.due)}" + (f" (originally {day(action.original_due)})"
                                                   if action.due != action.original_due else ""))
    if latest is not None:
        parts.append(f" · updated {day(latest.created_at.date())}")
        if latest.narrative:
            parts += ["\n", Run(clip(latest.narrative.splitlines()[0], 200), italic=True)]
    return rich(*parts, separator=True)


def my_cards(actions: list[Action], latest: dict[str, Update], today: date, name: str) -> list[Card]:
    """`my`: the person's actions, each with its latest update and an Update button."""
    if not actions:
        return [text_card("You own no actions in the plan, so there is nothing for you to update.")]
    items: list[Element] = []
    for a in actions:
        items.append(action_line(a, latest.get(a.id), today))
        if not a.is_closed:
            items.append({"type": "ActionSet", "actions": [execute("Update…", UPDATE_OPEN, {"action_id": a.id})]})
    return pack([heading(f"Your actions, {name} ({len(actions)})")], items, f"Your actions ({len(actions)})")


def help_card(lines: list[str], unknown: str | None = None, problem: str | None = None) -> Card:
    body: list[Element] = []
    if problem:
        body += words(problem)
    elif unknown:
        body.append(rich("I don't know ", Run(unknown, mono=True), ". Here is what works:"))
    body += words(INTRO) + [rich(*words_parts(line)) for line in lines]
    return card(body, fallback="ncpi commands")


def history_cards(history: History, tz: ZoneInfo) -> list[Card]:
    """An action's whole trail, oldest first, split into cards within Teams' limits."""
    a = history.action
    head = [heading(f"History of {a.id}"), rich(a.title),
            rich(f"Status: {a.status.value} · due {a.due.isoformat()}"
                 + (f" (originally {a.original_due.isoformat()})" if a.due != a.original_due else ""))]
    items: list[Element] = []
    for e in history.entries:
        detail = copy.history_detail(e)
        items.append(rich(f"• {e.at.astimezone(tz):%d %b %Y %H:%M} — ", Run(copy.history_what(e), bold=True),
                          f" by {e.who_name or 'system'} ({e.source})",
                          *([": ", clip(detail.replace(chr(10), " "), 1500)] if detail else [])))
    return pack(head, items or [rich("Nothing recorded yet.")], f"History of {a.id}")


def lines_card(title: str, lines: list[str]) -> Card:
    """A title and plain lines (the calendar, who owes an update)."""
    return card([heading(title), *[rich(*words_parts(line)) for line in lines]], fallback=title)
