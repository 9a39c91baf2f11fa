"""How requests reach the bot: signatures (HTTP), Socket Mode, /healthz."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.bootstrap import Core, build_slack
from bot.slack.http import make_http_server
from bot.standin import SlackStandIn
from bot.standin.socketmode import close_handler
from ncpi_core.domain.models import Source
from ncpi_core.storage.engine import build_engine
from tests.slack.conftest import APP_TOKEN, LD_LEAD, SILVER_CHAIR, BotHarness, wait_for


def get(url: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        data = err.read()
        return err.code, json.loads(data) if data.startswith(b"{") else {"body": data.decode()}


@pytest.mark.parametrize("signing", ["forged", "stale", "omit"])
def test_forged_stale_and_unsigned_requests_get_401_and_do_nothing(bot: BotHarness, signing: str) -> None:
    answers = [
        bot.sender.slash_command(SILVER_CHAIR, "summary", signing=signing,  # type: ignore[arg-type]
                                 response_url=bot.slack.new_response_url("C0SILVER01", SILVER_CHAIR)),
        bot.sender.message_im(LD_LEAD, "R3.2 green", bot.slack.dm_channel(LD_LEAD),
                              signing=signing),  # type: ignore[arg-type]
        bot.sender.block_action(LD_LEAD, "ncpi_on_track", "R3.2", signing=signing),  # type: ignore[arg-type]
        bot.sender.view_submission(LD_LEAD, "ncpi_update_modal", {}, '{"action_id": "R3.2"}',
                                   signing=signing),  # type: ignore[arg-type]
        bot.sender.url_verification("challenge-123", signing=signing),  # type: ignore[arg-type]
    ]
    assert [a.status for a in answers] == [401] * len(answers)
    bot.settle(0.3)
    assert bot.slack.responses == [] and bot.slack.messages() == []
    assert bot.updates("R3.2") == []


def test_the_url_verification_handshake(bot: BotHarness) -> None:
    r = bot.sender.url_verification("challenge-abc")
    assert r.status == 200 and "challenge-abc" in r.body


def test_healthz_answers_200_once_the_database_answers(bot: BotHarness) -> None:
    status, body = get(f"{bot.url}/healthz")
    assert status == 200 and body["status"] == "ok"
    assert get(f"{bot.url}/nothing-here")[0] == 404


def test_healthz_answers_503_when_the_database_does_not(bot_core: Core, tmp_path) -> None:  # type: ignore[no-untyped-def]
    down = Core(settings=bot_core.settings, config=bot_core.config,
                engine=build_engine("sqlite:////nonexistent-dir/ncpi.db"), clock=bot_core.clock)
    empty = Core(settings=bot_core.settings, config=bot_core.config,
                 engine=build_engine(f"sqlite:///{tmp_path}/empty.db"), clock=bot_core.clock)
    for core, said in ((down, "not answering"), (empty, "not migrated")):
        server = make_http_server(None, core, host="127.0.0.1", port=0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            status, body = get(f"http://127.0.0.1:{server.server_address[1]}/healthz")
        finally:
            server.shutdown()
            server.server_close()
        assert status == 503 and body["database"] == said
        assert "sqlite" not in json.dumps(body)


@pytest.fixture
def socket_bot(slack: SlackStandIn, bot_core: Core) -> Iterator[SocketModeHandler]:
    app = build_slack(bot_core).app
    handler = SocketModeHandler(app, APP_TOKEN, web_client=app.client)
    handler.connect()
    assert slack.socket_mode.wait_for_connection(5)
    yield handler
    close_handler(handler, slack.socket_mode)


def test_socket_mode_round_trip(slack: SlackStandIn, socket_bot: SocketModeHandler, bot_core: Core) -> None:
    socket = slack.socket_mode
    acked = socket.slash_command(SILVER_CHAIR, "summary")
    assert acked.elapsed < 3
    reply = wait_for(lambda: slack.responses, what="the summary by response URL")[0]
    assert "Silver summary" in reply.text

    channel = slack.dm_channel(LD_LEAD)
    event = {"type": "message", "channel_type": "im", "channel": channel, "user": LD_LEAD,
             "text": "R3.2 green 80% all briefings booked", "ts": "1650000300.000100",
             "client_msg_id": "sm-1"}
    assert socket.event(event, event_id="Ev0SOCKET1").elapsed < 3
    assert socket.event(event, event_id="Ev0SOCKET1", retry_attempt=1).elapsed < 3
    wait_for(lambda: slack.messages(LD_LEAD), what="the confirmation")
    with bot_core.uow() as uow:
        updates = uow.updates.for_action("R3.2")
    assert [(u.progress, u.source) for u in updates] == [(80, Source.DM)]

    socket.block_action(LD_LEAD, "ncpi_update_open", "R3.2", channel_id=channel)
    view = wait_for(lambda: slack.views, what="the modal")[0].view
    values = {"rag": {"rag": {"type": "static_select", "selected_option": {"value": "amber"}}},
              "progress": {"progress": {"type": "number_input", "value": "abc"}},
              "narrative": {"narrative": {"type": "plain_text_input", "value": "x"}}}
    ack = socket.view_submission(LD_LEAD, "ncpi_update_modal", values,
                                 private_metadata=view["private_metadata"])
    assert ack.ack["payload"]["response_action"] == "errors"
    assert list(ack.ack["payload"]["errors"]) == ["progress"]
    assert slack.invalid_payloads == []
