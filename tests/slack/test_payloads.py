"""Slack payloads as Slack sends them, read by bot/payloads.py; the app manifest."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from bot.cli.check import REQUIRED_SCOPES
from bot.slack.payloads import (
    CIRCLES,
    ModalMetadata,
    UpdateForm,
    mentioned_user,
    parse_button,
    parse_command_text,
    parse_message_event,
    parse_modal_metadata,
    parse_update_view,
    to_plain_text,
)
from ncpi_core.domain.models import RAG
from ncpi_core.domain.replies import ParsedReply, parse_reply

ROOT = Path(__file__).resolve().parents[2]

# A message.im event exactly as the Events API delivers it (trimmed of nothing that matters).
MESSAGE_IM = {
    "user": "U0LAND0001", "type": "message", "ts": "1651568400.123456",
    "client_msg_id": "9b1c0f0e-57c4-4c4e-9d53-6f5b3b7f6a11",
    "text": "R3.2 amber 60% slots &lt;June&gt; &amp; <https://intranet.example/ld|intranet.example/ld>",
    "team": "T0NCPI0001", "channel": "D0LAND0001", "event_ts": "1651568400.123456",
    "channel_type": "im",
    "blocks": [{"type": "rich_text", "block_id": "Xy1", "elements": [{"type": "rich_text_section",
                "elements": [{"type": "text", "text": "R3.2 amber 60% slots <June> & "},
                             {"type": "link", "url": "https://intranet.example/ld"}]}]}],
}


def test_slash_command_text() -> None:
    assert parse_command_text("  Summary  gold R3 post ") == ("summary", ["gold", "R3", "post"], "gold R3 post")
    assert parse_command_text("") == ("", [], "")
    assert parse_command_text(None) == ("", [], "")
    assert parse_command_text("complete R3.2 https://x.example/a b") == (
        "complete", ["R3.2", "https://x.example/a", "b"], "R3.2 https://x.example/a b")


def test_a_dm_as_slack_sends_it() -> None:
    m = parse_message_event(MESSAGE_IM)
    assert m is not None
    assert (m.user, m.channel, m.channel_type, m.ts, m.thread_ts) == (
        "U0LAND0001", "D0LAND0001", "im", "1651568400.123456", None)
    assert m.text == "R3.2 amber 60% slots <June> & intranet.example/ld"
    assert not m.in_thread
    assert m.key == "slack-msg:D0LAND0001:1651568400.123456"


def test_a_reply_in_a_thread() -> None:
    event = {**MESSAGE_IM, "thread_ts": "1651500000.000100", "parent_user_id": "U0NCPIBOT1"}
    m = parse_message_event(event)
    assert m is not None and m.in_thread and m.thread_ts == "1651500000.000100"
    # a thread's parent carries thread_ts == ts: not a reply
    parent = parse_message_event({**MESSAGE_IM, "thread_ts": MESSAGE_IM["ts"]})
    assert parent is not None and not parent.in_thread


def test_what_is_not_a_person_typing_is_ignored() -> None:
    assert parse_message_event({**MESSAGE_IM, "bot_id": "B01"}) is None
    assert parse_message_event({**MESSAGE_IM, "subtype": "bot_message"}) is None
    assert parse_message_event({"type": "message", "subtype": "message_changed", "channel": "D0LAND0001",
                                "ts": "1.2", "message": {"text": "x", "user": "U0LAND0001"},
                                "hidden": True}) is None
    assert parse_message_event({"type": "message", "subtype": "message_deleted", "channel": "D01",
                                "ts": "1.2", "deleted_ts": "1.1", "hidden": True}) is None
    assert parse_message_event({**MESSAGE_IM, "subtype": "channel_join"}) is None
    assert parse_message_event({**MESSAGE_IM, "edited": {"user": "U0LAND0001", "ts": "1.3"}}) is None
    assert parse_message_event({"type": "app_home_opened", "user": "U0LAND0001"}) is None
    assert parse_message_event({**MESSAGE_IM, "subtype": "thread_broadcast"}) is not None


def test_slack_markup_to_plain_text() -> None:
    assert to_plain_text("see <https://a.example/x|a.example/x>") == "see a.example/x"
    assert to_plain_text("see <https://a.example/x|the plan>") == "see the plan (https://a.example/x)"
    assert to_plain_text("<mailto:a@b.example|a@b.example>") == "a@b.example"
    assert to_plain_text("<https://a.example>") == "https://a.example"
    assert to_plain_text("hi <@U0DCC00001> <!channel> &lt;b&gt; &amp;amp;") == "hi <@U0DCC00001> <!channel> <b> &amp;"
    assert to_plain_text(None) == ""


def test_slacks_names_of_the_coloured_circles_are_read_as_their_rag() -> None:
    # Slack sends an emoji by name; the core knows the circles as characters, as any platform sends them
    said = {":large_green_circle:": RAG.GREEN, ":Large_Orange_Circle:": RAG.AMBER, ":yellow_circle:": RAG.AMBER,
            ":red_circle:": RAG.RED, ":large_blue_circle:": RAG.BLUE}
    for name, rag in said.items():
        reply = parse_reply(to_plain_text(f"R3.2 {name} 60% slots delayed"), ["R3.2"])
        assert isinstance(reply, ParsedReply) and (reply.rag, reply.narrative) == (rag, "slots delayed")
    assert len(CIRCLES) == 10
    assert to_plain_text("R3.2 green :tada: all done") == "R3.2 green :tada: all done"  # other emoji untouched


def test_a_mention_names_its_user() -> None:
    assert [mentioned_user(r) for r in ("<@U0CRIME001|head_crime>", "<@U0CRIME001>", " @head_crime ", "U0X")] == [
        "U0CRIME001", "U0CRIME001", "head_crime", "U0X"]


def view_state(**values: dict) -> dict:  # type: ignore[type-arg]
    return {"id": "V0AB12CD34", "type": "modal", "callback_id": "ncpi_update_modal",
            "private_metadata": '{"action_id":"R3.2"}', "hash": "1651568400.abc",
            "state": {"values": values}}


def test_the_update_modal_state_as_slack_sends_it() -> None:
    view = view_state(
        rag={"rag": {"type": "static_select", "selected_option": {
            "text": {"type": "plain_text", "text": "Amber (at risk)", "emoji": True}, "value": "amber"}}},
        progress={"progress": {"type": "number_input", "value": "60"}},
        narrative={"narrative": {"type": "plain_text_input", "value": "  Slots delayed  "}},
        blockers={"blockers": {"type": "plain_text_input", "value": None}},
        evidence={"evidence": {"type": "plain_text_input", "value": "https://x.example/e"}},
    )
    assert parse_update_view(view) == UpdateForm(RAG.AMBER, 60, "Slots delayed", "", "https://x.example/e")


def test_radio_buttons_and_an_empty_progress_are_read_too() -> None:
    view = view_state(rag={"rag": {"type": "radio_buttons", "selected_option": {"value": "green"}}},
                      progress={"progress": {"type": "number_input", "value": None}})
    assert parse_update_view(view) == UpdateForm(RAG.GREEN, None, "", "", "")


def test_modal_errors_are_keyed_by_block() -> None:
    view = view_state(rag={"rag": {"type": "static_select", "selected_option": None}},
                      progress={"progress": {"type": "number_input", "value": "60.5"}},
                      narrative={"narrative": {"type": "plain_text_input", "value": "x" * 3001}})
    errors = parse_update_view(view)
    assert isinstance(errors, dict) and set(errors) == {"rag", "progress", "narrative"}
    bad = parse_update_view(view_state(rag={"rag": {"type": "static_select",
                                                    "selected_option": {"value": "purple"}}}))
    assert isinstance(bad, dict) and "rag" in bad


def test_modal_metadata_round_trip() -> None:
    meta = ModalMetadata("R3.2", "D0LAND0001", "1651568400.000100")
    assert parse_modal_metadata(meta.dumps()) == meta
    assert parse_modal_metadata('{"action_id": "R3.2"}') == ModalMetadata("R3.2")
    assert parse_modal_metadata("") is None
    assert parse_modal_metadata("[1]") is None
    assert len(meta.dumps()) < 3000  # Slack's private_metadata limit


def test_a_button_click_in_a_dm_and_in_app_home() -> None:
    in_dm = {"type": "block_actions", "user": {"id": "U0LAND0001"}, "trigger_id": "123.456.abc",
             "container": {"type": "message", "message_ts": "1651568400.000100",
                           "channel_id": "D0LAND0001", "is_ephemeral": False},
             "channel": {"id": "D0LAND0001", "name": "directmessage"},
             "message": {"ts": "1651568400.000100", "text": "Please update R3.2"},
             "actions": [{"action_id": "ncpi_on_track", "block_id": "b1", "value": "R3.2",
                          "type": "button", "action_ts": "1651568500.1"}]}
    click = parse_button(in_dm)
    assert (click.user, click.action_id, click.value, click.channel, click.message_ts, click.in_home) == (
        "U0LAND0001", "ncpi_on_track", "R3.2", "D0LAND0001", "1651568400.000100", False)
    in_home = {"type": "block_actions", "user": {"id": "U0LAND0001"}, "trigger_id": "1.2.3",
               "container": {"type": "view", "view_id": "V0HOME"}, "view": {"id": "V0HOME", "type": "home"},
               "actions": [{"action_id": "ncpi_update_open", "value": "R3.2", "type": "button"}]}
    click = parse_button(in_home)
    assert click.in_home and click.channel is None


def test_the_manifest_is_one_paste() -> None:
    manifest = yaml.safe_load((ROOT / "config" / "slack_manifest.yaml").read_text())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert set(REQUIRED_SCOPES) <= scopes
    assert {"im:history", "im:write", "chat:write", "commands"} <= scopes
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/ncpi"]
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {"message.im", "app_home_opened"}
    assert settings["interactivity"]["is_enabled"] and settings["socket_mode_enabled"]
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] and home["messages_tab_enabled"]
    assert not home["messages_tab_read_only_enabled"]
    json.dumps(manifest)  # Slack also accepts it as JSON
