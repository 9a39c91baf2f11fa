"""Slack over HTTP on waitress: POST /slack/events to the Bolt app, GET /healthz for probes.

The front door is a WSGI application (`FrontDoor`) served by waitress, a pure-Python server that
runs in this process: one process keeps one scheduler, and the ledger stays the only source of
truth across replicas. waitress reads every connection asynchronously and hands a worker thread
only a *complete* request, so a half-sent request holds a socket, never a thread. It refuses a
negative or malformed `Content-Length` (400) and one over the limit (413) from the headers alone,
before reading the body; a chunked body is counted as it arrives and refused once over the limit.
Bursts wait in a listen backlog of 2,048 instead of being reset.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.request import BoltRequest
from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer

from bot import health
from bot.bootstrap import Core

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

log = logging.getLogger("ncpi.run")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY = 1024 * 1024  # Slack's payloads are far smaller; refuse anything bigger

JSON = "application/json"
TEXT = "text/plain; charset=utf-8"


# --- the WSGI application -------------------------------------------------------------------------
class FrontDoor:
    """POST /slack/events to the Bolt app, GET /healthz on the core's database, 404 otherwise.

    Every refusal is an answer with a status (never a dropped connection): a missing, negative or
    malformed `Content-Length` is 400, one over `max_body` 413 (both decided before the body is
    read), a non-numeric signature timestamp 401, a body that is not a Slack payload 400.
    `app` None serves /healthz only (beside Socket Mode).
    """

    def __init__(self, app: App | None, core: Core, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.core = core
        self.max_body = max_body

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        status, headers, body = self.answer(environ)
        data = body.encode("utf-8")
        start_response(status, [*headers, ("Content-Length", str(len(data)))])
        return [data]

    def answer(self, environ: WSGIEnvironment) -> tuple[str, list[tuple[str, str]], str]:
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")
        if method == "GET" and path == HEALTH_PATH:
            code, report = health.check(self.core.engine)
            return _status(code), [("Content-Type", JSON)], json.dumps(report)
        if method != "POST" or path != EVENTS_PATH or self.app is None:
            return _status(404), [("Content-Type", TEXT)], "Not Found"
        raw_length = str(environ.get("CONTENT_LENGTH") or "").strip()
        if not raw_length.isdigit() or not raw_length.isascii():
            # waitress refuses a malformed length itself; a missing one would read as no body
            return _refuse(400, "a Content-Length header with the body's size in bytes is required")
        if int(raw_length) > self.max_body:
            return _refuse(413, f"the body is over {self.max_body:,} bytes")
        request = WsgiHttpRequest(environ)
        headers = request.get_headers()
        timestamp = headers.get("x-slack-request-timestamp")
        if not _timestamp_is_number(None if timestamp is None else str(timestamp)):
            # slack_sdk's verifier raises on int("abc"), and Bolt hands that error to the app's
            # error handler, which would answer the unverified body's response_url
            return _refuse(401, "invalid request")
        raw = environ["wsgi.input"].read(int(raw_length))
        try:
            bolt_request = BoltRequest(body=raw.decode("utf-8"), query=request.query_string, headers=headers)
        except (UnicodeDecodeError, ValueError, AttributeError, TypeError) as exc:
            # not a Slack payload (bad UTF-8, broken JSON, a list where an object belongs)
            log.info("refused a request that is not a Slack payload (%s)", type(exc).__name__)
            return _refuse(400, "invalid payload")
        response = self.app.dispatch(bolt_request)
        out = [(name, value) for name, values in response.headers.items() if name.lower() != "content-length"
               for value in ([values] if isinstance(values, str) else values)]
        return _status(response.status), out, response.body or ""


def _status(code: int) -> str:
    return f"{code} {HTTPStatus(code).phrase}"


def _refuse(code: int, error: str) -> tuple[str, list[tuple[str, str]], str]:
    return _status(code), [("Content-Type", JSON)], json.dumps({"error": error})


def _timestamp_is_number(value: str | None) -> bool:
    """A missing timestamp is Bolt's to refuse; one that is present must be an integer."""
    if value is None:
        return True
    try:
        int(value)
    except ValueError:
        return False
    return True


