"""The delivery port on Slack: render a delivery, post it with its key as metadata, find it again.

A person is reached in their DM (their Slack id from ncpi.yaml; the DM's channel id is cached by
the gateway), a body in its channel (`config.channel(body, "slack")`). Each post carries its ledger
key as Slack message metadata: that is how a post is found again after a crash, and it never
leaves this module. Posting uses a client that waits out 429s (Retry-After) but never retries a
5xx or a dropped connection blindly: those may have posted the message, so we first look for its
key in the channel (or thread) and post again only if it is not there.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryState
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.copy import SLACK, error_text
from bot.slack.blocks.deliveries import PLATFORM, Addresses, render
from bot.slack.gateway import SlackGateway
from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.ledger import MessageRef
from ncpi_core.errors import NcpiError
from ncpi_core.ports import Outgoing, SendFailed

log = logging.getLogger(__name__)

# Slack errors that retrying cannot cure: report them to the admins at once
PERMANENT = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "invalid_blocks", "invalid_blocks_format",
    "msg_too_long", "user_not_found", "user_disabled", "cannot_dm_bot", "invalid_metadata_format",
    "no_text", "restricted_action", "too_many_attachments", "invalid_arguments",
})
# Slack refusing the app itself: no delivery can go until a person fixes the token or scopes, and
# then every one still useful must go, so these block the ledger instead of killing deliveries.
BLOCKING = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
                      "missing_scope", "team_access_not_granted", "no_permission", "ekm_access_denied"})
AMBIGUOUS_TRIES = 3
METADATA_EVENT_TYPE = "ncpi_delivery"  # Slack message metadata: {event_type, event_payload: {key}}


def metadata(key: str) -> dict[str, Any]:
    """The message metadata a post carries: its ledger key (part 2.. of a long one: `key#2`)."""
    return {"event_type": METADATA_EVENT_TYPE, "event_payload": {"key": key}}


class SendGate:
    """Shared by the threads of one sender: after a 429, nobody posts until Retry-After has passed.

    Without it each sender thread finds the limit for itself, and every extra 429 costs a whole
    Retry-After of that thread's time.
    """

    def __init__(self) -> None:
        self._until = 0.0
        self._lock = threading.Lock()

    def close_for(self, seconds: float) -> None:
        with self._lock:
            self._until = max(self._until, time.monotonic() + seconds)

    def wait(self) -> None:
        while True:
            with self._lock:
                delay = self._until - time.monotonic()
            if delay <= 0:
                return
            time.sleep(delay)


class RetryAfterHandler(RateLimitErrorRetryHandler):
    """Waits a 429's Retry-After plus at most 0.1 s of jitter, holding the shared gate meanwhile.

    slack_sdk's own handler adds up to a whole second (random()), which wastes half of each
    one-second rate-limit window on average when a fan-out of prompts meets the limit.
    """

    def __init__(self, max_retry_count: int = 1, gate: SendGate | None = None) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.gate = gate or SendGate()

    def prepare_for_next_attempt(self, *, state: RetryState, request: HttpRequest,
                                 response: HttpResponse | None = None,
                                 error: Exception | None = None) -> None:
        if response is None:
            raise error  # type: ignore[misc]
        state.next_attempt_requested = True
        values = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), None)
        try:
            wait = float(values[0] if isinstance(values, list) else values)  # type: ignore[arg-type]
        except (TypeError, ValueError, IndexError):
            wait = 1.0
        self.gate.close_for(max(0.0, wait) + random.random() * 0.1)
        self.gate.wait()
        state.increment_current_attempt()


def build_post_client(client: WebClient, max_retries: int = 5, gate: SendGate | None = None) -> WebClient:
    """A copy of `client` for chat.postMessage that retries only on 429 (never blindly on 5xx)."""
    return WebClient(token=client.token, base_url=client.base_url, timeout=client.timeout,
                     retry_handlers=[RetryAfterHandler(max_retry_count=max_retries, gate=gate)])


class DeliverySender:
    """`ncpi_core.ports.DeliveryPort` implemented with the Slack gateway."""

    platform = PLATFORM

    def __init__(self, gateway: SlackGateway, config: ForceConfig, post_client: WebClient | None = None) -> None:
        self.gateway = gateway
        self.addresses = Addresses(config)
        self.gate = SendGate()
        self.post_client = post_client or build_post_client(gateway.client, gate=self.gate)

    # --- the port ---------------------------------------------------------------------------
    def send(self, message: Outgoing) -> MessageRef:
        channel = self._channel(message)
        parts = render(message, self.addresses)
        first: MessageRef | None = None
        for i, (text, blocks) in enumerate(parts):
            thread = _thread_ts(message) if i == 0 else first.message if first else None
            key = message.key if i == 0 else f"{message.key}#{i + 1}"
            ref = self._post(channel, text, blocks, thread, metadata(key))
            if first is None:
                first = ref
        assert first is not None
        self._attach(message, first)
        return first

    def _attach(self, message: Outgoing, posted: MessageRef) -> None:
        """Attach the Gold chart (or the one-off note that it is unavailable) in the post's thread.

        An attachment is not an owed message of its own: a failure is logged, never retried
        into a second copy of the summary.
        """
        png = message.extra.get("chart_png")
        note = message.extra.get("chart_note")
        try:
            if png:
                self.gateway.upload_file(posted.conversation, message.extra.get("chart_name", "chart.png"), png,
                                         "RAG position over time", thread_ts=posted.message,
                                         alt_txt=message.extra.get("chart_alt"))
            elif isinstance(note, NcpiError):
                self.gateway.post(posted.conversation, f"The RAG chart is not attached: {error_text(note, SLACK)}",
                                  thread_ts=posted.message)
        except (SlackApiError, OSError) as exc:
            log.warning("could not attach the chart to %s: %s", message.key, exc)

    def find_sent(self, message: Outgoing, since: datetime) -> MessageRef | None:
        """Look for the key in the thread (nudges) or the latest history (history is newest first,
        so `since` is not used as a bound: Slack's ts and our clock need not agree)."""
        try:
            channel = self._channel(message)
        except SendFailed:
            return None
        ts = self._find(channel, _thread_ts(message), message.key)
        return MessageRef(channel, ts) if ts else None

    # --- helpers ------------------------------------------------------------------------------
    def _channel(self, message: Outgoing) -> str:
        """The conversation to post in: the thread's, a body's channel, or the person's DM."""
        if message.thread is not None:
            return message.thread.conversation
        recipient = message.recipient
        if recipient.body is not None:
            channel = self.addresses.of(recipient)
            if channel is None:
                raise SendFailed(f"no Slack channel for {recipient} in ncpi.yaml", permanent=True)
            return channel
        user = self.addresses.of(recipient)
        if user is None:
            raise SendFailed(f"no Slack user id for {recipient} in ncpi.yaml", permanent=True)
        try:
            return self.gateway.dm_channel(user)
        except SlackApiError as exc:
            error = str(exc.response.get("error", ""))
            raise SendFailed(f"conversations.open: {error}", permanent=error in PERMANENT,
                               blocked=error in BLOCKING) from exc
        except OSError as exc:
            raise SendFailed(f"conversations.open: {exc}", unreachable=True) from exc

    def _find(self, channel: str, thread_ts: str | None, key: str, pages: int = 5) -> str | None:
        """The ts of the message carrying `key`, or None if it is not there.

        Raises SendFailed(outcome_unknown) when Slack cannot be asked: "could not look" must never
        be read as "not there", or a crash recovery could post twice.
        """
        cursor = None
        for _ in range(pages):
            kwargs: dict[str, Any] = {"channel": channel, "limit": 200, "include_all_metadata": True}
            if cursor:
                kwargs["cursor"] = cursor
            try:
                if thread_ts:
                    resp = self.gateway.client.conversations_replies(ts=thread_ts, **kwargs)
                else:
                    resp = self.gateway.client.conversations_history(**kwargs)
            except (SlackApiError, OSError) as exc:
                raise SendFailed(f"could not look for {key}: {exc}", outcome_unknown=True,
                                 unreachable=isinstance(exc, OSError)) from exc
            messages: list[dict[str, Any]] = resp.get("messages", []) or []
            for msg in messages:
                meta = msg.get("metadata") or {}
                if (meta.get("event_type") == METADATA_EVENT_TYPE
                        and (meta.get("event_payload") or {}).get("key") == key):
                    return str(msg["ts"])
            cursor = (resp.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None

    def _post(self, channel: str, text: str, blocks: list[dict[str, Any]], thread_ts: str | None,
              meta: dict[str, Any]) -> MessageRef:
        key = meta["event_payload"]["key"]
        kwargs: dict[str, Any] = {"channel": channel, "text": text, "blocks": blocks, "metadata": meta,
                                  "unfurl_links": False, "unfurl_media": False}
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        last = ""
        unreachable = False
        for attempt in range(AMBIGUOUS_TRIES):
            if attempt:
                found = self._find(channel, thread_ts, key)
                if found:
                    log.info("delivery %s was posted despite the error: found it", key)
                    return MessageRef(channel, found)
            try:
                self.gate.wait()  # another thread met the rate limit: wait its Retry-After out too
                resp = self.post_client.chat_postMessage(**kwargs)
                return MessageRef(str(resp["channel"]), str(resp["ts"]))
            except SlackApiError as exc:
                status = getattr(exc.response, "status_code", 200)
                error = str(exc.response.get("error", ""))
                if status >= 500:
                    last, unreachable = f"HTTP {status} {error}", False
                    continue  # may have posted: look before trying again
                if status == 429:
                    raise SendFailed(f"rate limited after every retry ({error})") from exc
                raise SendFailed(f"chat.postMessage: {error}", permanent=error in PERMANENT,
                               blocked=error in BLOCKING) from exc
            except OSError as exc:  # dropped connection, timeout: the post may have landed
                last = repr(exc)
                unreachable = True
                continue
        found = self._find(channel, thread_ts, key)
        if found:
            return MessageRef(channel, found)
        raise SendFailed(f"chat.postMessage: {last}", outcome_unknown=True, unreachable=unreachable)


def _thread_ts(message: Outgoing) -> str | None:
    return message.thread.message if message.thread is not None else None
