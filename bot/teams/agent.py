"""The Teams bot: the Agents SDK's `ActivityHandler`, routing each activity to one of ours.

Messages go to `messages.handle_message`, card buttons to `presses.handle_press`, installations to
`install`. Our handlers read and write the database, so they run in worker threads; the event loop
only waits on them and on Teams. One error handler: a refusal is answered in the catalogue's words,
the database down with "try again shortly", anything else with an apology and a logged traceback —
never the traceback itself (the SDK's default turn-error handler would send it: it is replaced).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from microsoft_agents.activity import (
    AdaptiveCardInvokeResponse,
    AdaptiveCardInvokeValue,
    ChannelAccount,
)
from microsoft_agents.hosting.core import ActivityHandler, TurnContext

from bot import copy
from bot.teams.activities import Incoming, parse_message, parse_press
from bot.teams.cards.common import CARD_TYPE, message
from bot.teams.cards.replies import error_card, text_card
from bot.teams.commands import Reply
from bot.teams.deps import TeamsDeps
from bot.teams.gateway import ConnectorError
from bot.teams.install import on_installed, on_removed, remember_personal
from bot.teams.messages import handle_message
from bot.teams.presses import Pressed, handle_press
from ncpi_core.errors import NcpiError, StorageUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")
MESSAGE_TYPE = "application/vnd.microsoft.activity.message"
ANSWERED_PRIVATELY = "I have answered you in our own chat (ncpi under Chat), where only you can see it."
CANNOT_REACH = ("I would answer you privately, but I cannot reach you in a chat of our own yet: open ncpi under "
                "Apps and say hi, then ask me again.")


def user_message(error: BaseException) -> str:
    """What to tell the person, by kind of error (never a traceback, never internals)."""
    if isinstance(error, StorageUnavailable):
        return copy.DATABASE_DOWN
    if isinstance(error, NcpiError):
        return copy.error_text(error, copy.TEAMS)
    return copy.UNEXPECTED


async def on_turn_error(context: TurnContext, error: Exception) -> None:
    """The adapter's last resort (replaces the SDK's, which sends the error's text to the person)."""
    log.error("error handling a Teams %s activity", context.activity.type if context.activity else "?",
              exc_info=error)
    try:
        if context.activity is not None and context.activity.type == "message":
            await context.send_activity(message(error_card(copy.UNEXPECTED), copy.UNEXPECTED))
    except Exception:  # noqa: BLE001 - telling the person failed too; the log has the cause
        log.warning("could not tell the person about the error", exc_info=True)


class NcpiAgent(ActivityHandler):
    """ncpi's governance cycle in Teams."""

    def __init__(self, deps: TeamsDeps) -> None:
        self.deps = deps

    async def _work(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(fn, *args)

    # --- messages -------------------------------------------------------------------------------
    async def on_message_activity(self, turn_context: TurnContext) -> None:  # type: ignore[override]
        incoming = parse_message(turn_context.activity)
        if incoming is None:
            return
        try:
            await self._work(remember_personal, self.deps, turn_context.activity)  # first contact
            replies = await self._work(handle_message, self.deps, incoming)
        except Exception as exc:  # noqa: BLE001 - the one error handler: tell the person, log the rest
            await self._tell(turn_context, incoming, exc)
            return
        for reply in replies:
            await self._answer(turn_context, incoming, reply)

    async def _answer(self, context: TurnContext, m: Incoming, reply: Reply) -> None:
        """Send a reply where it belongs: in the chat (or channel, if public), or privately."""
        activities = [message(card, reply.summary if i == 0 else str(card.get("fallbackText", reply.summary)))
                      for r in [reply, *reply.extra] for i, card in enumerate(r.cards)]
        if m.kind == "personal" or reply.public:
            for activity in activities:
                await context.send_activity(activity)
            return
        target = await self._work(self.deps.gateway.personal_target, m.aad or "")
        if target is None:
            await context.send_activity(message(text_card(CANNOT_REACH), CANNOT_REACH))
            return
        try:
            for activity in activities:
                await self.deps.gateway.post(target, activity)
        except ConnectorError as exc:
            log.warning("could not answer %s privately: %s", m.key, exc.reason)
            await context.send_activity(message(text_card(CANNOT_REACH), CANNOT_REACH))
            return
        await context.send_activity(message(text_card(ANSWERED_PRIVATELY), ANSWERED_PRIVATELY))

    async def _tell(self, context: TurnContext, m: Incoming, error: Exception) -> None:
        if isinstance(error, NcpiError) and not isinstance(error, StorageUnavailable):
            log.info("refused %s from %s: %s", m.key, m.aad, error)
        elif isinstance(error, StorageUnavailable):
            log.error("database unavailable while handling %s: %s", m.key, type(error).__name__)
        else:
            log.error("failed handling %s", m.key, exc_info=error)
        try:
            first = await self._work(self.deps.first_time, f"error:{m.key}")
        except StorageUnavailable:
            first = True  # the database is what failed: better said twice than not at all
        if first:
            text = user_message(error)
            await context.send_activity(message(error_card(text), text))

    # --- card buttons ---------------------------------------------------------------------------
    async def on_adaptive_card_invoke(self, turn_context: TurnContext,  # type: ignore[override]
                                      invoke_value: AdaptiveCardInvokeValue) -> AdaptiveCardInvokeResponse:
        press = parse_press(turn_context.activity)
        if press is None:
            return AdaptiveCardInvokeResponse(status_code=400, type="application/vnd.microsoft.error",
                                              value={"code": "BadRequest", "message": "Not an Action.Execute"})
        try:
            await self._work(remember_personal, self.deps, turn_context.activity)
            pressed = await self._work(handle_press, self.deps, press)
        except Exception as exc:  # noqa: BLE001 - the one error handler
            log.error("failed handling the %s button", press.verb, exc_info=exc)
            pressed = Pressed(message=user_message(exc))
        if pressed.card is not None:
            return AdaptiveCardInvokeResponse(status_code=200, type=CARD_TYPE, value=pressed.card)
        return AdaptiveCardInvokeResponse(status_code=200, type=MESSAGE_TYPE, value=pressed.message or "")

    # --- installations --------------------------------------------------------------------------
    async def on_installation_update_add(self, turn_context: TurnContext) -> None:  # type: ignore[override]
        await self._installed(turn_context)

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:  # type: ignore[override]
        await self._work(on_removed, self.deps, turn_context.activity)

    async def on_members_added_activity(self, members_added: list[ChannelAccount],  # type: ignore[override]
                                        turn_context: TurnContext) -> None:
        recipient = turn_context.activity.recipient
        if recipient is not None and any(m.id == recipient.id for m in members_added):
            await self._installed(turn_context)

    async def _installed(self, context: TurnContext) -> None:
        try:
            welcome = await self._work(on_installed, self.deps, context.activity)
        except Exception:  # noqa: BLE001 - Teams retries an activity that failed; the log has the cause
            log.exception("could not keep the conversation reference of an installation")
            raise
        if welcome is not None:
            await context.send_activity(message(welcome, str(welcome.get("fallbackText", "Welcome"))))
