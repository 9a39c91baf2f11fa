"""The composition root: one Settings in, typed objects out, wired to each other and nothing started."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from slack_bolt.error import BoltError

from bot.bootstrap import Core, build_core, build_slack, build_slack_sender
from bot.scheduler import DeliveryScheduler
from bot.settings import Settings
from bot.slack.subcommands import REGISTRY
from bot.standin import SlackStandIn
from ncpi_core.errors import ConfigurationError
from tests.slack.conftest import BOT_TOKEN

ROOT = Path(__file__).resolve().parents[2]


def test_the_slack_front_end_is_built_on_one_core_and_wired_to_itself(bot_core: Core) -> None:
    slack = build_slack(bot_core, token_verification=False)
    assert slack.core is bot_core and slack.deps.core is bot_core
    assert slack.deps.gateway is slack.gateway and slack.sender.gateway is slack.gateway
    assert slack.client is slack.gateway.client and slack.app.client is slack.client
    assert slack.client.token == BOT_TOKEN
    assert slack.deps.sender is slack.sender
    assert slack.deps.summary_cache is bot_core.summary_cache
    assert slack.scheduler is None and slack.deps.scheduler is None
    assert slack.deps.on_error is not None  # errors after the ack reach the app's one handler


def test_the_scheduler_is_built_on_request_and_not_started(bot_core: Core) -> None:
    slack = build_slack(bot_core, token_verification=False, scheduler=True)
    assert isinstance(slack.scheduler, DeliveryScheduler)
    assert slack.deps.scheduler is slack.scheduler  # `/ncpi chase` wakes it
    assert slack.scheduler.port is slack.sender and slack.scheduler.uow_factory().engine is bot_core.engine
    assert not slack.scheduler.scheduler.running


def test_every_listener_and_sub_command_is_registered(bot_core: Core, slack: SlackStandIn) -> None:
    build_slack(bot_core, token_verification=False)
    assert {"my", "update", "help", "summary", "next", "missing", "chase", "complete", "approve", "reject",
            "signoff", "supersede", "due", "away", "back", "history"} <= set(REGISTRY)


def test_a_refused_token_fails_the_build_when_it_is_verified(bot_core: Core, slack: SlackStandIn) -> None:
    slack.tokens = {"xoxb-another"}
    with pytest.raises(BoltError, match="invalid_auth"):
        build_slack(bot_core)


def test_the_sender_alone_needs_a_bot_token(bot_core: Core) -> None:
    assert build_slack_sender(bot_core).gateway.client.token == BOT_TOKEN
    core = build_core(Settings(), config=bot_core.config, engine=bot_core.engine)  # type: ignore[call-arg]
    core.settings.slack_bot_token = None
    with pytest.raises(ConfigurationError) as refused:
        build_slack_sender(core)
    assert refused.value.code == "slack.bot_token_missing"


def test_an_unreadable_database_url_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NCPI_DATABASE_URL", "not a url")
    with pytest.raises(ConfigurationError) as refused:
        build_core()
    assert refused.value.code == "storage.url_invalid"


def test_a_summary_on_the_terminal_loads_nothing_of_slack(tmp_path: Path) -> None:
    probe = ("import sys\nfrom bot.cli import main\nmain(['summary'])\n"
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'slack_bolt', 'slack_sdk', 'apscheduler'})"
             " or 'none')")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={"PATH": "", "NCPI_CONFIG_DIR": str(ROOT / "config"),
                                 "NCPI_DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"})
    assert result.stdout.strip().splitlines()[-1] == "none", result.stdout + result.stderr
