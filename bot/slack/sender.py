"""The delivery port on Slack: render a delivery, post it with its key as metadata, find it again.

A person is reached in their DM (their Slack id from ncpi.yaml; the DM's channel id is cached by
the gateway), a body in its channel (`config.channel(body, "slack")`). Each post carries its ledger
key as Slack message metadata: that is how a post is found again after a crash, and it never
leaves this module. Posting uses a client that waits out 429s (Retry-After) but never retries a
5xx or a dropped connection blindly: those may have posted the message, so we first look for its
key in the channel (or thread) and post again only if it is not there.

A summary may take several messages (`bot.slack.parts`). Each part is owed once: part n carries
the key `key#n` (part 1 the key itself), the index of the first block it did not carry, a digest
of the last block it did, and whether it was the last. Before posting a summary the sender reads
which parts are already there and posts only the rest; `find_sent` calls a summary sent only when
its last part is there. A part Slack refuses for its blocks (`msg_blocks_too_long`,
`invalid_blocks`) is split smaller and the rest goes on from there; a single block Slack refuses
fails the delivery for good, and the ledger tells the administrators.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.copy import SLACK, error_text
from bot.slack.blocks.deliveries import PLATFORM, Addresses, render_body
from bot.slack.errors import with_fix
from bot.slack.gateway import SlackGateway
from bot.slack.pacing import Pacer, RetryAfterHandler, pacer_for
from bot.slack.parts import PACK_LIMIT, Body, Part, blocks_size, pack, resume_at
from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.ledger import MessageRef
from ncpi_core.errors import NcpiError
from ncpi_core.ports import Outgoing, SendFailed

log = logging.getLogger(__name__)

# Slack errors that retrying cannot cure: report them to the admins at once
PERMANENT = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "invalid_blocks", "invalid_blocks_format",
    "msg_too_long", "user_not_found", "user_disabled", "cannot_dm_bot", "invalid_metadata_format",
    "no_text", "restricted_action", "too_many_attachments", "invalid_arguments", "msg_blocks_too_long",
    "invalid_thread_ts",
})
# Slack refusing what a message says (its blocks, too long together or of a bad shape): permanent for
# that body; a summary's part is split smaller, anything else fails for good
REFUSED_BODY = frozenset({"msg_blocks_too_long", "invalid_blocks", "invalid_blocks_format"})
# Slack refusing the app itself: no delivery can go until a person fixes the token or scopes, and
# then every one still useful must go, so these block the ledger instead of killing deliveries.
BLOCKING = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
                      "missing_scope", "team_access_not_granted", "no_permission", "ekm_access_denied"})
AMBIGUOUS_TRIES = 3
METADATA_EVENT_TYPE = "ncpi_delivery"  # Slack message metadata: {event_type, event_payload: {key}}


def metadata(key: str, part: Part | None = None) -> dict[str, Any]:
    """The message metadata a post carries: its ledger key (part 2.. of a summary: `key#2`), and
    for a summary's part what the next attempt needs to go on after it."""
    payload: dict[str, Any] = {"key": key}
    if part is not None:
        payload.update(part=part.number, next=part.end, tail=part.tail, final=part.last)
    return {"event_type": METADATA_EVENT_TYPE, "event_payload": payload}


def part_key(key: str, number: int) -> str:
    return key if number == 1 else f"{key}#{number}"


@dataclass(frozen=True)
class Progress:
    """What is already posted of a delivery: its first message, how many parts in order, and
    where the last of them ended (`next` block, `tail` digest), and whether it was the last."""

    first: MessageRef
    posted: int
    next: int
    tail: str
    final: bool


