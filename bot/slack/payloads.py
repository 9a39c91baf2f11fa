"""Slack JSON in, plain values out: slash-command text, message events, modal state and metadata."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ncpi_core.domain.models import RAG

# message subtypes that are still a person typing to us (everything else is ignored)
PERSON_SUBTYPES = {None, "", "thread_broadcast", "file_share"}

# block and action ids of the update modal (bot/blocks.py builds it with these)
RAG_BLOCK, PROGRESS_BLOCK, NARRATIVE_BLOCK, BLOCKERS_BLOCK, EVIDENCE_BLOCK = (
    "rag", "progress", "narrative", "blockers", "evidence")
FIELD_BLOCKS = {"narrative": NARRATIVE_BLOCK, "blockers": BLOCKERS_BLOCK, "evidence": EVIDENCE_BLOCK}
MAX_FIELD = 3000


def _obj(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one: a field of the wrong type reads as absent."""
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# --- slash commands -------------------------------------------------------------------------------
def parse_command_text(text: str | None) -> tuple[str, list[str], str]:
    """Split `/ncpi` text into (sub-command in lower case, the words after it, the rest as typed)."""
    text = (text or "").strip()
    if not text:
        return "", [], ""
    parts = text.split(None, 1)
    rest = parts[1].strip() if len(parts) > 1 else ""
    return parts[0].lower(), rest.split(), rest


# --- Slack markup ---------------------------------------------------------------------------------
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
# Slack sends an emoji by its name; the coloured circles say a RAG status, read by the core as characters
CIRCLES = {":large_green_circle:": "🟢", ":green_circle:": "🟢", ":large_yellow_circle:": "🟡",
           ":yellow_circle:": "🟡", ":large_orange_circle:": "🟠", ":orange_circle:": "🟠", ":red_circle:": "🔴",
           ":large_red_circle:": "🔴", ":large_blue_circle:": "🔵", ":blue_circle:": "🔵"}
_CIRCLE = re.compile("|".join(re.escape(name) for name in CIRCLES), re.I)


def to_plain_text(text: str | None) -> str:
    """Slack's message text as the person typed it: links unwrapped, &amp; &lt; &gt; undone, the
    coloured-circle emoji as the characters they are (🟢 for `:large_green_circle:`).

    Mentions (`<@U…>`, `<!channel>`) stay in Slack's form; they are escaped again wherever the
    text is shown, so they ping no one.
    """
    if not text:
        return ""

    def link(m: re.Match[str]) -> str:
        url, label = m.group(1), m.group(2)
        if not label:
            return url.removeprefix("mailto:")
        bare = url.split("://", 1)[-1].removeprefix("mailto:").rstrip("/")
        return label if label.rstrip("/") in (url, bare) else f"{label} ({url})"

    text = _CIRCLE.sub(lambda m: CIRCLES[m.group(0).lower()], _LINK.sub(link, text))
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def mentioned_user(text: str) -> str:
    """The user a reference names: `<@U0123|name>` and `<@U0123>` give U0123; `@head_crime` gives
    head_crime; anything else is returned stripped (a person id, or a Slack id, as typed)."""
    ref = text.strip()
    if ref.startswith("<@") and ref.endswith(">"):
        ref = ref[2:-1].split("|", 1)[0]
    return ref.lstrip("@")


