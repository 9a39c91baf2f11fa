"""`ncpi demo`: one whole governance cycle of the example plan, against the built-in Slack stand-in.

Everything goes through the real code paths: the Bolt app served over HTTP on loopback with
signed requests (slash commands, buttons, the update modal, DMs, thread replies), the delivery
ledger and the same tick `ncpi run` and `ncpi tick` use. Only the clock is simulated.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.engine import make_url

from bot.bootstrap import Core, ManualClock, build_core, build_slack
from bot.cli.progress import Progress
from bot.defaults import DEFAULTS_DIR
from bot.settings import Settings
from bot.slack.gateway import SlackGateway, build_web_client
from bot.slack.http import make_http_server
from bot.slack.sender import DeliverySender
from bot.standin import Message, SlackSender, SlackStandIn
from bot.standin.transcript import describe_target, render_message
from ncpi_core.config.schema import load_force_config, load_plan_file
from ncpi_core.domain.calendar import local_to_utc
from ncpi_core.reports.chart import render_chart_png
from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.migrate import upgrade
from ncpi_core.storage.tables import DeliveryRow
from ncpi_core.usecases.ledger import run_tick
from ncpi_core.usecases.plan import load_plan

SECRET = "ncpi-demo-signing-secret"  # noqa: S105 - a local stand-in's secret, not a credential
TOKEN = "xoxb-ncpi-demo"  # noqa: S105

# The cycle the demo walks: Gold meets Fri 18 March 2022, Silver Tue 22 March 2022.
FIRST_DAY = date(2022, 3, 11)
LAST_DAY = date(2022, 3, 22)
WORKING_DAYS = 8  # 11 to 22 March 2022, weekdays


EMOJI = {":red_circle:": "🔴", ":large_orange_circle:": "🟠", ":large_green_circle:": "🟢",
         ":large_blue_circle:": "🔵", ":white_circle:": "⚪", ":calendar:": "📅", ":bell:": "🔔",
         ":warning:": "⚠️", ":white_check_mark:": "✅", ":x:": "❌", ":memo:": "📝"}


def emoji(text: str) -> str:
    """Show Slack's emoji codes as the pictures Slack would draw."""
    for code, picture in EMOJI.items():
        text = text.replace(code, picture)
    return text


def delivery_kind(msg: Message) -> str | None:
    """The ledger kind of a scheduled message, from the delivery key in its metadata."""
    key = ((msg.metadata or {}).get("event_payload") or {}).get("key")
    return str(key).split(":", 1)[0] if key else None


@dataclass
class DemoResult:
    database_url: str
    messages: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    invalid_payloads: int = 0  # messages or views Slack would have refused (expected 0)
    broadcast_mentions: int = 0  # messages that would ping a whole channel (expected 0)


