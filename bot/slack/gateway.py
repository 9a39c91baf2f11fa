"""The one way out to Slack: a WebClient with slack_sdk's retry handlers, and the calls ncpi makes.

Bolt copies `base_url` and `retry_handlers` from `app.client` into the per-request client, so a
client built here reaches every call, including those made inside listeners.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.slack.pacing import RetryAfterHandler, pacer_for
from ncpi_core.storage.base import UowFactory

log = logging.getLogger(__name__)

PLATFORM = "slack"  # the name this front end's DMs are kept under in the conversations table
BULK_READ_EVERY = 60.0  # seconds: stored DMs are read all at once at most this often (once a tick)


def build_web_client(token: str | None, base_url: str, timeout: int = 30,
                     max_retries: int = 5) -> WebClient:
    """A WebClient that waits out 429s (Retry-After, then paced), retries 5xx and dropped connections."""
    handlers = [
        ConnectionErrorRetryHandler(max_retry_count=max_retries),
        # a 429 teaches the method's pace, shared by the process (bot.slack.pacing)
        RetryAfterHandler(max_retry_count=max_retries, pacer=pacer_for(base_url, token)),
        ServerErrorRetryHandler(max_retry_count=max_retries),
    ]
    return WebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=handlers)


class SlackGateway:
    """Slack side effects ncpi needs, with the DM channel cache kept in storage (`conversations`)."""

    def __init__(self, client: WebClient, uow_factory: UowFactory | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.client = client
        self.uow_factory = uow_factory
        self.clock = clock or (lambda: datetime.now(UTC))
        self._dm_cache: dict[str, str] = {}
        self._bulk_read_at = -BULK_READ_EVERY  # monotonic time of the last read of every stored DM
        self._user_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    # --- DMs ---------------------------------------------------------------------------------
    def dm_channel(self, slack_user: str) -> str:
        """The DM channel with a user: memory, then database, then conversations.open.

        One lookup per user at a time: sender threads prompting the same person wait for the
        first one's answer instead of each calling conversations.open.
        """
        with self._lock:
            cached = self._dm_cache.get(slack_user)
            user_lock = self._user_locks.setdefault(slack_user, threading.Lock())
        if cached:
            return cached
        with user_lock:
            with self._lock:
                cached = self._dm_cache.get(slack_user)
            if cached:
                return cached
            channel = self._stored_dm(slack_user) or self._open_dm(slack_user)
            with self._lock:
                self._dm_cache[slack_user] = channel
            return channel

    def open_ahead(self, slack_users: list[str], budget: float = 120.0) -> int:
        """Open the DMs not opened yet (new leads), at conversations.open's pace, for at most
        `budget` seconds; returns how many were opened. Run ahead of the sends (the scheduler's
        preparation job), so that the first prompts to a new lead do not wait for it."""
        deadline = time.monotonic() + budget
        opened = 0
        for user in slack_users:
            if time.monotonic() > deadline:
                break
            with self._lock:
                known = user in self._dm_cache
            if known or self._stored_dm(user) is not None:
                continue
            self.dm_channel(user)
            opened += 1
        return opened

    def _stored_dm(self, slack_user: str) -> str | None:
        """From the database: every stored DM read at once (at most once a minute, so a fan-out of
        prompts reads them in one transaction, not one each), then this user's alone if missing
        (another replica may have opened it since)."""
        if self.uow_factory is None:
            return None
        now = time.monotonic()
        with self._lock:
            bulk = now - self._bulk_read_at > BULK_READ_EVERY
            if bulk:
                self._bulk_read_at = now
        if bulk:
            with self.uow_factory() as uow:
                stored_all = uow.read_only().conversations.conversations(PLATFORM)
            with self._lock:
                for user, channel in stored_all.items():
                    self._dm_cache.setdefault(user, channel)
            if slack_user in stored_all:
                return stored_all[slack_user]
        with self.uow_factory() as uow:
            stored = uow.read_only().conversations.get(PLATFORM, slack_user)
        return stored[0] if stored is not None else None

    def _open_dm(self, slack_user: str) -> str:
        pace = pacer_for(self.client.base_url, self.client.token).pace("conversations.open")
        pace.acquire()  # its own pace (Tier 3): opening DMs never slows the posts
        resp = self.client.conversations_open(users=slack_user)
        pace.accepted()
        channel = str(resp["channel"]["id"])
        if self.uow_factory is not None:
            with self.uow_factory() as uow:
                # an upsert: another replica storing the same channel first is no error
                uow.conversations.put(PLATFORM, slack_user, channel, None, self.clock())
                uow.commit()
        return channel

    # --- messages ------------------------------------------------------------------------------
    def post(self, channel: str, text: str, blocks: list[dict[str, Any]] | None = None,
             thread_ts: str | None = None, metadata: dict[str, Any] | None = None) -> tuple[str, str]:
        """Post a message; returns (channel, ts). `metadata` carries e.g. a delivery key."""
        kwargs: dict[str, Any] = {"channel": channel, "text": text, "unfurl_links": False,
                                  "unfurl_media": False}
        if blocks is not None:
            kwargs["blocks"] = blocks
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        if metadata is not None:
            kwargs["metadata"] = metadata
        resp = self.client.chat_postMessage(**kwargs)
        return str(resp["channel"]), str(resp["ts"])

    def post_dm(self, slack_user: str, text: str, blocks: list[dict[str, Any]] | None = None,
                thread_ts: str | None = None, metadata: dict[str, Any] | None = None) -> tuple[str, str]:
        return self.post(self.dm_channel(slack_user), text, blocks, thread_ts, metadata)

    # --- views and files -------------------------------------------------------------------------
    def open_view(self, trigger_id: str, view: dict[str, Any]) -> None:
        self.client.views_open(trigger_id=trigger_id, view=view)

    def publish_home(self, slack_user: str, view: dict[str, Any]) -> None:
        self.client.views_publish(user_id=slack_user, view=view)

    def upload_file(self, channel: str, filename: str, content: bytes, title: str,
                    comment: str | None = None, thread_ts: str | None = None, alt_txt: str | None = None) -> None:
        kwargs: dict[str, Any] = {"channel": channel, "filename": filename, "content": content,
                                  "title": title}
        if alt_txt:
            kwargs["alt_txt"] = alt_txt  # what a screen reader says for the image
        if comment:
            kwargs["initial_comment"] = comment
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        self.client.files_upload_v2(**kwargs)
