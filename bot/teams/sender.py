"""The delivery port on Teams: render a delivery as Adaptive Cards, post it, remember where it went.

A person is reached in their personal chat with the bot (the conversation reference kept since the
app was installed for them, or one Teams opens for us once it is); a body in its channel
(`config.channel(body, "teams")`), a long summary's later parts in the first part's thread.

Teams cannot be searched for a message by anything of ours, and the Bot Connector chooses each
message's id itself. So the id of every part is written to a journal (`uow.state`) the moment
Teams answers, before anything else: a crash after that is recovered from the journal (the rest of
a long summary goes, the posted part is not repeated). What no journal can close is a crash, or a
lost answer, while the POST itself is in flight: Teams may have posted the message and we never
hear its id. Such a delivery is sent again (a duplicate is better than a lost prompt); README,
"Connect Microsoft Teams", says how long that window is.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import datetime

from microsoft_agents.activity import Activity

from bot.teams.cards.common import message as card_message
from bot.teams.cards.deliveries import render
from bot.teams.gateway import ConnectorError, Target, TeamsGateway
from bot.teams.ids import PLATFORM
from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.ledger import MessageRef, Recipient
from ncpi_core.ports import Outgoing, SendFailed
from ncpi_core.storage.base import UowFactory

log = logging.getLogger(__name__)

TRIES = 5  # per part: 429s waited out, transient 5xx and dropped answers tried again
# The Bot Connector's refusals that retrying cannot cure (the admins are told at once)
PERMANENT = frozenset({"ConversationBlockedByUser", "ConversationNotFound", "BotNotInConversationRoster",
                       "Forbidden", "NotFound", "MessageSizeTooBig", "BadArgument", "BadSyntax"})
JOURNAL = "teams:sent:"


class SendGate:
    """Shared by the sender's threads: after a 429, nobody posts until Retry-After has passed."""

    def __init__(self) -> None:
        self._until = 0.0
        self._lock = threading.Lock()

    def close_for(self, seconds: float) -> None:
        with self._lock:
            self._until = max(self._until, time.monotonic() + seconds)

    def wait(self) -> None:
        while True:
            with self._lock:
                delay = self._until - time.monotonic()
            if delay <= 0:
                return
            time.sleep(delay)


def journal_name(key: str) -> str:
    """The state row a part's id is kept under (keys run to 200 characters; names to 100)."""
    return JOURNAL + hashlib.sha256(key.encode()).hexdigest()[:40]