class Tour:
    """Drives the simulated cycle and prints each message as it would read in Slack."""

    def __init__(self, core: Core, slack: SlackStandIn, sender: SlackSender, clock: ManualClock,
                 out: TextIO, full: bool, progress: Progress | None = None) -> None:
        self.core, self.slack, self.sender, self.clock = core, slack, sender, clock
        self.out, self.full = out, full
        self.users = {p.slack_user: p.name for p in core.config.people}
        self.channels = {core.config.channels.silver: "silver", core.config.channels.gold: "gold"}
        self.port = DeliverySender(SlackGateway(build_web_client(TOKEN, slack.api_url), core.uow,
                                                core.clock), core.config)
        self.printed = 0
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

    def flush(self, wait: float | None = 0.0) -> None:
        """Print what the bot has said since the last flush (after waiting for it to settle,
        unless `wait` is None: a tick has finished all its sending when it returns)."""
        if wait is not None:
            self.settle(wait)
        timeline = self.slack.timeline()
        for msg in timeline[self.printed:]:
            self._print_message(msg)
        self.printed = len(timeline)

    def settle(self, wait: float = 0.0, quiet: float = 0.1, limit: float = 5.0) -> None:
        """Wait until the bot has stopped talking to Slack (listeners run after the ack)."""
        deadline = time.monotonic() + limit
        time.sleep(wait)
        count = len(self.slack.calls)
        while time.monotonic() < deadline:
            time.sleep(quiet)
            now_count = len(self.slack.calls)
            if now_count == count:
                return
            count = now_count

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
        from datetime import time as dtime

        self.clock.set(local_to_utc(d, dtime(hh, mm), self.core.tz))

    def tick(self) -> None:
        run_tick(self.core.uow, self.core.config, self.port, self.clock(), worker="demo", draw_chart=render_chart_png)
        self.flush(None)

    def tick_through(self, d: date, first_hour: int = 8, last_hour: int = 18) -> None:
        for hour in range(first_hour, last_hour + 1):
            self.at(d, hour)
            self.tick()

    # --- people doing things in Slack -------------------------------------------------------------
    def prompt_for(self, action_id: str) -> Message:
        with self.core.uow() as uow:
            assert uow.session is not None
            row = uow.session.query(DeliveryRow).filter(
                DeliveryRow.kind == "prompt", DeliveryRow.action_id == action_id,
                DeliveryRow.state == "sent").order_by(DeliveryRow.id.desc()).first()
            assert row is not None and row.slack_ts, f"no prompt was sent for {action_id}"
            channel, ts = row.slack_channel, row.slack_ts
        for msg in self.slack.messages(channel):
            if msg.ts == ts:
                return msg
        raise LookupError(f"prompt for {action_id} not found at the stand-in")

    def click(self, user: str, action_id: str, value: str, msg: Message, label: str) -> None:
        self.person(user, "clicks", f"[{label}] on the prompt for {value}")
        url = self.slack.new_response_url(channel=msg.channel, user=user, message_ts=msg.ts)
        self.sender.block_action(user, action_id, value, channel_id=msg.channel, response_url=url,
                                 message={"type": "message", "ts": msg.ts, "text": msg.text,
                                          "blocks": msg.blocks})
        self.flush(0.05)

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
        resp = self.sender.view_submission(user, "ncpi_update_modal", values, meta,
                                           view.view_id if hasattr(view, "view_id") else "V0DEMO0001")
        if resp.body:
            self.say(f"          (Slack shows in the form: {resp.body})")
        self.flush(0.05)

    def dm(self, user: str, text: str, thread: Message | None = None) -> None:
        channel = self.slack.dm_channel(user)
        how = "replies in the prompt's thread" if thread else "sends a DM"
        self.person(user, how, text)
        ts = self.slack.add_user_message(channel, user, text, thread.ts if thread else None)
        self.sender.message_im(user, text, channel, ts=ts, thread_ts=thread.ts if thread else None)
        self.flush(0.05)

    def command(self, user: str, text: str, channel: str | None = None) -> None:
        channel = channel or self.core.config.channels.silver
        self.person(user, "types", f"/ncpi {text}")
        url = self.slack.new_response_url(channel=channel, user=user)
        self.sender.slash_command(user, text, channel_id=channel, response_url=url)
        self.flush(0.05)


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _fresh_database(url: str) -> None:
    path = _sqlite_path(url)
    if path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = build_engine(url)
    upgrade(engine)
    engine.dispose()


def run_demo(database_url: str = "sqlite:///ncpi-demo.db", out: TextIO | None = None,
             full: bool = False, config_dir: Path = DEFAULTS_DIR,
             progress: Progress | None = None) -> DemoResult:
    """Run the tour; print to `out`; leave the database at `database_url` for exploring."""
    out = out or sys.stdout
    started = time.monotonic()
    _fresh_database(database_url)
    config = load_force_config(config_dir / "ncpi.yaml")
    plan = load_plan_file(config_dir / "action_plan.yaml", config)
    clock = ManualClock(local_to_utc(FIRST_DAY, datetime.min.time().replace(hour=8), config.tz))
    settings = Settings(SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET,  # type: ignore[call-arg]
                        NCPI_DATABASE_URL=database_url, NCPI_CONFIG_DIR=config_dir)
    core = build_core(settings, clock=clock, config=config, engine=build_engine(database_url))
    with core.uow() as uow:
        load_plan(plan, config, uow, clock(), actor="demo", source="cli")
        uow.commit()
    result = DemoResult(database_url=database_url)
    with SlackStandIn.from_config(config) as slack:
        settings.slack_api_url = slack.api_url
        client = build_web_client(TOKEN, slack.api_url)
        app = build_slack(core, client=client, signing_secret=SECRET, token_verification=False).app
        server = make_http_server(app, core, host="127.0.0.1", port=0)
        thread = threading.Thread(target=server.serve_forever, name="ncpi-demo-http", daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}/slack/events"
            tour = Tour(core, slack, SlackSender(url, SECRET, standin=slack), clock, out, full, progress)
            _script(tour, config.channels.gold)
            result.messages = len(slack.timeline())
            result.invalid_payloads = len(slack.invalid_payloads)
            result.broadcast_mentions = len(slack.broadcast_mentions())
            for msg in slack.timeline():
                kind = delivery_kind(msg) or ("reply" if msg.kind in ("message", "response", "ephemeral")
                                              else msg.kind)
                result.by_kind[kind] = result.by_kind.get(kind, 0) + 1
        finally:
            server.shutdown()
            server.server_close()
    core.engine.dispose()
    result.seconds = time.monotonic() - started
    return result


