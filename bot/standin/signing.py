"""SlackSender: sends signed requests to a Bolt app over HTTP exactly as Slack does."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlencode

from bot.standin.interactions import check_view_answer, view_for_submission
from bot.standin.payloads import (
    build_app_home_opened,
    build_block_action,
    build_event_envelope,
    build_message_im,
    build_slash_command,
    build_view_submission,
)
from bot.standin.responses import ANSWERED_IN_BODY, RESPONSE_PATH

if TYPE_CHECKING:
    from bot.standin.webapi import SlackStandIn

Signing = Literal["valid", "forged", "omit", "stale"]
STALE_SECONDS = 6 * 60  # Bolt refuses timestamps more than 5 minutes old


def sign(signing_secret: str, timestamp: str, body: str) -> str:
    """Slack's request signature: ``v0=`` + HMAC-SHA256 of ``v0:{timestamp}:{body}``.

    Args:
        signing_secret: The app's signing secret.
        timestamp: The ``X-Slack-Request-Timestamp`` value.
        body: The raw request body.
    """
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class SentRequest:
    """What the app answered: status, headers (lower-case names), body text, elapsed seconds."""

    status: int
    headers: dict[str, str]
    body: str
    elapsed: float
    request_body: str = ""
    request_headers: dict[str, str] | None = None
    refused: str | None = None  # why Slack would refuse this answer (a modal's errors), if it would

    def json(self) -> Any:
        """The body parsed as JSON (None when empty)."""
        return json.loads(self.body) if self.body.strip() else None


class SlackSender:
    """Sends slash commands, interactions and events to a Bolt app, signed like Slack.

    Every method accepts ``signing=`` ``"valid"`` (default), ``"forged"`` (wrong secret),
    ``"omit"`` (no signature headers) or ``"stale"`` (a timestamp six minutes old).
    """

    def __init__(self, app_url: str, signing_secret: str, timeout: float = 10.0,
                 standin: SlackStandIn | None = None, show_answers: bool = True) -> None:
        """Point the sender at an app.

        Args:
            app_url: The app's request URL, e.g. ``http://127.0.0.1:3000/slack/events``.
            signing_secret: The secret the app verifies signatures with.
            timeout: Seconds to wait for an answer.
            standin: When given, commands and message clicks carry response URLs it serves
                (so ``respond()`` works and lands in ``standin.responses``).
            show_answers: A command answered in its HTTP body is shown by the stand-in, as Slack
                shows it (False: a benchmark times the bare answer).
        """
        self.app_url = app_url
        self.signing_secret = signing_secret
        self.timeout = timeout
        self.standin = standin
        self.show_answers = show_answers

    # ---- the wire -----------------------------------------------------------------------------
    def signed_headers(self, body: str, signing: Signing = "valid") -> dict[str, str]:
        """The ``X-Slack-Request-Timestamp``/``X-Slack-Signature`` headers for ``body``."""
        if signing == "omit":
            return {}
        now = int(time.time()) - (STALE_SECONDS if signing == "stale" else 0)
        secret = self.signing_secret + "-forged" if signing == "forged" else self.signing_secret
        return {"X-Slack-Request-Timestamp": str(now),
                "X-Slack-Signature": sign(secret, str(now), body)}

    def send(self, body: str, content_type: str, signing: Signing = "valid",
             extra_headers: dict[str, str] | None = None) -> SentRequest:
        """POST a raw body to the app, signed, and return its answer.

        Args:
            body: The exact body to send (and sign).
            content_type: ``application/x-www-form-urlencoded`` or ``application/json``.
            signing: How to sign (see the class docstring).
            extra_headers: More headers, e.g. ``X-Slack-Retry-Num``.
        """
        headers = {"Content-Type": content_type, "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)"}
        headers.update(self.signed_headers(body, signing))
        headers.update(extra_headers or {})
        req = urllib.request.Request(self.app_url, data=body.encode("utf-8"), headers=headers,
                                     method="POST")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                status, resp_headers, data = resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as err:
            status, resp_headers, data = err.code, dict(err.headers), err.read()
        elapsed = time.perf_counter() - started
        return SentRequest(status, {k.lower(): v for k, v in resp_headers.items()},
                           data.decode("utf-8", "replace"), elapsed, body, headers)

    def send_form(self, fields: dict[str, Any], signing: Signing = "valid",
                  extra_headers: dict[str, str] | None = None) -> SentRequest:
        """POST form fields (``application/x-www-form-urlencoded``), signed."""
        return self.send(urlencode(fields), "application/x-www-form-urlencoded", signing,
                         extra_headers)

    def send_json(self, payload: dict[str, Any], signing: Signing = "valid",
                  extra_headers: dict[str, str] | None = None) -> SentRequest:
        """POST a JSON body (how the Events API delivers), signed."""
        return self.send(json.dumps(payload), "application/json", signing, extra_headers)

    # ---- what Slack sends -----------------------------------------------------------------------
    def slash_command(self, user_id: str, text: str, command: str = "/ncpi",
                      channel_id: str = "C0SILVER01", response_url: str = "", *,
                      channel_name: str = "silver", trigger_id: str | None = None,
                      signing: Signing = "valid") -> SentRequest:
        """Send a slash command such as ``/ncpi summary`` from ``user_id``."""
        if self.standin is not None and not response_url:
            response_url = self.standin.new_response_url(channel_id, user_id)
        fields = build_slash_command(user_id, text, command, channel_id, channel_name,
                                     response_url, trigger_id)
        sent = self.send_form(fields, signing)
        if self.show_answers and sent.status == 200 and sent.body.startswith("{") and response_url:
            try:  # an answer in the acknowledgement's body: Slack shows it as a message
                answer = json.loads(sent.body)
            except json.JSONDecodeError:
                answer = None
            if isinstance(answer, dict):
                self._show_answer(response_url, answer)
        return sent

    def _show_answer(self, response_url: str, answer: dict[str, Any]) -> None:
        """Tell the stand-in (in this process, or over HTTP at the response URL's host) to show a
        command's answer given in its body; a response URL of no stand-in is left alone."""
        if self.standin is not None:
            self.standin.command_answered(response_url, answer)
            return
        if RESPONSE_PATH not in response_url or not (answer.get("text") or answer.get("blocks")):
            return
        request = urllib.request.Request(f"{response_url}?{ANSWERED_IN_BODY}", data=json.dumps(answer).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        with contextlib.suppress(OSError), urllib.request.urlopen(request, timeout=5):
            pass

    def block_action(self, user_id: str, action_id: str, value: str | None = None, *,
                     signing: Signing = "valid", **kwargs: Any) -> SentRequest:
        """Send a ``block_actions`` interaction (a button click).

        Args:
            user_id: Who clicked.
            action_id: The button's ``action_id``.
            value: The button's ``value``.
            signing: How to sign.
            **kwargs: ``block_id``, ``text``, ``channel_id``, ``message`` (the message clicked,
                e.g. ``slack.messages()[-1].as_slack()``), ``container``, ``view``,
                ``response_url``, ``trigger_id``, ``action_type``, ``selected_option``.
        """
        message = kwargs.get("message")
        if self.standin is not None and not kwargs.get("response_url") and not kwargs.get("view"):
            kwargs["response_url"] = self.standin.new_response_url(
                kwargs.get("channel_id") or getattr(message, "channel", None), user_id,
                getattr(message, "ts", None))
        payload = build_block_action(user_id, action_id, value, **kwargs)
        return self.send_form({"payload": json.dumps(payload)}, signing)

    def view_submission(self, user_id: str, callback_id: str,
                        state_values: dict[str, dict[str, dict[str, Any]]],
                        private_metadata: str = "", view_id: str = "V000000001", *,
                        view: dict[str, Any] | None = None,
                        signing: Signing = "valid") -> SentRequest:
        """Send a modal's ``view_submission`` with its ``state.values``, and judge the answer.

        The view submitted is ``view`` if given, else the modal last opened with this callback id
        on the stand-in, else one whose input blocks are those of ``state_values``. An answer Slack
        would refuse (``errors`` on a block the view does not have) is kept in ``refused`` and in
        the stand-in's ``invalid_payloads``.
        """
        if view is None and self.standin is not None:
            view = self.standin.opened_view(callback_id)
        submitted = view_for_submission(view, state_values)
        payload = build_view_submission(user_id, callback_id, state_values, private_metadata,
                                        view_id, submitted)
        sent = self.send_form({"payload": json.dumps(payload)}, signing)
        if sent.status == 200:
            sent.refused = check_view_answer(submitted, sent.body)
            if sent.refused and self.standin is not None:
                self.standin.report_invalid("view_submission", sent.refused, sent.body)
        return sent

    def event(self, event: dict[str, Any], event_id: str | None = None,
              retry_num: int | None = None, retry_reason: str = "http_timeout", *,
              signing: Signing = "valid") -> SentRequest:
        """Deliver an Events API ``event_callback``; ``retry_num`` marks a redelivery."""
        if self.standin is not None:
            self.standin.note_event(event)  # Slack stored the message before telling the app
        headers: dict[str, str] = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return self.send_json(build_event_envelope(event, event_id), signing, headers)

    def url_verification(self, challenge: str, *, signing: Signing = "valid") -> SentRequest:
        """Send the ``url_verification`` handshake Slack makes when the URL is configured."""
        return self.send_json({"token": "standin-verification-token", "challenge": challenge,
                               "type": "url_verification"}, signing)

    def message_im(self, user: str, text: str, channel: str, ts: str | None = None,
                   thread_ts: str | None = None, client_msg_id: str | None = None, *,
                   event_id: str | None = None, retry_num: int | None = None,
                   signing: Signing = "valid") -> SentRequest:
        """Deliver a person's DM to the bot (a ``message`` event with ``channel_type: im``)."""
        event = build_message_im(user, text, channel, ts, thread_ts, client_msg_id)
        return self.event(event, event_id, retry_num, signing=signing)

    def app_home_opened(self, user: str, *, signing: Signing = "valid") -> SentRequest:
        """Deliver an ``app_home_opened`` event for ``user``."""
        return self.event(build_app_home_opened(user), signing=signing)
