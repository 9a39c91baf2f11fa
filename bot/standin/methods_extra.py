"""Less central Web API methods: reactions, permalinks and the user list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.standin.workspace import APP_ID, BOT_ID, BOT_USER_ID, TEAM_DOMAIN, ApiError, Workspace

if TYPE_CHECKING:
    from bot.standin.methods import Context


def _target(ws: Workspace, p: dict[str, Any]) -> tuple[str, str]:
    channel = ws.resolve_channel(str(p.get("channel") or ""), for_posting=False)
    ts = str(p.get("timestamp") or p.get("message_ts") or "")
    if ws.find_message(channel, ts) is None:
        raise ApiError("message_not_found")
    return channel, ts


def reactions_add(ws: Workspace, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """Answer reactions.add: the bot reacts to a message (``already_reacted`` twice)."""
    channel, ts = _target(ws, p)
    name = str(p.get("name") or "").strip(":")
    if not name:
        raise ApiError("invalid_name")
    key = (channel, ts, name)
    if key in ws.reactions:
        raise ApiError("already_reacted")
    ws.reactions.add(key)
    return {}


def reactions_remove(ws: Workspace, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """Answer reactions.remove (``no_reaction`` when there was none)."""
    channel, ts = _target(ws, p)
    key = (channel, ts, str(p.get("name") or "").strip(":"))
    if key not in ws.reactions:
        raise ApiError("no_reaction")
    ws.reactions.discard(key)
    return {}


def chat_get_permalink(ws: Workspace, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """Answer chat.getPermalink with a Slack-style archive link."""
    channel, ts = _target(ws, p)
    link = f"https://{TEAM_DOMAIN}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
    return {"channel": channel, "permalink": link}


def users_list(ws: Workspace, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """Answer users.list with the configured users and the bot."""
    members = [ws.user_object(u) for u in [*ws.users, BOT_USER_ID]]
    return {"members": members, "response_metadata": {"next_cursor": ""}}


def bots_info(ws: Workspace, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """Answer bots.info for the bot itself (its app id, as `ncpi run` learns it); others are not found."""
    if str(p.get("bot") or "") != BOT_ID:
        raise ApiError("bot_not_found")
    return {"bot": {"id": BOT_ID, "deleted": False, "name": "ncpi", "updated": 1651568400, "app_id": APP_ID,
                    "user_id": BOT_USER_ID, "icons": {}}}


EXTRA_METHODS = {
    "bots.info": bots_info,
    "reactions.add": reactions_add,
    "reactions.remove": reactions_remove,
    "chat.getPermalink": chat_get_permalink,
    "users.list": users_list,
}
