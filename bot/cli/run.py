"""`ncpi run`: the bot in Socket Mode or HTTP mode (with /healthz), and its scheduler."""

from __future__ import annotations

import argparse
import logging
import re
import signal
import threading
import time
from types import FrameType

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError

from bot import health
from bot.bootstrap import Core, SlackRuntime, build_core, build_slack
from bot.settings import Settings
from bot.slack.http import EVENTS_PATH, HEALTH_PATH, HttpServer, ServerLimits, make_http_server
from ncpi_core.domain import pii
from ncpi_core.errors import ConfigurationError, SchemaMissing, StorageUnavailable
from ncpi_core.storage.errors import database_errors, safe_url
from ncpi_core.usecases.plan import sync_people

log = logging.getLogger("ncpi.run")
SLACK_PORT = 3000


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
                                               settings.slack_signing_secret, settings.microsoft_app_password)
               if s is not None]
    redact = RedactSecrets(secrets)
    for handler in root.handlers:
        handler.addFilter(redact)


# --- the command ------------------------------------------------------------------------------------
def _connect_error(exc: Exception, settings: Settings) -> ConfigurationError:
    """Slack refusing the token, or not answering, as one line for the person starting ncpi."""
    if isinstance(exc, SlackApiError) and exc.response.get("error") in ("invalid_auth", "not_authed"):
        return ConfigurationError("slack.token_refused", error=str(exc.response.get("error")))
    if isinstance(exc, BoltError) and "invalid_auth" in str(exc):
        return ConfigurationError("slack.token_refused", error="invalid_auth")
    return ConfigurationError("slack.unreachable", url=settings.slack_api_url, error=type(exc).__name__)


def _ready_core(settings: Settings) -> Core:
    """The core on a database that answers and is migrated, its people synced from ncpi.yaml."""
    with database_errors(settings.database_url):
        core = build_core(settings)
        status, body = health.check(core.engine)
        if status != 200:
            if body.get("database") == "not migrated":
                raise SchemaMissing()
            if body.get("database") == "read-only":
                raise StorageUnavailable("storage.read_only", url=safe_url(settings.database_url),
                                         problem=str(body.get("problem")))
            raise StorageUnavailable("storage.unreachable", url=safe_url(settings.database_url))
        with core.uow() as uow:  # reports name people as ncpi.yaml does now
            synced = sync_people(core.config, uow, core.now(), actor="system")
            uow.commit()
    if synced.people_added or synced.people_changed:
        log.info("people synced from ncpi.yaml: %d added, %d changed", len(synced.people_added),
                 len(synced.people_changed))
    return core


_STOP = threading.Event()  # set by SIGTERM (and Ctrl-C): Socket Mode's main thread waits on it


def _stop_on_sigterm(interrupt: bool = True) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        _STOP.set()
        if interrupt:
            raise KeyboardInterrupt  # leave serve_forever the same way as Ctrl-C
        # Socket Mode: only the event. An exception raised wherever the main thread happens to be
        # (inside the SDK's connect) can be swallowed there, leaving ncpi running after SIGTERM.

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handler)


def _serve(slack: SlackRuntime, mode: str, port: int, app_token: str | None, threads: int = 8) -> None:
    """Serve until Ctrl-C or SIGTERM: HTTP mode's events and /healthz, or Socket Mode (and /healthz)."""
    server: HttpServer | None = None
    try:
        if mode == "http":
            server = make_http_server(slack.app, slack.core, port=port, limits=ServerLimits(threads=threads))
            log.info("ncpi serving Slack at http://0.0.0.0:%s%s (health: %s)", server.server_address[1],
                     EVENTS_PATH, HEALTH_PATH)
            server.serve_forever()
        else:
            # /healthz stays available for Docker and Kubernetes probes
            server = make_http_server(None, slack.core, port=port, limits=ServerLimits(threads=2))
            threading.Thread(target=server.serve_forever, name="ncpi-health", daemon=True).start()
            handler = SocketModeHandler(slack.app, app_token, web_client=slack.client)
            log.info("ncpi connecting to Slack in Socket Mode (health: http://0.0.0.0:%s%s)",
                     server.server_address[1], HEALTH_PATH)
            handler.connect()
            log.info("ncpi connected to Slack in Socket Mode")
            try:
                while not _STOP.wait(0.5):
                    pass
                log.info("ncpi stopping")
            finally:
                handler.close()
    except KeyboardInterrupt:
        log.info("ncpi stopping")
    finally:
        if server is not None:
            if mode == "socket":  # in http mode serve_forever has already returned
                server.shutdown()
            server.server_close()


def run(args: argparse.Namespace) -> int:
    """`ncpi run [--platform slack|teams] [--mode socket|http] [--port N] [--threads N] [--no-scheduler]`."""
    settings = Settings()
    configure_logging(settings, getattr(args, "verbose", False))
    if getattr(args, "platform", "slack") == "teams":
        from bot.cli.teams import run_teams  # lazy: a Slack deployment never loads the Agents SDK

        return run_teams(args, settings, _ready_core)
    mode = args.mode or ("socket" if settings.slack_app_token else "http")
    # every missing or malformed secret is one clear line, before anything starts
    settings.bot_token()
    app_token = settings.app_token() if mode == "socket" else None
    signing_secret = settings.signing_secret() if mode == "http" else None
    core = _ready_core(settings)
    started = time.perf_counter()
    pii.warm_up()  # the personal-data guard's recognisers and name lists: once, before the first message
    log.info("personal-data guard ready in %.1f s", time.perf_counter() - started)
    try:
        slack = build_slack(core, signing_secret=signing_secret, scheduler=not args.no_scheduler)
    except (BoltError, SlackApiError, OSError) as exc:
        raise _connect_error(exc, settings) from None
    if slack.scheduler is not None:
        if getattr(args, "dry_run", False):
            slack.scheduler.dry_run = True
            log.warning("dry run: the scheduler logs what it would send and sends nothing")
        slack.scheduler.start()
    else:
        log.info("no scheduler (--no-scheduler): run `ncpi tick` from cron to send what is due")
    _stop_on_sigterm(interrupt=mode == "http")
    try:
        _serve(slack, mode, args.port or SLACK_PORT, app_token, max(1, getattr(args, "threads", 8)))
    finally:
        if slack.scheduler is not None:
            slack.scheduler.shutdown()
    return 0
