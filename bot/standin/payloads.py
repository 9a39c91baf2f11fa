"""Request payloads shaped like the ones Slack sends to apps (commands, actions, views, events)."""

from __future__ import annotations

import secrets
import time
import uuid
from typing import Any

from bot.standin.recording import Message
from bot.standin.workspace import APP_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID

VERIFICATION_TOKEN = "standin-verification-token"


def new_trigger_id() -> str:
    """A trigger id like Slack's; its first part is the issue time in ms (the stand-in checks it)."""
    return f"{int(time.time() * 1000)}.{secrets.randbelow(10**9)}.{secrets.token_hex(16)}"


def new_ts() -> str:
    """A message/event ts for now, e.g. ``1650000000.123456``."""
    return f"{time.time():.6f}"


def _user(user_id: str) -> dict[str, Any]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": TEAM_ID}


def build_slash_command(user_id: str, text: str, command: str = "/ncpi",
                        channel_id: str = "C0SILVER01", channel_name: str = "silver",
                        response_url: str = "", trigger_id: str | None = None) -> dict[str, str]:
    """The form fields Slack posts for a slash command (also the Socket Mode payload)."""
    return {
        "token": VERIFICATION_TOKEN, "team_id": TEAM_ID, "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id, "channel_name": channel_name, "user_id": user_id,
        "user_name": user_id.lower(), "command": command, "text": text, "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url or f"https://hooks.slack.com/commands/{TEAM_ID}/1/standin",
        "trigger_id": trigger_id or new_trigger_id(),
    }


def is_ephemeral(message: Message) -> bool:
    """True for a message only one person sees: chat.postEphemeral, or a response URL answer
    that was not ``in_channel`` (what ``/ncpi my`` and ``/ncpi summary`` answer with)."""
    return message.kind == "ephemeral" or (message.kind == "response"
                                           and (message.response_type or "ephemeral") == "ephemeral")


def build_block_action(user_id: str, action_id: str, value: str | None = None, *,
                       block_id: str = "actions", action_type: str = "button",
                       text: str | None = None, channel_id: str | None = None,
                       message: dict[str, Any] | Message | None = None,
                       container: dict[str, Any] | None = None,
                       view: dict[str, Any] | None = None, response_url: str | None = None,
                       trigger_id: str | None = None,
                       selected_option: dict[str, Any] | None = None,
                       ephemeral: bool | None = None) -> dict[str, Any]:
    """A ``block_actions`` payload: a button click (or select) in a message or a view.

    ``message`` may be a stand-in ``Message`` (e.g. ``slack.messages()[-1]``) or a message dict;
    pass ``view`` instead for a click inside a modal or App Home. A click in an ephemeral message
    (``ephemeral=True``, or a stand-in Message that was ephemeral) is shaped as Slack sends it:
    ``container.is_ephemeral`` true and no ``message`` at all (Slack keeps no copy of it).
    """
    action: dict[str, Any] = {"action_id": action_id, "block_id": block_id, "type": action_type,
                              "action_ts": new_ts()}
    if action_type == "button":
        action["text"] = {"type": "plain_text", "text": text or action_id, "emoji": True}
        if value is not None:
            action["value"] = value
    if selected_option is not None:
        action["selected_option"] = selected_option
    payload: dict[str, Any] = {
        "type": "block_actions", "user": _user(user_id), "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN, "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN}, "enterprise": None,
        "is_enterprise_install": False, "state": {"values": {}}, "actions": [action],
    }
    if isinstance(message, Message):
        channel_id = channel_id or message.channel
        if ephemeral is None:
            ephemeral = is_ephemeral(message)
        message = message.as_slack()
    if view is not None:
        payload["view"] = view
        payload["container"] = container or {"type": "view", "view_id": view.get("id", "")}
    else:
        channel = channel_id or (message or {}).get("channel") or "D0000000001"
        msg = dict(message or {"type": "message", "ts": new_ts(), "text": "", "user": BOT_USER_ID})
        msg.pop("channel", None)
        payload["container"] = container or {"type": "message", "message_ts": msg.get("ts"),
                                             "channel_id": channel, "is_ephemeral": bool(ephemeral)}
        payload["channel"] = {"id": channel, "name": "directmessage" if channel[:1] == "D" else channel}
        if not ephemeral:
            payload["message"] = msg
        payload["response_url"] = response_url or f"https://hooks.slack.com/actions/{TEAM_ID}/1/x"
    return payload


def build_view_submission(user_id: str, callback_id: str,
                          state_values: dict[str, dict[str, dict[str, Any]]],
                          private_metadata: str = "", view_id: str = "V000000001",
                          view: dict[str, Any] | None = None,
                          trigger_id: str | None = None) -> dict[str, Any]:
    """A ``view_submission`` payload for a modal.

    ``state_values`` is ``{block_id: {action_id: {"type": ..., "value": ...}}}`` as Slack sends it.
    """
    base = dict(view or {})
    base.update(
        id=view_id, team_id=TEAM_ID, type="modal", callback_id=callback_id,
        private_metadata=private_metadata, state={"values": state_values},
        hash=base.get("hash") or secrets.token_hex(10), root_view_id=view_id,
        previous_view_id=None, app_id=APP_ID, external_id=base.get("external_id", ""),
        app_installed_team_id=TEAM_ID, bot_id="BBOT00001",
    )
    base.setdefault("blocks", [])
    base.setdefault("title", {"type": "plain_text", "text": "ncpi"})
    return {
        "type": "view_submission", "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "user": _user(user_id), "api_app_id": APP_ID, "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(), "view": base, "response_urls": [],
        "is_enterprise_install": False, "enterprise": None,
    }


def build_event_envelope(event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    """The ``event_callback`` envelope the Events API posts around one event."""
    return {
        "token": VERIFICATION_TOKEN, "team_id": TEAM_ID, "api_app_id": APP_ID, "event": event,
        "type": "event_callback", "event_id": event_id or "Ev" + uuid.uuid4().hex[:10].upper(),
        "event_time": int(time.time()), "is_ext_shared_channel": False,
        "authorizations": [{"enterprise_id": None, "team_id": TEAM_ID, "user_id": BOT_USER_ID,
                            "is_bot": True, "is_enterprise_install": False}],
        "event_context": "4-" + uuid.uuid4().hex,
    }


def build_message_im(user: str, text: str, channel: str, ts: str | None = None,
                     thread_ts: str | None = None, client_msg_id: str | None = None) -> dict[str, Any]:
    """A ``message`` event for a person's DM to the bot (or a reply in a DM thread)."""
    ts = ts or new_ts()
    event: dict[str, Any] = {
        "type": "message", "channel_type": "im", "channel": channel, "user": user, "text": text,
        "ts": ts, "event_ts": ts, "team": TEAM_ID,
        "client_msg_id": client_msg_id or str(uuid.uuid4()),
        "blocks": [{"type": "rich_text", "block_id": secrets.token_hex(3), "elements": [
            {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}]}],
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
        event["parent_user_id"] = BOT_USER_ID
    return event


def build_app_home_opened(user: str, channel: str | None = None, tab: str = "home") -> dict[str, Any]:
    """An ``app_home_opened`` event."""
    return {"type": "app_home_opened", "user": user, "channel": channel or "D" + user[1:],
            "tab": tab, "event_ts": new_ts()}
