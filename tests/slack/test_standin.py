"""The Slack stand-in over real HTTP: slack_sdk's WebClient, retry handlers, Bolt, signatures, Socket Mode."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier

from bot.standin import BOT_USER_ID, SlackSender, SlackStandIn
from bot.standin.faults import FaultPlan, make_rates
from bot.standin.payloads import new_trigger_id
from bot.standin.socketmode import close_handler
from bot.standin.transcript import describe_target, render_message, render_transcript
from ncpi_core.config.schema import ForceConfig

SECRET = "standin-signing-secret"
USERS = {"U0SAFE0001": "Head of Safeguarding", "U0TACC0001": "T/ACC"}
CHANNELS = {"C0SILVER01": "silver", "C0GOLD0001": "gold"}
SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*R3.2* how is it going?"}}


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn(users=USERS, channels=CHANNELS) as s:
        yield s


def client(slack: SlackStandIn, *handlers: Any) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.api_url, retry_handlers=list(handlers))


# ---- Web API ---------------------------------------------------------------------------------
def test_auth_test_and_token_checks(slack: SlackStandIn) -> None:
    resp = client(slack).auth_test()
    assert resp["user_id"] == BOT_USER_ID and resp["bot_id"] and resp["team_id"]
    assert "chat:write" in resp.headers["x-oauth-scopes"]
    with pytest.raises(SlackApiError) as missing:
        WebClient(base_url=slack.api_url).api_call("auth.test")
    assert missing.value.response["error"] == "not_authed"
    with pytest.raises(SlackApiError) as wrong:
        WebClient(token="nope", base_url=slack.api_url).auth_test()
    assert wrong.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as unknown:
        client(slack).api_call("no.suchMethod")
    assert unknown.value.response["error"] == "unknown_method"


def test_post_message_and_history_with_metadata(slack: SlackStandIn) -> None:
    web = client(slack)
    meta = {"event_type": "ncpi_prompt", "event_payload": {"action": "R3.2"}}
    first = web.chat_postMessage(channel="C0SILVER01", text="one", blocks=[SECTION], metadata=meta)
    second = web.chat_postMessage(channel="C0SILVER01", text="two")
    assert float(second["ts"]) > float(first["ts"]) and first["channel"] == "C0SILVER01"
    reply = web.chat_postMessage(channel="C0SILVER01", text="in thread", thread_ts=first["ts"])

    history = web.conversations_history(channel="C0SILVER01", include_all_metadata=True)
    assert [m["text"] for m in history["messages"]] == ["two", "one"]  # newest first, no replies
    assert history["messages"][1]["metadata"] == meta
    assert "metadata" not in web.conversations_history(channel="C0SILVER01")["messages"][1]
    newer = web.conversations_history(channel="C0SILVER01", oldest=first["ts"], limit=10)
    assert [m["text"] for m in newer["messages"]] == ["two"]
    thread = web.conversations_replies(channel="C0SILVER01", ts=first["ts"])["messages"]
    assert [m["ts"] for m in thread] == [first["ts"], reply["ts"]]

    stored = slack.messages("C0SILVER01")
    assert [m.text for m in stored] == ["one", "two", "in thread"]
    assert stored[0].blocks == [SECTION] and stored[0].metadata == meta
    assert slack.calls_to("chat.postMessage")[0].params["metadata"] == meta


def test_form_encoded_params_are_decoded(slack: SlackStandIn) -> None:
    body = "channel=C0GOLD0001&text=hi&blocks=" + urllib.request.quote(json.dumps([SECTION]))
    req = urllib.request.Request(slack.api_url + "chat.postMessage", data=body.encode(),
                                 headers={"Authorization": "Bearer xoxb-x",
                                          "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(req) as resp:
        assert json.loads(resp.read())["ok"] is True
    assert slack.messages("C0GOLD0001")[0].blocks == [SECTION]


def test_update_delete_ephemeral(slack: SlackStandIn) -> None:
    web = client(slack)
    ts = web.chat_postMessage(channel="C0SILVER01", text="draft")["ts"]
    web.chat_update(channel="C0SILVER01", ts=ts, text="final")
    assert slack.messages()[0].text == "final" and slack.messages()[0].edited
    web.chat_delete(channel="C0SILVER01", ts=ts)
    assert slack.messages() == []
    with pytest.raises(SlackApiError, match="message_not_found"):
        web.chat_update(channel="C0SILVER01", ts=ts, text="again")
    web.chat_postEphemeral(channel="C0SILVER01", user="U0TACC0001", text="only you")
    assert [m.text for m in slack.ephemerals("U0TACC0001")] == ["only you"]


def test_conversations_open_gives_stable_dm_ids(slack: SlackStandIn) -> None:
    web = client(slack)
    first = web.conversations_open(users="U0SAFE0001")["channel"]["id"]
    again = web.conversations_open(users="U0SAFE0001")["channel"]["id"]
    other = web.conversations_open(users="U0TACC0001")["channel"]["id"]
    assert first == again == slack.dm_channel("U0SAFE0001") and first.startswith("D")
    assert other != first
    web.chat_postMessage(channel=first, text="prompt")
    assert slack.messages("U0SAFE0001")[0].channel == first
    with pytest.raises(SlackApiError, match="user_not_found"):
        web.conversations_open(users="U0NOBODY01")


def test_channels_users_and_membership(force_config: ForceConfig) -> None:
    with SlackStandIn.from_config(force_config, bot_channels=["C0SILVER01"]) as slack:
        web = client(slack)
        assert web.users_info(user="U0SAFE0001")["user"]["real_name"] == "Head of Safeguarding"
        with pytest.raises(SlackApiError, match="user_not_found"):
            web.users_info(user="U0NOBODY01")
        assert web.conversations_info(channel="C0SILVER01")["channel"]["name"] == "silver"
        assert BOT_USER_ID in web.conversations_members(channel="C0SILVER01")["members"]
        assert BOT_USER_ID not in web.conversations_members(channel="C0GOLD0001")["members"]
        with pytest.raises(SlackApiError, match="not_in_channel"):
            web.chat_postMessage(channel="C0GOLD0001", text="x")
        with pytest.raises(SlackApiError, match="channel_not_found"):
            web.chat_postMessage(channel="C0UNKNOWN1", text="x")


def test_post_message_validation_like_slack(slack: SlackStandIn) -> None:
    web = client(slack)
    cases = [
        ({"text": "no channel"}, "channel_not_found"),
        ({"channel": "C0SILVER01"}, "no_text"),
        ({"channel": "C0SILVER01", "text": "x", "blocks": [SECTION] * 51}, "invalid_blocks"),
        ({"channel": "C0SILVER01", "text": "x",
          "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "a" * 3001}}]},
         "invalid_blocks"),
        ({"channel": "C0SILVER01", "text": "x", "blocks": [{"type": "nonsense"}]}, "invalid_blocks"),
    ]
    for params, error in cases:
        with pytest.raises(SlackApiError) as err:
            web.api_call("chat.postMessage", json=params)
        assert err.value.response["error"] == error, params
    assert len(slack.invalid_payloads) == 3
    assert slack.messages() == []


def test_views_validated_and_recorded(slack: SlackStandIn) -> None:
    web = client(slack)
    home = {"type": "home", "blocks": [SECTION]}
    published = web.views_publish(user_id="U0SAFE0001", view=home)["view"]
    assert slack.home_view("U0SAFE0001") == home and published["id"].startswith("V")
    assert web.views_publish(user_id="U0SAFE0001", view=home)["view"]["id"] == published["id"]
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        web.views_publish(user_id="U0SAFE0001", view={"type": "home", "blocks": [SECTION] * 101})
    modal = {"type": "modal", "callback_id": "update", "title": {"type": "plain_text", "text": "Update"},
             "blocks": [SECTION]}
    trigger = new_trigger_id()
    opened = web.views_open(trigger_id=trigger, view=modal)["view"]
    web.views_update(view_id=opened["id"], view=dict(modal, callback_id="update2"))
    web.views_push(trigger_id=trigger, view=modal)
    assert [v.method for v in slack.views][-3:] == ["views.open", "views.update", "views.push"]
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        bad_title = dict(modal, title={"type": "plain_text", "text": "x" * 30})
        web.views_open(trigger_id=trigger, view=bad_title)
    with pytest.raises(SlackApiError, match="expired_trigger_id"):
        web.views_open(trigger_id=f"{int(time.time() * 1000) - 5000}.1.abc", view=modal)
    assert len(slack.invalid_payloads) == 2


def test_files_upload_v2_end_to_end(slack: SlackStandIn) -> None:
    resp = client(slack).files_upload_v2(channel="C0GOLD0001", content="a,b\n1,2\n",
                                         filename="summary.csv", title="Gold summary",
                                         initial_comment="Gold summary attached")
    assert resp["file"]["title"] == "Gold summary"
    assert slack.files == {"summary.csv": b"a,b\n1,2\n"}
    shared = slack.messages("C0GOLD0001")[0]
    assert shared.kind == "file_share" and shared.text == "Gold summary attached"


def test_response_urls_are_recorded(slack: SlackStandIn) -> None:
    url = slack.new_response_url(channel="C0SILVER01", user="U0TACC0001")
    body = json.dumps({"text": "Summary", "blocks": [SECTION], "response_type": "ephemeral"})
    req = urllib.request.Request(url, data=body.encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as resp:
        assert resp.read() == b"ok"
    assert slack.responses[0].text == "Summary" and slack.responses[0].to_user == "U0TACC0001"


# ---- faults and rate limits -------------------------------------------------------------------
def test_429_with_retry_after_is_honoured(slack: SlackStandIn) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    started = time.monotonic()
    resp = client(slack, RateLimitErrorRetryHandler(max_retry_count=1)).chat_postMessage(
        channel="C0SILVER01", text="after the wait")
    assert resp["ok"] and time.monotonic() - started >= 1.0
    first, second = slack.calls_to("chat.postMessage")
    assert first.status == 429 and first.response == {"ok": False, "error": "ratelimited"}
    assert second.at - first.at >= 1.0 and slack.served_429 == 1


def test_500_then_success_with_server_error_retry(slack: SlackStandIn) -> None:
    slack.fail_next("chat.postMessage", status=500)
    resp = client(slack, ServerErrorRetryHandler(max_retry_count=1)).chat_postMessage(
        channel="C0SILVER01", text="second try")
    assert resp["ok"] and slack.served_500 == 1
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [500, 200]
    assert len(slack.messages()) == 1


def test_dropped_connection_is_retried(slack: SlackStandIn) -> None:
    slack.fail_next("chat.postMessage", drop=True)
    resp = client(slack, ConnectionErrorRetryHandler(max_retry_count=1)).chat_postMessage(
        channel="C0SILVER01", text="x")
    assert resp["ok"] and slack.stats["dropped"] == 1


def test_rate_limit_enforces_calls_per_second(slack: SlackStandIn) -> None:
    slack.set_rate_limit("chat.postMessage", per_second=5)
    web = client(slack)
    outcomes = []
    for i in range(8):
        try:
            web.chat_postMessage(channel="C0SILVER01", text=str(i))
            outcomes.append("ok")
        except SlackApiError as err:
            assert err.response.status_code == 429 and err.response.headers["Retry-After"] == "1"
            outcomes.append(err.response["error"])
    assert outcomes == ["ok"] * 5 + ["ratelimited"] * 3
    time.sleep(1.05)
    assert web.chat_postMessage(channel="C0SILVER01", text="later")["ok"]
    assert slack.served_429 == 3


def test_random_faults_are_repeatable_with_a_seed() -> None:
    def sequence() -> list[str]:
        plan = FaultPlan()
        plan.set_rates(make_rates(rate_limited=0.3, server_error=0.1, drop=0.1), seed=7)
        out = []
        for _ in range(50):
            f = plan.decide("chat.postMessage")
            out.append("-" if f is None else "drop" if f.drop else str(f.status))
        return out

    first = sequence()
    assert first == sequence() and {"429", "500", "drop", "-"} <= set(first)


# ---- signing -------------------------------------------------------------------------------------
class _Capture(BaseHTTPRequestHandler):
    seen: list[tuple[dict[str, str], str]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.seen.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def _serve(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_signatures_verified_by_slack_sdk() -> None:
    server = _serve(_Capture)
    try:
        sender = SlackSender(f"http://127.0.0.1:{server.server_address[1]}/slack/events", SECRET)
        verifier = SignatureVerifier(SECRET)
        for signing, valid in [("valid", True), ("forged", False), ("stale", False), ("omit", False)]:
            _Capture.seen.clear()
            assert sender.slash_command("U0SAFE0001", "summary", signing=signing).status == 200
            headers, body = _Capture.seen[0]
            assert verifier.is_valid_request(body, headers) is valid, signing
        assert "x-slack-signature" not in headers
    finally:
        server.shutdown()


def _bolt_server(app: App) -> ThreadingHTTPServer:
    class Adapter(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            resp = app.dispatch(BoltRequest(body=body, headers={k: v for k, v in self.headers.items()}))
            self.send_response(resp.status)
            for k, values in resp.headers.items():
                for v in values:
                    self.send_header(k, v)
            self.end_headers()
            self.wfile.write(resp.body.encode())

        def log_message(self, *args: Any) -> None:
            pass

    return _serve(Adapter)


def test_bolt_app_over_http_with_signed_requests(slack: SlackStandIn) -> None:
    app = App(client=client(slack), signing_secret=SECRET)
    seen: list[str] = []

    @app.command("/ncpi")
    def command(ack: Any, command: dict[str, Any], respond: Any) -> None:
        ack()
        respond(f"You asked for {command['text']}")

    @app.event("message")
    def message(event: dict[str, Any]) -> None:
        seen.append(event["text"])

    @app.action("rag_green")
    def action(ack: Any, body: dict[str, Any]) -> None:
        ack()
        seen.append(body["actions"][0]["value"])

    server = _bolt_server(app)
    try:
        sender = SlackSender(f"http://127.0.0.1:{server.server_address[1]}/slack/events", SECRET)
        url = slack.new_response_url(channel="C0SILVER01", user="U0TACC0001")
        ok = sender.slash_command("U0TACC0001", "summary", response_url=url)
        assert ok.status == 200 and ok.elapsed < 3
        assert sender.slash_command("U0TACC0001", "summary", signing="forged").status == 401
        assert sender.slash_command("U0TACC0001", "summary", signing="stale").status == 401
        assert sender.url_verification("chal-123").json() == {"challenge": "chal-123"}
        dm = slack.dm_channel("U0SAFE0001")
        assert sender.message_im("U0SAFE0001", "R3.2 amber 60%", dm, retry_num=1).status == 200
        assert sender.block_action("U0SAFE0001", "rag_green", "R3.2", channel_id=dm).status == 200
        deadline = time.monotonic() + 3
        while (len(seen) < 2 or not slack.responses) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert sorted(seen) == ["R3.2", "R3.2 amber 60%"]
        assert slack.responses[0].text == "You asked for summary"
    finally:
        server.shutdown()


# ---- Socket Mode ---------------------------------------------------------------------------------
def test_socket_mode_round_trip_with_bolt(slack: SlackStandIn) -> None:
    app = App(client=client(slack))

    @app.command("/ncpi")
    def command(ack: Any, command: dict[str, Any]) -> None:
        ack(text=f"on it: {command['text']}")

    handler = SocketModeHandler(app, app_token="xapp-1-test")
    handler.connect()
    try:
        assert slack.socket_mode.wait_for_connection(5)
        assert slack.calls_to("apps.connections.open")[0].token == "xapp-1-test"
        ack, elapsed = slack.socket_mode.slash_command("U0TACC0001", "summary")
        assert ack["payload"] == {"text": "on it: summary"} and elapsed < 3
    finally:
        close_handler(handler, slack.socket_mode)
    assert slack.socket_mode.active_connections == 0


# ---- transcript ----------------------------------------------------------------------------------
def test_transcript_reads_like_slack(slack: SlackStandIn) -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "R3.2 update"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "Hi <@U0SAFE0001>, *how is it going?*"},
         "fields": [{"type": "mrkdwn", "text": "*Due*\n31 May"}]},
        {"type": "divider"},
        {"type": "actions", "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": "On track"}, "action_id": "g"},
            {"type": "button", "text": {"type": "plain_text", "text": "At risk"}, "action_id": "a"}]},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "Silver meets <!date^1650000000^{date}|8 Feb>"}]},
    ]
    client(slack).chat_postMessage(channel="U0SAFE0001", text="R3.2 update", blocks=blocks)
    msg = slack.messages()[0]
    text = render_message(msg, USERS)
    assert "Hi @Head of Safeguarding, how is it going?" in text
    assert "[button: On track] [button: At risk]" in text and "Silver meets 8 Feb" in text
    assert describe_target(msg.channel, USERS, CHANNELS) == "DM to Head of Safeguarding"
    assert describe_target("C0SILVER01", USERS, CHANNELS) == "#silver"
    assert render_transcript(slack.timeline(), USERS, CHANNELS).startswith("> DM to Head of Safeguarding")
