"""`ncpi tick --now` in the future refuses unless --dry-run (print, send nothing) or --force;
`ncpi run --dry-run`'s scheduler logs what it would send and sends nothing."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from bot.cli import main
from bot.scheduler import DeliveryScheduler
from bot.settings import Settings
from bot.slack.gateway import SlackGateway, build_web_client
from bot.slack.sender import DeliverySender
from bot.standin import SlackStandIn
from ncpi_core.config.schema import ForceConfig
from ncpi_core.storage.engine import Engine
from ncpi_core.storage.sql import SqlUowFactory
from tests.slack.conftest import BOT_TOKEN

REAL_NOW = datetime(2022, 3, 1, 8, 0, tzinfo=UTC)
FUTURE = "2022-03-02T09:00"  # tomorrow, when the prompts for Silver on 8 March are owed


def posts(slack: SlackStandIn) -> int:
    return len(slack.calls_to("chat.postMessage"))


def ledger_rows(engine: Engine) -> int:
    with SqlUowFactory(engine)() as uow:
        return len(uow.ledger.records())


@pytest.fixture
def at_eight(bot_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.bootstrap.system_clock", lambda: REAL_NOW)


def test_a_future_now_is_refused(at_eight: None, slack: SlackStandIn, bot_engine: Engine,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tick", "--now", FUTURE]) == 1
    err = capsys.readouterr().err
    assert "is in the future" in err and "--dry-run" in err and "--force" in err
    assert posts(slack) == 0 and ledger_rows(bot_engine) == 0


def test_a_dry_run_prints_what_would_go_and_sends_and_records_nothing(
        at_eight: None, slack: SlackStandIn, bot_engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tick", "--now", FUTURE, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "message(s) would be sent; nothing is sent or recorded" in out
    assert out.count(" prompt ") == 27 and "Head of Safeguarding" in out
    assert posts(slack) == 0 and ledger_rows(bot_engine) == 0


def test_force_sends_at_the_future_moment(at_eight: None, slack: SlackStandIn, bot_engine: Engine,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tick", "--now", FUTURE, "--force"]) == 0
    assert "sent=" in capsys.readouterr().out and posts(slack) >= 27


def test_run_dry_run_logs_each_delivery_once_and_sends_nothing(
        bot_settings: Settings, slack: SlackStandIn, bot_engine: Engine, force_config: ForceConfig,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    uow = SqlUowFactory(bot_engine)
    sender = DeliverySender(SlackGateway(build_web_client(BOT_TOKEN, slack.api_url), uow, lambda: REAL_NOW),
                            force_config)
    ticker = DeliveryScheduler(uow, force_config, sender, lambda: datetime(2022, 3, 2, 9, tzinfo=UTC))
    ticker.dry_run = True
    ticker.tick()
    ticker.tick()
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("dry run: would send")]
    assert sum(": would send prompt:" in m for m in said) == 27 and len(said) == len(set(said))
    assert posts(slack) == 0 and ledger_rows(bot_engine) == 0
