"""`ncpi demo --platform teams`: the demo's governance cycle in Teams, against the Teams stand-in.

Everything goes through the real code paths: the Agents SDK's adapter behind the bot's aiohttp
endpoint, activities signed as the Bot Framework signs them and checked against the stand-in's
published keys, the bot's tokens from the stand-in's Entra over HTTPS, the Bot Connector over HTTP,
the delivery ledger and the same tick `ncpi run` and `ncpi tick` use. Only the clock is simulated.
The example's people get Teams identities for the occasion (`with_teams_ids`).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TextIO

from bot.bootstrap import ManualClock, build_core, build_teams
from bot.cli.progress import Progress
from bot.defaults import DEFAULTS_DIR
from bot.settings import Settings
from bot.standin.teams import TeamsStandIn
from bot.standin.teams.tenant import with_teams_ids
from bot.teams.cards import forms as verbs
from bot.teams.http import BackgroundServer
from bot.teams.tour import TeamsTour
from ncpi_core.config.schema import ForceConfig, load_force_config, load_plan_file
from ncpi_core.domain.calendar import local_to_utc
from ncpi_core.domain.ledger import Kind
from ncpi_core.storage.engine import build_engine, sqlite_file
from ncpi_core.storage.errors import database_errors
from ncpi_core.storage.migrate import upgrade
from ncpi_core.usecases.plan import load_plan

FIRST_DAY = date(2022, 3, 11)  # Gold meets Fri 18 March 2022, Silver Tue 22 March 2022
LAST_DAY = date(2022, 3, 22)
LAST_MOMENT = "2022-03-22T12:30"  # where `ncpi summary --now` shows what the tour left
WORKING_DAYS = 8


@dataclass
class TeamsDemoResult:
    database_url: str
    messages: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    invalid_payloads: int = 0  # cards Teams would have refused (expected 0)
    refused: int = 0  # calls the stand-in answered with an error (expected 0)


def _fresh_database(url: str) -> None:
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


def run_teams_demo(database_url: str = "sqlite:///ncpi-demo-teams.db", out: TextIO | None = None, full: bool = False,
                   config_dir: Path = DEFAULTS_DIR, progress: Progress | None = None) -> TeamsDemoResult:
    """Run the tour in Teams; print to `out`; leave the database at `database_url` for exploring."""
    out = out or sys.stdout
    started = time.monotonic()
    _fresh_database(database_url)
    config = with_teams_ids(load_force_config(config_dir / "ncpi.yaml"))
    plan = load_plan_file(config_dir / "action_plan.yaml", config)
    clock = ManualClock(local_to_utc(FIRST_DAY, datetime.min.time().replace(hour=8), config.tz))
    result = TeamsDemoResult(database_url=database_url)
    with TeamsStandIn.from_config(config) as teams:
        env = {**teams.settings(), "NCPI_DATABASE_URL": database_url, "NCPI_CONFIG_DIR": str(config_dir)}
        settings = Settings(**env)
        core = build_core(settings, clock=clock, config=config)
        with core.uow() as uow:
            load_plan(plan, config, uow, clock(), actor="demo", source="cli")
            uow.commit()
        bot = build_teams(core)
        server = BackgroundServer(bot.web_app).start()
        try:
            client = teams.client(f"{server.url}/api/messages")
            tour = TeamsTour(core, teams, client, bot.sender, clock, out, full, progress)
            _install(tour, config)
            _script(tour, config)
            kinds = tour.kinds()
            messages = teams.bot_messages()
            result.messages = len(messages)
            for m in messages:
                kind = kinds.get(m.id)
                label = "reply" if kind in (None, Kind.NOTICE) else kind
                result.by_kind[label] = result.by_kind.get(label, 0) + 1
            result.invalid_payloads = len(teams.invalid_payloads)
            result.refused = sum(1 for c in teams.calls if c.service == "connector" and not c.ok)
        finally:
            server.stop()
            bot.gateway.close()
            core.engine.dispose()
    result.seconds = time.monotonic() - started
    return result


def _id(config: ForceConfig, person: str) -> str:
    found = config.person(person)
    aad = found.identity("teams") if found is not None else None
    assert aad is not None, f"the demo's {person} has a Teams identity"
    return aad


def _install(t: TeamsTour, config: ForceConfig) -> None:
    """The force's IT pre-installs ncpi for everyone (an app setup policy) and adds it to the team."""
    t.say("  (The force's IT has pre-installed ncpi for everyone in ncpi.yaml with an app setup policy, and")
    t.say("   added it to the governance team: Teams tells the bot, which keeps each conversation reference.)")
    for person in config.people:
        if person.teams_user:
            t.client.install(person.teams_user)
    t.client.install_in_team(_id(config, "coordinator"))
    t.printed = len(t.teams.bot_messages())  # the welcome messages: one per person, not printed


