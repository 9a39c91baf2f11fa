"""`ncpi run`: the bot in Socket Mode or HTTP mode (with /healthz), and its scheduler."""

from __future__ import annotations

import argparse
import json
import logging
import re
import signal
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from slack_bolt import App
from slack_bolt.error import BoltError
from slack_bolt.request import BoltRequest
from slack_sdk.errors import SlackApiError

from bot import health
from bot.bootstrap import Core, build_core
from bot.cli.errors import database_errors, safe_url
from bot.settings import Settings
from ncpi_core.errors import NcpiError

log = logging.getLogger("ncpi.run")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY = 1024 * 1024  # Slack's payloads are far smaller; refuse anything bigger


# --- logging that never shows a secret ----------------------------------------------------------
class RedactSecrets(logging.Filter):
    """Masks Slack tokens and the given secrets in every log record."""

    TOKEN = re.compile(r"\bx(?:ox[abpre]|app)-[A-Za-z0-9-]+")

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def _clean(self, text: str) -> str:
        text = self.TOKEN.sub("[redacted token]", text)
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self._clean(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            record.exc_text = self._clean(logging.Formatter().formatException(record.exc_info))
        return True


def configure_logging(settings: Settings, verbose: bool = False) -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    level = logging.DEBUG if verbose else getattr(logging, settings.log_level.upper(), logging.INFO)
    for name in ("ncpi", "bot", "ncpi_core"):
        logging.getLogger(name).setLevel(level)
    secrets = [s.get_secret_value() for s in (settings.slack_bot_token, settings.slack_app_token,
                                               settings.slack_signing_secret) if s is not None]
    redact = RedactSecrets(secrets)
    for handler in root.handlers:
        handler.addFilter(redact)


# --- HTTP mode --------------------------------------------------------------------------------------
def make_http_server(app: App | None, core: Core, host: str = "0.0.0.0", port: int = 3000) -> ThreadingHTTPServer:
    """A threaded HTTP server: POST /slack/events to the Bolt app, GET /healthz (app None: health only)."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "ncpi"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            log.debug("%s %s", self.address_string(), format % args)

        def _send(self, status: int, body: str | bytes, headers: dict[str, Any] | None = None) -> None:
            data = body.encode("utf-8") if isinstance(body, str) else body
            self.send_response(status)
            for name, values in (headers or {}).items():
                if name.lower() == "content-length":
                    continue
                for value in values if isinstance(values, list | tuple) else [values]:
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
            headers: dict[str, list[str]] = {}
            for name, value in self.headers.items():
                headers.setdefault(name.lower(), []).append(value)
            try:
                request = BoltRequest(body=raw.decode("utf-8"), query=parts.query, headers=headers)  # type: ignore[arg-type]
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


# --- the command ------------------------------------------------------------------------------------
def _connect_errors(exc: Exception, settings: Settings) -> NcpiError:
    if isinstance(exc, BoltError) and "invalid_auth" in str(exc) or (
        isinstance(exc, SlackApiError) and exc.response.get("error") in ("invalid_auth", "not_authed")
    ):
        return NcpiError("Slack refused SLACK_BOT_TOKEN (invalid_auth).",
                         "Copy the Bot User OAuth Token (xoxb-…) again from OAuth & Permissions.")
    return NcpiError(f"Cannot reach Slack at {settings.slack_api_url} ({type(exc).__name__}).",
                     "Check the network, a proxy, or SLACK_API_URL.")


def start_scheduler(deps: Any) -> Callable[[], None] | None:
    """Start the deliveries scheduler (bot.scheduler); returns a function that stops it."""
    try:
        from bot.scheduler import DeliveryScheduler
    except ModuleNotFoundError as exc:
        if exc.name != "bot.scheduler":
            raise
        log.warning("no scheduler in this build (bot.scheduler missing); use `ncpi tick` from cron")
        return None
    scheduler = DeliveryScheduler(deps.uow_factory, deps.config, deps.sender, deps.core.clock)
    deps.scheduler = scheduler  # `/ncpi chase` wakes it
    scheduler.start()
    return scheduler.shutdown


def _stop_on_sigterm() -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt  # leave serve_forever / the socket loop the same way as Ctrl-C

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handler)


def run(args: argparse.Namespace) -> int:
    """`ncpi run [--mode socket|http] [--port N] [--no-scheduler]`."""
    from bot.slack.app import build_app_with_deps
    from bot.slack.gateway import build_web_client

    settings = Settings()
    configure_logging(settings, getattr(args, "verbose", False))
    mode = args.mode or ("socket" if settings.slack_app_token else "http")
    # every missing or malformed secret is one clear line (NcpiError), before anything starts
    bot_token = settings.bot_token()
    app_token = settings.app_token() if mode == "socket" else None
    signing_secret = settings.signing_secret() if mode == "http" else None
    core = build_core(settings)
    with database_errors(settings.database_url):
        status, body = health.check(core.engine)
    if status != 200:
        if body.get("database") == "not migrated":
            raise NcpiError("The database has no ncpi tables yet (or an older schema).",
                            "Run `ncpi db upgrade` first.")
        raise NcpiError(f"Cannot reach the database at {safe_url(settings.database_url)}.",
                        "Check NCPI_DATABASE_URL and that the server is running.")
    client = build_web_client(bot_token, settings.slack_api_url)
    try:
        app, deps = build_app_with_deps(core, client, signing_secret=signing_secret)
    except (BoltError, SlackApiError, OSError) as exc:
        raise _connect_errors(exc, settings) from None
    stop_scheduler = None if args.no_scheduler else start_scheduler(deps)
    _stop_on_sigterm()
    server: ThreadingHTTPServer | None = None
    try:
        if mode == "http":
            server = make_http_server(app, core, port=args.port)
            log.info("ncpi serving Slack at http://0.0.0.0:%s%s (health: %s)", server.server_address[1],
                     EVENTS_PATH, HEALTH_PATH)
            server.serve_forever()
        else:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            # /healthz stays available for Docker and Kubernetes probes
            server = make_http_server(None, core, port=args.port)
            threading.Thread(target=server.serve_forever, name="ncpi-health", daemon=True).start()
            handler = SocketModeHandler(app, app_token, web_client=client)
            log.info("ncpi connecting to Slack in Socket Mode (health: http://0.0.0.0:%s%s)",
                     server.server_address[1], HEALTH_PATH)
            handler.start()
    except KeyboardInterrupt:
        log.info("ncpi stopping")
    finally:
        if server is not None:
            if mode == "socket":  # in http mode serve_forever has already returned
                server.shutdown()
            server.server_close()
        if stop_scheduler is not None:
            stop_scheduler()
    return 0