class Refused(Exception):
    """Slack refused the blocks of one post (`msg_blocks_too_long`, `invalid_blocks`)."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def build_post_client(client: WebClient, max_retries: int = 5, pacer: Pacer | None = None) -> WebClient:
    """A copy of `client` for chat.postMessage that retries only on 429 (never blindly on 5xx)."""
    return WebClient(token=client.token, base_url=client.base_url, timeout=client.timeout,
                     retry_handlers=[RetryAfterHandler(max_retry_count=max_retries,
                                                       pacer=pacer or pacer_for(client.base_url, client.token))])


class DeliverySender:
    """`ncpi_core.ports.DeliveryPort` implemented with the Slack gateway."""

    platform = PLATFORM

    def __init__(self, gateway: SlackGateway, config: ForceConfig, post_client: WebClient | None = None) -> None:
        self.gateway = gateway
        self.addresses = Addresses(config)
        self.pacer = pacer_for(gateway.client.base_url, gateway.client.token)  # shared by the process
        self.post_client = post_client or build_post_client(gateway.client, pacer=self.pacer)

    # --- the port ---------------------------------------------------------------------------
    def send(self, message: Outgoing) -> MessageRef:
        channel = self._channel(message)
        body = render_body(message, self.addresses)
        if body.splittable:
            first, posted = self._send_parts(channel, message, body)
            if not posted:
                return first  # it was all there already (and so was its chart)
        else:
            try:
                first = self._post(channel, body.title, body.blocks, _thread_ts(message), metadata(message.key))
            except Refused as exc:
                raise SendFailed(f"chat.postMessage: {with_fix(exc.error)}", permanent=True) from None
        self._attach(message, first)
        return first

    def _send_parts(self, channel: str, message: Outgoing, body: Body) -> tuple[MessageRef, bool]:
        """Post the parts of `body` not posted yet, in order; split a part Slack refuses smaller.

        Returns the first message and whether anything was posted now."""
        top = _thread_ts(message)
        done = self._progress(channel, message)
        if done is not None and done.final:
            return done.first, False
        first = done.first if done else None
        start = resume_at(body, done.next, done.tail) if done else 0
        number = done.posted + 1 if done else 1
        narrow: tuple[int, int] | None = None
        while True:
            for part in pack(body, limit=PACK_LIMIT, start=start, first_number=number, narrow=narrow):
                thread = top if part.number == 1 else (top or (first.message if first else None))
                try:
                    ref = self._post(channel, part.text, part.blocks, thread,
                                     metadata(part_key(message.key, part.number), part))
                except Refused as exc:
                    carried = body.blocks[part.start:part.end]
                    if len([b for b in carried if b.get("type") != "divider"]) <= 1:
                        raise SendFailed(f"chat.postMessage: {with_fix(exc.error)} (part {part.number}, one block "
                                         "alone)", permanent=True) from None
                    narrow = (part.end, max(1, blocks_size(carried) // 2))  # this part in two or more
                    log.warning("Slack refused part %d of %s (%s): sending it in smaller parts",
                                part.number, message.key, exc.error)
                    break
                first = first or ref
                start, number = part.end, part.number + 1
            else:
                assert first is not None  # a body always has a first part
                return first, True

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
        """The delivery already posted whole: its key in the thread (nudges) or the latest history
        (newest first, so `since` is not used as a bound: Slack's ts and our clock need not agree),
        and for a summary its last part too."""
        try:
            channel = self._channel(message)
        except SendFailed:
            return None
        done = self._progress(channel, message)
        return done.first if done is not None and done.final else None

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
            raise SendFailed(f"conversations.open: {with_fix(error, exc.response.get('needed'))}",
                             permanent=error in PERMANENT, blocked=error in BLOCKING) from exc
        except OSError as exc:
            raise SendFailed(f"conversations.open: {exc}", unreachable=True) from exc

    def _progress(self, channel: str, message: Outgoing) -> Progress | None:
        """What of `message` is posted already (None: nothing). A post without part fields is a
        whole message."""
        top = _thread_ts(message)
        found = self._scan(channel, top, message.key, lambda k: k == message.key)
        if message.key not in found:
            return None
        ts, first = found[message.key]
        parts = {1: first}
        if "part" in first and not first.get("final"):
            prefix = f"{message.key}#"
            replies = self._scan(channel, top or ts, message.key, lambda k: k.startswith(prefix))
            parts.update({int(k[len(prefix):]): p for k, (_, p) in replies.items() if k[len(prefix):].isdigit()})
        posted = 1
        while posted + 1 in parts:
            posted += 1
        last = parts[posted]
        return Progress(MessageRef(channel, ts), posted, int(last.get("next") or 0), str(last.get("tail") or ""),
                        bool(last.get("final", "part" not in last)))

    def _scan(self, channel: str, thread_ts: str | None, what: str, wanted: Callable[[str], bool],
              pages: int = 5) -> dict[str, tuple[str, dict[str, Any]]]:
        """{key: (ts, metadata payload)} of the posts in the channel (or thread) whose key is wanted.

        Raises SendFailed(outcome_unknown) when Slack cannot be asked: "could not look" must never
        be read as "not there", or a crash recovery could post twice.
        """
        found: dict[str, tuple[str, dict[str, Any]]] = {}
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
            except SlackApiError as exc:
                error = str(exc.response.get("error", ""))
                if error in BLOCKING:  # e.g. no channels:history: nothing can go until a person fixes it
                    raise SendFailed(f"could not look for {what}: {with_fix(error, exc.response.get('needed'))}",
                                     blocked=True) from exc
                raise SendFailed(f"could not look for {what}: {exc}", outcome_unknown=True) from exc
            except OSError as exc:
                raise SendFailed(f"could not look for {what}: {exc}", outcome_unknown=True, unreachable=True) from exc
            messages: list[dict[str, Any]] = resp.get("messages", []) or []
            for msg in messages:
                meta = msg.get("metadata") or {}
                payload = meta.get("event_payload") or {}
                key = str(payload.get("key") or "")
                if meta.get("event_type") == METADATA_EVENT_TYPE and wanted(key) and key not in found:
                    found[key] = (str(msg["ts"]), payload)
            cursor = (resp.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        return found

    def _find(self, channel: str, thread_ts: str | None, key: str) -> str | None:
        """The ts of the message carrying `key`, or None if it is not there."""
        found = self._scan(channel, thread_ts, key, lambda k: k == key)
        return found[key][0] if key in found else None

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
                pace = self.pacer.pace("chat.postMessage")
                pace.acquire()  # this call's turn at the workspace's rate (once it is known)
                resp = self.post_client.chat_postMessage(**kwargs)
                pace.accepted()
                return MessageRef(str(resp["channel"]), str(resp["ts"]))
            except SlackApiError as exc:
                status = getattr(exc.response, "status_code", 200)
                error = str(exc.response.get("error", ""))
                if status >= 500:
                    last, unreachable = f"HTTP {status} {error}", False
                    continue  # may have posted: look before trying again
                if status == 429:
                    raise SendFailed(f"rate limited after every retry ({with_fix('ratelimited')})") from exc
                if error in REFUSED_BODY:
                    raise Refused(error) from exc
                raise SendFailed(f"chat.postMessage: {with_fix(error, exc.response.get('needed'))}",
                                 permanent=error in PERMANENT, blocked=error in BLOCKING) from exc
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
