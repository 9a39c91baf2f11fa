"""How a front end speaks: the way it writes a command, names accounts and itself."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Params = Mapping[str, Any]


@dataclass(frozen=True)
class Voice:
    """How a front end writes a command and names a person's chat account."""

    command: str  # what a command starts with: "/ncpi " in Slack, "" in Teams
    account: str = "chat id"  # what ncpi.yaml holds for a person on this platform
    platform: str = "The chat app"  # the platform, as the subject of a sentence
    channel_ref: str = "{address}"  # how a channel's address is written so a person can find it


SLACK = Voice(command="/ncpi ", account="Slack id", platform="Slack", channel_ref="<#{address}>")
TEAMS = Voice(command="", account="Teams user id (teams_user: their Microsoft Entra object id)",
              platform="Teams")
CLI = Voice(command="ncpi ")

# a template (`str.format`-ed with the params and the voice as `cmd`, `account`, `platform`) or a
# small function for conditional wording
Words = str | Callable[[Params, Voice], str]


def say(words: Words, params: Params, voice: Voice) -> str:
    """Fill in one entry of the catalogue."""
    if callable(words):
        return words(params, voice)
    return words.format(**params, cmd=voice.command, account=voice.account, platform=voice.platform)


def ids_text(ids: list[str], more: bool) -> str:
    """A few ids as examples: "R1.1, R1.2, …" when there are more."""
    return ", ".join(ids) + (", …" if more else "")
