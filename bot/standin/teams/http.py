"""The HTTP plumbing both Teams stand-in services share: a JSON handler that records every call and
serves injected faults (429 with Retry-After, 5xx, a dropped connection, a delay)."""

from __future__ import annotations

import json
import logging
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.standin.faults import Fault, FaultPlan

log = logging.getLogger(__name__)
MAX_BODY = 4 * 1024 * 1024


@dataclass
class Call:
    """One request a stand-in service received, and what it answered."""

    service: str  # "login" or "connector"
    op: str  # what was asked: token, send, reply, create, update, delete, members, keys, metadata
    method: str
    path: str
    body: Any
    headers: dict[str, str]
    at: float
    status: int = 200
    response: Any = None
    fault: str | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass
class Answer:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[["Request"], Answer]


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    raw: bytes
    body: Any  # JSON, or the form fields of a form post, or None

    @property
    def bearer(self) -> str | None:
        value = self.headers.get("authorization", "")
        scheme, _, token = value.partition(" ")
        return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class Service:
    """One stand-in service on its own threaded server (HTTPS with `tls`), routing by `route()`."""

    name = "service"

    def __init__(self, faults: FaultPlan, calls: list[Call], lock: threading.Lock,
                 tls: ssl.SSLContext | None = None) -> None:
        self.faults = faults
        self.calls = calls
        self._lock = lock
        self._tls = tls
        self._server: ThreadingHTTPServer | None = None
        self.on_call: Callable[[Call], None] | None = None  # tests: kill a process at an exact point

    # --- to implement ----------------------------------------------------------------------------
    def route(self, request: Request) -> tuple[str, Route | None]:
        """(operation name, handler) for a request; handler None answers 404."""
        raise NotImplementedError

    # --- serving ---------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None, "start the stand-in first"
        scheme = "https" if self._tls else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> None:
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                log.debug("%s %s", service.name, format % args)

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                service._handle(self)

            do_POST = do_PUT = do_DELETE = do_GET  # noqa: N815

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if self._tls is not None:
            self._server.socket = self._tls.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(target=self._server.serve_forever, name=f"teams-standin-{self.name}",
                         daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(min(length, MAX_BODY)) if length else b""
        headers = {k.lower(): v for k, v in h.headers.items()}
        request = Request(h.command, parts.path, parse_qs(parts.query), headers, raw, _decode(raw, headers))
        op, handler = self.route(request)
        call = Call(self.name, op, h.command, parts.path, request.body, headers, time.time())
        fault = self.faults.decide(op) if handler is not None else None
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.drop:
            call.status, call.fault = 0, fault.reason
            self._record(call)
            h.close_connection = True
            return
        if fault is not None and fault.status is not None:
            answer = _fault_answer(fault)
            call.fault = fault.reason
        elif handler is None:
            answer = Answer(404, {"error": {"code": "NotFound", "message": f"No route for {h.command} {parts.path}"}})
        else:
            try:
                answer = handler(request)
            except Exception as exc:  # noqa: BLE001 - a stand-in bug answers 500 and is logged
                log.exception("teams stand-in %s failed on %s", self.name, parts.path)
                answer = Answer(500, {"error": {"code": "InternalServerError", "message": repr(exc)}})
        call.status, call.response = answer.status, answer.body
        self._record(call)
        data = b"" if answer.body is None else json.dumps(answer.body).encode()
        h.send_response(answer.status)
        h.send_header("Content-Type", "application/json; charset=utf-8")
        for name, value in answer.headers.items():
            h.send_header(name, value)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)
        if self.on_call is not None:
            self.on_call(call)


class _QuietServer(ThreadingHTTPServer):
    """A client that went away mid-answer (a killed bot, a timeout) is part of the tests, not an error."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("teams stand-in: %s went away mid-answer", client_address)


def _decode(raw: bytes, headers: dict[str, str]) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", "replace")
    if "x-www-form-urlencoded" in headers.get("content-type", ""):
        return {k: v[0] for k, v in parse_qs(text).items()}
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _fault_answer(fault: Fault) -> Answer:
    if fault.status == 429:
        return Answer(429, {"error": {"code": "TooManyRequests", "message": "Too many requests"}},
                      {"Retry-After": str(fault.retry_after)})
    return Answer(fault.status or 500, {"error": {"code": "ServiceError", "message": "Service unavailable"}})
