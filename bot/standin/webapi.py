"""SlackStandIn: a local stand-in of Slack's Web API on 127.0.0.1, recording every call."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from http.server import ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from bot.standin.faults import Fault, FaultPlan, make_rates
from bot.standin.handler import StandInHandler
from bot.standin.recording import Call, InvalidPayload, Message, ViewRecord
from bot.standin.responses import ResponseUrls
from bot.standin.socketmode import SocketModeStandIn
from bot.standin.workspace import DEFAULT_SCOPES, Workspace

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


class SlackStandIn:
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
        scopes: str = DEFAULT_SCOPES,
        trigger_ttl: float | None = 3.0,
        ts_start: int = 1_650_000_000,
    ) -> None:
        """Configure the workspace the stand-in pretends to be.

        Args:
            users: Known users, id -> real name; users.info answers ``user_not_found`` for others.
            channels: Known channels, id -> name. When given, posting to an unknown ``C`` channel
                answers ``channel_not_found`` and to one the bot is not in ``not_in_channel``.
            bot_channels: Channels the bot is a member of (default: all of ``channels``).
            channel_members: Extra members per channel for conversations.members.
            tokens: Accepted tokens; by default any token starting ``xoxb-``/``xapp-``/``xoxp-``.
            scopes: The ``x-oauth-scopes`` header value.
            trigger_ttl: Seconds a trigger id from ``SlackSender`` stays valid (None: forever).
            ts_start: Seconds part of the first message ts.
        """
        chans = dict(channels or {})
        self.workspace = Workspace(
            users=dict(users or {}), channels=chans,
            bot_channels=set(bot_channels if bot_channels is not None else chans),
            channel_members={k: list(v) for k, v in (channel_members or {}).items()},
            strict_channels=channels is not None, ts_start=ts_start,
        )
        self.tokens = set(tokens) if tokens is not None else None
        self.scopes = scopes
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
            return self._socket

    def _socket_url(self) -> str:
        return self.socket_mode.new_url()

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

    def dm_channel(self, user: str) -> str:
        """The DM channel id conversations.open gives for ``user``."""
        with self.workspace.lock:
            return self.workspace.dm_channel(user)

    def add_user_message(self, channel: str, user: str, text: str,
                         thread_ts: str | None = None) -> str:
        """Seed a message from a person into a channel's history; returns its ts."""
        ws = self.workspace
        with ws.lock:
            if channel.startswith(("U", "W")):
                channel = ws.dm_channel(channel)
            msg = ws.add_message(Message(channel=channel, ts=ws.next_ts(), text=text,
                                         thread_ts=thread_ts, user=user, kind="user"))
            return msg.ts

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

    # ---- faults -------------------------------------------------------------------------------
    def fail_next(self, method: str, status: int = 429, retry_after: int = 1, count: int = 1, *,
                  error: str | None = None, drop: bool = False, delay: float = 0.0) -> None:
        """Make the next ``count`` calls to ``method`` (``"*"`` = any) fail.

        Args:
            method: Web API method name, or ``"*"``.
            status: 429 (rate limited, with ``Retry-After``), 500/503 (server error), or 200 with
                ``error`` to answer ``{"ok": false, "error": error}``.
            retry_after: The ``Retry-After`` seconds of a 429.
            count: How many calls fail.
            error: The error code for a 200 (or 5xx) answer.
            drop: Close the connection without answering instead.
            delay: Wait this long first (with ``status=200`` and no error: just slow).
        """
        if status == 200 and error is None and not drop:
            fault = Fault(delay=delay, reason="slow")
        else:
            fault = Fault(status=None if drop else status, retry_after=retry_after, error=error,
                          drop=drop, delay=delay)
        self.faults.fail_next(method, fault, count)

    def set_fault_rates(self, rate_limited: float = 0.0, server_error: float = 0.0,
                        slow: float = 0.0, drop: float = 0.0, seed: int | None = None, *,
                        slow_seconds: float = 0.5, retry_after: int = 1,
                        methods: list[str] | None = None) -> None:
        """Serve random faults with these per-call probabilities (repeatable with a seed).

        Args:
            rate_limited: Probability of a 429 with ``Retry-After: retry_after``.
            server_error: Probability of a 500.
            slow: Probability of answering after ``slow_seconds``.
            drop: Probability of closing the connection without an answer.
            seed: Seed for the random generator.
            slow_seconds: Delay of a slow answer.
            retry_after: ``Retry-After`` of a random 429.
            methods: Only these methods (default: all).
        """
        rates = make_rates(rate_limited, server_error, slow, drop, slow_seconds, retry_after, methods)
        self.faults.set_rates(rates, seed)

    def set_rate_limit(self, method: str, per_second: int | None, retry_after: int = 1) -> None:
        """Answer 429 once more than ``per_second`` calls to ``method`` arrive within 1 second.

        Args:
            method: Web API method name.
            per_second: Calls accepted per sliding 1-second window; None removes the limit.
            retry_after: The ``Retry-After`` seconds of the 429.
        """
        self.faults.set_rate_limit(method, per_second, retry_after)

    @property
    def stats(self) -> dict[str, int]:
        """Counts of faults served: ``429``, ``5xx``, ``dropped``, ``slowed``."""
        return dict(self.faults.counts)

    @property
    def served_429(self) -> int:
        """How many 429 answers were served."""
        return self.faults.counts["429"]

    @property
    def served_500(self) -> int:
        """How many 5xx answers were served."""
        return self.faults.counts["5xx"]

    # ---- response URLs ------------------------------------------------------------------------
    def new_response_url(self, channel: str | None = None, user: str | None = None,
                         message_ts: str | None = None) -> str:
        """A response URL on this server, as Slack sends with commands and actions.

        Args:
            channel: The channel the command or action came from.
            user: The user who acted (ephemeral responses are shown to them).
            message_ts: The message an action came from (for ``replace_original``).
        """
        return self.response_urls.new(self.base_url, channel, user, message_ts)
