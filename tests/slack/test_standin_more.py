"""More of the Slack stand-in: Socket Mode interactions and reconnects, random faults, concurrency."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.standin import SlackStandIn
from bot.standin.payloads import build_message_im
from bot.standin.socketmode import close_handler

USERS = {"U0SAFE0001": "Head of Safeguarding", "U0TACC0001": "T/ACC"}
CHANNELS = {"C0SILVER01": "silver"}


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn(users=USERS, channels=CHANNELS) as s:
        yield s


def web(slack: SlackStandIn) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.api_url)


def test_socket_mode_actions_events_respond_and_reconnect(slack: SlackStandIn) -> None:
    app = App(client=web(slack))
    got: list[str] = []

    @app.command("/ncpi")
    def command(ack: Any, respond: Any) -> None:
        ack()
        respond("Here is the summary")

    @app.action("rag_amber")
    def action(ack: Any, body: dict[str, Any]) -> None:
        ack()
        got.append(body["actions"][0]["value"])

    @app.event("message")
    def message(event: dict[str, Any]) -> None:
        got.append(event["text"])

    handler = SocketModeHandler(app, app_token="xapp-1-test")
    handler.connect()
    sm = slack.socket_mode
    try:
        assert sm.wait_for_connection(5)
        assert sm.slash_command("U0TACC0001", "summary").ack["envelope_id"]
        prompt = web(slack).chat_postMessage(channel="U0SAFE0001", text="R3.2?")
        msg = slack.messages("U0SAFE0001")[0]
        assert msg.ts == prompt["ts"]
        assert sm.block_action("U0SAFE0001", "rag_amber", "R3.2", message=msg).elapsed < 3
        dm = slack.dm_channel("U0SAFE0001")
        sm.event(build_message_im("U0SAFE0001", "R3.2 amber 60%", dm, thread_ts=msg.ts))

        sm.disconnect("refresh_requested")  # Slack rotates connections; the client must dial back
        deadline = time.monotonic() + 5
        while len(slack.calls_to("apps.connections.open")) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert sm.wait_for_connection(5)
        while (len(got) < 2 or not slack.responses) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert sorted(got) == ["R3.2", "R3.2 amber 60%"]
        assert slack.responses[0].text == "Here is the summary"
        assert slack.responses[0].to_user == "U0TACC0001"
    finally:
        close_handler(handler, sm)


def test_random_slow_faults_and_counts(slack: SlackStandIn) -> None:
    slack.set_fault_rates(slow=1.0, seed=1, slow_seconds=0.05, methods=["chat.postMessage"])
    started = time.monotonic()
    for i in range(3):
        web(slack).chat_postMessage(channel="C0SILVER01", text=str(i))
    assert time.monotonic() - started >= 0.15
    assert slack.stats["slowed"] == 3 and len(slack.messages()) == 3
    web(slack).auth_test()  # other methods untouched
    assert slack.stats["slowed"] == 3


def test_fail_next_with_an_error_code_and_any_method(slack: SlackStandIn) -> None:
    slack.fail_next("*", status=200, error="fatal_error")
    with pytest.raises(SlackApiError, match="fatal_error"):
        web(slack).auth_test()
    assert web(slack).auth_test()["ok"]


def test_concurrent_posts_get_unique_increasing_ts(slack: SlackStandIn) -> None:
    results: list[str] = []
    lock = threading.Lock()

    def post(n: int) -> None:
        for i in range(10):
            ts = web(slack).chat_postMessage(channel="C0SILVER01", text=f"{n}-{i}")["ts"]
            with lock:
                results.append(ts)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 80 and len(slack.calls_to("chat.postMessage")) == 80
    history = web(slack).conversations_history(channel="C0SILVER01", limit=100)["messages"]
    assert [m["ts"] for m in history] == sorted(results, key=float, reverse=True)


def test_history_pages_and_seeded_user_messages(slack: SlackStandIn) -> None:
    for i in range(5):
        web(slack).chat_postMessage(channel="C0SILVER01", text=str(i))
    slack.add_user_message("C0SILVER01", "U0TACC0001", "from a person")
    page = web(slack).conversations_history(channel="C0SILVER01", limit=4)
    assert page["has_more"] and [m["text"] for m in page["messages"]][0] == "from a person"
    rest = web(slack).conversations_history(channel="C0SILVER01", limit=4,
                                            cursor=page["response_metadata"]["next_cursor"])
    assert [m["text"] for m in rest["messages"]] == ["1", "0"]


def test_reactions_permalink_and_broadcast_detector(slack: SlackStandIn) -> None:
    slack.scopes += ",reactions:write"  # ncpi's manifest does not ask for it: granted for this test
    ts = web(slack).chat_postMessage(channel="C0SILVER01", text="Narrative: &lt;!channel&gt;")["ts"]
    web(slack).reactions_add(channel="C0SILVER01", timestamp=ts, name="white_check_mark")
    with pytest.raises(SlackApiError, match="already_reacted"):
        web(slack).reactions_add(channel="C0SILVER01", timestamp=ts, name="white_check_mark")
    link = web(slack).chat_getPermalink(channel="C0SILVER01", message_ts=ts)["permalink"]
    assert link.endswith(ts.replace(".", ""))
    assert slack.broadcast_mentions() == []
    web(slack).chat_postMessage(channel="C0SILVER01", text="oops <!channel>")
    assert [m.text for m in slack.broadcast_mentions()] == ["oops <!channel>"]


def test_reset_forgets_everything(slack: SlackStandIn) -> None:
    web(slack).chat_postMessage(channel="C0SILVER01", text="x")
    slack.set_rate_limit("chat.postMessage", per_second=1)
    slack.reset()
    assert slack.calls == [] and slack.messages() == []
    web(slack).chat_postMessage(channel="C0SILVER01", text="a")
    web(slack).chat_postMessage(channel="C0SILVER01", text="b")  # limit gone


def test_call_listener_runs_before_the_answer(slack: SlackStandIn) -> None:
    seen: list[tuple[str, bool]] = []
    slack.add_call_listener(lambda call: seen.append((call.method, call.ok)))
    web(slack).chat_postMessage(channel="C0SILVER01", text="x")
    assert seen == [("chat.postMessage", True)]
