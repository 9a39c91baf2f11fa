"""SlackStandIn: a local stand-in of Slack's Web API on 127.0.0.1, recording every call."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from http.server import ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from bot.standin.faults import FaultControls, FaultPlan
from bot.standin.handler import StandInHandler
from bot.standin.recording import Call, InvalidPayload, Message, ViewRecord
from bot.standin.responses import RESPONSE_PATH, ResponseUrls
from bot.standin.scopes import manifest_scopes, parse_scopes
from bot.standin.socketmode import SocketModeStandIn
from bot.standin.validation import MAX_BLOCKS_CHARS
from bot.standin.workspace import Workspace

if TYPE_CHECKING:
    from ncpi_core.config.schema import ForceConfig

log = logging.getLogger(__name__)

BROADCAST = re.compile(r"<!(channel|here|everyone)\b")


def users_from_config(config: ForceConfig) -> dict[str, str]:
    """Map each person's Slack user id to their name, from ``config/ncpi.yaml``.

    Args:
        config: The loaded force configuration (``ncpi_core.config.schema.load_force_config``).

    Returns:
        ``{"U0SAFE0001": "Head of Safeguarding", ...}``.
    """
    return {p.slack_user: p.name for p in config.people if p.slack_user}


def channels_from_config(config: ForceConfig) -> dict[str, str]:
    """Map the configured channel ids to names (``{"C0SILVER01": "silver", ...}``)."""
    return {channel: body for body in ("silver", "gold") if (channel := config.channel(body, "slack"))}


class SlackStandIn(FaultControls):
    """A real HTTP server answering Slack Web API methods at ``POST /api/<method>``.

    Use as a context manager (``with SlackStandIn() as slack: slack.api_url``) or call
    ``start()``/``stop()``. Point ``WebClient(base_url=slack.api_url)`` at it.
    """

    def __init__(
        self,
        users: Mapping[str, str] | None = None,
        channels: Mapping[str, str] | None = None,
        bot_channels: Iterable[str] | None = None,
        channel_members: Mapping[str, list[str]] | None = None,
        tokens: Iterable[str] | None = None,
        scopes: str | None = None,
        trigger_ttl: float | None = 3.0,
        ts_start: int = 1_650_000_000,
        max_blocks_chars: int = MAX_BLOCKS_CHARS,
    ) -> None:
        """Configure the workspace the stand-in pretends to be.

        Args:
            users: Known users, id -> real name; users.info answers ``user_not_found`` for others.
            channels: Known channels, id -> name. When given, posting to an unknown ``C`` channel
                answers ``channel_not_found`` and to one the bot is not in ``not_in_channel``.
            bot_channels: Channels the bot is a member of (default: all of ``channels``).
            channel_members: Extra members per channel for conversations.members.
            tokens: Accepted tokens; by default any token starting ``xoxb-``/``xapp-``/``xoxp-``.
            scopes: The bot token's scopes (``x-oauth-scopes``, comma separated); by default those
                ``config/slack_manifest.yaml`` asks for. A method needing another answers
                ``missing_scope`` (``bot.standin.scopes``).
            trigger_ttl: Seconds a trigger id from ``SlackSender`` stays valid (None: forever).
            ts_start: Seconds part of the first message ts.
            max_blocks_chars: A message whose blocks are longer together (their text, and 125 a
                block) is refused with ``msg_blocks_too_long`` (``bot.standin.validation``).
        """
        chans = dict(channels or {})
        self.workspace = Workspace(
            users=dict(users or {}), channels=chans,
            bot_channels=set(bot_channels if bot_channels is not None else chans),
            channel_members={k: list(v) for k, v in (channel_members or {}).items()},
            strict_channels=channels is not None, ts_start=ts_start, max_blocks_chars=max_blocks_chars,
        )
        self.tokens = set(tokens) if tokens is not None else None
        self.scopes = scopes if scopes is not None else ",".join(manifest_scopes())
        self.trigger_ttl = trigger_ttl
        self.faults = FaultPlan()
        self._calls: list[Call] = []
        self._listeners: list[Callable[[Call], None]] = []
        self.response_urls = ResponseUrls(self.workspace)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._socket: SocketModeStandIn | None = None

    @classmethod
    def from_config(cls, config: ForceConfig, **kwargs: Any) -> SlackStandIn:
        """A stand-in whose users and channels are those of ``config/ncpi.yaml``.

        Args:
            config: The loaded force configuration.
            **kwargs: Passed on to ``SlackStandIn(...)``.
        """
        kwargs.setdefault("users", users_from_config(config))
        kwargs.setdefault("channels", channels_from_config(config))
        return cls(**kwargs)

    # ---- lifecycle ----------------------------------------------------------------------------
    def start(self, port: int = 0) -> SlackStandIn:
        """Start serving on 127.0.0.1 and `port` (0: a free one), in a daemon thread."""
        if self._server is not None:
            return self
        handler = type("BoundStandInHandler", (StandInHandler,), {"standin": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="slack-standin",
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        log.info("Slack stand-in serving %s", self.api_url)
        return self

    def stop(self) -> None:
        """Stop the server (and the Socket Mode stand-in, if one was started)."""
        if self._socket is not None:
            self._socket.stop()
            self._socket = None
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        if self._server is None:
            raise RuntimeError("the Slack stand-in is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """``http://127.0.0.1:PORT/api/``: the ``base_url`` for slack_sdk's WebClient."""
        return f"{self.base_url}/api/"

    @property
    def socket_mode(self) -> SocketModeStandIn:
        """The Socket Mode stand-in apps.connections.open points to (started on first use)."""
        with self._lock:
            if self._socket is None:
                self._socket = SocketModeStandIn().start()
                self._socket.response_url_factory = self.new_response_url
                self._socket.command_answered = self.command_answered
                self._socket.view_lookup = self.opened_view
                self._socket.report_invalid = self.report_invalid
                self._socket.event_hook = self.note_event
            return self._socket

    def _socket_url(self) -> str:
        return self.socket_mode.new_url()

    @property
    def granted(self) -> frozenset[str]:
        """The bot token's scopes as a set."""
        return parse_scopes(self.scopes)

    def _token_ok(self, token: str) -> bool:
        if self.tokens is not None:
            return token in self.tokens
        return token.startswith(("xoxb-", "xapp-", "xoxp-"))

    # ---- recording ----------------------------------------------------------------------------
    def _record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)
            listeners = list(self._listeners)
        for listener in listeners:
            listener(call)

    def add_call_listener(self, listener: Callable[[Call], None]) -> None:
        """Call ``listener(call)`` for every recorded call, in the request thread, just before the
        answer is written (so a test can act "after Slack stored it, before the bot heard back").
        """
        with self._lock:
            self._listeners.append(listener)

    def remove_call_listener(self, listener: Callable[[Call], None]) -> None:
        """Stop calling a listener added with ``add_call_listener``."""
        with self._lock:
            self._listeners.remove(listener)

    @property
    def calls(self) -> list[Call]:
        """Every Web API call so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        """The calls to one method, e.g. ``calls_to("chat.postMessage")``."""
        return [c for c in self.calls if c.method == method]

    def messages(self, channel: str | None = None, include_deleted: bool = False) -> list[Message]:
        """Messages posted with chat.postMessage (and file shares), oldest first.

        Args:
            channel: Only this channel (a user id means that user's DM).
            include_deleted: Also messages removed with chat.delete.
        """
        ws = self.workspace
        with ws.lock:
            if channel and channel.startswith(("U", "W")):
                channel = ws.dms.get(channel, "D" + channel[1:])
            return [m for m in ws.messages
                    if m.kind in ("message", "file_share")
                    and (channel is None or m.channel == channel)
                    and (include_deleted or not m.deleted)]

    def ephemerals(self, user: str | None = None) -> list[Message]:
        """Messages posted with chat.postEphemeral, optionally only those shown to ``user``."""
        with self.workspace.lock:
            return [m for m in self.workspace.messages
                    if m.kind == "ephemeral" and (user is None or m.to_user == user)]

    @property
    def responses(self) -> list[Message]:
        """Messages posted to response URLs (Bolt's ``respond()``), oldest first."""
        with self._lock:
            return list(self.response_urls.received)

    def timeline(self) -> list[Message]:
        """Everything the bot said, in order: messages, ephemerals and responses."""
        with self.workspace.lock:
            said = [m for m in self.workspace.messages if m.kind != "user"]
        return sorted(said + self.responses, key=lambda m: m.at)

    def broadcast_mentions(self) -> list[Message]:
        """Messages that would ping a whole channel (``<!channel>``, ``<!here>``, ``<!everyone>``).

        Text from users must be escaped (``&lt;!channel&gt;``) before it is posted, so a passing
        test expects none.
        """
        return [m for m in self.timeline()
                if BROADCAST.search(m.text) or BROADCAST.search(json.dumps(m.blocks))]

    @property
    def views(self) -> list[ViewRecord]:
        """Every view opened, pushed, updated or published, in order."""
        with self.workspace.lock:
            return list(self.workspace.views)

    def home_view(self, user: str) -> dict[str, Any] | None:
        """The App Home view last published for ``user``."""
        for rec in reversed(self.views):
            if rec.user == user and rec.type == "home":
                return rec.view
        return None

    @property
    def files(self) -> dict[str, bytes]:
        """Uploaded file contents by filename (files_upload_v2)."""
        with self.workspace.lock:
            return {f.filename: f.data or b"" for f in self.workspace.files.values() if f.completed}

    @property
    def invalid_payloads(self) -> list[InvalidPayload]:
        """Payloads rejected as invalid Block Kit (a passing test expects none)."""
        with self.workspace.lock:
            return list(self.workspace.invalid_payloads)

    def opened_view(self, callback_id: str) -> dict[str, Any] | None:
        """The modal last opened, pushed or updated with this ``callback_id``, as the bot sent it."""
        for rec in reversed(self.views):
            if rec.type == "modal" and rec.view.get("callback_id") == callback_id:
                return dict(rec.view)
        return None

    def report_invalid(self, what: str, reason: str, payload: Any) -> None:
        """Record something Slack would have refused (tests expect ``invalid_payloads`` empty)."""
        with self.workspace.lock:
            self.workspace.invalid_payloads.append(InvalidPayload(what, reason, payload))

    def dm_channel(self, user: str) -> str:
        """The DM channel id conversations.open gives for ``user``."""
        with self.workspace.lock:
            return self.workspace.dm_channel(user)

    def add_user_message(self, channel: str, user: str, text: str,
                         thread_ts: str | None = None) -> str:
        """Seed a message from a person into a channel's history; returns its ts.

        The person becomes a member of the workspace (whether or not ncpi.yaml names them), and a
        ``D`` channel becomes their DM with the bot: Slack lets anyone in the workspace DM an app.
        """
        ws = self.workspace
        with ws.lock:
            if channel.startswith(("U", "W")):
                channel = ws.dm_channel(channel)
            self._know_sender(user, channel)
            msg = ws.add_message(Message(channel=channel, ts=ws.next_ts(), text=text,
                                         thread_ts=thread_ts, user=user, kind="user"))
            return msg.ts

    def note_event(self, event: dict[str, Any]) -> None:
        """Keep what Slack knows before it delivers ``event``: the person who sent it is a member,
        and a person's message is in the channel's history (so the bot can reply in its thread)."""
        user, channel, ts = event.get("user"), event.get("channel"), event.get("ts")
        if not isinstance(user, str) or not user:
            return
        ws = self.workspace
        with ws.lock:
            if not isinstance(channel, str) or not channel:
                ws.add_member(user)
                return
            self._know_sender(user, channel)
            person_typed = (event.get("type") == "message" and not event.get("subtype")
                            and not event.get("bot_id") and isinstance(ts, str) and ts)
            if person_typed and ws.find_message(channel, str(ts)) is None:
                ws.add_message(Message(channel=channel, ts=str(ts), text=str(event.get("text") or ""),
                                       thread_ts=event.get("thread_ts") or None, user=user, kind="user"))

    def _know_sender(self, user: str, channel: str) -> None:
        ws = self.workspace
        ws.add_member(user)
        if channel.startswith("D") and user not in ws.dms and channel not in ws.dms.values():
            ws.dms[user] = channel

    def reset(self) -> None:
        """Forget calls, messages, views, files, responses, invalid payloads and faults."""
        with self._lock:
            self._calls.clear()
        self.response_urls.clear()
        with self.workspace.lock:
            self.workspace.messages.clear()
            self.workspace.views.clear()
            self.workspace.files.clear()
            self.workspace.invalid_payloads.clear()
        self.faults.clear()

    # ---- response URLs ------------------------------------------------------------------------
    def command_answered(self, response_url: str, payload: dict[str, Any]) -> None:
        """A slash command answered in its acknowledgement's body: shown like a response-URL post."""
        if RESPONSE_PATH in response_url and (payload.get("text") or payload.get("blocks")):
            self.response_urls.answer(response_url.rsplit(RESPONSE_PATH, 1)[1], payload)

    def new_response_url(self, channel: str | None = None, user: str | None = None,
                         message_ts: str | None = None) -> str:
        """A response URL on this server, as Slack sends with commands and actions.

        Args:
            channel: The channel the command or action came from.
            user: The user who acted (ephemeral responses are shown to them).
            message_ts: The message an action came from (for ``replace_original``).
        """
        return self.response_urls.new(self.base_url, channel, user, message_ts)
