"""`ncpi demo`'s guide: moves the simulated clock, acts as people in Slack (signed requests to the
bot), runs the ledger's tick, and prints each message as it would read in Slack."""

from __future__ import annotations

import time
from datetime import date
from datetime import time as clock_time
from typing import Any, TextIO

from bot.bootstrap import Core, ManualClock
from bot.cli.progress import Progress
from bot.slack.blocks.summary import summary_messages
from bot.slack.ids import PLATFORM
from bot.standin import Message, SlackSender, SlackStandIn
from bot.standin.transcript import describe_target, render_message
from ncpi_core.domain.calendar import local_to_utc
from ncpi_core.domain.ledger import DeliveryState, Kind
from ncpi_core.domain.models import Body
from ncpi_core.errors import NcpiError
from ncpi_core.ports import DeliveryPort
from ncpi_core.reports.chart import render_chart_png
from ncpi_core.usecases.ledger import run_tick
from ncpi_core.usecases.summaries import summary_now

EMOJI = {":red_circle:": "🔴", ":large_orange_circle:": "🟠", ":large_green_circle:": "🟢",
         ":large_blue_circle:": "🔵", ":white_circle:": "⚪", ":calendar:": "📅", ":bell:": "🔔",
         ":warning:": "⚠️", ":white_check_mark:": "✅", ":x:": "❌", ":memo:": "📝",
         ":large_blue_diamond:": "🔷", ":question:": "❓", ":grey_question:": "❔", ":scales:": "⚖️",
         ":hourglass_flowing_sand:": "⏳"}


def emoji(text: str) -> str:
    """Show Slack's emoji codes as the pictures Slack would draw."""
    for code, picture in EMOJI.items():
        text = text.replace(code, picture)
    return text


def delivery_kind(msg: Message) -> str | None:
    """The ledger kind of a scheduled message, from the delivery key in its metadata (None: a reply).

    A workflow's notice goes through the ledger too, but it answers what someone just did: the
    tour shows it in full and counts it with the replies.
    """
    key = ((msg.metadata or {}).get("event_payload") or {}).get("key")
    kind = str(key).split(":", 1)[0] if key else None
    return None if kind == Kind.NOTICE else kind


# how long a step waits for the bot's answers: far beyond what even a loaded machine needs
ANSWER_LIMIT = 60.0


class DemoStalled(NcpiError):
    """The bot did not give a step's expected answers within ANSWER_LIMIT seconds."""


