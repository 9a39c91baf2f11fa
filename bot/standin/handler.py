"""The HTTP request handler behind SlackStandIn: parsing, auth, faults, recording, answering."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from bot.standin.faults import Fault
from bot.standin.files import UPLOAD_PATH, receive_upload
from bot.standin.methods import METHODS, Context
from bot.standin.recording import Call
from bot.standin.responses import ANSWERED_IN_BODY, RESPONSE_PATH
from bot.standin.scopes import needed_scope
from bot.standin.workspace import ApiError

if TYPE_CHECKING:
    from bot.standin.webapi import SlackStandIn

log = logging.getLogger(__name__)

JSON_FIELDS = ("blocks", "view", "metadata", "attachments", "files", "event_payload")


def parse_params(body: bytes, content_type: str, query: str) -> dict[str, Any]:
    """Parse a Web API request's parameters the way Slack does (form or JSON, plus query).

    Args:
        body: The raw request body.
        content_type: The ``Content-Type`` header.
        query: The URL's query string.

    Returns:
        The parameters, with JSON-in-a-string fields such as ``blocks`` decoded.
    """
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if body:
        if "json" in content_type:
            loaded = json.loads(body.decode("utf-8"))
            if isinstance(loaded, dict):
                params.update(loaded)
        else:
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    for name in JSON_FIELDS:
        value = params.get(name)
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            # Left as a string when broken; the method then answers invalid_blocks.
            with contextlib.suppress(json.JSONDecodeError):
                params[name] = json.loads(value)
    return params


# the name fault plans use for posts to response URLs (`faults.fail_next("response_url", …)`)
RESPONSE_URL_METHOD = "response_url"


class StandInHandler(BaseHTTPRequestHandler):
    """Answers ``/api/<method>``, response URLs and upload URLs for one SlackStandIn."""

    server_version = "SlackStandIn/1.0"
    standin: SlackStandIn  # set on a subclass per server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._route(b"")

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        length = int(self.headers.get("Content-Length") or 0)
        self._route(self.rfile.read(length) if length else b"")

    def _route(self, body: bytes) -> None:
        url = urlsplit(self.path)
        if url.path.startswith("/api/"):
            self._api(url.path[len("/api/"):], body, url.query)
        elif url.path.startswith(RESPONSE_PATH) and url.query == ANSWERED_IN_BODY:
            # a command's answer given in its HTTP body, told to the stand-in by the sender (as
            # Slack shows it): not a post to the response URL, so not counted as one
            try:
                payload = json.loads(body.decode("utf-8") or "{}")
            except (UnicodeDecodeError, json.JSONDecodeError):
                payload = {}
            status, text = self.standin.response_urls.answer(url.path[len(RESPONSE_PATH):], payload)
            self._send(status, text.encode(), "text/plain; charset=utf-8")
        elif url.path.startswith(RESPONSE_PATH):
            fault = self.standin.faults.decide(RESPONSE_URL_METHOD)
            if fault is not None and fault.drop:  # a response URL that never answers
                self._drop()
                return
            status, text = self.standin.response_urls.receive(url.path[len(RESPONSE_PATH):], body)
            self._send(status, text.encode(), "text/plain; charset=utf-8")
        elif url.path.startswith(UPLOAD_PATH):
            ok = receive_upload(self.standin.workspace, url.path[len(UPLOAD_PATH):], body)
            text = f"OK - {len(body)}" if ok else "file_not_found"
            self._send(200 if ok else 404, text.encode(), "text/plain; charset=utf-8")
        else:
            self._send(404, b"not found", "text/plain; charset=utf-8")

    def _api(self, method: str, body: bytes, query: str) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            params = parse_params(body, headers.get("content-type", ""), query)
        except (UnicodeDecodeError, json.JSONDecodeError):
            params = {}
        token = _token(headers, params)
        call = Call(method, params, headers, token, time.time())
        fault = self.standin.faults.decide(method, params=params)
        if fault is not None:
            call.fault = fault.reason if (fault.status or fault.drop or fault.error) else "slow"
            if fault.delay:
                time.sleep(fault.delay)
            if fault.processed:
                self._dispatch(method, params, token)  # it happened; only the answer goes wrong
            if fault.drop:
                call.status = 0
                self.standin._record(call)
                self._drop()
                return
            if fault.status is not None or fault.error is not None:
                self._answer_fault(call, fault)
                return
        call.response = self._dispatch(method, params, token)
        self.standin._record(call)
        extra = {"x-oauth-scopes": self.standin.scopes} if token else {}
        self._send_json(200, call.response, extra)

    def _dispatch(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        if not token:
            return {"ok": False, "error": "not_authed"}
        if not self.standin._token_ok(token):
            return {"ok": False, "error": "invalid_auth"}
        handler = METHODS.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method", "req_method": method}
        refused = self._scope_refusal(method, params, token)
        if refused is not None:
            return refused
        ctx = Context(method, token, self.standin.api_url, self.standin._socket_url,
                      self.standin.trigger_ttl)
        try:
            with self.standin.workspace.lock:
                return {"ok": True, **handler(self.standin.workspace, params, ctx)}
        except ApiError as err:
            return {"ok": False, "error": err.error, **err.extra}
        except Exception:  # noqa: BLE001 - a stand-in bug must surface as Slack's fatal_error
            log.exception("stand-in failed on %s", method)
            return {"ok": False, "error": "fatal_error"}

    def _scope_refusal(self, method: str, params: dict[str, Any], token: str) -> dict[str, Any] | None:
        """Slack's answer when the token may not call `method` with these parameters, else None.

        An app-level token (``xapp-``) opens Socket Mode connections and nothing else; a bot token
        needs the scope of Slack's method reference (``bot.standin.scopes``).
        """
        if token.startswith("xapp-"):
            return None if method == "apps.connections.open" else {"ok": False, "error": "not_allowed_token_type"}
        if not token.startswith("xoxb-"):
            return None  # user tokens: not modelled
        with self.standin.workspace.lock:
            needed = needed_scope(method, params, self.standin.workspace.kind_of)
        granted = self.standin.granted
        if needed is None or needed in granted:
            return None
        return {"ok": False, "error": "missing_scope", "needed": needed, "provided": ",".join(sorted(granted))}

    def _answer_fault(self, call: Call, fault: Fault) -> None:
        status = fault.status or 200
        headers: dict[str, str] = {}
        if status == 429:
            body: dict[str, Any] = {"ok": False, "error": "ratelimited"}
            headers["Retry-After"] = str(fault.retry_after)
        elif status >= 500:
            body = {"ok": False, "error": fault.error or "fatal_error"}
        else:
            body = {"ok": False, "error": fault.error or "fatal_error"}
        call.status, call.response = status, body
        self.standin._record(call)
        self._send_json(status, body, headers)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _send_json(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
        self._send(status, json.dumps(body).encode("utf-8"), "application/json; charset=utf-8",
                   headers)

    def _send(self, status: int, data: bytes, content_type: str,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


def _token(headers: dict[str, str], params: dict[str, Any]) -> str | None:
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    token = params.pop("token", None)
    return str(token) if token else None