# --- message events -------------------------------------------------------------------------------
@dataclass(frozen=True)
class IncomingMessage:
    """A message a person sent that may be an update."""

    user: str
    channel: str
    channel_type: str
    text: str  # plain text (see to_plain_text)
    ts: str
    thread_ts: str | None  # set when the message is a reply in a thread
    client_msg_id: str | None

    @property
    def in_thread(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    @property
    def key(self) -> str:
        """Unique per message however often Slack delivers it (channel + ts is Slack's own id)."""
        return f"slack-msg:{self.channel}:{self.ts}"


def parse_message_event(event: dict[str, Any]) -> IncomingMessage | None:
    """The message a person sent, or None for bot messages, edits, deletions and other subtypes."""
    if event.get("type") != "message":
        return None
    if event.get("bot_id") or event.get("bot_profile") or event.get("app_id"):
        return None
    subtype = event.get("subtype")
    if not (subtype is None or isinstance(subtype, str)) or subtype not in PERSON_SUBTYPES \
            or event.get("edited") or event.get("hidden"):
        return None
    user, channel, ts = _text(event.get("user")), _text(event.get("channel")), event.get("ts")
    if not (user and channel and isinstance(ts, str | int | float) and ts):
        return None
    thread_ts = event.get("thread_ts")
    thread_ts = thread_ts if isinstance(thread_ts, str | int | float) else None
    return IncomingMessage(
        user=str(user), channel=str(channel), channel_type=str(event.get("channel_type") or ""),
        text=to_plain_text(_text(event.get("text"))), ts=str(ts),
        thread_ts=str(thread_ts) if thread_ts else None,
        client_msg_id=_text(event.get("client_msg_id")),
    )


# --- the update modal -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ModalMetadata:
    """Carried in the modal's private_metadata: which action, and where to confirm."""

    action_id: str
    channel: str | None = None
    thread_ts: str | None = None

    def data(self) -> dict[str, str]:
        data = {"action_id": self.action_id}
        if self.channel:
            data["channel"] = self.channel
        if self.thread_ts:
            data["thread_ts"] = self.thread_ts
        return data

    def dumps(self) -> str:
        return json.dumps(self.data(), separators=(",", ":"))


def parse_modal_metadata(raw: str | dict[str, Any] | None) -> ModalMetadata | None:
    """The update form's metadata from JSON, or from what `MetadataSeal.open` gave back."""
    if isinstance(raw, dict):
        data: Any = raw
    else:
        try:
            data = json.loads(raw or "")
        except (json.JSONDecodeError, TypeError):
            return None
    if not isinstance(data, dict) or not isinstance(data.get("action_id"), str):
        return None
    return ModalMetadata(action_id=data["action_id"], channel=_text(data.get("channel")) or None,
                         thread_ts=_text(data.get("thread_ts")) or None)


@dataclass(frozen=True)
class UpdateForm:
    rag: RAG
    progress: int | None
    narrative: str
    blockers: str
    evidence: str


def _value(state: dict[str, Any], block_id: str) -> Any:
    """The value of the one element in an input block, whatever its type."""
    elements = _obj(state.get(block_id))
    for element in elements.values():
        if not isinstance(element, dict):
            continue
        option = element.get("selected_option")
        if option is not None:
            return _obj(option).get("value")
        if "value" in element:
            return element.get("value")
        if "selected_options" in element:
            options = element.get("selected_options")
            return [_obj(o).get("value") for o in options] if isinstance(options, list) else None
    return None


def parse_update_view(view: dict[str, Any]) -> UpdateForm | dict[str, str]:
    """Read the update modal's state; return the form, or {block_id: message} to show in the modal."""
    state = _obj(_obj(_obj(view).get("state")).get("values"))
    errors: dict[str, str] = {}
    rag_value = _value(state, RAG_BLOCK)
    rag: RAG | None = None
    try:
        rag = RAG(str(rag_value).lower()) if rag_value else None
    except ValueError:
        rag = None
    if rag is None:
        errors[RAG_BLOCK] = "Choose how it is going: green, amber, red or blue."
    progress: int | None = None
    raw = _value(state, PROGRESS_BLOCK)
    if raw not in (None, ""):
        text = str(raw).strip().rstrip("%").strip()
        try:
            number = float(text)
        except ValueError:
            number = -1
        if not (0 <= number <= 100) or number != int(number):
            errors[PROGRESS_BLOCK] = "Progress is a whole number from 0 to 100, for example 60."
        else:
            progress = int(number)
    texts: dict[str, str] = {}
    for name, block in FIELD_BLOCKS.items():
        value = str(_value(state, block) or "").strip()
        if len(value) > MAX_FIELD:
            errors[block] = f"Please keep this under {MAX_FIELD:,} characters (it has {len(value):,})."
        texts[name] = value
    if errors:
        return errors
    assert rag is not None
    return UpdateForm(rag=rag, progress=progress, **texts)


# --- buttons --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ButtonClick:
    user: str
    action_id: str
    value: str
    channel: str | None  # where the clicked message is (None in App Home or a modal)
    message_ts: str | None
    trigger_id: str | None
    in_home: bool


def parse_button(body: dict[str, Any]) -> ButtonClick:
    body = _obj(body)
    actions = body.get("actions")
    action = _obj(actions[0]) if isinstance(actions, list) and actions else {}
    container = _obj(body.get("container"))
    channel = _text(container.get("channel_id")) or _text(_obj(body.get("channel")).get("id"))
    message_ts = _text(container.get("message_ts")) or _text(_obj(body.get("message")).get("ts"))
    value = action.get("value")
    return ButtonClick(
        user=_text(_obj(body.get("user")).get("id")) or "", action_id=_text(action.get("action_id")) or "",
        value=value if isinstance(value, str) else "", channel=channel, message_ts=message_ts,
        trigger_id=_text(body.get("trigger_id")),
        in_home=container.get("type") == "view" or _obj(body.get("view")).get("type") == "home",
    )