class TeamsSender:
    """`ncpi_core.ports.DeliveryPort` implemented with the Teams gateway."""

    platform = PLATFORM
    # Teams cannot be searched for a message and chooses its ids, so a post whose answer a crash
    # swallowed is sent again on restart: one send at a time keeps that to one message per crash
    # (four threads let a single kill repeat up to four).
    max_in_flight = 1

    def __init__(self, gateway: TeamsGateway, config: ForceConfig, uow_factory: UowFactory,
                 clock: Callable[[], datetime], sleep: Callable[[float], None] = time.sleep) -> None:
        self.gateway = gateway
        self.config = config
        self.uow_factory = uow_factory
        self.clock = clock
        self.gate = SendGate()
        self._sleep = sleep

    # --- the port ---------------------------------------------------------------------------------
    def send(self, message: Outgoing) -> MessageRef:
        target = self._target(message)
        first: MessageRef | None = None
        for i, (card, summary) in enumerate(render(message, self._failed_to(message))):
            key = message.key if i == 0 else f"{message.key}#{i + 1}"
            ref = self._journaled(key)
            if ref is None:
                where, reply_to = target, self._reply_to(message) if i == 0 else None
                if first is not None:  # later parts answer the first: in its channel thread, or after it
                    reply_to = first.message
                    if target.kind == "channel":
                        where = Target(target.service_url, f"{first.conversation};messageid={first.message}",
                                       "channel", target.tenant)
                activity_id = self._post(where, card_message(card, summary), reply_to)
                ref = MessageRef(target.conversation, activity_id)
                self._journal(key, ref)
            first = first or ref
        assert first is not None
        return first

    def find_sent(self, message: Outgoing, since: datetime) -> MessageRef | None:
        """The journal's record of every part (none missing), or None: Teams itself cannot be asked."""
        parts = render(message, self._failed_to(message))
        refs = [self._journaled(message.key if i == 0 else f"{message.key}#{i + 1}") for i in range(len(parts))]
        return refs[0] if all(refs) else None

    # --- where --------------------------------------------------------------------------------------
    def _target(self, message: Outgoing) -> Target:
        recipient = message.recipient
        if recipient.body is not None:
            channel = self.config.channel(recipient.body, PLATFORM)
            if channel is None:
                raise SendFailed(f"no Teams channel for {recipient} in ncpi.yaml", permanent=True)
            url = self.gateway.service_url()
            if url is None:
                raise SendFailed("Teams has not told ncpi its service URL yet: add the app to the team (or set "
                                 "NCPI_TEAMS_SERVICE_URL)", blocked=True)
            return Target(url, channel, "channel", self.gateway.tenant_id)
        aad = self._aad(recipient)
        if message.thread is not None:
            stored = self.gateway.personal_target(aad)
            url = stored.service_url if stored else self.gateway.service_url()
            if url:
                return Target(url, message.thread.conversation, "personal", self.gateway.tenant_id)
        try:
            return self.gateway.personal(aad)
        except ConnectorError as exc:
            raise self._failure(exc, f"opening a chat with {recipient.person}") from exc

    def _aad(self, recipient: Recipient) -> str:
        person = self.config.person(recipient.person or "")
        aad = person.identity(PLATFORM) if person else None
        if aad is None:
            raise SendFailed(f"no teams_user for {recipient} in ncpi.yaml", permanent=True)
        return aad

    @staticmethod
    def _reply_to(message: Outgoing) -> str | None:
        return message.thread.message if message.thread is not None else None

    def _failed_to(self, message: Outgoing) -> str:
        """For a failure report: the Entra id or channel the failed delivery was for, as admins know it."""
        failed = getattr(message.content, "recipient", "")
        try:
            r = Recipient.parse(str(failed))
        except ValueError:
            return str(failed)
        if r.body is not None:
            return self.config.channel(r.body, PLATFORM) or str(r)
        person = self.config.person(r.person or "")
        return (person.identity(PLATFORM) if person else None) or str(r)

    # --- posting ------------------------------------------------------------------------------------
    def _post(self, target: Target, activity: Activity, reply_to: str | None) -> str:
        last: ConnectorError | None = None
        for attempt in range(TRIES):
            self.gate.wait()  # another thread met the rate limit: wait its Retry-After out too
            try:
                return self.gateway.run(self.gateway.post(target, activity.model_copy(deep=True), reply_to))
            except ConnectorError as exc:
                last = exc
                if exc.status == 429:
                    self.gate.close_for((exc.retry_after if exc.retry_after is not None else 1.0)
                                        + random.random() * 0.1)
                    continue
                if (exc.status is not None and exc.status >= 500) or (exc.status is None and exc.sent):
                    # transient (Microsoft's advice: try again); it may have posted, and cannot be looked for
                    self._sleep(min(4.0, 0.25 * 2 ** attempt))
                    continue
                raise self._failure(exc, "posting") from exc
        assert last is not None
        if last.status == 429:
            raise SendFailed(f"rate limited after every retry ({last.reason})")
        raise SendFailed(f"Teams: {last.reason}", outcome_unknown=True, unreachable=last.status is None)

    @staticmethod
    def _failure(exc: ConnectorError, doing: str) -> SendFailed:
        reason = f"Teams, {doing}: {exc.code or exc.reason}"
        if exc.auth or exc.status == 401:
            return SendFailed(reason, blocked=True)
        if exc.code == "NotInstalled":
            return SendFailed(reason + " (add the app to a team, or install it for people)", blocked=True)
        if exc.status is None and not exc.sent:
            return SendFailed(reason, unreachable=True)
        if exc.code in PERMANENT or exc.status in (400, 403, 404, 413):
            hint = (" (the app is not installed for them: pre-install it with an app setup policy)"
                    if exc.status == 403 and doing.startswith("opening") else "")
            return SendFailed(reason + hint, permanent=True)
        return SendFailed(reason, outcome_unknown=exc.sent)

    # --- the journal --------------------------------------------------------------------------------
    def _journaled(self, key: str) -> MessageRef | None:
        with self.uow_factory() as uow:
            value = uow.state.get(journal_name(key))
        if value is None:
            return None
        data = json.loads(value)
        return MessageRef(str(data["conversation"]), str(data["message"])) if data.get("key") == key else None

    def _journal(self, key: str, ref: MessageRef) -> None:
        value = json.dumps({"key": key, "conversation": ref.conversation, "message": ref.message})
        with self.uow_factory() as uow:
            uow.state.put(journal_name(key), value, self.clock())
            uow.commit()
