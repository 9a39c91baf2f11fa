"""Response URLs (what Bolt's ``respond()`` posts to): issuing them and recording what arrives."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

from bot.standin.recording import InvalidPayload, Message
from bot.standin.validation import check_blocks
from bot.standin.workspace import BOT_USER_ID, Workspace

RESPONSE_PATH = "/response_url/"
ANSWERED_IN_BODY = "answered_in_body=1"  # query of the stand-in's own note of a command answered in its body
# "You can use a response_url up to five times within 30 minutes" (Slack, handling interactions):
# a sixth post, or one after half an hour, is refused and shows nothing.
MAX_USES = 5
TTL_SECONDS = 30 * 60


class ResponseUrls:
    """Issues response URLs on the stand-in and records the messages posted to them."""

    def __init__(self, workspace: Workspace) -> None:
        """Attach to the workspace whose messages ``replace_original`` may change."""
        self.workspace = workspace
        self._lock = threading.Lock()
        self._origins: dict[str, dict[str, str | None]] = {}
        self.received: list[Message] = []
        self.max_uses = MAX_USES
        self.ttl = TTL_SECONDS  # seconds; a test may shorten it
        self._uses: dict[str, int] = {}
        self._issued: dict[str, float] = {}

    def new(self, base_url: str, channel: str | None = None, user: str | None = None,
            message_ts: str | None = None) -> str:
        """A fresh response URL under ``base_url``, remembering where it came from."""
        rid = uuid.uuid4().hex[:16]
        with self._lock:
            self._origins[rid] = {"channel": channel, "user": user, "message_ts": message_ts}
            self._issued[rid] = time.monotonic()
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
        refused = self._use(rid, payload)
        if refused is not None:
            return 404, refused
        return self._record(rid, payload)

    def answer(self, rid: str, payload: dict[str, Any]) -> tuple[int, str]:
        """Record a command's answer given in the body of its acknowledgement: Slack shows it as it
        shows a response-URL post (ephemeral unless said otherwise), without using the URL up."""
        return self._record(rid, payload)

    def _record(self, rid: str, payload: dict[str, Any]) -> tuple[int, str]:
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

    def _use(self, rid: str, payload: dict[str, Any]) -> str | None:
        """Count one post to `rid`; Slack's refusal (``used_url``, ``expired_url``) or None."""
        with self._lock:
            issued = self._issued.get(rid)
            uses = self._uses[rid] = self._uses.get(rid, 0) + 1
        if issued is not None and time.monotonic() - issued > self.ttl:
            reason, why = "expired_url", f"response_url posted to after {self.ttl:.0f} s"
        elif uses > self.max_uses:
            reason, why = "used_url", f"response_url posted to {uses} times; Slack takes {self.max_uses}"
        else:
            return None
        with self.workspace.lock:
            self.workspace.invalid_payloads.append(InvalidPayload("response_url", why, payload))
        return reason

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
