"""Teams over HTTP: POST /api/messages to the Agents SDK's CloudAdapter, GET /healthz for probes.

In front of the adapter, one middleware checks what the SDK's own JWT middleware checks (a bearer
token, signed, for our app id) and what the Bot Framework asks of a bot besides: the token's
`serviceurl` is the activity's, its key is endorsed for the activity's channel (when the keys say),
and the activity comes from our tenant (ncpi's bot is single tenant). A refusal is 401 (403 for
another tenant) and reaches no handler.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import urllib.error
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Middleware
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import Agent

from bot import health
from bot.teams.activities import tenant_of
from bot.teams.auth import VALIDATION_ERRORS, Validator
from ncpi_core.storage.engine import Engine

log = logging.getLogger("ncpi.teams")

MESSAGES_PATH = "/api/messages"
HEALTH_PATH = "/healthz"
MAX_BODY = 1024 * 1024
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _refuse(status: int, error: str) -> web.Response:
    return web.json_response({"error": error}, status=status)


def _same_url(a: str, b: str) -> bool:
    return a.rstrip("/").lower() == b.rstrip("/").lower()


def _bearer(header: str | None) -> str | None:
    scheme, _, token = (header or "").strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token and not any(c.isspace() for c in token) else None


def authorization(validator: Validator, tenant_id: str) -> Middleware:
    """The middleware that lets only our tenant's activities, signed for us, reach the adapter."""

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path != MESSAGES_PATH or request.method != "POST":
            return await handler(request)
        token = _bearer(request.headers.get("Authorization"))
        if token is None:
            return _refuse(401, "Authorization header not found")
        try:
            identity, endorsements = await validator.validate(token)
        except VALIDATION_ERRORS as exc:
            log.warning("refused an activity: its token is not valid (%s)", type(exc).__name__)
            return _refuse(401, "Invalid token or authentication failed.")
        except (OSError, urllib.error.URLError) as exc:
            log.error("cannot read the keys activities are signed with (%s): check NCPI_TEAMS_OPENID_METADATA", exc)
            return _refuse(503, "The bot cannot check signatures just now.")
        try:
            body: Any = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
            return _refuse(400, "The body is not a JSON activity.")
        if not isinstance(body, dict):
            return _refuse(400, "The body is not a JSON activity.")
        claimed = identity.get_claim_value("serviceurl")
        if claimed and not _same_url(str(claimed), str(body.get("serviceUrl") or "")):
            log.warning("refused an activity whose serviceUrl is not its token's")
            return _refuse(401, "Invalid token or authentication failed.")
        if endorsements is not None and body.get("channelId") not in endorsements:
            log.warning("refused an activity: its key is not endorsed for channel %r", body.get("channelId"))
            return _refuse(401, "Invalid token or authentication failed.")
        if tenant_of(body) != tenant_id:
            log.warning("refused an activity from another tenant (%s)", tenant_of(body))
            return _refuse(403, "This bot serves one Microsoft 365 tenant only.")
        with warnings.catch_warnings():  # the SDK's adapter reads this very string key
            warnings.simplefilter("ignore", web.NotAppKeyWarning)
            request["claims_identity"] = identity
        return await handler(request)

    return check


def make_web_app(adapter: CloudAdapter, agent: Agent, validator: Validator, tenant_id: str,
                 engine: Engine) -> web.Application:
    """The aiohttp application: the bot's endpoint and the health check."""

    async def messages(request: web.Request) -> web.StreamResponse:
        try:
            response = await adapter.process(request, agent)
        except Exception:  # noqa: BLE001 - a malformed activity the SDK cannot read: 400, never a trace
            log.warning("could not process an activity", exc_info=True)
            return _refuse(400, "The activity could not be read.")
        return response if response is not None else web.Response(status=202)

    async def healthz(request: web.Request) -> web.StreamResponse:
        status, body = await asyncio.to_thread(health.check, engine)
        return web.json_response(body, status=status)

    app = web.Application(middlewares=[authorization(validator, tenant_id)], client_max_size=MAX_BODY)
    app.router.add_post(MESSAGES_PATH, messages)
    app.router.add_get(HEALTH_PATH, healthz)
    return app


class BackgroundServer:
    """An aiohttp application served from a thread of its own (tests, the demo)."""

    def __init__(self, app: web.Application, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app, self.host, self.port = app, host, port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()

    def start(self) -> BackgroundServer:
        threading.Thread(target=self._serve, name="ncpi-teams-http", daemon=True).start()
        if not self._ready.wait(10):
            raise RuntimeError("the Teams endpoint did not start")
        return self

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._runner = web.AppRunner(self.app, access_log=None)
        loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, self.host, self.port)
        loop.run_until_complete(site.start())
        self.port = int(self._runner.addresses[0][1])  # the bound port when 0 was asked for
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(self._runner.cleanup())
        loop.close()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
