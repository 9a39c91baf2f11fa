"""The stand-in's idea of a Slack workspace: users, channels, DMs, messages, views and files."""

from __future__ import annotations

import hashlib
import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

from bot.standin.recording import InvalidPayload, Message, ViewRecord
from bot.standin.validation import MAX_BLOCKS_CHARS

TEAM_ID = "T0NCPI0001"
TEAM_NAME = "NCPI Test"
TEAM_DOMAIN = "ncpi-test"
APP_ID = "A0NCPI0001"
BOT_USER_ID = "UBOT00001"
BOT_ID = "BBOT00001"
BOT_NAME = "ncpi"


class ApiError(Exception):
    """A Web API error answer: ``{"ok": false, "error": error, **extra}``."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


@dataclass
class StoredFile:
    """A file uploaded through files.getUploadURLExternal and the upload URL."""

    id: str
    filename: str
    length: int
    data: bytes | None = None
    title: str | None = None
    channel: str | None = None
    completed: bool = False
    alt_txt: str | None = None
    snippet_type: str | None = None

    def as_slack(self) -> dict[str, Any]:
        """Return the file object as files.completeUploadExternal answers it."""
        return {
            "id": self.id, "name": self.filename, "title": self.title or self.filename,
            "size": len(self.data or b""), "mimetype": "application/octet-stream",
            "user": BOT_USER_ID, "channels": [self.channel] if self.channel else [],
        }


@dataclass
class Workspace:
    """All the state behind the Web API methods; guard every access with ``lock``."""

    users: dict[str, str] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)
    bot_channels: set[str] = field(default_factory=set)
    channel_members: dict[str, list[str]] = field(default_factory=dict)
    strict_channels: bool = False
    ts_start: int = 1_650_000_000
    max_blocks_chars: int = MAX_BLOCKS_CHARS  # beyond this, msg_blocks_too_long (validation.py)
    lock: threading.RLock = field(default_factory=threading.RLock)
    messages: list[Message] = field(default_factory=list)
    views: list[ViewRecord] = field(default_factory=list)
    files: dict[str, StoredFile] = field(default_factory=dict)
    dms: dict[str, str] = field(default_factory=dict)
    invalid_payloads: list[InvalidPayload] = field(default_factory=list)
    reactions: set[tuple[str, str, str]] = field(default_factory=set)
    _ts_counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _id_counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # ---- ids -------------------------------------------------------------------------------
    def next_ts(self) -> str:
        """A unique, increasing message ts such as ``1650000000.000100``."""
        micros = self.ts_start * 1_000_000 + next(self._ts_counter) * 100
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def next_id(self, prefix: str) -> str:
        """A unique id such as ``V000000001`` for views or ``F000000002`` for files."""
        return f"{prefix}{next(self._id_counter):09d}"

    # ---- people and conversations ------------------------------------------------------------
    def dm_channel(self, user: str) -> str:
        """The stable DM channel id for ``user`` (``U0SAFE0001`` -> ``D0SAFE0001``)."""
        if user not in self.dms:
            self.dms[user] = "D" + user[1:]
        return self.dms[user]

    def mpim_channel(self, users: list[str]) -> str:
        """A stable group-DM channel id for a set of users."""
        digest = hashlib.sha1(",".join(sorted(users)).encode()).hexdigest()[:9].upper()
        channel = "G" + digest
        self.channels.setdefault(channel, "mpdm-" + "--".join(sorted(users)))
        self.bot_channels.add(channel)
        return channel

    def user_of_dm(self, channel: str) -> str | None:
        """The user whose DM with the bot ``channel`` is, if it is one."""
        for user, dm in self.dms.items():
            if dm == channel:
                return user
        return None

    def resolve_channel(self, channel: str | None, for_posting: bool = True) -> str:
        """Map a ``channel`` parameter to a channel id, or raise like Slack does.

        A user id posts to that user's DM; a ``D`` id must be an opened DM; a ``C``/``G`` id must be
        configured (when channels were configured) and, for posting, the bot must be a member.
        """
        if not channel:
            raise ApiError("channel_not_found")
        if channel.startswith(("U", "W")):
            return self.dm_channel(channel)
        if channel.startswith("D"):
            if channel in self.dms.values():
                return channel
            user = "U" + channel[1:]  # a DM the bot has not opened this run, e.g. from an event
            if user in self.users or not self.users:
                self.dms.setdefault(user, channel)
                return channel
            raise ApiError("channel_not_found")
        if channel in self.channels:
            if for_posting and self.strict_channels and channel not in self.bot_channels:
                raise ApiError("not_in_channel")
            return channel
        if self.strict_channels:
            raise ApiError("channel_not_found")
        return channel

    def kind_of(self, channel: str) -> str:
        """``channel``, ``group`` (a private channel), ``im`` or ``mpim``: what decides a scope."""
        if channel.startswith(("D", "U", "W")):
            return "im"
        if channel.startswith("G"):
            return "mpim" if self.channels.get(channel, "").startswith("mpdm-") else "group"
        return "channel"

    def add_member(self, user: str, name: str | None = None) -> None:
        """A person of the workspace (not necessarily in ncpi.yaml): users.info knows them after."""
        if user and user != BOT_USER_ID and user not in self.users:
            self.users[user] = name or user

    def user_object(self, user: str) -> dict[str, Any]:
        """The ``user`` object users.info answers, or raise ``user_not_found``."""
        if user == BOT_USER_ID:
            name, is_bot = BOT_NAME, True
        elif user in self.users:
            name, is_bot = self.users[user], False
        else:
            raise ApiError("user_not_found")
        handle = name.lower().replace(" ", ".").replace("/", "")
        return {
            "id": user, "team_id": TEAM_ID, "name": handle, "real_name": name, "deleted": False,
            "is_bot": is_bot, "is_admin": False, "tz": "Europe/London",
            "tz_label": "British Summer Time", "tz_offset": 3600,
            "profile": {"real_name": name, "display_name": name, "real_name_normalized": name,
                        "display_name_normalized": name, "team": TEAM_ID},
        }

    def channel_object(self, channel: str) -> dict[str, Any]:
        """The ``channel`` object conversations.info answers, or raise ``channel_not_found``."""
        if channel.startswith("D"):
            user = self.user_of_dm(channel)
            if user is None:
                raise ApiError("channel_not_found")
            return {"id": channel, "is_im": True, "user": user, "is_open": True,
                    "is_org_shared": False, "created": self.ts_start}
        if channel not in self.channels and self.strict_channels:
            raise ApiError("channel_not_found")
        name = self.channels.get(channel, channel.lower())
        return {
            "id": channel, "name": name, "is_channel": channel.startswith("C"),
            "is_group": False, "is_im": False, "is_mpim": channel.startswith("G"),
            "is_private": channel.startswith("G"), "is_archived": False, "is_general": False,
            "is_member": channel in self.bot_channels or not self.strict_channels,
            "created": self.ts_start, "num_members": len(self.members_of(channel)),
        }

    def members_of(self, channel: str) -> list[str]:
        """Members of a channel: the configured members, plus the bot where it is a member."""
        if channel.startswith("D"):
            user = self.user_of_dm(channel)
            return [user, BOT_USER_ID] if user else []
        members = list(self.channel_members.get(channel, []))
        if channel in self.bot_channels and BOT_USER_ID not in members:
            members.append(BOT_USER_ID)
        return members

    # ---- messages --------------------------------------------------------------------------
    def find_message(self, channel: str, ts: str) -> Message | None:
        """The live (not deleted) message at ``ts`` in ``channel``."""
        for m in self.messages:
            if m.channel == channel and m.ts == ts and not m.deleted and m.kind != "ephemeral":
                return m
        return None

    def check_thread(self, channel: str, thread_ts: Any) -> str | None:
        """The ``thread_ts`` to post under, or raise ``invalid_thread_ts`` as Slack does.

        A thread hangs from a live message of that same channel that is not itself a reply
        ("avoid using a reply's ts value; use its parent instead"); an ephemeral message is no
        one's parent: it is not in the channel's history.
        """
        if thread_ts in (None, ""):
            return None
        parent = self.find_message(channel, str(thread_ts))
        if parent is None or parent.is_thread_reply:
            raise ApiError("invalid_thread_ts")
        return parent.ts

    def add_message(self, msg: Message) -> Message:
        """Store a message and, for a thread reply, update its parent's reply counters."""
        self.messages.append(msg)
        if msg.is_thread_reply:
            parent = self.find_message(msg.channel, msg.thread_ts or "")
            if parent is not None:
                parent.reply_count += 1
                parent.latest_reply = msg.ts
                parent.thread_ts = parent.ts
                if msg.user and msg.user not in parent.reply_users:
                    parent.reply_users.append(msg.user)
        return msg

    def channel_messages(self, channel: str) -> list[Message]:
        """Live, non-ephemeral messages of a channel, oldest first."""
        return [m for m in self.messages
                if m.channel == channel and not m.deleted and m.kind in ("message", "file_share", "user")]
