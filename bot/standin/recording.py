"""What the stand-in saw: recorded Web API calls, messages and views (thread-safe)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Call:
    """One Web API request as the stand-in received it.

    Attributes:
        method: The Web API method, e.g. ``chat.postMessage``.
        params: Parameters from the form or JSON body (and query string), with ``blocks``,
            ``view``, ``metadata``, ``attachments`` and ``files`` decoded from JSON strings.
        headers: Request headers, names in lower case.
        token: The token sent (``Authorization: Bearer`` or the ``token`` parameter).
        at: Arrival time (``time.time()``).
        status: The HTTP status answered (0 when the connection was dropped).
        response: The JSON body answered, if any.
        fault: The injected fault served instead of a normal answer, if any.
    """

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    token: str | None
    at: float
    status: int = 200
    response: dict[str, Any] | None = None
    fault: str | None = None

    @property
    def ok(self) -> bool:
        """True when Slack would have answered ``{"ok": true}``."""
        return bool(self.status == 200 and self.response and self.response.get("ok"))


@dataclass
class Message:
    """A message the bot posted (or a user message seeded into history).

    ``kind`` is ``message`` (chat.postMessage), ``ephemeral`` (chat.postEphemeral),
    ``response`` (a post to a response URL), ``file_share`` (files.completeUploadExternal)
    or ``user`` (seeded with ``SlackStandIn.add_user_message``).
    """

    channel: str
    ts: str
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    metadata: dict[str, Any] | None = None
    user: str | None = None
    bot_id: str | None = None
    kind: str = "message"
    to_user: str | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    response_type: str | None = None
    replace_original: bool = False
    delete_original: bool = False
    edited: bool = False
    deleted: bool = False
    reply_count: int = 0
    reply_users: list[str] = field(default_factory=list)
    latest_reply: str | None = None
    unfurl_links: bool | None = None
    at: float = field(default_factory=time.time)

    def as_slack(self, include_metadata: bool = True) -> dict[str, Any]:
        """Return the message as ``conversations.history`` shows it."""
        out: dict[str, Any] = {"type": "message", "ts": self.ts, "text": self.text}
        if self.user:
            out["user"] = self.user
        if self.bot_id:
            out["bot_id"] = self.bot_id
            out["app_id"] = "A0NCPI0001"
        if self.blocks:
            out["blocks"] = self.blocks
        if self.thread_ts:
            out["thread_ts"] = self.thread_ts
        if self.reply_count:
            out["reply_count"] = self.reply_count
            out["reply_users"] = list(self.reply_users)
            out["reply_users_count"] = len(self.reply_users)
            out["latest_reply"] = self.latest_reply
        if self.files:
            out["files"] = self.files
            out["subtype"] = "file_share" if not self.bot_id else "bot_message"
        if self.edited:
            out["edited"] = {"user": self.user, "ts": self.ts}
        if include_metadata and self.metadata:
            out["metadata"] = self.metadata
        return out

    @property
    def is_thread_reply(self) -> bool:
        """True for a reply inside a thread (not the parent)."""
        return self.thread_ts is not None and self.thread_ts != self.ts


@dataclass
class ViewRecord:
    """A modal or App Home view the bot opened, pushed, updated or published."""

    id: str
    view: dict[str, Any]
    method: str
    user: str | None = None
    trigger_id: str | None = None
    root_view_id: str | None = None
    previous_view_id: str | None = None
    hash: str = ""
    at: float = field(default_factory=time.time)

    @property
    def type(self) -> str:
        """``modal`` or ``home``."""
        return str(self.view.get("type", ""))

    def as_slack(self, team_id: str, app_id: str, bot_id: str) -> dict[str, Any]:
        """Return the view object as Slack echoes it back from views.* methods."""
        out = dict(self.view)
        out.update(
            id=self.id,
            team_id=team_id,
            app_id=app_id,
            bot_id=bot_id,
            hash=self.hash,
            root_view_id=self.root_view_id or self.id,
            previous_view_id=self.previous_view_id,
            private_metadata=self.view.get("private_metadata", ""),
            callback_id=self.view.get("callback_id", ""),
            external_id=self.view.get("external_id", ""),
            state={"values": {}},
        )
        return out


@dataclass
class InvalidPayload:
    """A payload the stand-in rejected as invalid Block Kit (tests assert there are none)."""

    method: str
    reason: str
    payload: Any
    at: float = field(default_factory=time.time)
