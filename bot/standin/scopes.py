"""OAuth scopes as Slack checks them: which scope each Web API method needs, read against the manifest.

Slack answers ``{"ok": false, "error": "missing_scope", "needed": …, "provided": …}`` when the token
lacks the scope a method needs; for the conversations methods the scope depends on the kind of
conversation (a public channel, a private one, a DM or a group DM). The table below is the one in
Slack's method reference (``docs.slack.dev/reference/methods/<method>``, "Required scopes").
The stand-in grants by default exactly the bot scopes of ``config/slack_manifest.yaml`` (a copy ships
in ``bot/defaults`` for ``ncpi demo``), so a method the bot needs but the manifest does not ask for
fails in the tests as it would in a workspace.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.defaults import DEFAULTS_DIR

MANIFEST = "slack_manifest.yaml"
# Kind of conversation -> the scope of each family ("read" = conversations.info/members)
_BY_KIND = {
    "channel": {"history": "channels:history", "read": "channels:read", "write": "channels:manage"},
    "group": {"history": "groups:history", "read": "groups:read", "write": "groups:write"},
    "im": {"history": "im:history", "read": "im:read", "write": "im:write"},
    "mpim": {"history": "mpim:history", "read": "mpim:read", "write": "mpim:write"},
}
# Methods whose scope does not depend on the conversation (None: no scope at all)
FIXED: dict[str, str | None] = {
    "auth.test": None,
    "chat.postMessage": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.update": "chat:write",
    "chat.delete": "chat:write",
    "chat.getPermalink": None,
    "users.info": "users:read",
    "users.list": "users:read",
    "views.open": None,
    "views.push": None,
    "views.update": None,
    "views.publish": None,
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
    "reactions.add": "reactions:write",
    "reactions.remove": "reactions:write",
    "apps.connections.open": "connections:write",
}
# Methods whose scope is that of the conversation named by `channel`
BY_CONVERSATION = {
    "conversations.history": "history",
    "conversations.replies": "history",
    "conversations.info": "read",
    "conversations.members": "read",
}


@cache
def manifest_scopes(path: Path | None = None) -> tuple[str, ...]:
    """The bot scopes an app manifest asks for (default: the one shipped with ncpi)."""
    doc: Any = yaml.safe_load((path or DEFAULTS_DIR / MANIFEST).read_text(encoding="utf-8"))
    return tuple(doc["oauth_config"]["scopes"]["bot"])


def parse_scopes(scopes: str | Iterable[str]) -> frozenset[str]:
    """``"chat:write,commands"`` (the ``x-oauth-scopes`` form) or a list, as a set."""
    items = scopes.split(",") if isinstance(scopes, str) else scopes
    return frozenset(s.strip() for s in items if s.strip())


def needed_scope(method: str, params: dict[str, Any], kind_of: Any) -> str | None:
    """The scope `method` needs with these parameters, or None when it needs none.

    Args:
        method: The Web API method.
        params: Its parameters (``channel`` / ``users`` decide the conversation's kind).
        kind_of: ``kind_of(channel) -> "channel" | "group" | "im" | "mpim"``.
    """
    if method in FIXED:
        return FIXED[method]
    if method in BY_CONVERSATION:
        return _BY_KIND[kind_of(str(params.get("channel") or ""))][BY_CONVERSATION[method]]
    if method == "conversations.open":
        if params.get("channel"):
            return _BY_KIND[kind_of(str(params["channel"]))]["write"]
        raw = params.get("users") or ""
        users = [u for u in (raw if isinstance(raw, list) else str(raw).split(",")) if str(u).strip()]
        return "mpim:write" if len(users) > 1 else "im:write"
    return None