def _script(t: TeamsTour, config: ForceConfig) -> None:
    """The story of one cycle. Head of Customer Contact never answers."""
    days = [FIRST_DAY + timedelta(days=i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]
    steps: dict[date, Callable[[], None]] = {date(2022, 3, 15): lambda: _prompt_day(t, config),
                                             date(2022, 3, 16): lambda: _closure_day(t, config),
                                             date(2022, 3, 18): lambda: _gold_day(t, config)}
    for d in (d for d in days if d.weekday() < 5):
        t.day(d)
        if d in steps:
            t.tick_through(d, 8, 9)
            steps[d]()
            t.tick_through(d, 10, 18)
        elif d == LAST_DAY:
            t.tick_through(d, 8, 12)
            t.message(_id(config, "tacc"), "summary")
            _beyond_the_force(t, config)
        else:
            t.tick_through(d)


def _prompt_day(t: TeamsTour, config: ForceConfig) -> None:
    safe, crime, ld = _id(config, "head_safeguarding"), _id(config, "head_crime"), _id(config, "head_ld")
    t.at(date(2022, 3, 15), 9, 20)
    t.press(safe, t.sent(Kind.PROMPT, "R2.1"), verbs.UPDATE_OPEN, "Update…")
    t.press(safe, t.sent(Kind.PROMPT, "R2.1"), verbs.UPDATE_SAVE, "Save update",
            {"rag": "amber", "progress": "60", "narrative": "Revised risk assessment drafted; partner sign-off due "
             "30 March", "blockers": "Waiting for the local authority's comments"})
    t.at(date(2022, 3, 15), 9, 45)
    t.message(crime, "R6.1 amber 40% standards drafted, consultation with CPS slipped a week")
    t.at(date(2022, 3, 15), 10, 5)
    t.message(ld, "green 70% first cohort trained, second booked for April", reply_to=t.sent(Kind.PROMPT, "R3.2"))
    t.at(date(2022, 3, 15), 10, 30)
    for action in ("R2.2", "R2.3", "R5.1", "R5.2"):
        t.press(safe, t.sent(Kind.PROMPT, action), verbs.ON_TRACK, "On track, no change")
    t.message(crime, "R6.2 green 50% review cycle live in two districts")
    t.message(crime, "R7.1 red 20% screening tool procurement delayed; decision needed at Gold")
    t.message(ld, "hello, is this working?")  # neither an update nor a command: it answers what works
    for person, actions in (("head_ld", ("R7.2", "R9.1", "R9.2", "R9.3")),
                            ("people_services", ("R8.1", "R8.2", "R8.3")),
                            ("business_insight", ("R1.2", "R3.1", "R5.3", "R6.3", "R10.1", "R10.2")),
                            ("communications", ("R3.3",)), ("head_cjc", ("R4.2",))):
        for action in actions:
            t.press(_id(config, person), t.sent(Kind.PROMPT, action), verbs.ON_TRACK, "On track, no change")


def _closure_day(t: TeamsTour, config: ForceConfig) -> None:
    cjc, tacc = _id(config, "head_cjc"), _id(config, "tacc")
    t.at(date(2022, 3, 16), 9, 30)
    t.message(cjc, "complete R4.1 https://intranet.example/custody/overnight-review-audit-march.pdf")
    t.at(date(2022, 3, 16), 11, 0)
    t.press(tacc, t.sent(Kind.NOTICE, "R4.1", "tacc"), verbs.APPROVE_CLOSURE, "Approve")
    t.at(date(2022, 3, 16), 11, 30)
    silver = config.channel("silver", "teams")
    assert silver is not None
    t.channel_message(tacc, silver, "missing")


def _gold_day(t: TeamsTour, config: ForceConfig) -> None:
    t.at(date(2022, 3, 18), 10, 40)
    t.press(_id(config, "dcc"), t.sent(Kind.NOTICE, "R4.1", "dcc"), verbs.SIGNOFF, "Sign off (close)")


def _beyond_the_force(t: TeamsTour, config: ForceConfig) -> None:
    """The PCC's office rates a recommendation, the inspectorate's liaison lead (an observer) is refused
    a step politely and reads instead, and the coordinator records the inspectorate's own status."""
    t.at(LAST_DAY, 12, 10)
    t.message(_id(config, "opfcc"), "assurance R4 partly the custody audit shows the change; the council "
                                    "protocol is not yet signed")
    t.at(LAST_DAY, 12, 15)
    t.message(_id(config, "hmicfrs_liaison"), "signoff R4.2")
    t.at(LAST_DAY, 12, 20)
    t.message(_id(config, "coordinator"), "inspectorate R4 being progressed 2022-03-21 to be tested at the revisit")
    t.at(LAST_DAY, 12, 30)
    t.message(_id(config, "hmicfrs_liaison"), "summary gold R4")
