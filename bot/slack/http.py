"""Slack over HTTP: POST /slack/events to the Bolt app, GET /healthz for probes, on a threaded server."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from slack_bolt import App
from slack_bolt.request import BoltRequest

from bot import health
from bot.bootstrap import Core

log = logging.getLogger("ncpi.run")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY = 1024 * 1024  # Slack's payloads are far smaller; refuse anything bigger

Headers = Mapping[str, str | Sequence[str]]


def make_http_server(app: App | None, core: Core, host: str = "0.0.0.0",
                     port: int = 3000) -> ThreadingHTTPServer:
    """A threaded HTTP server: POST /slack/events to the Bolt app, GET /healthz on the core's
    database (app None: health only, beside Socket Mode). Not started: call `serve_forever`."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "ncpi"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            log.debug("%s %s", self.address_string(), format % args)

        def _send(self, status: int, body: str | bytes, headers: Headers | None = None) -> None:
            data = body.encode("utf-8") if isinstance(body, str) else body
            self.send_response(status)
            for name, values in (headers or {}).items():
                if name.lower() == "content-length":
                    continue
                for value in [values] if isinstance(values, str) else values:
                    self.send_header(name, str(value))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            if urlsplit(self.path).path == HEALTH_PATH:
                status, body = health.check(core.engine)
                self._send(status, json.dumps(body), {"Content-Type": "application/json"})
            else:
                self._send(404, "Not Found", {"Content-Type": "text/plain"})

        def do_POST(self) -> None:  # noqa: N802
            parts = urlsplit(self.path)
            if app is None or parts.path != EVENTS_PATH:
                self._send(404, "Not Found", {"Content-Type": "text/plain"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._send(413, "Payload Too Large", {"Content-Type": "text/plain"})
                return
            raw = self.rfile.read(length) if length else b""
            if not _timestamp_is_number(self.headers.get("X-Slack-Request-Timestamp")):
                # slack_sdk's verifier raises on int("abc"), and Bolt hands that error to the
                # app's error handler, which would answer the unverified body's response_url
                self._send(401, '{"error": "invalid request"}', {"Content-Type": "application/json"})
                return
            grouped: dict[str, list[str]] = {}
            for name, value in self.headers.items():
                grouped.setdefault(name.lower(), []).append(value)
            headers: dict[str, str | Sequence[str]] = dict(grouped)
            try:
                request = BoltRequest(body=raw.decode("utf-8"), query=parts.query, headers=headers)
            except (UnicodeDecodeError, ValueError, AttributeError, TypeError) as exc:
                # not a Slack payload (bad UTF-8, broken JSON, a list where an object belongs)
                log.info("refused a request that is not a Slack payload (%s)", type(exc).__name__)
                self._send(400, '{"error": "invalid payload"}', {"Content-Type": "application/json"})
                return
            response = app.dispatch(request)
            self._send(response.status, response.body or "", response.headers)

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


def _timestamp_is_number(value: str | None) -> bool:
    """A missing timestamp is Bolt's to refuse; one that is present must be an integer."""
    if value is None:
        return True
    try:
        int(value)
    except ValueError:
        return False
    return True
