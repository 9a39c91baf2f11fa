"""The bot over real HTTP on loopback: the Slack stand-in, a loaded database, the app on a free port.

Use the `bot` fixture: it gives a `BotHarness` with the stand-in (`bot.slack`), Slack's signing
client pointed at the app (`bot.sender`), the core (`bot.core`, clock `bot.clock`) and helpers
that send what Slack sends and wait for what the bot does after its ack.

    def test_summary(bot):
        bot.command("U0TACC0001", "summary")
        reply = bot.wait_response()
        assert "R3.2" in reply.text
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import Engine

from bot.bootstrap import Core, ManualClock, build_core, build_slack
from bot.settings import Settings
from bot.slack.gateway import SlackGateway, build_web_client
from bot.slack.http import make_http_server
from bot.slack.sealed import MetadataSeal
from bot.standin import Message, SentRequest, SlackSender, SlackStandIn, users_from_config
from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain.ledger import Kind, MessageRef, Owed, Recipient
from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.sql import SqlUowFactory
from ncpi_core.usecases.plan import load_plan

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-bot-token"
APP_TOKEN = "xapp-1-test-app-token"
# A Tuesday in the plan's life: Silver meets 14:00 that day, updates were asked for the week before.
START = datetime(2022, 5, 3, 8, 0, tzinfo=UTC)

# People of config/ncpi.yaml
SILVER_CHAIR = "U0TACC0001"
GOLD_CHAIR = "U0DCC00001"
ADMIN = "U0CPC00001"
LD_LEAD = "U0LAND0001"  # owns R3.2
SAFEGUARDING = "U0SAFE0001"  # owns R2.1, R2.2, R2.3; deputy of R4.2
COMMS = "U0COMM0001"  # Bronze only: may not read summaries
STRANGER = "U0STRANGER"

T = TypeVar("T")


FakeClock = ManualClock  # the clock tests move by hand (the bot reads time only through `core.now()`)


def wait_for(predicate: Callable[[], T], timeout: float = 5.0, what: str = "the bot") -> T:
    """Poll until `predicate()` is truthy (listeners work after the ack, in their own threads)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)


@dataclass
class BotHarness:
    slack: SlackStandIn
    sender: SlackSender
    core: Core
    clock: FakeClock
    url: str  # http://127.0.0.1:PORT (the app's server)
    engine: Engine
    gateway: SlackGateway
    sent: list[SentRequest] = field(default_factory=list)
    seal: MetadataSeal = field(default_factory=MetadataSeal.random)  # the app's (forms' metadata)
    check_payloads: bool = True  # at teardown: every message and view passed Block Kit, pinged no one

    # --- sending what Slack sends ------------------------------------------------------------
    def _keep(self, r: SentRequest) -> SentRequest:
        self.sent.append(r)
        return r

    def command(self, user: str, text: str, channel: str = "C0SILVER01", **kwargs: Any) -> SentRequest:
        """`/ncpi <text>` from `user` in `channel`, with a response URL on the stand-in."""
        url = self.slack.new_response_url(channel=channel, user=user)
        return self._keep(self.sender.slash_command(user, text, channel_id=channel, response_url=url,
                                                    **kwargs))

    def dm(self, user: str, text: str, thread_ts: str | None = None, **kwargs: Any) -> SentRequest:
        """A DM from `user` to the bot (a `message.im` event), seeded into the stand-in's history."""
        channel = self.slack.dm_channel(user)
        ts = kwargs.pop("ts", None) or self.slack.add_user_message(channel, user, text, thread_ts)
        return self._keep(self.sender.message_im(user, text, channel, ts=ts, thread_ts=thread_ts,
                                                 **kwargs))

    def click(self, user: str, action_id: str, value: str, message: Message | None = None,
              **kwargs: Any) -> SentRequest:
        """A button click, on `message` (a stand-in Message) or in App Home when None."""
        if message is not None:
            kwargs.setdefault("channel_id", message.channel)
            kwargs.setdefault("message", {"type": "message", "ts": message.ts, "text": message.text,
                                          "blocks": message.blocks, "user": message.user})
            kwargs.setdefault("response_url", self.slack.new_response_url(
                channel=message.channel, user=user, message_ts=message.ts))
        return self._keep(self.sender.block_action(user, action_id, value, **kwargs))

    def submit_update(self, user: str, private_metadata: dict[str, Any] | str, *, rag: str | None = "amber",
                      progress: str | None = "60", narrative: str = "Training slots delayed to June",
                      blockers: str = "", evidence: str = "", view_id: str = "V0UPDATE01") -> SentRequest:
        """Submit the update modal with these values, shaped as Slack sends `state.values`.

        Metadata given as a dict is sealed as the bot seals it for `user` (what Slack hands back
        from a form the bot opened); a string is sent as it is.
        """
        values: dict[str, dict[str, dict[str, Any]]] = {
            "rag": {"rag": {"type": "static_select", "selected_option": None if rag is None else {
                "text": {"type": "plain_text", "text": rag.capitalize(), "emoji": True}, "value": rag}}},
            "progress": {"progress": {"type": "number_input", "value": progress}},
            "narrative": {"narrative": {"type": "plain_text_input", "value": narrative}},
            "blockers": {"blockers": {"type": "plain_text_input", "value": blockers or None}},
            "evidence": {"evidence": {"type": "plain_text_input", "value": evidence or None}},
        }
        return self._keep(self.sender.view_submission(
            user, "ncpi_update_modal", values,
            private_metadata if isinstance(private_metadata, str) else self.seal.seal(private_metadata, user),
            view_id))

    # --- what the bot did ----------------------------------------------------------------------
    def wait_response(self, count: int = 1, timeout: float = 5.0) -> Message:
        """The last of the first `count` response-URL answers (Bolt's `respond`)."""
        return wait_for(lambda: len(self.slack.responses) >= count and self.slack.responses[count - 1],
                        timeout, f"{count} response(s)")

    def wait_messages(self, channel: str | None = None, count: int = 1,
                      timeout: float = 5.0) -> list[Message]:
        """Messages the bot posted (in `channel`, a user id meaning their DM), once there are `count`."""
        return wait_for(lambda: len(self.slack.messages(channel)) >= count and self.slack.messages(channel),
                        timeout, f"{count} message(s) in {channel or 'any channel'}")

    def settle(self, seconds: float = 0.3) -> None:
        """Give listeners time to do (or not do) more after their ack."""
        time.sleep(seconds)

    def post_prompt(self, user: str, action_id: str, text: str | None = None) -> Message:
        """Post a prompt DM as the deliveries module does, and record it in the ledger."""
        channel, ts = self.gateway.post_dm(user, text or f"Please update {action_id}",
                                           [{"type": "section", "text": {
                                               "type": "mrkdwn", "text": f"Please update *{action_id}*"}}])
        person = self.core.config.person_by_identity("slack", user)
        assert person is not None, user
        key = f"test-prompt:{action_id}:{ts}"
        with SqlUowFactory(self.engine)() as uow:
            now = self.clock()
            uow.ledger.add_owed([Owed(key, Kind.PROMPT, now, None, Recipient.of_person(person.id),
                                      action_id=action_id)], now)
            [claim] = uow.ledger.claim_keys([key], now, "test", now + timedelta(minutes=5))
            uow.ledger.mark_sent(claim.id, "test", "slack", MessageRef(channel, ts), now)
            uow.commit()
        return next(m for m in self.slack.messages(channel) if m.ts == ts)

    def updates(self, action_id: str) -> list[Any]:
        with SqlUowFactory(self.engine)() as uow:
            return uow.updates.for_action(action_id)


