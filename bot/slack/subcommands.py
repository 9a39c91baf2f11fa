"""The `/ncpi` sub-command registry: each feature module registers its words; the listener dispatches.

A handler runs after Slack has been acknowledged, so it may be slow (database, Web API calls).
It returns a Reply that the listener sends with `respond` (ephemeral unless `public`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.slack.deps import Deps
from ncpi_core.domain.models import Person


@dataclass
class CommandContext:
    deps: Deps  # the composition root's objects (core, gateway, sender, …)
    slack_user: str
    person: Person  # resolved from ncpi.yaml once; a stranger is refused before any sub-command
    channel_id: str
    args: list[str]  # the words after the sub-command
    rest: str  # the text after the sub-command, as typed
    now: datetime
    trigger_id: str | None = None
    team_id: str | None = None


@dataclass
class Reply:
    text: str  # plain text: the notification fallback, and all there is when blocks is None
    blocks: list[dict[str, Any]] | None = None
    public: bool = False  # post to the channel instead of an ephemeral answer
    more: list[Reply] = field(default_factory=list)  # follow-on messages when one would be too long
    # (filename, content, title): a file sent with the reply — to the channel when public, else to
    # the person's DM — for what is too long to read as messages
    file: tuple[str, bytes, str] | None = None


Handler = Callable[[CommandContext], Reply | None]


@dataclass(frozen=True)
class SubCommand:
    name: str
    handler: Handler
    usage: str  # e.g. "complete R3.2 <evidence link or text>"
    help: str  # one line
    order: int = 100


REGISTRY: dict[str, SubCommand] = {}


def subcommand(name: str, usage: str, help: str, order: int = 100) -> Callable[[Handler], Handler]:
    """Register `handler` for `/ncpi <name> …` (a later registration of the same name replaces it)."""

    def wrap(handler: Handler) -> Handler:
        REGISTRY[name] = SubCommand(name=name, handler=handler, usage=usage, help=help, order=order)
        return handler

    return wrap


def help_lines() -> list[str]:
    return [f"`/ncpi {c.usage}` — {c.help}" for c in sorted(REGISTRY.values(), key=lambda c: (c.order, c.name))]
