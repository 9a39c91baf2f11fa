"""`ncpi demo`: one whole governance cycle of the example plan, against the built-in Slack stand-in.

Everything goes through the real code paths: the Bolt app served over HTTP on loopback with
signed requests (slash commands, buttons, the update modal, DMs, thread replies), the delivery
ledger and the same tick `ncpi run` and `ncpi tick` use. Only the clock is simulated; the guide
that moves it and prints each message as Slack would show it is `bot/slack/tour.py`.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from bot.bootstrap import ManualClock, build_core, build_slack
from bot.cli.progress import Progress
from bot.defaults import DEFAULTS_DIR
from bot.settings import Settings
from bot.slack.gateway import build_web_client
from bot.slack.http import make_http_server
from bot.slack.tour import Tour, delivery_kind
from bot.standin import SlackSender, SlackStandIn
from ncpi_core.config.schema import load_force_config, load_plan_file
from ncpi_core.domain.calendar import local_to_utc
from ncpi_core.domain.models import Body
from ncpi_core.storage.engine import build_engine, sqlite_file
from ncpi_core.storage.errors import database_errors
from ncpi_core.storage.migrate import upgrade
from ncpi_core.usecases.plan import load_plan

SECRET = "ncpi-demo-signing-secret"  # noqa: S105 - a local stand-in's secret, not a credential
TOKEN = "xoxb-ncpi-demo"  # noqa: S105

# The cycles the demo walks: Gold meets Fri 18 March 2022, Silver Tue 22 March; the five immediate
# recommendations fall due on 29 March, the next cycle opens that day, and Gold meets Fri 1 April.
FIRST_DAY = date(2022, 3, 11)
SILVER_DAY = date(2022, 3, 22)
LAST_DAY = date(2022, 4, 1)
WORKING_DAYS = 16  # 11 March to 1 April 2022, weekdays
LAST_MOMENT = "2022-04-01T11:30"  # where `ncpi summary --now` shows what the tour left


@dataclass
class DemoResult:
    database_url: str
    messages: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)  # deliveries (and replies) by kind
    later_parts: dict[str, int] = field(default_factory=dict)  # messages after the first of long ones
    seconds: float = 0.0
    invalid_payloads: int = 0  # messages or views Slack would have refused (expected 0)
    broadcast_mentions: int = 0  # messages that would ping a whole channel (expected 0)
    # the Block Kit of every message and view the bot produced, as Slack received it
    surfaces: list[list[dict[str, Any]]] = field(default_factory=list)
    file_alt_texts: list[str | None] = field(default_factory=list)  # each uploaded file's alternative text


def _fresh_database(url: str) -> None:
    """A new, migrated database at `url` (a SQLite file is replaced; another database migrated)."""
    with database_errors(url):
        path = sqlite_file(url)
        if path is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        engine = build_engine(url)
        try:
            upgrade(engine)
        finally:
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
    result = DemoResult(database_url=database_url)
    with SlackStandIn.from_config(config) as slack:
        settings = Settings(SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET,
                            SLACK_API_URL=slack.api_url, NCPI_DATABASE_URL=database_url,
                            NCPI_CONFIG_DIR=config_dir)
        core = build_core(settings, clock=clock, config=config)
        with core.uow() as uow:
            load_plan(plan, config, uow, clock(), actor="demo", source="cli")
            uow.commit()
        bot = build_slack(core, client=build_web_client(TOKEN, slack.api_url), signing_secret=SECRET,
                          token_verification=False)
        server = make_http_server(bot.app, core, host="127.0.0.1", port=0)
        thread = threading.Thread(target=server.serve_forever, name="ncpi-demo-http", daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}/slack/events"
            tour = Tour(core, slack, SlackSender(url, SECRET, standin=slack), bot.sender, clock, out, full,
                        progress)
            _script(tour)
            result.messages = len(slack.timeline())
            result.invalid_payloads = len(slack.invalid_payloads)
            result.broadcast_mentions = len(slack.broadcast_mentions())
            result.surfaces = [m.blocks for m in slack.timeline()] + [
                list((v.view or {}).get("blocks") or []) for v in slack.views]
            result.file_alt_texts = [c.params.get("alt_txt") for c in slack.calls
                                     if c.method == "files.getUploadURLExternal"]
            for msg in slack.timeline():
                kind = delivery_kind(msg) or ("reply" if msg.kind in ("message", "response", "ephemeral")
                                              else msg.kind)
                later = "#" in str(((msg.metadata or {}).get("event_payload") or {}).get("key", ""))
                counts = result.later_parts if later else result.by_kind  # part 2.. of a long summary
                counts[kind] = counts.get(kind, 0) + 1
        finally:
            server.shutdown()
            server.server_close()
            core.engine.dispose()
    result.seconds = time.monotonic() - started
    return result


# Slack ids of the example's people (config/ncpi.yaml)
TACC, DCC, COORDINATOR = "U0TACC0001", "U0DCC00001", "U0CPC00001"
SAFE, CRIME, CONTACT = "U0SAFE0001", "U0CRIME001", "U0CCON0001"
CJC, LD, PEOPLE, INSIGHT, COMMS = "U0CJC00001", "U0LAND0001", "U0PEOP0001", "U0BINS0001", "U0COMM0001"
PCC, OBSERVER = "U0OPFCC001", "U0HMIC0001"  # the Commissioner's office; the inspectorate's liaison lead


def _script(t: Tour) -> None:
    """The story of two cycles. Head of Customer Contact never answers."""
    days = [FIRST_DAY + timedelta(days=i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]
    working = [d for d in days if d.weekday() < 5]
    steps: dict[date, Callable[[], None]] = {
        date(2022, 3, 15): lambda: _prompt_day(t),
        date(2022, 3, 16): lambda: _closure_day(t),
        date(2022, 3, 18): lambda: _gold_day(t),
        date(2022, 3, 23): lambda: _answer_day(t),
        date(2022, 3, 29): lambda: _second_prompt_day(t),
    }
    for d in working:
        t.day(d)
        if d in steps:
            t.tick_through(d, 8, 9)
            steps[d]()
            t.tick_through(d, 10, 18)
        elif d == SILVER_DAY:
            t.tick_through(d, 8, 12)
            _silver_day(t)
            t.tick_through(d, 13, 18)
        elif d == LAST_DAY:
            t.tick_through(d, 8, 10)
            _second_gold_day(t)
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
              channel=t.slack.dm_channel(CJC), answers=2)  # the reply, and the proposal to the Silver chair
    t.at(date(2022, 3, 16), 11, 0)
    t.command(TACC, "approve R4.1", channel=t.slack.dm_channel(TACC), answers=3)  # and notices to owner and Gold
    t.at(date(2022, 3, 16), 11, 30)
    t.command(TACC, "missing")


def _gold_day(t: Tour) -> None:
    t.at(date(2022, 3, 18), 10, 40)
    t.command(DCC, "signoff R4.1", channel=t.channel(Body.GOLD), answers=3)


def _silver_day(t: Tour) -> None:
    """After the Silver summary is posted, the chair reads it and challenges two wordless Greens."""
    t.at(SILVER_DAY, 12, 30)
    t.challenge_from_summary(TACC, "R2.2", "What shows supervisors now review every missing episode?")
    t.command(TACC, "challenge R5.1 How is attendance at strategy discussions monitored each week?",
              answers=2)  # the reply, and the question in the owner's DM


def _answer_day(t: Tour) -> None:
    """The owner answers one challenge in its thread, with words; the other stays open."""
    t.at(date(2022, 3, 23), 9, 40)
    t.dm(SAFE, "green 30% dip-sample of 40 episodes: 38 reviewed by a supervisor within 24 hours",
         thread=t.challenge_for("R2.2"), what="challenge", answers=2)  # the confirmation, and the chair told


def _second_prompt_day(t: Tour) -> None:
    """The deadline of the five immediate recommendations has passed; most leads click again."""
    t.at(date(2022, 3, 29), 9, 30)
    t.dm(CRIME, "R7.1 red 20% screening tool procurement slipped to July; decision needed at Gold")
    t.dm(LD, "green 80% second cohort booked for 12 April", thread=t.prompt_for("R3.2"))
    for user, actions in ((SAFE, ("R2.1", "R2.2", "R2.3", "R5.1", "R5.2")), (CRIME, ("R6.1", "R6.2")),
                          (LD, ("R7.2", "R9.1", "R9.2", "R9.3")), (PEOPLE, ("R8.1", "R8.2", "R8.3")),
                          (INSIGHT, ("R1.2", "R3.1", "R5.3", "R6.3", "R10.1", "R10.2")),
                          (COMMS, ("R3.3",)), (CJC, ("R4.2",))):
        for action in actions:
            t.click(user, "ncpi_on_track", action, t.prompt_for(action), "On track")


def _beyond_the_force(t: Tour) -> None:
    """Scrutiny from outside: the PCC's office rates R4, the inspectorate's liaison lead (an observer)
    tries to act and is told what they can do, and the coordinator records the inspectorate's status."""
    t.at(LAST_DAY, 11, 10)
    t.command(PCC, "assurance R4 partly the custody audit shows the change; the council protocol is not yet signed",
              channel=t.slack.dm_channel(PCC), answers=2)  # the reply, and the Gold chair told
    t.at(LAST_DAY, 11, 15)
    t.command(OBSERVER, "signoff R4.2", channel=t.slack.dm_channel(OBSERVER))
    t.at(LAST_DAY, 11, 20)
    t.command(COORDINATOR, "inspectorate R4 being progressed 2022-03-31 to be tested at the revisit",
              channel=t.slack.dm_channel(COORDINATOR), answers=2)


def _second_gold_day(t: Tour) -> None:
    """Gold meets at 10:00: a decision on an overdue recommendation, an embedding refused as too
    soon, the plan's clocks, and the next summary showing the decision."""
    gold = t.channel(Body.GOLD)
    t.at(LAST_DAY, 10, 40)
    t.command(DCC, "decision R1 accept revised dates to 30 June for R1's actions because the control-room "
                   "guidance needs the partners' consultation", channel=gold, answers=3)  # and R1's two owners
    t.at(LAST_DAY, 10, 50)
    t.command(TACC, "embed R4.1 re-audit of every child detained overnight since March: all reviewed", channel=gold)
    t.at(LAST_DAY, 11, 0)
    t.command(COORDINATOR, "next", channel=gold)
    _beyond_the_force(t)
    t.at(LAST_DAY, 11, 30)
    t.summary_command(DCC, "gold", gold)
