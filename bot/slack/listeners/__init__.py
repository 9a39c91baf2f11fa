"""Registers every listener module on the app: each module has `register(app, deps)`.

The modules are imported here, statically: a listener that is missing or broken stops the app
from being built, instead of a feature going quietly absent. Importing them also fills the
sub-command registry (`bot.slack.subcommands.REGISTRY`) with the sub-commands each one defines.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import ModuleType

from slack_bolt import App

from bot.slack.deps import Deps
from bot.slack.listeners import (
    actions,
    commands,
    governance,
    home,
    messages,
    schedule,
    scrutiny,
    summary,
    views,
    workflow,
)

log = logging.getLogger(__name__)

# commands: my, update, help; summary; actions, views: the update form; messages: DM replies;
# home: App Home; schedule: next, missing, chase; workflow: closure, due dates, absences, history
# (and reviews: their buttons and forms); governance: challenge, embed, decision and the summary's button;
# scrutiny: the PCC's assurance and the inspectorate's status
MODULES: tuple[ModuleType, ...] = (commands, summary, actions, views, messages, home, schedule, workflow,
                                   governance, scrutiny)


def register_listeners(app: App, deps: Deps) -> list[str]:
    """Call each module's `register(app, deps)`; return the names of the modules registered."""
    done = []
    for module in MODULES:
        register: Callable[[App, Deps], None] = module.register
        register(app, deps)
        done.append(module.__name__.rsplit(".", 1)[-1])
    log.info("listeners registered: %s", ", ".join(done))
    return done
