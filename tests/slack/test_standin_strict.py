"""The stand-in holds the bot to Slack's rules, one test per rule (README: "What the stand-in models").

Each rule is checked on the stand-in alone, with slack_sdk's own WebClient and a small Bolt app,
so that a bot test passing against the stand-in means the rule was kept.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import yaml
from slack_bolt import Ack, App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.standin import SlackSender, SlackStandIn
from bot.standin.payloads import build_block_action
from bot.standin.scopes import manifest_scopes
from bot.standin.socketmode import close_handler
from bot.standin.validation import MAX_BLOCKS_CHARS, blocks_size
from tests.conftest import ROOT
from tests.slack.test_standin import _bolt_server

USERS = {"U0SAFE0001": "Head of Safeguarding", "U0TACC0001": "T/ACC"}
CHANNELS = {"C0SILVER01": "silver", "C0GOLD0001": "gold", "G0PRIVATE1": "silver-private"}
SECRET = "strict-signing-secret"


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn(users=USERS, channels=CHANNELS) as s:
        yield s


def web(slack: SlackStandIn, token: str = "xoxb-strict") -> WebClient:
    return WebClient(token=token, base_url=slack.api_url)


def refusal(call: Any) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as err:
        call()
    return dict(err.value.response.data)  # type: ignore[arg-type]


def section(text: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id:
        block["block_id"] = block_id
    return block


# ---- scopes --------------------------------------------------------------------------------
def test_the_stand_in_grants_exactly_the_manifests_scopes(slack: SlackStandIn) -> None:
    manifest = yaml.safe_load((ROOT / "config" / "slack_manifest.yaml").read_text())
    assert set(manifest_scopes()) == set(manifest["oauth_config"]["scopes"]["bot"])
    granted = web(slack).auth_test().headers["x-oauth-scopes"].split(",")
    assert set(granted) == set(manifest_scopes())
    assert "im:read" not in granted  # asked for once, never needed: gone from the manifest


def test_a_method_needing_a_scope_not_granted_answers_missing_scope(slack: SlackStandIn) -> None:
    dm = web(slack).conversations_open(users="U0SAFE0001")["channel"]["id"]
    # conversations.info on a DM needs im:read, which ncpi does not ask for
    answer = refusal(lambda: web(slack).conversations_info(channel=dm))
    assert answer["error"] == "missing_scope" and answer["needed"] == "im:read"
    assert "im:history" in answer["provided"]
    # the scope follows the kind of conversation: a public channel's history, a private one's
    slack.scopes = "chat:write,groups:history"
    assert refusal(lambda: web(slack).conversations_history(channel="C0SILVER01"))["needed"] == "channels:history"
    assert web(slack).conversations_history(channel="G0PRIVATE1")["ok"]
    assert refusal(lambda: web(slack).users_info(user="U0SAFE0001"))["needed"] == "users:read"
    slack.scopes = "users:read"
    assert refusal(lambda: web(slack).chat_postMessage(channel="C0SILVER01", text="hi"))["needed"] == "chat:write"
    assert slack.messages() == []


def test_an_app_level_token_opens_socket_mode_and_nothing_else(slack: SlackStandIn) -> None:
    assert web(slack, "xapp-1-strict").apps_connections_open(app_token="xapp-1-strict")["url"].startswith("ws://")
    answer = refusal(lambda: web(slack, "xapp-1-strict").chat_postMessage(channel="C0SILVER01", text="hi"))
    assert answer["error"] == "not_allowed_token_type"


# ---- Block Kit -----------------------------------------------------------------------------
def test_blocks_too_long_together_are_refused_though_each_is_valid(slack: SlackStandIn) -> None:
    blocks = [section("x" * 2900) for _ in range(3)]  # each within its own limit
    blocks.append(section("y" * (MAX_BLOCKS_CHARS - blocks_size([*blocks, section("")]))))
    assert blocks_size(blocks) == MAX_BLOCKS_CHARS  # at the limit: taken
    assert web(slack).chat_postMessage(channel="C0SILVER01", text="fits", blocks=blocks)["ok"]
    blocks[-1]["text"]["text"] += "y"  # one character over
    assert blocks_size(blocks) == MAX_BLOCKS_CHARS + 1
    answer = refusal(lambda: web(slack).chat_postMessage(channel="C0SILVER01", text="over", blocks=blocks))
    assert answer["error"] == "msg_blocks_too_long"
    assert [m.text for m in slack.messages()] == ["fits"]
    assert f"{MAX_BLOCKS_CHARS + 1:,} characters together" in slack.invalid_payloads[-1].reason
    # the same rule on an update and an ephemeral
    ts = slack.messages()[0].ts
    assert refusal(lambda: web(slack).chat_update(channel="C0SILVER01", ts=ts, text="x", blocks=blocks))["error"] == \
        "msg_blocks_too_long"
    assert refusal(lambda: web(slack).chat_postEphemeral(channel="C0SILVER01", user="U0SAFE0001",
                                                         text="x", blocks=blocks))["error"] == "msg_blocks_too_long"


def test_the_total_size_is_the_stand_ins_to_set() -> None:
    with SlackStandIn(users=USERS, channels=CHANNELS, max_blocks_chars=500) as small:
        blocks = [section("z" * 300), section("z" * 300)]
        assert refusal(lambda: web(small).chat_postMessage(channel="C0SILVER01", text="x", blocks=blocks))[
            "error"] == "msg_blocks_too_long"
        assert web(small).chat_postMessage(channel="C0SILVER01", text="x", blocks=blocks[:1])["ok"]


@pytest.mark.parametrize("blocks, why", [
    ([{"type": "section", "text": {"type": "mrkdwn", "text": "a" * 3001}}], "3000 characters"),
    ([{"type": "actions", "elements": [{"type": "button", "action_id": "b"}]}], "'text'"),
    ([{"type": "header", "text": {"type": "mrkdwn", "text": "headers are plain text"}}], "plain_text"),
    ([section("one", "same"), section("two", "same")], "used twice"),
    ([{"type": "actions", "elements": [
        {"type": "button", "action_id": "b", "text": {"type": "plain_text", "text": "1"}},
        {"type": "button", "action_id": "b", "text": {"type": "plain_text", "text": "2"}}]}], "twice"),
    ([{"type": "no_such_block"}], "unknown block type"),
])
def test_bad_shapes_are_invalid_blocks(slack: SlackStandIn, blocks: list[dict[str, Any]], why: str) -> None:
    answer = refusal(lambda: web(slack).chat_postMessage(channel="C0SILVER01", text="x", blocks=blocks))
    assert answer["error"] == "invalid_blocks"
    assert why in slack.invalid_payloads[-1].reason, slack.invalid_payloads[-1].reason
    assert slack.messages() == []


# ---- threads -------------------------------------------------------------------------------
def test_a_thread_hangs_from_a_message_of_that_channel(slack: SlackStandIn) -> None:
    client = web(slack)
    parent = client.chat_postMessage(channel="C0SILVER01", text="parent")["ts"]
    reply = client.chat_postMessage(channel="C0SILVER01", text="reply", thread_ts=parent)["ts"]
    elsewhere = client.chat_postMessage(channel="C0GOLD0001", text="gold")["ts"]
    ephemeral = client.chat_postEphemeral(channel="C0SILVER01", user="U0SAFE0001", text="just you")["message_ts"]
    for bad in ("1650000000.999999", reply, elsewhere, ephemeral):
        answer = refusal(lambda bad=bad: client.chat_postMessage(channel="C0SILVER01", text="x", thread_ts=bad))
        assert answer["error"] == "invalid_thread_ts", bad
    client.chat_delete(channel="C0SILVER01", ts=parent)
    assert refusal(lambda: client.chat_postMessage(channel="C0SILVER01", text="x", thread_ts=parent))[
        "error"] == "invalid_thread_ts"
    assert [m.text for m in slack.messages("C0SILVER01")] == ["reply"]  # nothing else went


# ---- response URLs -------------------------------------------------------------------------
def post_json(url: str, body: dict[str, Any]) -> tuple[int, str]:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_a_response_url_takes_five_posts_in_thirty_minutes(slack: SlackStandIn) -> None:
    url = slack.new_response_url(channel="C0SILVER01", user="U0SAFE0001")
    answers = [post_json(url, {"text": f"answer {i}"}) for i in range(1, 7)]
    assert answers[:5] == [(200, "ok")] * 5
    assert answers[5] == (404, "used_url")
    assert [m.text for m in slack.responses] == [f"answer {i}" for i in range(1, 6)]
    assert "6 times" in slack.invalid_payloads[-1].reason
    slack.response_urls.ttl = 0.05
    late = slack.new_response_url(channel="C0SILVER01", user="U0SAFE0001")
    time.sleep(0.1)
    assert post_json(late, {"text": "too late"}) == (404, "expired_url")


# ---- interactions ---------------------------------------------------------------------------
def test_clicks_are_shaped_by_where_the_button_was(slack: SlackStandIn) -> None:
    client = web(slack)
    client.chat_postMessage(channel="U0SAFE0001", text="a prompt")
    prompt = slack.messages("U0SAFE0001")[0]
    from_message = build_block_action("U0SAFE0001", "go", "R1", message=prompt)
    assert from_message["message"]["ts"] == prompt.ts
    assert from_message["container"] == {"type": "message", "message_ts": prompt.ts,
                                         "channel_id": prompt.channel, "is_ephemeral": False}
    url = slack.new_response_url(channel="C0SILVER01", user="U0SAFE0001")
    post_json(url, {"text": "your actions", "response_type": "ephemeral"})
    listed = slack.responses[0]
    from_ephemeral = build_block_action("U0SAFE0001", "go", "R1", message=listed)
    assert "message" not in from_ephemeral  # Slack keeps no copy of an ephemeral message
    assert from_ephemeral["container"]["is_ephemeral"] is True
    assert from_ephemeral["container"]["channel_id"] == "C0SILVER01" and from_ephemeral["response_url"]
    home = build_block_action("U0SAFE0001", "go", "R1", view={"id": "V0HOME0001", "type": "home"})
    assert home["container"] == {"type": "view", "view_id": "V0HOME0001"}
    assert "response_url" not in home and "message" not in home and "channel" not in home
    modal = build_block_action("U0SAFE0001", "go", "R1", view={"id": "V0MODAL001", "type": "modal"})
    assert modal["view"]["type"] == "modal" and "response_url" not in modal


def form_app(slack: SlackStandIn, errors: dict[str, str]) -> App:
    app = App(client=web(slack), signing_secret=SECRET)

    @app.view("form")
    def submitted(ack: Ack) -> None:
        ack(response_action="errors", errors=errors)

    return app


FORM = {"type": "modal", "callback_id": "form", "title": {"type": "plain_text", "text": "Form"},
        "blocks": [{"type": "input", "block_id": "reason", "label": {"type": "plain_text", "text": "Why"},
                    "element": {"type": "plain_text_input", "action_id": "reason"}},
                   section("context", "intro")]}
STATE = {"reason": {"reason": {"type": "plain_text_input", "value": "because"}}}


@contextmanager
def bolt_over_http(app: App) -> Iterator[str]:
    """A Bolt app served on loopback; yields its request URL."""
    server = _bolt_server(app)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("errors, refused", [
    ({"reason": "Say why"}, None),
    ({"rag": "Choose a RAG status"}, "'rag', not an input block"),
    ({"intro": "not an input"}, "'intro', not an input block"),
    ({"reason": ""}, "say nothing"),
])
def test_modal_errors_must_name_an_input_block_of_that_view(slack: SlackStandIn, errors: dict[str, str],
                                                            refused: str | None) -> None:
    app = form_app(slack, errors)
    with bolt_over_http(app) as url:
        sent = SlackSender(url, SECRET, standin=slack).view_submission("U0SAFE0001", "form", STATE, view=FORM)
    assert sent.status == 200
    if refused is None:
        assert sent.refused is None and slack.invalid_payloads == []
    else:
        assert sent.refused is not None and refused in sent.refused
        assert slack.invalid_payloads[-1].method == "view_submission"


def test_the_view_judged_is_the_one_the_bot_opened(slack: SlackStandIn) -> None:
    web(slack).views_open(trigger_id=f"{int(time.time() * 1000)}.1.x", view=FORM)
    with bolt_over_http(form_app(slack, {"rag": "no such field"})) as url:
        sent = SlackSender(url, SECRET, standin=slack).view_submission("U0SAFE0001", "form", STATE)
    assert sent.refused is not None and "it has 'reason'" in sent.refused


def test_socket_mode_submissions_are_judged_the_same_way(slack: SlackStandIn) -> None:
    app = App(client=web(slack))

    @app.view("form")
    def submitted(ack: Ack) -> None:
        ack(response_action="errors", errors={"rag": "no such field"})

    handler = SocketModeHandler(app, app_token="xapp-1-strict", web_client=web(slack))
    handler.connect()
    try:
        assert slack.socket_mode.wait_for_connection(5)
        ack = slack.socket_mode.view_submission("U0SAFE0001", "form", STATE, view=FORM)
        assert ack.refused is not None and "'rag'" in ack.refused
        assert slack.invalid_payloads[-1].method == "view_submission"
    finally:
        close_handler(handler, slack.socket_mode)


# ---- people ---------------------------------------------------------------------------------
def test_anyone_in_the_workspace_can_dm_the_bot_and_be_answered(slack: SlackStandIn) -> None:
    stranger = "U0NOTINYAML"
    ts = slack.add_user_message("D0NOTINYAML", stranger, "hello?")
    client = web(slack)
    assert client.chat_postMessage(channel="D0NOTINYAML", text="Who are you?", thread_ts=ts)["ok"]
    assert client.users_info(user=stranger)["user"]["id"] == stranger
    # Slack never lets the bot post into a DM nobody opened
    assert refusal(lambda: client.chat_postMessage(channel="D0NOBODY001", text="x"))["error"] == "channel_not_found"


def test_an_event_sent_through_the_stand_in_is_in_slacks_history_first(slack: SlackStandIn) -> None:
    with bolt_over_http(App(client=web(slack), signing_secret=SECRET)) as url:
        SlackSender(url, SECRET, standin=slack).message_im("U0STRANGE2", "hello", "D0STRANGE2", ts="1650000001.000100")
    assert web(slack).chat_postMessage(channel="D0STRANGE2", text="hi", thread_ts="1650000001.000100")["ok"]


def test_a_post_can_land_though_its_answer_fails(slack: SlackStandIn) -> None:
    slack.fail_next("chat.postMessage", status=500, processed=True)
    assert refusal(lambda: web(slack).chat_postMessage(channel="C0SILVER01", text="landed"))["error"] == "fatal_error"
    assert [m.text for m in slack.messages()] == ["landed"]
