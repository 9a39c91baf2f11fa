"""Payloads in the shapes Slack documents (tests/fixtures/slack), sent to the bot as Slack would:
signed over HTTP, and as Socket Mode envelopes. Each is acknowledged inside 3 seconds and does what
a person would expect (or, for an edit, a deletion or another app's message, nothing at all)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.bootstrap import Core, build_slack
from bot.standin import Message
from bot.standin.payloads import new_trigger_id
from bot.standin.socketmode import build_envelope, close_handler
from ncpi_core.domain.models import RAG, Source
from tests.slack.conftest import APP_TOKEN, LD_LEAD, BotHarness, wait_for

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "slack"
Deliver = Callable[[str, dict[str, Any], int], tuple[int, str, float]]  # (kind, body, retry) -> answer


def load(name: str, **values: str) -> tuple[str, dict[str, Any]]:
    """A fixture's kind and body, its `$NAME` strings filled in from `values`."""
    doc = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))

    def fill(obj: Any) -> Any:
        if isinstance(obj, str) and obj.startswith("$"):
            return values[obj[1:]]
        if isinstance(obj, dict):
            return {k: fill(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [fill(v) for v in obj]
        return obj

    return str(doc["kind"]), fill(doc["body"])


def over_http(bot: BotHarness) -> Deliver:
    """Sends a payload signed over HTTP, as Slack posts to the Request URL."""
    def send(kind: str, body: dict[str, Any], retry: int = 0) -> tuple[int, str, float]:
        if kind == "events_api":
            bot.slack.note_event(body["event"])  # Slack stores a person's message before it tells
        if kind in ("events_api", "url_verification"):
            headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
            sent = bot.sender.send_json(body, extra_headers=headers)
        elif kind == "interactive":
            sent = bot.sender.send_form({"payload": json.dumps(body)})
        else:  # slash_commands, ssl_check: form fields
            sent = bot.sender.send_form(body)
            if kind == "slash_commands" and sent.body.startswith("{"):  # answered in the body
                bot.slack.command_answered(body["response_url"], json.loads(sent.body))
        return sent.status, sent.body, sent.elapsed

    return send


@pytest.fixture(params=["http", "socket"])
def deliver(request: pytest.FixtureRequest, bot: BotHarness, bot_core: Core) -> Iterator[Deliver]:
    """Sends a payload the way one transport does (the HTTP Request URL, or Socket Mode)."""
    slack = bot.slack
    if request.param == "http":
        yield over_http(bot)
        return
    app = build_slack(bot_core).app
    handler = SocketModeHandler(app, APP_TOKEN, web_client=app.client)
    handler.connect()
    assert slack.socket_mode.wait_for_connection(5)

    def over_socket(kind: str, body: dict[str, Any], retry: int = 0) -> tuple[int, str, float]:
        if kind == "events_api":
            slack.note_event(body["event"])
        envelope = build_envelope(kind, body, retry_attempt=retry, retry_reason="timeout" if retry else "")
        ack = slack.socket_mode.push_and_wait_ack(envelope)
        payload = ack.ack.get("payload")
        if kind == "slash_commands" and payload:  # answered in the ack: Slack shows it
            slack.command_answered(body["response_url"], payload)
        return 200, json.dumps(payload) if payload else "", ack.elapsed

    yield over_socket
    close_handler(handler, slack.socket_mode)


def acked(answer: tuple[int, str, float]) -> str:
    status, body, elapsed = answer
    assert status == 200 and elapsed < 3, answer
    return body


def common(bot: BotHarness, **values: str) -> dict[str, str]:
    return {"TRIGGER_ID": new_trigger_id(), "DM": bot.slack.dm_channel(LD_LEAD),
            "RESPONSE_URL": bot.slack.new_response_url(channel="C0SILVER01", user=LD_LEAD), **values}


def in_thread(bot: BotHarness, ts: str) -> list[Message]:
    return [m for m in bot.slack.messages(LD_LEAD) if m.thread_ts == ts and m.ts != ts]


def dm_top_level(bot: BotHarness) -> list[Message]:
    return [m for m in bot.slack.messages(LD_LEAD) if not m.is_thread_reply and m.user != LD_LEAD]


# ---- commands and clicks ---------------------------------------------------------------------
def test_a_slash_command(bot: BotHarness, deliver: Deliver) -> None:
    acked(deliver(*load("slash_command", **common(bot)), 0))
    listed = bot.wait_response()
    assert listed.response_type == "ephemeral" and "R3.2" in json.dumps(listed.blocks)


def test_a_click_on_a_prompt(bot: BotHarness, deliver: Deliver) -> None:
    prompt = bot.post_prompt(LD_LEAD, "R3.2")
    acked(deliver(*load("block_actions_message", **common(bot, PROMPT_TS=prompt.ts)), 0))
    wait_for(lambda: in_thread(bot, prompt.ts), what="the confirmation in the prompt's thread")
    assert [(u.rag, u.source) for u in bot.updates("R3.2")] == [(RAG.GREEN, Source.BUTTON)]


def test_a_click_in_an_ephemeral_message(bot: BotHarness, deliver: Deliver) -> None:
    bot.command(LD_LEAD, "my")
    listed = bot.wait_response()
    acked(deliver(*load("block_actions_ephemeral", **common(bot, EPHEMERAL_TS=listed.ts)), 0))
    opened = wait_for(lambda: bot.slack.views, what="the update modal")[-1].view
    assert opened["callback_id"] == "ncpi_update_modal"
    assert "channel" not in (bot.seal.open(opened["private_metadata"], LD_LEAD) or {"channel": "lost"})  # by DM


def test_a_click_in_app_home(bot: BotHarness, deliver: Deliver) -> None:
    acked(deliver(*load("block_actions_home", **common(bot)), 0))
    opened = wait_for(lambda: bot.slack.views, what="the update modal")[-1].view
    assert "channel" not in (bot.seal.open(opened["private_metadata"], LD_LEAD) or {"channel": "lost"})


def test_a_click_in_a_modal(bot: BotHarness, deliver: Deliver) -> None:
    acked(deliver(*load("block_actions_modal", **common(bot)), 0))
    wait_for(lambda: dm_top_level(bot), what="the confirmation by DM")
    assert [u.rag for u in bot.updates("R3.2")] == [RAG.GREEN]


def test_a_modal_submission(bot: BotHarness, deliver: Deliver) -> None:
    bot.command(LD_LEAD, "update R3.2")
    opened = wait_for(lambda: bot.slack.views, what="the update modal")[-1]
    body = acked(deliver(*load("view_submission", **common(
        bot, VIEW_ID=opened.id, PRIVATE_METADATA=opened.view["private_metadata"])), 0))
    assert body == ""  # closes the modal
    [update] = bot.updates("R3.2")
    assert (update.rag, update.progress, update.source) == (RAG.AMBER, 70, Source.MODAL)
    assert update.evidence == "https://intranet.example/ld/cohorts" and update.blockers == ""
    wait_for(lambda: dm_top_level(bot), what="the confirmation by DM")


# ---- events ------------------------------------------------------------------------------------
def test_a_dm_update_delivered_twice_is_stored_and_answered_once(bot: BotHarness, deliver: Deliver) -> None:
    kind, body = load("message_im", **common(bot))
    acked(deliver(kind, body, 0))
    acked(deliver(kind, body, 1))  # Slack re-delivers (X-Slack-Retry-Num / retry_attempt)
    ts = body["event"]["ts"]
    wait_for(lambda: in_thread(bot, ts), what="the reply in the DM's thread")
    bot.settle(0.4)
    assert [(u.rag, u.progress) for u in bot.updates("R3.2")] == [(RAG.AMBER, 60)]
    assert len(in_thread(bot, ts)) == 1


def test_a_reply_in_a_prompts_thread(bot: BotHarness, deliver: Deliver) -> None:
    prompt = bot.post_prompt(LD_LEAD, "R3.2")
    acked(deliver(*load("message_im_thread", **common(bot, PROMPT_TS=prompt.ts)), 0))
    wait_for(lambda: bot.updates("R3.2"), what="the update")
    assert [(u.rag, u.progress) for u in bot.updates("R3.2")] == [(RAG.AMBER, 55)]
    wait_for(lambda: [m for m in in_thread(bot, prompt.ts) if m.user != LD_LEAD], what="the answer in the thread")


@pytest.mark.parametrize("name", ["message_changed", "message_deleted", "bot_message"])
def test_edits_deletions_and_other_apps_are_left_alone(bot: BotHarness, deliver: Deliver, name: str) -> None:
    acked(deliver(*load(name, **common(bot)), 0))
    bot.settle(0.5)
    assert bot.updates("R3.2") == []
    assert [m for m in bot.slack.messages(LD_LEAD) if m.user != LD_LEAD] == []


def test_the_home_tab_opened(bot: BotHarness, deliver: Deliver) -> None:
    acked(deliver(*load("app_home_opened", **common(bot)), 0))
    home = wait_for(lambda: bot.slack.home_view(LD_LEAD), what="views.publish")
    assert "R3.2" in json.dumps(home)


# ---- HTTP mode only (Socket Mode has no Request URL to verify or certificate to check) -----------
def test_the_request_url_handshake(bot: BotHarness) -> None:
    kind, body = load("url_verification")
    assert body["challenge"] in acked(over_http(bot)(kind, body, 0))


def test_the_certificate_check(bot: BotHarness) -> None:
    kind, body = load("ssl_check")
    assert acked(over_http(bot)(kind, body, 0)) == ""
    bot.settle(0.2)
    assert bot.slack.messages() == [] and bot.slack.responses == []


def test_every_fixture_is_sent_by_a_test() -> None:
    here = Path(__file__).read_text(encoding="utf-8")
    for path in FIXTURES.glob("*.json"):
        assert f'"{path.stem}"' in here, f"{path.name} is not sent by any test"


def test_the_fixtures_are_slacks_shapes_with_no_real_token_or_workspace() -> None:
    # every interaction has a type and our team, every event callback an event_id, and no token or
    # URL of a real workspace is in them
    for path in FIXTURES.glob("*.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        body = doc["body"]
        text = json.dumps(body)
        assert "xox" not in text and "hooks.slack.com" not in text, path.name
        if doc["kind"] == "interactive":
            assert body["type"] in ("block_actions", "view_submission") and body["team"]["id"] == "T0NCPI0001"
        if doc["kind"] == "events_api":
            assert body["type"] == "event_callback" and body["event_id"].startswith("Ev")
