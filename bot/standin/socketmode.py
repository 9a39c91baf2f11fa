"""SocketModeStandIn: a local WebSocket server playing Slack's Socket Mode (hello, envelopes, acks)."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, NamedTuple

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from bot.standin.interactions import check_view_answer, view_for_submission
from bot.standin.payloads import (
    build_block_action,
    build_event_envelope,
    build_slash_command,
    build_view_submission,
)
from bot.standin.workspace import APP_ID

log = logging.getLogger(__name__)

ACCEPTS_RESPONSE = {"slash_commands": True, "interactive": True, "events_api": False}


class AckResult(NamedTuple):
    """The ack a client sent for one envelope, and seconds from push to ack."""

    ack: dict[str, Any]
    elapsed: float


class SubmissionAck(AckResult):
    """The ack of a modal submission, and why Slack would refuse the answer in it (or None)."""

    refused: str | None = None


def build_envelope(kind: str, payload: dict[str, Any], envelope_id: str | None = None,
                   retry_attempt: int = 0, retry_reason: str = "") -> dict[str, Any]:
    """A Socket Mode envelope as Slack sends it.

    Args:
        kind: ``slash_commands``, ``interactive`` or ``events_api``.
        payload: The same payload the HTTP endpoint would get (form fields as a dict for
            commands, the interaction payload, or the ``event_callback`` envelope).
        envelope_id: Defaults to a fresh uuid.
        retry_attempt: Events API redelivery count.
        retry_reason: Why it was redelivered.
    """
    envelope: dict[str, Any] = {
        "envelope_id": envelope_id or str(uuid.uuid4()), "type": kind, "payload": payload,
        "accepts_response_payload": ACCEPTS_RESPONSE.get(kind, False),
    }
    if kind == "events_api":
        envelope.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
    return envelope


class SocketModeStandIn:
    """Slack's Socket Mode end: sends ``hello``, pushes envelopes, records the client's acks."""

    def __init__(self, app_id: str = APP_ID, send_hello: bool = True) -> None:
        """Configure the server; call ``start()`` (``SlackStandIn.socket_mode`` does it for you)."""
        self.app_id = app_id
        self.send_hello = send_hello
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._cond = threading.Condition()
        self._connections: list[ServerConnection] = []
        self._acks: dict[str, dict[str, Any]] = {}
        self._ack_times: dict[str, float] = {}
        self._pushed_at: dict[str, float] = {}
        self.received: list[dict[str, Any]] = []
        self.connection_count = 0
        # Set by SlackStandIn so pushed commands and clicks carry response URLs it serves, modal
        # submissions carry the view it opened, and answers Slack would refuse are recorded.
        self.response_url_factory: Callable[..., str] | None = None
        # a command answered in its ack's payload is shown like a response-URL post
        self.command_answered: Callable[[str, dict[str, Any]], None] | None = None
        self.view_lookup: Callable[[str], dict[str, Any] | None] | None = None
        self.report_invalid: Callable[[str, str, Any], None] | None = None
        self.event_hook: Callable[[dict[str, Any]], None] | None = None

    # ---- lifecycle ----------------------------------------------------------------------------
    def start(self) -> SocketModeStandIn:
        """Listen on 127.0.0.1 and a free port, in a daemon thread."""
        if self._server is None:
            self._server = serve(self._handle, "127.0.0.1", 0, ping_interval=None,
                                 close_timeout=0.5)
            self._thread = threading.Thread(target=self._server.serve_forever,
                                            name="slack-standin-socket", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Close every connection and stop listening."""
        if self._server is not None:
            self._server.shutdown()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SocketModeStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The TCP port the WebSocket server listens on."""
        if self._server is None:
            raise RuntimeError("the Socket Mode stand-in is not started")
        return int(self._server.socket.getsockname()[1])

    def new_url(self) -> str:
        """A fresh ``ws://`` URL like the ``wss://wss-primary.slack.com/link/?ticket=…`` Slack issues.

        slack_sdk's built-in client speaks plain TCP to any port other than 443 and needs a path.
        """
        return f"ws://127.0.0.1:{self.port}/link/?ticket={uuid.uuid4()}&app_id={self.app_id}"

    # ---- connections --------------------------------------------------------------------------
    def _handle(self, conn: ServerConnection) -> None:
        with self._cond:
            self._connections.append(conn)
            self.connection_count += 1
            self._cond.notify_all()
        try:
            if self.send_hello:
                conn.send(json.dumps({
                    "type": "hello", "num_connections": len(self._connections),
                    "debug_info": {"host": "applink-standin", "build_number": 1,
                                   "approximate_connection_time": 18060},
                    "connection_info": {"app_id": self.app_id},
                }))
            for raw in conn:
                self._on_message(raw)
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                if conn in self._connections:
                    self._connections.remove(conn)
                self._cond.notify_all()

    def _on_message(self, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except (TypeError, ValueError):
            log.warning("Socket Mode stand-in got a non-JSON frame: %r", raw)
            return
        with self._cond:
            self.received.append(message)
            envelope_id = message.get("envelope_id") if isinstance(message, dict) else None
            if envelope_id:
                self._acks[envelope_id] = message
                self._ack_times[envelope_id] = time.perf_counter()
                self._cond.notify_all()

    @property
    def active_connections(self) -> int:
        """How many clients are connected now."""
        with self._cond:
            return len(self._connections)

    def wait_for_connection(self, timeout: float = 5.0) -> bool:
        """Wait until a client is connected; True if one is."""
        with self._cond:
            return self._cond.wait_for(lambda: bool(self._connections), timeout)

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Send Slack's ``disconnect`` message to every client (they should reconnect)."""
        with self._cond:
            conns = list(self._connections)
        for conn in conns:
            conn.send(json.dumps({"type": "disconnect", "reason": reason,
                                  "debug_info": {"host": "applink-standin"}}))

    def close_connections(self) -> None:
        """Close every client connection from the server side (the server keeps listening)."""
        with self._cond:
            conns = list(self._connections)
        for conn in conns:
            conn.close()
        with self._cond:
            self._cond.wait_for(lambda: not self._connections, 2.0)

    # ---- envelopes and acks -------------------------------------------------------------------
    def push(self, envelope: dict[str, Any]) -> str:
        """Send an envelope to the newest connection; returns its ``envelope_id``."""
        with self._cond:
            if not self._connections:
                raise RuntimeError("no Socket Mode client is connected")
            conn = self._connections[-1]
            envelope_id = str(envelope["envelope_id"])
            self._pushed_at[envelope_id] = time.perf_counter()
        conn.send(json.dumps(envelope))
        return envelope_id

    def wait_for_ack(self, envelope_id: str, timeout: float = 3.0) -> AckResult:
        """Wait for the ack of one envelope.

        Raises:
            TimeoutError: No ack arrived within ``timeout`` seconds.
        """
        with self._cond:
            if not self._cond.wait_for(lambda: envelope_id in self._acks, timeout):
                raise TimeoutError(f"no ack for envelope {envelope_id} within {timeout}s")
            elapsed = self._ack_times[envelope_id] - self._pushed_at.get(envelope_id, 0.0)
            return AckResult(self._acks[envelope_id], elapsed)

    def push_and_wait_ack(self, envelope: dict[str, Any], timeout: float = 3.0) -> AckResult:
        """Push an envelope and wait for its ack (Slack's limit is 3 seconds).

        Args:
            envelope: From ``build_envelope`` (or the ``push_*`` helpers' shapes).
            timeout: Seconds to wait.

        Returns:
            ``AckResult(ack, elapsed)``; ``ack`` is ``{"envelope_id": …, "payload": …}``.
        """
        return self.wait_for_ack(self.push(envelope), timeout)

    @property
    def acks(self) -> list[dict[str, Any]]:
        """Every ack received so far."""
        with self._cond:
            return list(self._acks.values())

    def slash_command(self, user_id: str, text: str, timeout: float = 3.0,
                      **kwargs: Any) -> AckResult:
        """Push a slash command (``build_slash_command`` arguments) and wait for its ack."""
        if self.response_url_factory and not kwargs.get("response_url"):
            kwargs["response_url"] = self.response_url_factory(
                channel=kwargs.get("channel_id", "C0SILVER01"), user=user_id)
        result = self.push_and_wait_ack(
            build_envelope("slash_commands", build_slash_command(user_id, text, **kwargs)), timeout)
        answer = result.ack.get("payload")
        if self.command_answered is not None and isinstance(answer, dict) and kwargs.get("response_url"):
            self.command_answered(str(kwargs["response_url"]), answer)
        return result

    def block_action(self, user_id: str, action_id: str, value: str | None = None,
                     timeout: float = 3.0, **kwargs: Any) -> AckResult:
        """Push a ``block_actions`` interaction and wait for its ack."""
        message = kwargs.get("message")
        if self.response_url_factory and not kwargs.get("response_url") and not kwargs.get("view"):
            kwargs["response_url"] = self.response_url_factory(
                channel=kwargs.get("channel_id") or getattr(message, "channel", None), user=user_id,
                message_ts=getattr(message, "ts", None))
        payload = build_block_action(user_id, action_id, value, **kwargs)
        return self.push_and_wait_ack(build_envelope("interactive", payload), timeout)

    def view_submission(self, user_id: str, callback_id: str,
                        state_values: dict[str, dict[str, dict[str, Any]]],
                        timeout: float = 3.0, **kwargs: Any) -> SubmissionAck:
        """Push a ``view_submission`` and wait for its ack; the answer in the ack is judged as
        Slack would (``AckResult.refused``), against the view as opened when known."""
        view = kwargs.pop("view", None)
        if view is None and self.view_lookup is not None:
            view = self.view_lookup(callback_id)
        submitted = view_for_submission(view, state_values)
        payload = build_view_submission(user_id, callback_id, state_values, view=submitted, **kwargs)
        result = self.push_and_wait_ack(build_envelope("interactive", payload), timeout)
        answer = result.ack.get("payload")
        refused = check_view_answer(submitted, json.dumps(answer) if answer else "")
        if refused and self.report_invalid is not None:
            self.report_invalid("view_submission", refused, answer)
        judged = SubmissionAck(*result)
        judged.refused = refused
        return judged

    def event(self, event: dict[str, Any], event_id: str | None = None, retry_attempt: int = 0,
              timeout: float = 3.0) -> AckResult:
        """Push an Events API event (wrapped in ``event_callback``) and wait for its ack."""
        if self.event_hook is not None:
            self.event_hook(event)
        envelope = build_envelope("events_api", build_event_envelope(event, event_id),
                                  retry_attempt=retry_attempt,
                                  retry_reason="timeout" if retry_attempt else "")
        return self.push_and_wait_ack(envelope, timeout)


def close_handler(handler: Any, standin: SocketModeStandIn) -> None:
    """Close a slack_bolt ``SocketModeHandler`` connected to ``standin`` in milliseconds.

    ``handler.close()`` alone takes ~3 s: slack_sdk's built-in client closes its own socket and then
    waits for its receive loop's 3-second socket timeout. Closing from the server side first wakes
    that loop at once; reconnection is switched off first so the client does not dial back in.

    Args:
        handler: A ``slack_bolt.adapter.socket_mode.SocketModeHandler``.
        standin: The Socket Mode stand-in it is connected to.
    """
    client = handler.client
    client.auto_reconnect_enabled = False
    client.closed = True
    state = getattr(client, "current_session_state", None)
    if state is not None:
        state.terminated = True
    standin.close_connections()
    handler.close()
