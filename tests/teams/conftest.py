"""The Teams bot over real HTTP on loopback: the Teams stand-in (sign-in over HTTPS, the Bot
Connector), a loaded database, and the bot's aiohttp endpoint on a free port.

Use the `teams` fixture: a `TeamsHarness` with the stand-in (`teams.standin`), the client that
sends what Teams sends (`teams.client`), the core and its clock, and helpers.

    def test_my(teams):
        teams.message(LD_LEAD, "my")
        assert "R3.2" in teams.last_text(LD_LEAD)
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest

from bot.bootstrap import Core, ManualClock, TeamsRuntime, build_core, build_teams
from bot.settings import Settings
from bot.standin.teams import Delivered, Posted, TeamsClient, TeamsStandIn, render_posted
from bot.standin.teams.tenant import with_teams_ids
from bot.teams.http import BackgroundServer
from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.storage.engine import build_engine
from ncpi_core.usecases.ledger import TickResult, run_tick
from ncpi_core.usecases.plan import load_plan

T = TypeVar("T")
# A Tuesday in the plan's life: Silver meets 14:00 that day, updates were asked for the week before.
START = datetime(2022, 5, 3, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_microsoft_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own Azure Bot credentials must never reach a test."""
    for name in list(os.environ):
        if name.startswith(("MICROSOFT_", "CONNECTIONS__")):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def teams_config(force_config: ForceConfig) -> ForceConfig:
    """config/ncpi.yaml with a Teams identity for everyone and Teams channels for Silver and Gold."""
    return with_teams_ids(force_config)


def aad(config: ForceConfig, person_id: str) -> str:
    person = config.person(person_id)
    assert person is not None and person.identity("teams")
    return str(person.identity("teams"))


def wait_for(predicate: Callable[[], T], timeout: float = 5.0, what: str = "the bot") -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)


@dataclass
class TeamsHarness:
    standin: TeamsStandIn
    client: TeamsClient
    core: Core
    clock: ManualClock
    runtime: TeamsRuntime
    server: BackgroundServer
    config: ForceConfig

    def id(self, person_id: str) -> str:
        return aad(self.config, person_id)

    def message(self, person_id: str, text: str, reply_to: Posted | None = None) -> Delivered:
        return self.client.message(self.id(person_id), text, reply_to=reply_to)

    def chat(self, person_id: str) -> list[Posted]:
        """Every message in the person's chat with the bot, theirs and the bot's, oldest first."""
        return self.standin.messages(self.standin.chat_of(self.id(person_id)))

    def bot_said(self, person_id: str) -> list[Posted]:
        return [m for m in self.chat(person_id) if m.kind == "bot"]

    def last(self, person_id: str) -> Posted:
        said = self.bot_said(person_id)
        assert said, f"the bot said nothing to {person_id}"
        return said[-1]

    def last_text(self, person_id: str) -> str:
        return render_posted(self.last(person_id))

    def channel(self, body: str) -> list[Posted]:
        cid = self.config.channel(body, "teams")
        assert cid is not None
        return self.standin.bot_messages(cid)

    def tick(self, **kwargs: Any) -> TickResult:
        return run_tick(self.core.uow, self.core.config, self.runtime.sender, self.clock(), worker="test",
                        **kwargs)


def start_teams(standin: TeamsStandIn, config: ForceConfig, plan: PlanFile, db_url: str, clock: ManualClock,
                install: bool = True) -> tuple[Core, TeamsRuntime, BackgroundServer, TeamsClient]:
    settings = Settings(**standin.settings(), NCPI_DATABASE_URL=db_url)  # type: ignore[arg-type]
    core = build_core(settings, clock=clock, config=config, engine=build_engine(db_url))
    with core.uow() as uow:
        load_plan(plan, config, uow, datetime(2022, 3, 1, 9, tzinfo=UTC))
        uow.commit()
    runtime = build_teams(core)
    server = BackgroundServer(runtime.web_app).start()
    client = standin.client(f"{server.url}/api/messages")
    if install:
        for person in config.people:
            if person.teams_user and person.teams_user in standin.tenant.installed:
                for delivered in client.install(person.teams_user):
                    assert delivered.status in (200, 201, 202), delivered
        client.install_in_team(aad(config, "coordinator"))
    return core, runtime, server, client


@pytest.fixture
def teams(teams_config: ForceConfig, plan_file: PlanFile, db_url: str) -> Iterator[TeamsHarness]:
    """The bot, installed for everyone in ncpi.yaml and in the governance team, on SQLite and PostgreSQL."""
    clock = ManualClock(START)
    with TeamsStandIn.from_config(teams_config) as standin:
        core, runtime, server, client = start_teams(standin, teams_config, plan_file, db_url, clock)
        harness = TeamsHarness(standin, client, core, clock, runtime, server, teams_config)
        try:
            yield harness
        finally:
            server.stop()
            runtime.gateway.close()
            core.engine.dispose()
        assert standin.validates, "the Adaptive Card schema must be installed for the Teams tests"
        assert standin.invalid_payloads == [], standin.invalid_payloads