# --- the server -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ServerLimits:
    """How many requests are served at once, and how long a client may take to send one.

    Attributes:
        threads: Worker threads running complete requests (Bolt acks, then runs listeners in its
            own pool, so a request holds a worker only until the ack).
        connection_limit: Open connections served at once; more wait in the listen backlog.
        backlog: The listen backlog: a burst beyond the open connections is queued, not reset.
        request_deadline: Seconds a client has to send a whole request (headers and body) once
            it starts, and to start one on a new connection; then the connection is closed. Slack
            sends a request in milliseconds: this bounds slow and half-sent requests.
        idle_timeout: Seconds an idle kept-alive connection stays open between requests (longer
            than a reverse proxy's own keep-alive, 60 s for nginx, so the proxy closes first).
    """

    threads: int = 8
    connection_limit: int = 500
    backlog: int = 2048
    request_deadline: float = 10.0
    idle_timeout: int = 120


class _TimedParser(HTTPRequestParser):
    """waitress's request parser, remembering when the request began to arrive."""

    def __init__(self, adj: Adjustments) -> None:
        super().__init__(adj)
        self.started = time.time()


class _TimedChannel(HTTPChannel):
    parser_class = _TimedParser


class _DeadlineServer(TcpWSGIServer):
    """waitress's TCP server, also closing connections whose request is not whole in time.

    waitress closes a connection after `channel_timeout` seconds of *silence*; a client that
    drips a byte now and then would keep a half-sent request open for ever. This also closes a
    connection whose request started more than `request_deadline` seconds ago, or that has sent
    nothing since it was accepted that long ago.
    """

    channel_class = _TimedChannel
    request_deadline = 10.0

    def maintenance(self, now: float) -> None:
        super().maintenance(now)
        cutoff = now - self.request_deadline
        for channel in list(self.active_channels.values()):
            if channel.requests:
                continue  # a whole request is being served: its answer is owed
            partial = channel.request
            if partial is not None and getattr(partial, "started", now) < cutoff:
                log.info("closed a connection whose request was not whole after %ss", self.request_deadline)
                channel.will_close = True
            elif partial is None and channel.last_activity == channel.creation_time \
                    and channel.creation_time < cutoff:
                channel.will_close = True  # accepted, and never sent a byte


class HttpServer:
    """waitress serving a WSGI application, with the start/stop calls of `socketserver`."""

    def __init__(self, wsgi: Callable[..., Iterable[bytes]], host: str, port: int, limits: ServerLimits,
                 max_body: int = MAX_BODY) -> None:
        self._map: dict[int, Any] = {}
        adj = Adjustments(
            host=host, port=port, threads=limits.threads, connection_limit=limits.connection_limit,
            backlog=limits.backlog, channel_timeout=limits.idle_timeout, cleanup_interval=1,
            max_request_body_size=max_body + 1,  # waitress refuses a length >= this
            max_request_header_size=64 * 1024, asyncore_use_poll=True,  # select() stops at 1,024 sockets
            ident="ncpi", expose_tracebacks=False, log_socket_errors=False,
        )
        self.server = _DeadlineServer(wsgi, map=self._map, adj=adj)
        self.server.request_deadline = limits.request_deadline
        self.server_address = (self.server.effective_host, int(self.server.effective_port))
        self._stop = threading.Event()
        self._stopped = threading.Event()
        self._stopped.set()

    def serve_forever(self, poll_interval: float = 1.0) -> None:
        """Serve until `shutdown` (from another thread) or KeyboardInterrupt."""
        self._stop.clear()
        self._stopped.clear()
        try:
            while not self._stop.is_set():
                wasyncore.loop(timeout=poll_interval, map=self._map, use_poll=True, count=1)
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop `serve_forever` and wait for it to return."""
        self._stop.set()
        self.server.pull_trigger()
        self._stopped.wait(timeout=10)

    def server_close(self) -> None:
        """Close the listening socket and every connection; stop the worker threads."""
        for channel in list(self._map.values()):
            with contextlib.suppress(OSError):
                channel.close()
        self.server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)


def make_http_server(app: App | None, core: Core, host: str = "0.0.0.0", port: int = 3000,
                     limits: ServerLimits | None = None) -> HttpServer:
    """The front door on waitress: POST /slack/events to the Bolt app, GET /healthz on the core's
    database (app None: health only, beside Socket Mode). Not started: call `serve_forever`."""
    return HttpServer(FrontDoor(app, core), host, port, limits or ServerLimits())
