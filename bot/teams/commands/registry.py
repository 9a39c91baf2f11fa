"""The words the bot answers to in Teams (`summary`, `my`, `complete R3.2 …`): each feature module
registers its own; `bot.teams.messages` reads a message's first word and dispatches.

A handler runs in a worker thread (it reads and writes the database) and returns a `Reply`: cards
for the person's own chat, or with `public` for the channel the command was typed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.teams.cards.common import Card
from bot.teams.deps import TeamsDeps
from ncpi_core.domain.models import Person


@dataclass
class CommandContext:
    deps: TeamsDeps
    aad: str
    person: Person  # resolved from ncpi.yaml once; a stranger is refused before any command
    args: list[str]  # the words after the command
    rest: str  # the text after the command, as typed
    now: datetime
    in_channel: bool = False  # typed in a channel (with an @mention), not in the bot's chat


@dataclass
class Reply:
    cards: list[Card]
    summary: str  # what notifications announce
    public: bool = False  # in a channel: answer there for everyone (else in the person's own chat)
    extra: list[Reply] = field(default_factory=list)


Handler = Callable[[CommandContext], Reply]


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    usage: str  # e.g. "complete R3.2 <evidence link or text>"
    help: str  # one line
    order: int = 100


REGISTRY: dict[str, Command] = {}


def command(name: str, usage: str, help: str, order: int = 100) -> Callable[[Handler], Handler]:
    """Register `handler` for a message starting with `name`."""

    def wrap(handler: Handler) -> Handler:
        REGISTRY[name] = Command(name=name, handler=handler, usage=usage, help=help, order=order)
        return handler

    return wrap


def help_lines() -> list[str]:
    return [f"`{c.usage}` — {c.help}" for c in sorted(REGISTRY.values(), key=lambda c: (c.order, c.name))]
