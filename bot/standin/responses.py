"""Response URLs (what Bolt's ``respond()`` posts to): issuing them and recording what arrives."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

from bot.standin.recording import InvalidPayload, Message
from bot.standin.validation import check_blocks
from bot.standin.workspace import BOT_USER_ID, Workspace

RESPONSE_PATH = "/response_url/"


class ResponseUrls:
    """Issues response URLs on the stand-in and records the messages posted to them."""

    def __init__(self, workspace: Workspace) -> None:
        """Attach to the workspace whose messages ``replace_original`` may change."""
        self.workspace = workspace
        self._lock = threading.Lock()
        self._origins: dict[str, dict[str, str | None]] = {}
        self.received: list[Message] = []

    def new(self, base_url: str, channel: str | None = None, user: str | None = None,
            message_ts: str | None = None) -> str:
        """A fresh response URL under ``base_url``, remembering where it came from."""
        rid = uuid.uuid4().hex[:16]
        with self._lock:
            self._origins[rid] = {"channel": channel, "user": user, "message_ts": message_ts}
        return f"{base_url}{RESPONSE_PATH}{rid}"

    def clear(self) -> None:
        """Forget the recorded responses."""
        with self._lock:
            self.received.clear()

    def receive(self, rid: str, body: bytes) -> tuple[int, str]:
        """Handle a POST to a response URL; returns the HTTP status and text Slack would answer."""
        try:
            payload: dict[str, Any] = json.loads(body.decode("utf-8") or "{}")
        except (UnicodeDecodeError, json.JSONDecodeError):
            return 400, "invalid_payload"
        with self._lock:
            origin = dict(self._origins.get(rid, {}))
        blocks = payload.get("blocks") or []
        problem = check_blocks(blocks) if blocks else None
        if problem:
            with self.workspace.lock:
                self.workspace.invalid_payloads.append(InvalidPayload("response_url", problem, blocks))
            return 400, "invalid_blocks"
        if not payload.get("text") and not blocks and not payload.get("delete_original"):
            return 400, "no_text"
        msg = Message(
            channel=origin.get("channel") or "", ts=self.workspace.next_ts(),
            text=str(payload.get("text") or ""), blocks=list(blocks),
            thread_ts=payload.get("thread_ts"), user=BOT_USER_ID, kind="response",
            to_user=origin.get("user"), response_type=payload.get("response_type", "ephemeral"),
            replace_original=bool(payload.get("replace_original")),
            delete_original=bool(payload.get("delete_original")),
        )
        self._apply_to_original(origin, msg)
        with self._lock:
            self.received.append(msg)
        return 200, "ok"

    def _apply_to_original(self, origin: dict[str, str | None], msg: Message) -> None:
        if not (msg.replace_original or msg.delete_original):
            return
        with self.workspace.lock:
            original = self.workspace.find_message(origin.get("channel") or "",
                                                   origin.get("message_ts") or "")
            if original is None:
                return
            if msg.delete_original:
                original.deleted = True
            else:
                original.text, original.blocks, original.edited = msg.text, msg.blocks, True