@pytest.fixture
def bot_db_url(request: pytest.FixtureRequest, tmp_path: Path, _sqlite_template: Path) -> str:
    """A migrated database for the bot (SQLite; parametrize indirectly with "postgres" for both)."""
    kind = getattr(request, "param", "sqlite")
    if kind == "postgres":
        from tests.conftest import _truncate_all

        url = str(request.getfixturevalue("postgres_database"))
        engine = build_engine(url)
        _truncate_all(engine)
        engine.dispose()
        return url
    path = tmp_path / "bot.db"
    shutil.copy(_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def bot_engine(bot_db_url: str, force_config: ForceConfig, plan_file: PlanFile) -> Iterator[Engine]:
    """The database with the North Yorkshire plan loaded."""
    engine = build_engine(bot_db_url)
    with SqlUowFactory(engine)() as uow:
        load_plan(plan_file, force_config, uow, datetime(2022, 3, 1, 9, tzinfo=UTC))
        uow.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def slack(force_config: ForceConfig) -> Iterator[SlackStandIn]:
    """The Slack stand-in with the people and channels of config/ncpi.yaml (and one stranger)."""
    users = {**users_from_config(force_config), STRANGER: "Someone Not In The Plan"}
    with SlackStandIn.from_config(force_config, users=users) as standin:
        yield standin


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def bot_settings(slack: SlackStandIn, bot_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SLACK_API_URL", slack.api_url)
    monkeypatch.setenv("NCPI_DATABASE_URL", bot_db_url)
    return Settings()


@pytest.fixture
def bot_core(bot_settings: Settings, bot_engine: Engine, force_config: ForceConfig,
             clock: FakeClock) -> Core:
    return build_core(bot_settings, clock=clock, config=force_config, engine=bot_engine)


@pytest.fixture
def bot(slack: SlackStandIn, bot_core: Core, bot_engine: Engine, clock: FakeClock) -> Iterator[BotHarness]:
    """The app built by `build_slack`, served over HTTP on a free loopback port."""
    runtime = build_slack(bot_core)  # client from SLACK_BOT_TOKEN + SLACK_API_URL, like production
    app = runtime.app
    server = make_http_server(app, bot_core, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    gateway = SlackGateway(build_web_client(BOT_TOKEN, slack.api_url), SqlUowFactory(bot_engine), clock)
    harness = BotHarness(slack=slack, sender=SlackSender(f"{url}/slack/events", SIGNING_SECRET),
                         core=bot_core, clock=clock, url=url, engine=bot_engine, gateway=gateway,
                         seal=runtime.deps.seal)
    try:
        yield harness
        if harness.check_payloads:
            harness.settle(0.1)
            assert slack.invalid_payloads == [], "the bot sent invalid Block Kit"
            assert slack.broadcast_mentions() == [], "the bot would have pinged a whole channel"
    finally:
        server.shutdown()
        server.server_close()
