"""Plain-text rendering of what the bot sent, as a person would read it in Slack (for `ncpi demo`)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

from bot.standin.recording import Message

DIVIDER = "-" * 40
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(channel|here|everyone)(?:\|[^>]*)?>")
_DATE = re.compile(r"<!date\^\d+\^[^|>]*\|([^>]*)>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_EMPHASIS = re.compile(r"(?<![\w*_~])([*_~])(?=\S)(.+?)(?<=\S)\1(?![\w*_~])")


def render_mrkdwn(text: str, users: Mapping[str, str] | None = None,
                  channels: Mapping[str, str] | None = None) -> str:
    """Turn Slack mrkdwn into what a reader sees: names for mentions, labels for links, no markers.

    Args:
        text: mrkdwn text (``<@U…>``, ``<#C…|name>``, ``<url|label>``, ``*bold*``, ``&lt;``).
        users: User id -> name, for mentions.
        channels: Channel id -> name, for channel links.
    """
    users, channels = users or {}, channels or {}
    text = _USER.sub(lambda m: "@" + (users.get(m.group(1)) or m.group(2) or m.group(1)), text)
    text = _CHANNEL.sub(lambda m: "#" + (channels.get(m.group(1)) or m.group(2) or m.group(1)), text)
    text = _SPECIAL.sub(lambda m: "@" + m.group(1), text)
    text = _DATE.sub(lambda m: m.group(1), text)
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), text)
    text = _EMPHASIS.sub(lambda m: m.group(2), text)
    return html.unescape(text)


def _text(obj: Any, users: Mapping[str, str] | None, channels: Mapping[str, str] | None) -> str:
    if not isinstance(obj, dict):
        return ""
    raw = str(obj.get("text", ""))
    return render_mrkdwn(raw, users, channels) if obj.get("type") == "mrkdwn" else html.unescape(raw)


def _element(el: dict[str, Any], users: Mapping[str, str] | None,
             channels: Mapping[str, str] | None) -> str:
    kind = el.get("type", "")
    label = _text(el.get("text"), users, channels) or _text(el.get("placeholder"), users, channels)
    if kind == "button":
        return f"[button: {label}]"
    if kind in ("plain_text", "mrkdwn"):
        return _text(el, users, channels)
    if kind == "image":
        return f"[image: {el.get('alt_text', '')}]"
    if kind == "overflow":
        return "[more actions]"
    if kind == "datepicker":
        return f"[date: {el.get('initial_date') or label}]"
    if "select" in kind:
        chosen = _text((el.get("initial_option") or {}).get("text"), users, channels)
        return f"[select: {chosen or label}]"
    if kind in ("plain_text_input", "number_input", "url_text_input", "email_text_input"):
        return f"[text box: {el.get('initial_value') or label}]" if (
            el.get("initial_value") or label) else "[text box]"
    if kind in ("radio_buttons", "checkboxes"):
        opts = ", ".join(_text(o.get("text"), users, channels) for o in el.get("options", []))
        return f"[choose: {opts}]"
    return f"[{kind}]"


def _rich_text(elements: list[Any]) -> str:
    parts: list[str] = []
    for el in elements:
        if not isinstance(el, dict):
            continue
        if "elements" in el:
            parts.append(_rich_text(el["elements"]))
        elif el.get("type") == "text":
            parts.append(str(el.get("text", "")))
        elif el.get("type") == "link":
            parts.append(str(el.get("text") or el.get("url", "")))
        elif el.get("type") == "user":
            parts.append("@" + str(el.get("user_id", "")))
        elif el.get("type") == "emoji":
            parts.append(f":{el.get('name', '')}:")
    return "".join(parts)


def render_block(block: dict[str, Any], users: Mapping[str, str] | None = None,
                 channels: Mapping[str, str] | None = None) -> str:
    """Render one Block Kit block as plain text lines."""
    kind = block.get("type")
    if kind == "header":
        title = _text(block.get("text"), users, channels)
        return f"{title}\n{'=' * len(title)}"
    if kind == "section":
        lines = [_text(block.get("text"), users, channels)] if block.get("text") else []
        lines += ["  " + _text(f, users, channels).replace("\n", "\n  ")
                  for f in block.get("fields") or []]
        if isinstance(block.get("accessory"), dict):
            lines.append("  " + _element(block["accessory"], users, channels))
        return "\n".join(line for line in lines if line.strip())
    if kind == "context":
        return " · ".join(_element(e, users, channels) for e in block.get("elements") or [])
    if kind == "divider":
        return DIVIDER
    if kind == "actions":
        return " ".join(_element(e, users, channels) for e in block.get("elements") or [])
    if kind == "image":
        return f"[image: {block.get('alt_text', '')}]"
    if kind == "rich_text":
        return _rich_text(block.get("elements") or [])
    if kind == "input":
        label = _text(block.get("label"), users, channels)
        optional = " (optional)" if block.get("optional") else ""
        return f"{label}{optional}: {_element(block.get('element') or {}, users, channels)}"
    return f"[{kind} block]"


def render_message(msg: Message | Mapping[str, Any], users: Mapping[str, str] | None = None,
                   channels: Mapping[str, str] | None = None) -> str:
    """Render a recorded message (text and Block Kit) as a person would read it in Slack.

    When blocks are present Slack shows them, not ``text`` (which is the notification fallback).

    Args:
        msg: A ``Message`` from the stand-in, or a message dict as ``conversations.history`` gives.
        users: User id -> name, for mentions.
        channels: Channel id -> name, for channel links.

    Returns:
        Plain text, one block per paragraph, e.g. ``[button: On track] [button: At risk]``.
    """
    data = msg.as_slack() if isinstance(msg, Message) else dict(msg)
    blocks = data.get("blocks") or []
    parts = [render_block(b, users, channels) for b in blocks if isinstance(b, dict)]
    if not parts:
        parts = [render_mrkdwn(str(data.get("text") or ""), users, channels)]
    parts += [f"[file: {f.get('title') or f.get('name')}]" for f in data.get("files") or []]
    return "\n".join(p for p in parts if p)


def describe_target(channel: str, users: Mapping[str, str] | None = None,
                    channels: Mapping[str, str] | None = None) -> str:
    """Say where a message went: ``DM to Head of Safeguarding`` or ``#silver``.

    Args:
        channel: A channel id (``C…``, ``D…`` from conversations.open) or a user id.
        users: User id -> name.
        channels: Channel id -> name.
    """
    users, channels = users or {}, channels or {}
    if channel.startswith(("U", "W")):
        return f"DM to {users.get(channel, channel)}"
    if channel.startswith("D"):
        for user, name in users.items():
            if "D" + user[1:] == channel:
                return f"DM to {name}"
        return f"DM {channel}"
    return "#" + channels.get(channel, channel)


def render_transcript(messages: Iterable[Message], users: Mapping[str, str] | None = None,
                      channels: Mapping[str, str] | None = None) -> str:
    """Render a sequence of recorded messages (e.g. ``SlackStandIn.timeline()``) for a terminal."""
    out: list[str] = []
    for m in messages:
        where = describe_target(m.channel, users, channels) if m.channel else "response"
        if m.kind == "ephemeral" and m.to_user:
            where += f" (only visible to {(users or {}).get(m.to_user, m.to_user)})"
        elif m.kind == "response":
            shown = "in channel" if m.response_type == "in_channel" else "only visible to you"
            where += f" (reply to a command or button, {shown})"
        if m.is_thread_reply:
            where += ", in thread"
        body = render_message(m, users, channels)
        out.append(f"> {where}\n" + "\n".join("  " + line for line in body.splitlines()))
    return "\n\n".join(out)
