"""Builds the Bolt app (one place) and its one error handler."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import copy
from bot.bootstrap import Core
from bot.slack.blocks import common as blocks
from bot.slack.deps import Deps
from bot.slack.gateway import SlackGateway, build_web_client
from bot.slack.listeners import register_listeners
from bot.slack.sender import DeliverySender
from bot.slack.text import escape
from ncpi_core.errors import NcpiError, StorageUnavailable

log = logging.getLogger(__name__)

# Listeners run after the ack in this pool; some wait on a 429's Retry-After or a slow
# summary, so it is sized well above the number of people who act at once.
LISTENER_THREADS = 32

# Slack's own refusals that a person can do something about
CHANNEL_PROBLEMS = {
    "not_in_channel": "I am not a member of this channel, so I cannot post here. "
                      "Invite me with `/invite @ncpi`, or leave out `post` to see it just for you.",
    "channel_not_found": "I cannot see this channel. Invite me with `/invite @ncpi`, "
                         "or leave out `post` to see it just for you.",
    "is_archived": "This channel is archived, so I cannot post here.",
    "expired_trigger_id": "That took too long for Slack to open the form; please try again.",
}


class _QuietTokenWarning(logging.Filter):
    """Bolt warns that SLACK_BOT_TOKEN is unused when a client is given; that is on purpose here."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "token` will be unused" not in str(record.msg)


BOLT_LOG = logging.getLogger("ncpi.bolt")
BOLT_LOG.addFilter(_QuietTokenWarning())


def build_app(core: Core, client: WebClient | None = None, *, signing_secret: str | None = None,
              process_before_response: bool = False, token_verification_enabled: bool = True,
              listener_threads: int = LISTENER_THREADS) -> App:
    """Build the Bolt app with every listener registered (see `build_app_with_deps`)."""
    app, _ = build_app_with_deps(core, client, signing_secret=signing_secret,
                                 process_before_response=process_before_response,
                                 token_verification_enabled=token_verification_enabled,
                                 listener_threads=listener_threads)
    return app


def build_app_with_deps(core: Core, client: WebClient | None = None, *,
                        signing_secret: str | None = None, process_before_response: bool = False,
                        token_verification_enabled: bool = True,
                        listener_threads: int = LISTENER_THREADS) -> tuple[App, Deps]:
    """Build the Bolt app with every listener registered, and the Deps its listeners share.

    Args:
        core: Settings, config, database and clock (`bot.bootstrap.build_core`).
        client: The WebClient to use; by default one from SLACK_BOT_TOKEN and SLACK_API_URL with
            slack_sdk's retry handlers (Bolt copies its base_url and handlers to every request).
        signing_secret: Verifies HTTP requests; defaults to SLACK_SIGNING_SECRET. Without one
            the app can only serve Socket Mode (which Slack does not sign).
        process_before_response: Run listeners to the end before answering (FaaS); off by
            default so that every request is acknowledged at once.
        token_verification_enabled: Call auth.test when the app is built (off in some tests).
        listener_threads: Size of the pool listeners run in after the ack.
    """
    settings = core.settings
    if client is None:
        client = build_web_client(settings.bot_token(), settings.slack_api_url)
    if signing_secret is None and settings.slack_signing_secret is not None:
        signing_secret = settings.slack_signing_secret.get_secret_value() or None
    app = App(
        name="ncpi",
        client=client,
        signing_secret=signing_secret or "",
        # Socket Mode is not signed; without a secret only Socket Mode requests can be served
        request_verification_enabled=bool(signing_secret),
        process_before_response=process_before_response,
        token_verification_enabled=token_verification_enabled,
        listener_executor=ThreadPoolExecutor(max_workers=listener_threads,
                                             thread_name_prefix="ncpi-listener"),
        logger=BOLT_LOG,
    )
    gateway = SlackGateway(client, core.uow, core.clock)
    deps = Deps(core=core, client=client, gateway=gateway, sender=DeliverySender(gateway, core.config))
    app.error(_error_handler(deps))
    def after_ack(error: Exception, body: dict[str, Any], context: Any) -> None:
        report_error(deps, error, body, context, None)

    deps.on_error = after_ack
    registered = register_listeners(app, deps)
    log.info("listeners registered: %s", ", ".join(registered))
    return app, deps


# --- the one error handler ------------------------------------------------------------------------
def user_message(error: BaseException) -> str:
    """What to tell the person, by kind of error (never a traceback, never internals).

    The core's refusals are worded by the message catalogue (bot/copy.py) in Slack's voice.
    """
    if isinstance(error, StorageUnavailable):
        return copy.DATABASE_DOWN
    if isinstance(error, NcpiError):
        return copy.error_text(error, copy.SLACK)
    if isinstance(error, SlackApiError):
        code = str(error.response.get("error", "")) if error.response is not None else ""
        if code in CHANNEL_PROBLEMS:
            return CHANNEL_PROBLEMS[code]
    return copy.UNEXPECTED


def describe_request(body: dict[str, Any]) -> dict[str, Any]:
    """The parts of a request worth logging: kind, who, where, what (never tokens)."""
    kind = body.get("type") or ("slash_command" if "command" in body else "")
    info: dict[str, Any] = {"kind": kind}
    if "command" in body:
        info.update(command=body.get("command"), subcommand=(body.get("text") or "").split()[:1],
                    user=body.get("user_id"), channel=body.get("channel_id"))
    event = body.get("event") or {}
    if event:
        info.update(event=event.get("type"), user=event.get("user"), channel=event.get("channel"),
                    event_id=body.get("event_id"))
    user = body.get("user") or {}
    if isinstance(user, dict) and user.get("id"):
        info["user"] = user["id"]
    if body.get("actions"):
        info["action"] = [a.get("action_id") for a in body["actions"]]
    if body.get("view"):
        info["callback_id"] = body["view"].get("callback_id")
    return info


def _error_handler(deps: Deps) -> Callable[..., BoltResponse | None]:
    def handle_error(error: Exception, request: BoltRequest,
                     response: BoltResponse | None) -> BoltResponse | None:
        return report_error(deps, error, request.body or {}, request.context, response)

    return handle_error


def report_error(deps: Deps, error: Exception, body: dict[str, Any], context: Any,
                 response: BoltResponse | None) -> BoltResponse | None:
    """Log an error with its context and tell the person something useful.

    Called by Bolt (`@app.error`) for errors before the ack, and by `Deps.reporting_errors` for
    errors after it. A modal submission not yet acknowledged gets `response_action: errors`.
    """
    info = describe_request(body)
    if isinstance(error, NcpiError) and not isinstance(error, StorageUnavailable):
        log.info("refused %s: %s", info, error)
    elif isinstance(error, StorageUnavailable):
        log.error("database unavailable while handling %s: %s", info, type(error).__name__)
    else:
        log.error("failed handling %s", info, exc_info=error)
    text = user_message(error)
    try:
        if info["kind"] == "view_submission" and response is not None:
            # not yet acknowledged: the errors go back inside the modal
            errors = blocks.modal_errors(error, text, (body.get("view") or {}))
            return BoltResponse(status=200, body=json.dumps({"response_action": "errors",
                                                             "errors": errors}),
                                headers={"content-type": ["application/json;charset=utf-8"]})
        _tell(deps, context, body, text)
    except Exception:  # noqa: BLE001 - telling the user failed too; the log has the cause
        log.warning("could not tell the user about the error in %s", info, exc_info=True)
    return None


def _tell(deps: Deps, context: Any, body: dict[str, Any], text: str) -> None:
    """Tell the person what went wrong, wherever they are: response URL, thread or DM.

    Error texts may repeat what the person typed (an id, a date), so they are escaped like any
    user text: `/ncpi update <!channel>` must not ping the channel with its refusal.
    """
    text = escape(text)
    respond = context.respond if context is not None else None
    if respond is not None and context.response_url:
        respond(text=text, response_type="ephemeral", replace_original=False)
        return
    event = body.get("event") or {}
    if event.get("type") == "message" and event.get("channel") and event.get("user"):
        # Slack re-delivers events: say it once per message
        try:
            first = deps.first_time(f"error:{event['channel']}:{event.get('ts')}")
        except StorageUnavailable:
            first = True  # the database is what failed: better said twice than not at all
        if first:
            deps.gateway.post(event["channel"], text,
                              thread_ts=event.get("thread_ts") or event.get("ts"))
        return
    user = (body.get("user") or {}).get("id") if isinstance(body.get("user"), dict) else None
    if user and body.get("type") in ("block_actions", "view_submission"):
        deps.gateway.post_dm(user, text)
