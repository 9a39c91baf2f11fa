"""Teams activities in, plain values out: a person's message, a card's button, an installation.

Teams writes a channel message to a bot as `<at>ncpi</at> summary`, and rich text as a little
HTML; the text handed on is what the person typed: the bot's mention removed, others' mentions as
`@Name`, formatting tags dropped and entities undone.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from microsoft_agents.activity import Activity

MENTION = re.compile(r"<at>(.*?)</at>", re.S | re.I)
FORMATTING = re.compile(r"</?(?:p|div|span|b|i|u|strong|em|s|strike|code|pre|blockquote|ol|ul|li|h[1-6])"
                        r"(?:\s[^>]*)?>", re.I)
BREAK = re.compile(r"<br\s*/?>|</p>|</div>|</li>", re.I)


@dataclass(frozen=True)
class Incoming:
    """A message a person sent the bot.

    Attributes:
        aad: the sender's Microsoft Entra object id (ncpi.yaml's teams_user), if Teams sent it.
        kind: personal (their chat with the bot), channel or groupChat.
        conversation: the conversation's id as Teams gave it (a channel thread: `19:…;messageid=…`).
        base: the chat's or channel's id.
        activity_id: this message's id (what makes a re-delivery recognisable).
        reply_to: the message this one quotes or answers, if any.
        text: as typed (see the module's docstring).
    """

    aad: str | None
    name: str
    kind: str
    conversation: str
    base: str
    thread: str | None
    activity_id: str
    reply_to: str | None
    text: str
    tenant: str | None

    @property
    def key(self) -> str:
        return f"teams:{self.base}:{self.activity_id}"


@dataclass(frozen=True)
class CardPress:
    """A press on an `Action.Execute` button: its verb, its data with the card's inputs, and the
    message the card is on."""

    aad: str | None
    verb: str
    data: dict[str, Any]
    message_id: str
    conversation: str


def to_plain_text(text: str | None, bot_name: str | None = None) -> str:
    """What the person typed (mentions of the bot removed, others kept as `@Name`)."""
    if not text:
        return ""

    def mention(m: re.Match[str]) -> str:
        name = html.unescape(m.group(1)).strip()
        return "" if bot_name is not None and name.lower() == bot_name.lower() else f"@{name}"

    text = MENTION.sub(mention, text)
    text = BREAK.sub("\n", text)
    text = FORMATTING.sub("", text)
    text = html.unescape(text).replace("\xa0", " ")
    return "\n".join(line.strip() for line in text.strip().splitlines()).strip()


def tenant_of(body: dict[str, Any]) -> str | None:
    """The tenant an activity (as JSON) comes from."""
    conversation = body.get("conversation")
    channel_data = body.get("channelData")
    tenant = channel_data.get("tenant") if isinstance(channel_data, dict) else None
    value = (conversation.get("tenantId") if isinstance(conversation, dict) else None) or (
        tenant.get("id") if isinstance(tenant, dict) else None)
    return str(value) if value else None


def parse_message(activity: Activity) -> Incoming | None:
    """A person's message, or None for what is not one (the bot's own, an empty one)."""
    sender = activity.from_property
    conversation = activity.conversation
    if sender is None or conversation is None or not conversation.id or not activity.id:
        return None
    if activity.recipient is not None and sender.id == activity.recipient.id:
        return None  # the bot's own message, echoed
    bot_name = activity.recipient.name if activity.recipient is not None else None
    base, _, thread = str(conversation.id).partition(";messageid=")
    kind = str(conversation.conversation_type or ("channel" if conversation.is_group else "personal"))
    return Incoming(aad=sender.aad_object_id or None, name=str(sender.name or ""), kind=kind,
                    conversation=str(conversation.id), base=base, thread=thread or None,
                    activity_id=str(activity.id), reply_to=activity.reply_to_id or None,
                    text=to_plain_text(activity.text, bot_name or "ncpi"),
                    tenant=conversation.tenant_id or None)


def parse_press(activity: Activity) -> CardPress | None:
    """An `adaptiveCard/action` invoke as a button press, or None if it is not one."""
    value = activity.value if isinstance(activity.value, dict) else {}
    action = value.get("action") if isinstance(value.get("action"), dict) else None
    if action is None or action.get("type") != "Action.Execute" or not isinstance(action.get("verb"), str):
        return None
    data = action.get("data") if isinstance(action.get("data"), dict) else {}
    sender = activity.from_property
    conversation = activity.conversation
    return CardPress(aad=(sender.aad_object_id if sender is not None else None) or None, verb=action["verb"],
                     data=dict(data), message_id=str(activity.reply_to_id or ""),
                     conversation=str(conversation.id if conversation is not None else ""))


def reference_of(activity: Activity) -> dict[str, Any]:
    """The conversation reference to reach this conversation again (JSON-plain, for storage)."""
    reference = activity.get_conversation_reference()
    data: dict[str, Any] = reference.model_dump(mode="json", by_alias=True, exclude_none=True)
    data.pop("activityId", None)  # a reference is to the conversation, not to one message in it
    return data


def words_of(text: str) -> tuple[str, list[str], str]:
    """(command word in lower case, the words after it, the rest as typed)."""
    text = text.strip()
    if not text:
        return "", [], ""
    parts = text.split(None, 1)
    rest = parts[1].strip() if len(parts) > 1 else ""
    return parts[0].lower(), rest.split(), rest
