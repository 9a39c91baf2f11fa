"""The Bolt app and its one error handler (the listeners are registered by `bot.bootstrap`)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.error import HTTPError, URLError

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.request import BoltRequest
from slack_sdk.errors import SlackApiError, SlackClientError

from bot import copy
from bot.slack.blocks import common as blocks
from bot.slack.deps import Deps
from bot.slack.text import escape
from ncpi_core.errors import NcpiError, StorageUnavailable

log = logging.getLogger(__name__)

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


def build_app(deps: Deps, *, signing_secret: str | None, token_verification: bool = True,
              listener_threads: int) -> App:
    """The Bolt app on `deps.client`, with its one error handler (listeners: `bot.bootstrap`).

    Args:
        deps: What the error handler needs to tell a person what went wrong (gateway, storage).
        signing_secret: Verifies HTTP requests. Without one the app can only serve Socket Mode
            (which Slack does not sign).
        token_verification: Call auth.test now (Bolt raises if Slack refuses the token).
        listener_threads: Size of the pool listeners run in after the ack.
    """
    app = App(
        name="ncpi",
        client=deps.client,
        signing_secret=signing_secret or "",
        # Socket Mode is not signed; without a secret only Socket Mode requests can be served
        request_verification_enabled=bool(signing_secret),
        token_verification_enabled=token_verification,
        listener_executor=ThreadPoolExecutor(max_workers=listener_threads,
                                             thread_name_prefix="ncpi-listener"),
        logger=BOLT_LOG,
    )
    app.error(_error_handler(deps))

    def after_ack(error: Exception, body: dict[str, Any], context: BoltContext | None) -> None:
        report_error(deps, error, body, context, None)

    deps.on_error = after_ack
    return app


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


def _error_handler(deps: Deps) -> Callable[[Exception, BoltRequest, BoltResponse | None], BoltResponse | None]:
    def handle_error(error: Exception, request: BoltRequest,
                     response: BoltResponse | None) -> BoltResponse | None:
        return report_error(deps, error, request.body or {}, request.context, response)

    return handle_error


def report_error(deps: Deps, error: Exception, body: dict[str, Any], context: BoltContext | None,
                 response: BoltResponse | None) -> BoltResponse | None:
    """Log an error with its context and tell the person something useful.

    Called by Bolt (`@app.error`) for errors before the ack, and by `Deps.reporting_errors` for
    errors after it. A modal submission not yet acknowledged gets `response_action: errors`.
    """
    info = describe_request(body)
    expected = slack_trouble(error)
    if isinstance(error, NcpiError) and not isinstance(error, StorageUnavailable):
        log.info("refused %s: %s", info, error)
    elif isinstance(error, StorageUnavailable):
        log.error("database unavailable while handling %s: %s", info, type(error).__name__)
    elif expected is not None:  # Slack said no, or could not be reached: one line, not a traceback
        log.warning("Slack call failed while handling %s: %s", info, expected)
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
    except Exception as again:  # noqa: BLE001 - telling the user failed too; the log has the cause
        trouble = slack_trouble(again)
        if trouble is not None:
            log.warning("could not tell the user about the error in %s: %s", info, trouble)
        else:
            log.warning("could not tell the user about the error in %s", info, exc_info=True)
    return None


def slack_trouble(error: BaseException) -> str | None:
    """One line for the failures Slack's side is expected to have now and then (an error answer,
    an expired or dead response URL, a dropped connection), or None for anything else (a bug,
    logged with its traceback)."""
    if isinstance(error, SlackApiError):
        code = error.response.get("error", "") if error.response is not None else ""
        return f"{type(error).__name__}: {code or 'error'}"
    if isinstance(error, HTTPError):
        return f"HTTP {error.code} from {error.url.split('?', 1)[0] if error.url else 'Slack'}"
    if isinstance(error, URLError | SlackClientError | OSError):
        return f"{type(error).__name__}: {' '.join(str(error).split())[:200]}"
    return None


def _tell(deps: Deps, context: BoltContext | None, body: dict[str, Any], text: str) -> None:
    """Tell the person what went wrong, wherever they are: response URL, thread or DM.

    Error texts may repeat what the person typed (an id, a date), so they are escaped like any
    user text: `/ncpi update <!channel>` must not ping the channel with its refusal.
    """
    text = escape(text)
    if context is not None and context.respond is not None and context.response_url:
        context.respond(text=text, response_type="ephemeral", replace_original=False)
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
