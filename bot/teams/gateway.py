"""The one way out to Teams: proactive sends, replies and new chats through the Agents SDK's adapter.

Teams lets a bot message a person only in a conversation it already has with them, so every
conversation reference Teams shows us (an installation, the bot joining a chat or a team, a
person's first message) is kept in the `conversations` table: by the person's Entra object id for
their personal chat, by `team:<id>` for a team. The SDK is asynchronous and the ledger's sender is
not: the gateway runs its own event loop in a thread, and `run()` waits for a coroutine on it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

import aiohttp
from microsoft_agents.activity import Activity, ConversationParameters, ConversationReference
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from bot.teams.ids import PLATFORM
from ncpi_core.storage.base import UowFactory

log = logging.getLogger(__name__)
T = TypeVar("T")
TIMEOUT = 30.0  # seconds one call to the Bot Connector may take
CONNECTOR_AUDIENCE = "https://api.botframework.com"


class ConnectorError(Exception):
    """A call to the Bot Connector (or to sign-in for it) that did not succeed.

    Attributes:
        status: the HTTP status, or None when no answer came (refused, dropped, timed out).
        code: the Bot Connector's error code (`ConversationBlockedByUser`, `MessageSizeTooBig`…).
        retry_after: seconds a 429 asked us to wait.
        sent: False when the request certainly never reached the service (connection refused,
            credentials refused); True when it may have been acted on (a dropped answer, a timeout).
        auth: sign-in refused the bot's credentials.
    """

    def __init__(self, reason: str, *, status: int | None = None, code: str = "", retry_after: float | None = None,
                 sent: bool = True, auth: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.status, self.code = reason, status, code
        self.retry_after, self.sent, self.auth = retry_after, sent, auth


def _error_code(message: str) -> str:
    try:
        body = json.loads(message)
    except (json.JSONDecodeError, TypeError):
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    return str(error.get("code") or "") if isinstance(error, dict) else ""


def as_connector_error(exc: BaseException) -> ConnectorError:
    """Any failure of a call to Teams, as a ConnectorError."""
    if isinstance(exc, ConnectorError):
        return exc
    if isinstance(exc, aiohttp.ClientResponseError):
        retry = exc.headers.get("Retry-After") if exc.headers is not None else None
        try:
            wait = float(retry) if retry is not None else None
        except ValueError:
            wait = None
        return ConnectorError(f"HTTP {exc.status} {exc.message[:300]}", status=exc.status,
                              code=_error_code(exc.message), retry_after=wait, sent=exc.status >= 500)
    if isinstance(exc, aiohttp.ClientConnectorError | ConnectionRefusedError):
        return ConnectorError(f"cannot connect: {exc}", sent=False)
    if isinstance(exc, ValueError) and "acquire token" in str(exc).lower():
        return ConnectorError(f"sign-in refused: {str(exc)[:300]}", sent=False, auth=True)
    if isinstance(exc, OSError | aiohttp.ClientError | asyncio.TimeoutError | TimeoutError):
        return ConnectorError(f"no answer: {exc!r}", sent=True)
    return ConnectorError(f"{type(exc).__name__}: {exc}", sent=True)


@dataclass(frozen=True)
class Target:
    """Where to post: a conversation on a service URL (a chat, a channel, or a channel's thread)."""

    service_url: str
    conversation: str
    kind: str  # personal | channel
    tenant: str

    def reference(self, bot_id: str) -> ConversationReference:
        return ConversationReference.model_validate({
            "conversation": {"id": self.conversation, "conversationType": self.kind, "tenantId": self.tenant,
                             "isGroup": self.kind != "personal"},
            "bot": {"id": bot_id}, "channelId": "msteams", "serviceUrl": self.service_url})


class TeamsGateway:
    """Teams side effects ncpi needs, with the conversation references kept in storage."""

    def __init__(self, adapter: CloudAdapter, app_id: str, tenant_id: str,
                 uow_factory: UowFactory | None, clock: Callable[[], datetime],
                 service_url: str | None = None, timeout: float = TIMEOUT) -> None:
        self.adapter = adapter
        self.app_id = app_id
        self.bot_id = f"28:{app_id}"
        self.tenant_id = tenant_id
        self.uow_factory = uow_factory
        self.clock = clock
        self.configured_service_url = service_url
        self.timeout = timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self._user_locks: dict[str, threading.Lock] = {}

    # --- the gateway's own event loop ------------------------------------------------------------
    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run `coro` on the gateway's loop and wait for it (never call from that loop)."""
        loop = self._ensure_loop()
        future = asyncio.run_coroutine_threadsafe(asyncio.wait_for(coro, timeout or self.timeout), loop)
        return future.result()

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="ncpi-teams-io", daemon=True).start()
                self._loop = loop
            return self._loop

    def close(self) -> None:
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)

    # --- conversation references -----------------------------------------------------------------
    def remember(self, address: str, reference: dict[str, Any]) -> None:
        """Keep the reference to reach `address` (an Entra object id, or `team:<id>`) by."""
        if self.uow_factory is None:
            return
        conversation = str((reference.get("conversation") or {}).get("id") or "")
        with self.uow_factory() as uow:
            stored = uow.conversations.get(PLATFORM, address)
            if stored is not None and stored[0] == conversation and stored[1] == reference:
                return
            uow.conversations.put(PLATFORM, address, conversation, reference, self.clock())
            uow.commit()

    def forget(self, address: str, conversation: str) -> None:
        """Keep the conversation's id but no reference: nothing is sent there until Teams shows one again."""
        if self.uow_factory is None:
            return
        with self.uow_factory() as uow:
            uow.conversations.put(PLATFORM, address, conversation, None, self.clock())
            uow.commit()

    def stored(self, address: str) -> tuple[str, dict[str, Any] | None] | None:
        if self.uow_factory is None:
            return None
        with self.uow_factory() as uow:
            return uow.conversations.get(PLATFORM, address)

    def addresses(self) -> set[str]:
        if self.uow_factory is None:
            return set()
        with self.uow_factory() as uow:
            return uow.conversations.addresses(PLATFORM)

    def service_url(self) -> str | None:
        """Where the tenant's Bot Connector is: configured, or learnt from any reference Teams sent."""
        if self.configured_service_url:
            return self.configured_service_url
        for address in sorted(self.addresses()):
            found = self.stored(address)
            url = (found[1] or {}).get("serviceUrl") if found else None
            if url:
                return str(url)
        return None

    def personal_target(self, aad: str) -> Target | None:
        found = self.stored(aad)
        if found is None or not found[1]:
            return None
        url = str(found[1].get("serviceUrl") or self.service_url() or "")
        return Target(url, found[0], "personal", self.tenant_id) if url else None

    def personal(self, aad: str) -> Target:
        """The person's chat (from a sender thread): one thread at a time asks Teams for one person;
        the others wait for its answer instead of each opening the same chat."""
        found = self.personal_target(aad)
        if found is not None:
            return found
        with self._lock:
            user_lock = self._user_locks.setdefault(aad, threading.Lock())
        with user_lock:
            return self.run(self.open_personal(aad))

    # --- calls (coroutines: run them with `run`, or await them on a server's loop) ---------------
    async def post(self, target: Target, activity: Activity, reply_to: str | None = None) -> str:
        """Send `activity` to the target (as a reply to `reply_to`, if given); returns its id."""
        reference = target.reference(self.bot_id)
        activity.apply_conversation_reference(reference)  # from, conversation, serviceUrl, channel
        if reply_to:
            activity.reply_to_id = reply_to

        async def call(client: ConnectorClientBase) -> str:
            if reply_to:
                response = await client.conversations.reply_to_activity(target.conversation, reply_to, activity)
            else:
                response = await client.conversations.send_to_conversation(target.conversation, activity)
            return str(response.id or "")

        return await self._with_client(reference, call)

    async def update(self, target: Target, activity_id: str, activity: Activity) -> None:
        reference = target.reference(self.bot_id)
        activity.apply_conversation_reference(reference)
        activity.id = activity_id

        async def call(client: ConnectorClientBase) -> str:
            await client.conversations.update_activity(target.conversation, activity_id, activity)
            return activity_id

        await self._with_client(reference, call)

    async def open_personal(self, aad: str) -> Target:
        """The person's chat with the bot: stored, or asked of Teams (only once the app is
        installed for them; Teams answers 403 before)."""
        found = self.personal_target(aad)
        if found is not None:
            return found
        url = self.service_url()
        if not url:
            raise ConnectorError("no Teams service URL is known yet: the app is installed nowhere", sent=False,
                                 code="NotInstalled")
        params = ConversationParameters.model_validate({
            "isGroup": False, "bot": {"id": self.bot_id}, "members": [{"id": aad}], "tenantId": self.tenant_id,
            "channelData": {"tenant": {"id": self.tenant_id}}})

        async def create(client: ConnectorClientBase) -> str:
            return str((await client.conversations.create_conversation(params)).id or "")

        # the SDK's own create_conversation leaves its connector client open when Teams refuses;
        # a turn on the service URL closes it whatever happens
        created = await self._with_client(Target(url, "new", "personal", self.tenant_id).reference(self.bot_id), create)
        target = Target(url, created, "personal", self.tenant_id)
        reference = target.reference(self.bot_id).model_dump(mode="json", by_alias=True, exclude_none=True)
        reference["user"] = {"id": aad, "aadObjectId": aad}
        self.remember(aad, reference)
        return target

    async def _with_client(self, reference: ConversationReference,
                           call: Callable[[ConnectorClientBase], Coroutine[Any, Any, str]]) -> str:
        """Run `call` with the SDK's connector client for the reference (its token from MSAL)."""
        outcome: dict[str, Any] = {}

        async def callback(context: TurnContext) -> None:
            client = context.services.get(cast(type[ConnectorClientBase], ConnectorClientBase))
            try:
                if client is None:
                    raise ConnectorError("the SDK gave no connector client", sent=False)
                outcome["id"] = await call(client)
            except BaseException as exc:  # noqa: BLE001 - kept and raised below, never to on_turn_error
                outcome["error"] = exc

        try:
            await self.adapter.continue_conversation(self.app_id, reference.get_continuation_activity(), callback)
        except Exception as exc:  # noqa: BLE001 - signing in or making the client failed
            raise as_connector_error(exc) from exc
        if "error" in outcome:
            raise as_connector_error(outcome["error"])
        return str(outcome["id"])