class Tour:
    """Drives the simulated cycle and prints each message as it would read in Slack."""

    def __init__(self, core: Core, slack: SlackStandIn, sender: SlackSender, port: DeliveryPort,
                 clock: ManualClock, out: TextIO, full: bool, progress: Progress | None = None) -> None:
        self.core, self.slack, self.sender, self.port, self.clock = core, slack, sender, port, clock
        self.out, self.full = out, full
        self.users = {p.slack_user: p.name for p in core.config.people if p.slack_user is not None}
        self.channels = {address: body.value for body in (Body.SILVER, Body.GOLD)
                         if (address := core.config.channel(body, PLATFORM)) is not None}
        self.printed = 0
        self.views_seen = 0
        self.seen_kinds: set[str] = set()
        self.progress = progress

    # --- output ---------------------------------------------------------------------------------
    def say(self, text: str = "") -> None:
        print(text, file=self.out)

    def day(self, d: date) -> None:
        if self.progress is not None:
            self.progress.step(f"{d:%a %d %b %Y}", advance=1)
        self.say()
        self.say(f"━━━━ {d:%A %d %B %Y} " + "━" * 40)

    def person(self, slack_user: str, how: str, text: str) -> None:
        local = self.clock().astimezone(self.core.tz)
        self.say(f"  {local:%H:%M}  ✎ {self.users.get(slack_user, slack_user)} {how}: {text}")

    def flush(self) -> None:
        """Print what the bot has said since the last flush."""
        timeline = self.slack.timeline()
        for msg in timeline[self.printed:]:
            self._print_message(msg)
        self.printed = len(timeline)

    def await_bot(self, what: str, messages: int = 0, views: int = 0) -> None:
        """Wait for the answers a step expects (listeners run after the ack), then print them.

        `messages` counts what appears in Slack (posts, responses to the command, ephemerals),
        `views` the forms opened. Waiting is for those answers, never for a quiet spell, so a busy
        machine only makes the demo slower; past ANSWER_LIMIT seconds it stops with a clear message.
        """
        want_messages = self.printed + messages
        want_views = self.views_seen + views
        deadline = time.monotonic() + ANSWER_LIMIT
        while len(self.slack.timeline()) < want_messages or len(self.slack.views) < want_views:
            if time.monotonic() > deadline:
                raise DemoStalled("demo.stalled", what=what, seconds=ANSWER_LIMIT,
                                  got=len(self.slack.timeline()) - self.printed, expected=messages)
            time.sleep(0.01)
        self.views_seen = len(self.slack.views)
        self.flush()

    def _print_message(self, msg: Message) -> None:
        local = self.clock().astimezone(self.core.tz)
        where = describe_target(msg.channel, self.users, self.channels)
        if msg.kind == "ephemeral" or msg.kind == "response":
            who = self.users.get(msg.to_user or "", "")
            where = f"only visible to {who}" if who else "reply to the command"
        elif msg.thread_ts and msg.thread_ts != msg.ts:  # a parent with replies carries its own ts
            where += " (in thread)"
        kind = delivery_kind(msg)
        body = emoji(render_message(msg, self.users, self.channels).rstrip())
        lines = body.splitlines() or [""]
        first_of_kind = kind not in self.seen_kinds
        if kind:
            self.seen_kinds.add(kind)
        self.say(f"  {local:%H:%M}  → {where}")
        if self.full or first_of_kind or not kind or len(lines) <= 3:
            for line in lines:
                self.say(f"          │ {line}")
        else:
            self.say(f"          │ {lines[0]}")
            self.say(f"          │ … ({len(lines) - 1} more lines, as above; `ncpi demo --full` shows all)")

    # --- the simulated clock --------------------------------------------------------------------
    def at(self, d: date, hh: int, mm: int = 0) -> None:
        self.clock.set(local_to_utc(d, clock_time(hh, mm), self.core.tz))

    def tick(self) -> None:
        run_tick(self.core.uow, self.core.config, self.port, self.clock(), worker="demo",
                 draw_chart=render_chart_png)
        self.flush()  # a tick has finished all its sending when it returns

    def tick_through(self, d: date, first_hour: int = 8, last_hour: int = 18) -> None:
        for hour in range(first_hour, last_hour + 1):
            self.at(d, hour)
            self.tick()

    # --- people doing things in Slack -------------------------------------------------------------
    def prompt_for(self, action_id: str) -> Message:
        """The last prompt the ledger sent for `action_id`, as the stand-in holds it."""
        return self._sent(Kind.PROMPT, action_id)

    def challenge_for(self, action_id: str) -> Message:
        """The challenge the ledger sent about `action_id` (its thread takes the answer)."""
        return self._sent(Kind.CHALLENGE, action_id)

    def _sent(self, kind: Kind, action_id: str) -> Message:
        with self.core.uow() as uow:
            sent = [r for r in uow.ledger.records(kinds=[kind], states=[DeliveryState.SENT])
                    if r.action_id == action_id and r.where is not None]
        assert sent, f"no {kind.value} was sent for {action_id}"
        where = sent[-1].where
        assert where is not None
        for msg in self.slack.messages(where.conversation):
            if msg.ts == where.message:
                return msg
        raise LookupError(f"{kind.value} for {action_id} not found at the stand-in")

    def summary_line(self, action_id: str) -> Message:
        """The part of the last Silver summary post whose blocks hold `action_id`'s line."""
        for msg in reversed(self.slack.messages(self.channel(Body.SILVER))):
            if any((b.get("accessory") or {}).get("value") == action_id for b in msg.blocks or []):
                return msg
        raise LookupError(f"no summary line for {action_id} in the Silver channel")

    def challenge_from_summary(self, user: str, action_id: str, question: str) -> None:
        """The Silver chair's Challenge… button on an action's line of the Silver summary, and its form."""
        msg = self.summary_line(action_id)
        self.person(user, "clicks", f"[Challenge…] on {action_id}'s line of the Silver summary")
        url = self.slack.new_response_url(channel=msg.channel, user=user, message_ts=msg.ts)
        self.sender.block_action(user, "ncpi_challenge_open", action_id, channel_id=msg.channel, response_url=url,
                                 message={"type": "message", "ts": msg.ts, "text": msg.text,
                                          "blocks": msg.blocks})
        self.await_bot("the [Challenge…] button", views=1)
        view = self.slack.views[-1]
        self.person(user, "asks in the challenge form", f"“{question}”")
        values = {"question": {"question": {"type": "plain_text_input", "value": question}}}
        resp = self.sender.view_submission(user, "ncpi_challenge_modal", values,
                                           (view.view or {}).get("private_metadata", ""), view.id)
        if resp.body:
            self.say(f"          (Slack shows in the form: {resp.body})")
            self.flush()
        else:  # the question in the owner's DM, and the chair's confirmation
            self.await_bot("the challenge form", messages=2)

    def summary_command(self, user: str, level: str, channel: str) -> None:
        """`/ncpi summary <level>`, answered with as many messages as the summary takes."""
        parts = len(summary_messages(summary_now(self.core.uow, self.core.config, self.clock(), level)))
        self.command(user, f"summary {level}", channel=channel, answers=parts)

    def click(self, user: str, action_id: str, value: str, msg: Message, label: str) -> None:
        """A button on a prompt: `Update…` opens the form; the others answer with one message."""
        self.person(user, "clicks", f"[{label}] on the prompt for {value}")
        url = self.slack.new_response_url(channel=msg.channel, user=user, message_ts=msg.ts)
        self.sender.block_action(user, action_id, value, channel_id=msg.channel, response_url=url,
                                 message={"type": "message", "ts": msg.ts, "text": msg.text,
                                          "blocks": msg.blocks})
        if action_id == "ncpi_update_open":
            self.await_bot(f"the [{label}] button", views=1)
        else:
            self.await_bot(f"the [{label}] button", messages=1)

    def submit_modal(self, user: str, rag: str, progress: int, narrative: str, blockers: str = "",
                     evidence: str = "") -> None:
        view = self.slack.views[-1]
        meta = (view.view or {}).get("private_metadata", "")
        self.person(user, "fills in the update form",
                    f"{rag}, {progress}%, “{narrative}”" + (f", blockers “{blockers}”" if blockers else ""))
        values: dict[str, dict[str, dict[str, Any]]] = {
            "rag": {"rag": {"type": "static_select", "selected_option": {
                "text": {"type": "plain_text", "text": rag.capitalize()}, "value": rag}}},
            "progress": {"progress": {"type": "number_input", "value": str(progress)}},
            "narrative": {"narrative": {"type": "plain_text_input", "value": narrative}},
            "blockers": {"blockers": {"type": "plain_text_input", "value": blockers or None}},
            "evidence": {"evidence": {"type": "plain_text_input", "value": evidence or None}},
        }
        resp = self.sender.view_submission(user, "ncpi_update_modal", values, meta, view.id)
        if resp.body:
            self.say(f"          (Slack shows in the form: {resp.body})")
            self.flush()
        else:
            self.await_bot("the update form", messages=1)

    def dm(self, user: str, text: str, thread: Message | None = None, what: str = "prompt",
           answers: int = 1) -> None:
        """A DM (in the thread of a prompt, or of a challenge), answered with `answers` messages."""
        channel = self.slack.dm_channel(user)
        how = f"replies in the {what}'s thread" if thread else "sends a DM"
        self.person(user, how, text)
        ts = self.slack.add_user_message(channel, user, text, thread.ts if thread else None)
        self.sender.message_im(user, text, channel, ts=ts, thread_ts=thread.ts if thread else None)
        self.await_bot("a DM", messages=answers)

    def command(self, user: str, text: str, channel: str | None = None, answers: int = 1) -> None:
        """`/ncpi text`, answered with `answers` messages (the reply, and any notices it causes)."""
        channel = channel or self.channel(Body.SILVER)
        self.person(user, "types", f"/ncpi {text}")
        url = self.slack.new_response_url(channel=channel, user=user)
        self.sender.slash_command(user, text, channel_id=channel, response_url=url)
        self.await_bot(f"/ncpi {text}", messages=answers)

    def channel(self, body: Body) -> str:
        """The body's Slack channel in the demo's ncpi.yaml."""
        address = self.core.config.channel(body, PLATFORM)
        assert address is not None, f"the demo's ncpi.yaml has a Slack channel for {body.value}"
        return address
