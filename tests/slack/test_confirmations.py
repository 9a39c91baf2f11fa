"""Confirmations reach the person: a click from an ephemeral message, App Home or a modal is
answered by DM, never as a thread reply to a message Slack keeps no copy of."""

from __future__ import annotations

import json

import pytest

from tests.slack.conftest import LD_LEAD, BotHarness, wait_for

ELSEWHERE = "C0ELSEWH01"  # a channel the bot was never invited to


def confirmations(bot: BotHarness, user: str) -> list[str]:
    return [m.text + json.dumps(m.blocks) for m in bot.slack.messages(user) if "Recorded for" in m.text]


def told(bot: BotHarness, user: str) -> str:
    """Everything shown to `user`: responses, ephemerals, DMs."""
    said = [m for m in bot.slack.timeline() if m.to_user == user or m.channel == bot.slack.dm_channel(user)]
    return "\n".join(m.text + json.dumps(m.blocks) for m in said)


@pytest.mark.parametrize("channel", ["C0SILVER01", ELSEWHERE], ids=["a channel the bot is in", "one it is not"])
def test_an_update_from_the_private_my_list_is_confirmed_by_dm(bot: BotHarness, channel: str) -> None:
    bot.slack.workspace.channels[ELSEWHERE] = "random"  # the bot is not a member
    bot.command(LD_LEAD, "my", channel=channel)
    listed = bot.wait_response()
    assert listed.response_type == "ephemeral" and "R3.2" in json.dumps(listed.blocks)
    assert bot.click(LD_LEAD, "ncpi_update_open", "R3.2", listed).status == 200  # shaped as from an ephemeral
    opened = wait_for(lambda: bot.slack.views, what="views.open")[-1].view
    assert "channel" not in (bot.seal.open(opened["private_metadata"], LD_LEAD) or {"channel": "lost"})
    answer = bot.submit_update(LD_LEAD, opened["private_metadata"], rag="amber", progress="65",
                               narrative="Second cohort booked")
    assert answer.status == 200 and answer.body == "" and answer.refused is None
    assert [u.progress for u in bot.updates("R3.2")] == [65]
    [confirmation] = wait_for(lambda: confirmations(bot, LD_LEAD), what="the DM confirmation")
    assert "Second cohort booked" in confirmation
    bot.settle(0.3)
    assert bot.slack.messages(channel) == []  # nothing in the channel, no reply under the ephemeral list
    said = told(bot, LD_LEAD)
    assert "cannot see this channel" not in said and "not a member" not in said and "went wrong" not in said


def test_an_update_from_app_home_is_confirmed_by_dm(bot: BotHarness) -> None:
    home = {"id": "V0HOME0001", "type": "home", "blocks": []}
    assert bot.click(LD_LEAD, "ncpi_update_open", "R3.2", view=home).status == 200
    opened = wait_for(lambda: bot.slack.views, what="views.open")[-1].view
    assert "channel" not in (bot.seal.open(opened["private_metadata"], LD_LEAD) or {"channel": "lost"})
    bot.submit_update(LD_LEAD, opened["private_metadata"])
    wait_for(lambda: confirmations(bot, LD_LEAD), what="the DM confirmation")


def test_propose_complete_from_the_my_list_answers_by_dm(bot: BotHarness) -> None:
    bot.command(LD_LEAD, "my")
    listed = bot.wait_response()
    assert bot.click(LD_LEAD, "ncpi_propose_complete", "R3.2", listed).status == 200
    opened = wait_for(lambda: bot.slack.views, what="views.open")[-1].view
    meta = bot.seal.open(opened["private_metadata"], LD_LEAD)
    assert meta is not None and "channel" not in meta and "thread_ts" not in meta  # the outcome will go by DM
    sent = bot.sender.view_submission(LD_LEAD, opened["callback_id"], {
        "evidence": {"evidence": {"type": "plain_text_input", "value": "https://intranet.example/ld/done"}}},
        opened["private_metadata"])
    assert sent.status == 200 and sent.refused is None
    wait_for(lambda: [m for m in bot.slack.messages(LD_LEAD) if "R3.2" in m.text + json.dumps(m.blocks)],
             what="the outcome by DM")
    assert bot.slack.messages("C0SILVER01") == []


def test_someone_not_in_the_plan_who_dms_the_bot_is_answered(bot: BotHarness) -> None:
    # a member of the workspace whom neither ncpi.yaml nor the test set up: Slack lets them DM the app
    newcomer = "U0NEWSTAFF"
    assert bot.sender.message_im(newcomer, "R3.2 green 100% done", "D0NEWSTAFF", ts="1651570000.000100").status == 200
    [answer] = wait_for(lambda: [m for m in bot.slack.messages("D0NEWSTAFF") if m.user != newcomer],
                        what="the answer in the newcomer's DM")
    assert "not in this plan's list of people" in answer.text + json.dumps(answer.blocks)
    assert bot.updates("R3.2") == [] and bot.slack.invalid_payloads == []
