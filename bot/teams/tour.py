"""`ncpi demo --platform teams`'s guide: moves the simulated clock, acts as people in Teams (signed
activities to the bot: messages, replies to a prompt, card buttons and forms), runs the ledger's
tick, and prints each message as it would read in Teams."""

from __future__ import annotations

from datetime import date
from datetime import time as clock_time
from typing import Any, TextIO

from bot.bootstrap import Core, ManualClock
from bot.cli.progress import Progress
from bot.standin.teams import (
    Delivered,
    Posted,
    TeamsClient,
    TeamsStandIn,
    render_card,
    render_posted,
)
from bot.teams.ids import PLATFORM
from ncpi_core.domain.calendar import local_to_utc
from ncpi_core.domain.ledger import DeliveryState, Kind
from ncpi_core.ports import DeliveryPort
from ncpi_core.reports.chart import render_chart_png
from ncpi_core.usecases.ledger import run_tick


class TeamsTour:
    """Drives the simulated cycle and prints each message as it would read in Teams."""

    def __init__(self, core: Core, teams: TeamsStandIn, client: TeamsClient, port: DeliveryPort,
                 clock: ManualClock, out: TextIO, full: bool, progress: Progress | None = None) -> None:
        self.core, self.teams, self.client, self.port, self.clock = core, teams, client, port, clock
        self.out, self.full, self.progress = out, full, progress
        self.names = {p.teams_user: p.name for p in core.config.people if p.teams_user}
        self.channels = {cid: body for body in ("silver", "gold") if (cid := core.config.channel(body, PLATFORM))}
        self.printed = 0
        self.seen_kinds: set[str] = set()

    # --- output ----------------------------------------------------------------------------------
    def say(self, text: str = "") -> None:
        print(text, file=self.out)

    def day(self, d: date) -> None:
        if self.progress is not None:
            self.progress.step(f"{d:%a %d %b %Y}", advance=1)
        self.say()
        self.say(f"━━━━ {d:%A %d %B %Y} " + "━" * 40)

    def person(self, aad: str, how: str, text: str) -> None:
        local = self.clock().astimezone(self.core.tz)
        self.say(f"  {local:%H:%M}  ✎ {self.names.get(aad, aad)} {how}: {text}")

    def kinds(self) -> dict[str, str]:
        """The ledger's kind of each message it sent, by message id (the rest are replies)."""
        with self.core.uow() as uow:
            records = uow.ledger.records(states=[DeliveryState.SENT])
        return {r.where.message: r.kind for r in records if r.where is not None and r.platform == PLATFORM}

    def where(self, m: Posted) -> str:
        if m.conversation in self.channels:
            return f"#{self.channels[m.conversation]} channel" + (" (in thread)" if m.thread else "")
        user = self.teams.tenant.user(m.conversation)
        return f"chat with {user.name}" if user else m.conversation

    def flush(self) -> None:
        """Print what the bot has said since the last flush (the bot answers before it returns 2xx)."""
        messages = self.teams.bot_messages()
        kinds = self.kinds() if len(messages) > self.printed else {}
        for m in messages[self.printed:]:
            self._print(m, kinds.get(m.id))
        self.printed = len(messages)

    def _print(self, m: Posted, kind: str | None, note: str = "") -> None:
        local = self.clock().astimezone(self.core.tz)
        lines = render_posted(m).splitlines() or [""]
        shown = kind if kind != Kind.NOTICE else None  # a notice answers a step: shown in full, as a reply
        first_of_kind = shown not in self.seen_kinds
        if shown:
            self.seen_kinds.add(shown)
        self.say(f"  {local:%H:%M}  → {self.where(m)}{note}")
        if self.full or first_of_kind or not shown or len(lines) <= 3:
            for line in lines:
                self.say(f"          │ {line}")
        else:
            self.say(f"          │ {lines[0]}")
            self.say(f"          │ … ({len(lines) - 1} more lines, as above; `ncpi demo --platform teams --full` "
                     "shows all)")

    def refreshed(self, result: Delivered) -> None:
        """How Teams shows the answer to a button: the card replaced, or a message beside it."""
        if result.card is not None:
            self.say("          ↻ the card now reads:")
            for line in render_card(result.card):
                self.say(f"          │ {line}")
        elif result.message:
            self.say(f"          ⓘ Teams shows: {result.message}")

    # --- the simulated clock ---------------------------------------------------------------------
    def at(self, d: date, hh: int, mm: int = 0) -> None:
        self.clock.set(local_to_utc(d, clock_time(hh, mm), self.core.tz))

    def tick(self) -> None:
        run_tick(self.core.uow, self.core.config, self.port, self.clock(), worker="demo", draw_chart=render_chart_png)
        self.flush()

    def tick_through(self, d: date, first_hour: int = 8, last_hour: int = 18) -> None:
        for hour in range(first_hour, last_hour + 1):
            self.at(d, hour)
            self.tick()

    # --- people doing things in Teams ------------------------------------------------------------
    def sent(self, kind: Kind, action_id: str | None = None, person: str | None = None) -> Posted:
        """The last message of this kind the ledger sent (for `action_id`, to `person`), as the
        stand-in holds it."""
        with self.core.uow() as uow:
            records = [r for r in uow.ledger.records(kinds=[kind], states=[DeliveryState.SENT])
                       if r.where is not None and (action_id is None or r.action_id == action_id)
                       and (person is None or r.person == person)]
        assert records, f"no {kind} was sent" + (f" for {action_id}" if action_id else "")
        where = records[-1].where
        assert where is not None
        found = self.teams.tenant.find(where.conversation, where.message)
        if found is None:
            raise LookupError(f"{kind} {action_id or ''} not found at the stand-in")
        return found

    def message(self, aad: str, text: str, reply_to: Posted | None = None) -> None:
        self.person(aad, "replies to the prompt" if reply_to else "messages ncpi", text)
        self.client.message(aad, text, reply_to=reply_to)
        self.flush()

    def channel_message(self, aad: str, channel: str, text: str) -> None:
        self.person(aad, f"writes in #{self.channels.get(channel, channel)}", f"@ncpi {text}")
        self.client.channel_message(aad, channel, text)
        self.flush()

    def press(self, aad: str, card: Posted, verb: str, label: str, inputs: dict[str, Any] | None = None) -> None:
        self.person(aad, "presses", f"[{label}]" + (f" with {_shown(inputs)}" if inputs else ""))
        result = self.client.click(aad, card, verb, inputs)
        self.refreshed(result)
        self.flush()


def _shown(inputs: dict[str, Any]) -> str:
    return ", ".join(f"{k} “{v}”" for k, v in inputs.items() if v not in (None, ""))
