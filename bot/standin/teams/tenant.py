"""The Microsoft 365 tenant the Teams stand-in pretends to be: people, teams and channels, where the
bot is installed, and every message in every conversation (thread-safe)."""

from __future__ import annotations

import hashlib
import itertools
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from ncpi_core.config.schema import ForceConfig

TENANT_ID = "9b3f6c1e-5d2a-4c7b-8e1f-0a2b3c4d5e6f"
APP_ID = "4f5e6d7c-8b9a-4a0b-9c1d-2e3f4a5b6c7d"
APP_PASSWORD = "ncpi-standin-client-secret"  # noqa: S105 - a local stand-in's secret, not a credential
BOT_NAME = "ncpi"
TEAM_ID = "19:gov3rnance0team0general@thread.tacv2"  # a team's id is its General channel's
CARD = "application/vnd.microsoft.card.adaptive"


def _digest(value: str, n: int = 24) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:n]


@dataclass
class TeamsUser:
    """A person in the tenant: their Entra object id (ncpi.yaml's teams_user) and the ids Teams
    gives them towards this bot (`29:…`) and for their personal chat with it (`a:…`)."""

    aad: str
    name: str

    @property
    def id(self) -> str:
        return f"29:1{_digest('user' + self.aad, 40)}"

    @property
    def conversation(self) -> str:
        return f"a:1{_digest('chat' + self.aad, 48)}"


@dataclass
class Channel:
    id: str
    name: str
    team: str


@dataclass
class Posted:
    """One message in a conversation: the bot's (kind "bot") or a person's (kind "user").

    `conversation` is the chat's or channel's id; `thread` the root message of a channel thread
    (None for a post that starts one, and in chats); `reply_to` the message a reply names.
    """

    conversation: str
    id: str
    kind: str
    sender: str  # the bot's id, or the person's Entra object id
    text: str = ""
    attachments: list[dict[str, Any]] = field(default_factory=list)
    summary: str = ""  # what notifications announce (the activity's `summary`)
    thread: str | None = None
    reply_to: str | None = None
    updates: int = 0
    deleted: bool = False
    at: float = 0.0

    def card(self) -> dict[str, Any] | None:
        """The Adaptive Card this message carries (the first), if any."""
        for a in self.attachments:
            if a.get("contentType") == CARD and isinstance(a.get("content"), dict):
                content: dict[str, Any] = a["content"]
                return content
        return None


class Tenant:
    """Who is in the tenant, where the bot is installed, and what has been said where."""

    def __init__(self, users: dict[str, str], channels: dict[str, str] | None = None,
                 installed: set[str] | None = None, team_installed: bool = True,
                 tenant_id: str = TENANT_ID, app_id: str = APP_ID, first_id: int = 1_650_000_000_000) -> None:
        self.tenant_id = tenant_id
        self.app_id = app_id
        self.bot_id = f"28:{app_id}"
        self.users = {aad: TeamsUser(aad, name) for aad, name in users.items()}
        self.channels = {cid: Channel(cid, name, TEAM_ID) for cid, name in (channels or {}).items()}
        self.installed = set(users) if installed is None else set(installed)  # personal scope
        self.teams = {TEAM_ID} if team_installed else set()  # teams the bot is installed in
        self.messages: list[Posted] = []
        self._ids = itertools.count(first_id)
        self._lock = threading.RLock()

    @classmethod
    def from_config(cls, config: ForceConfig, **kwargs: Any) -> Tenant:
        """The people of ncpi.yaml with a teams_user, and its Teams channels."""
        users = {p.teams_user: p.name for p in config.people if p.teams_user}
        channels = {cid: body for body in ("silver", "gold") if (cid := config.channel(body, "teams"))}
        return cls(users, channels, **kwargs)

    def add_user(self, aad: str, name: str, installed: bool = True) -> TeamsUser:
        """Someone else in the tenant (not in ncpi.yaml), with the app installed for them or not."""
        with self._lock:
            self.users[aad] = TeamsUser(aad, name)
            if installed:
                self.installed.add(aad)
            return self.users[aad]

    # --- lookups ---------------------------------------------------------------------------------
    def user(self, ref: str) -> TeamsUser | None:
        """A person by Entra object id, Teams user id (29:…) or personal chat id (a:…)."""
        with self._lock:
            if ref in self.users:
                return self.users[ref]
            return next((u for u in self.users.values() if ref in (u.id, u.conversation)), None)

    def new_id(self) -> str:
        with self._lock:
            return str(next(self._ids))

    def base(self, conversation: str) -> tuple[str, str | None]:
        """(chat or channel id, thread root) of a conversation id (`19:…;messageid=123`)."""
        cid, _, rest = conversation.partition(";messageid=")
        return cid, rest or None

    def reachable(self, conversation: str) -> str | None:
        """Why the bot cannot post in `conversation` (a Bot Connector error code), or None."""
        cid, _ = self.base(conversation)
        with self._lock:
            if cid in self.channels:
                return None if self.channels[cid].team in self.teams else "BotNotInConversationRoster"
            user = next((u for u in self.users.values() if u.conversation == cid), None)
            if user is None:
                return "ConversationNotFound"
            return None if user.aad in self.installed else "ConversationBlockedByUser"

    # --- messages --------------------------------------------------------------------------------
    def post(self, message: Posted) -> Posted:
        with self._lock:
            self.messages.append(message)
        return message

    def find(self, conversation: str, message_id: str) -> Posted | None:
        cid, _ = self.base(conversation)
        with self._lock:
            return next((m for m in self.messages if m.conversation == cid and m.id == message_id), None)

    def in_conversation(self, conversation: str) -> list[Posted]:
        cid, _ = self.base(conversation)
        with self._lock:
            return [m for m in self.messages if m.conversation == cid and not m.deleted]

    def by_bot(self) -> list[Posted]:
        with self._lock:
            return [m for m in self.messages if m.kind == "bot" and not m.deleted]


def with_teams_ids(config: ForceConfig) -> ForceConfig:
    """`config` with a Teams identity for everyone who has none, and Teams channels for Silver and
    Gold (the demo's and the tests' tenant; a real ncpi.yaml carries the force's own ids)."""
    people = [p if p.teams_user else p.model_copy(update={"teams_user": str(uuid.uuid5(uuid.NAMESPACE_URL,
                                                                                        f"ncpi-demo:{p.id}"))})
              for p in config.people]
    channels = config.channels.model_copy(update={
        body: {**getattr(config.channels, body), "teams": getattr(config.channels, body).get(
            "teams", f"19:ncpi0{body}0channel0{_digest(body, 12)}@thread.tacv2")} for body in ("silver", "gold")})
    return config.model_copy(update={"people": people, "channels": channels})
