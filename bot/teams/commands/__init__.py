"""The words the bot answers to in Teams. The feature modules are imported here, statically: a
command that is missing or broken stops the bot from being built, instead of going quietly absent."""

from bot.teams.commands import governance, plan, scrutiny, workflow
from bot.teams.commands.registry import (
    REGISTRY,
    Command,
    CommandContext,
    Reply,
    command,
    help_lines,
)

MODULES = (plan, workflow, governance, scrutiny)

__all__ = ["MODULES", "REGISTRY", "Command", "CommandContext", "Reply", "command", "help_lines"]