# Slack ids of the example's people (config/ncpi.yaml)
TACC, DCC = "U0TACC0001", "U0DCC00001"
SAFE, CRIME, CONTACT = "U0SAFE0001", "U0CRIME001", "U0CCON0001"
CJC, LD, PEOPLE, INSIGHT, COMMS = "U0CJC00001", "U0LAND0001", "U0PEOP0001", "U0BINS0001", "U0COMM0001"


def _script(t: Tour, gold_channel: str) -> None:
    """The story of one cycle. Head of Customer Contact never answers."""
    days = [FIRST_DAY + timedelta(days=i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]
    working = [d for d in days if d.weekday() < 5]
    steps: dict[date, Callable[[], None]] = {
        date(2022, 3, 15): lambda: _prompt_day(t),
        date(2022, 3, 16): lambda: _closure_day(t),
        date(2022, 3, 18): lambda: _gold_day(t, gold_channel),
    }
    for d in working:
        t.day(d)
        if d in steps:
            t.tick_through(d, 8, 9)
            steps[d]()
            t.tick_through(d, 10, 18)
        elif d == LAST_DAY:
            t.tick_through(d, 8, 12)
            t.command(TACC, "summary")
        else:
            t.tick_through(d)


def _prompt_day(t: Tour) -> None:
    t.at(date(2022, 3, 15), 9, 20)
    prompt = t.prompt_for("R2.1")
    t.click(SAFE, "ncpi_update_open", "R2.1", prompt, "Update…")
    t.submit_modal(SAFE, "amber", 60, "Revised risk assessment drafted; partner sign-off due 30 March",
                   blockers="Waiting for the local authority's comments")
    t.at(date(2022, 3, 15), 9, 45)
    t.dm(CRIME, "R6.1 amber 40% standards drafted, consultation with CPS slipped a week")
    t.at(date(2022, 3, 15), 10, 5)
    t.dm(LD, "green 70% first cohort trained, second booked for April", thread=t.prompt_for("R3.2"))
    t.at(date(2022, 3, 15), 10, 30)
    for action in ("R2.2", "R2.3", "R5.1", "R5.2"):
        t.click(SAFE, "ncpi_on_track", action, t.prompt_for(action), "On track")
    t.dm(CRIME, "R6.2 green 50% review cycle live in two districts")
    t.dm(CRIME, "R7.1 red 20% screening tool procurement delayed; decision needed at Gold")
    t.dm(LD, "hello, is this working?")  # something the parser cannot read: it answers with an example
    for user, actions in ((LD, ("R7.2", "R9.1", "R9.2", "R9.3")), (PEOPLE, ("R8.1", "R8.2", "R8.3")),
                          (INSIGHT, ("R1.2", "R3.1", "R5.3", "R6.3", "R10.1", "R10.2")),
                          (COMMS, ("R3.3",)), (CJC, ("R4.2",))):
        for action in actions:
            t.click(user, "ncpi_on_track", action, t.prompt_for(action), "On track")


def _closure_day(t: Tour) -> None:
    t.at(date(2022, 3, 16), 9, 30)
    t.command(CJC, "complete R4.1 https://intranet.example/custody/overnight-review-audit-march.pdf",
              channel=t.slack.dm_channel(CJC))
    t.at(date(2022, 3, 16), 11, 0)
    t.command(TACC, "approve R4.1", channel=t.slack.dm_channel(TACC))
    t.at(date(2022, 3, 16), 11, 30)
    t.command(TACC, "missing")


def _gold_day(t: Tour, gold_channel: str) -> None:
    t.at(date(2022, 3, 18), 10, 40)
    t.command(DCC, "signoff R4.1", channel=gold_channel)


def demo_json(result: DemoResult) -> str:
    return json.dumps({"messages": result.messages, "by_kind": result.by_kind,
                       "seconds": round(result.seconds, 1)}, sort_keys=True)

