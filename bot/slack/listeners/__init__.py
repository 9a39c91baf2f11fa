"""Registers every listener module on the app: each module has `register(app, deps)`."""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slack_bolt import App

    from bot.slack.deps import Deps

log = logging.getLogger(__name__)

# bot: commands, actions, views, messages, home; deliveries: schedule; workflows: workflow
MODULES = ["commands", "summary", "actions", "views", "messages", "home", "schedule", "workflow"]


def register_listeners(app: App, deps: Deps) -> list[str]:
    """Import each module of MODULES and call its `register(app, deps)`; return those registered.

    A module that does not exist yet (another engineer's, not written) is skipped with a log line;
    an import error inside an existing module is not hidden.
    """
    done = []
    for name in MODULES:
        full = f"{__name__}.{name}"
        try:
            module = importlib.import_module(full)
        except ModuleNotFoundError as exc:
            if exc.name != full:
                raise
            log.info("listener module %s is not there; skipped", full)
            continue
        register = getattr(module, "register", None)
        if register is None:
            log.warning("listener module %s has no register(app, deps); skipped", full)
            continue
        register(app, deps)
        done.append(name)
    return done
