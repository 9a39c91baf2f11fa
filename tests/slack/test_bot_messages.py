"""Plain-text updates by DM and in a prompt's thread, re-deliveries, refusals, over real HTTP."""

from __future__ import annotations

import json

import pytest

from ncpi_core.domain.models import RAG, Source
from tests.slack.conftest import (
    COMMS,
    LD_LEAD,
    SAFEGUARDING,
    SILVER_CHAIR,
    STRANGER,
    BotHarness,
    wait_for,
)


def test_a_bronze_leads_dm_is_an_update_that_appears_in_the_next_summary(bot: BotHarness) -> None:
    r = bot.dm(LD_LEAD, "R3.2 amber 60% training slots delayed to June")
    assert r.status == 200 and r.elapsed < 1
    confirmation = bot.wait_messages(LD_LEAD)[0]
    assert "Recorded for *R3.2" in json.dumps(confirmation.blocks)
    assert "Amber" in json.dumps(confirmation.blocks) and "60 %" in json.dumps(confirmation.blocks)
    assert confirmation.thread_ts is not None  # confirmed in the thread of the person's message
    [update] = bot.updates("R3.2")
    assert (update.rag, update.progress, update.source) == (RAG.AMBER, 60, Source.DM)
    assert update.narrative == "training slots delayed to June"
    assert update.author == "head_ld"

    bot.clock.advance(minutes=5)
    bot.command(SILVER_CHAIR, "summary")
    bot.wait_response()
    bot.settle()
    shown = "\n".join(m.text + json.dumps(m.blocks) for m in bot.slack.responses)
    assert "training slots delayed to June" in shown


@pytest.mark.parametrize("bot_db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_a_retried_event_changes_nothing_and_confirms_once(bot: BotHarness) -> None:
    channel = bot.slack.dm_channel(LD_LEAD)
    ts = bot.slack.add_user_message(channel, LD_LEAD, "R3.2 green 70% on plan")
    first = bot.sender.message_im(LD_LEAD, "R3.2 green 70% on plan", channel, ts=ts,
                                  client_msg_id="c1", event_id="Ev0RETRY01")
    bot.wait_messages(LD_LEAD)
    again = [bot.sender.message_im(LD_LEAD, "R3.2 green 70% on plan", channel, ts=ts,
                                   client_msg_id="c1", event_id="Ev0RETRY01", retry_num=n)
             for n in (1, 2)]
    bot.settle(0.5)
    assert [r.status for r in (first, *again)] == [200, 200, 200]
    assert len(bot.updates("R3.2")) == 1
    assert len(bot.slack.messages(LD_LEAD)) == 1


@pytest.mark.parametrize("bot_db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_a_retry_that_overtakes_the_first_delivery_still_stores_once(bot: BotHarness) -> None:
    channel = bot.slack.dm_channel(LD_LEAD)
    ts = bot.slack.add_user_message(channel, LD_LEAD, "R3.2 red stuck")
    for n in (None, 1, 2, 3):  # back to back: the listeners race each other
        bot.sender.message_im(LD_LEAD, "R3.2 red stuck", channel, ts=ts, event_id="Ev0RACE001",
                              retry_num=n)
    bot.wait_messages(LD_LEAD)
    bot.settle(0.5)
    assert len(bot.updates("R3.2")) == 1
    assert len(bot.slack.messages(LD_LEAD)) == 1


def test_a_reply_in_a_prompts_thread_updates_that_action_without_its_id(bot: BotHarness) -> None:
    prompt = bot.post_prompt(SAFEGUARDING, "R2.2")
    bot.dm(SAFEGUARDING, "at risk 40% waiting for the partners' sign-off", thread_ts=prompt.ts)
    confirmation = wait_for(lambda: [m for m in bot.slack.messages(SAFEGUARDING)
                                     if m.is_thread_reply and m.thread_ts == prompt.ts], what="a reply in the thread")[0]
    assert "R2.2" in json.dumps(confirmation.blocks)
    [update] = bot.updates("R2.2")
    assert (update.rag, update.progress, update.source) == (RAG.AMBER, 40, Source.THREAD)
    assert update.narrative == "waiting for the partners' sign-off"


def test_in_a_thread_a_different_id_is_honoured(bot: BotHarness) -> None:
    prompt = bot.post_prompt(SAFEGUARDING, "R2.2")
    bot.dm(SAFEGUARDING, "R2.3 green", thread_ts=prompt.ts)
    wait_for(lambda: bot.updates("R2.3"), what="the update")
    assert bot.updates("R2.2") == []


def test_something_unreadable_gets_an_example_that_works(bot: BotHarness) -> None:
    bot.dm(LD_LEAD, "training is going fine")
    answer = bot.wait_messages(LD_LEAD)[0]
    assert "For example" in answer.text and "amber 60%" in answer.text
    assert "`R3.2 amber 60%" in answer.text  # one of the person's own actions
    assert bot.updates("R3.2") == []
    prompt = bot.post_prompt(LD_LEAD, "R3.2")
    bot.dm(LD_LEAD, "going fine", thread_ts=prompt.ts)
    in_thread = wait_for(lambda: [m for m in bot.slack.messages(LD_LEAD)
                                  if m.is_thread_reply and m.thread_ts == prompt.ts], what="an answer in the thread")[0]
    assert "Say how R3.2 is going" in in_thread.text
    assert "`amber 60%" in in_thread.text  # no id needed in a thread


def test_help_by_dm(bot: BotHarness) -> None:
    bot.dm(LD_LEAD, "help")
    answer = bot.wait_messages(LD_LEAD)[0]
    assert "/ncpi my" in json.dumps(answer.blocks)


def test_a_non_owner_is_refused_politely_and_nothing_is_stored(bot: BotHarness) -> None:
    bot.dm(COMMS, "R3.2 green 90% all done")
    answer = bot.wait_messages(COMMS)[0]
    assert answer.text.startswith("Sorry, you cannot update R3.2.")
    assert "owner (Head of Learning &amp; Development)" in answer.text and "administrator" in answer.text
    assert bot.updates("R3.2") == []


def test_a_refusal_is_said_once_even_if_slack_retries(bot: BotHarness) -> None:
    channel = bot.slack.dm_channel(COMMS)
    ts = bot.slack.add_user_message(channel, COMMS, "R3.2 green")
    for n in (None, 1):
        bot.sender.message_im(COMMS, "R3.2 green", channel, ts=ts, event_id="Ev0REFUSE1", retry_num=n)
    bot.wait_messages(COMMS)
    bot.settle(0.5)
    assert len(bot.slack.messages(COMMS)) == 1


def test_a_stranger_gets_nothing_but_a_polite_no(bot: BotHarness) -> None:
    bot.dm(STRANGER, "R3.2 green")
    answer = bot.wait_messages(STRANGER)[0]
    assert "not in this plan's list of people" in answer.text
    assert "R3.2" not in answer.text.replace("R3.2 green", "")
    assert bot.updates("R3.2") == []


def test_a_stranger_is_not_shown_the_plans_ids_by_way_of_an_example(bot: BotHarness) -> None:
    bot.dm(STRANGER, "hello there, how does this work")
    answer = bot.wait_messages(STRANGER)[0]
    assert "not in this plan's list of people" in answer.text
    assert "R1.1" not in answer.text and "For example" not in answer.text


def test_personal_data_by_dm_is_refused_without_repeating_it(bot: BotHarness) -> None:
    bot.dm(LD_LEAD, "R3.2 amber spoke to the girl called Daisy Smith, 07700 900123")
    answer = bot.wait_messages(LD_LEAD)[0]
    assert "Nothing was saved" in answer.text
    assert "Daisy" not in answer.text and "07700" not in answer.text
    assert bot.updates("R3.2") == []


def test_bot_messages_edits_and_other_subtypes_are_ignored(bot: BotHarness) -> None:
    channel = bot.slack.dm_channel(LD_LEAD)
    base = {"type": "message", "channel_type": "im", "channel": channel, "text": "R3.2 green",
            "ts": "1650000100.000100"}
    bot.sender.event({**base, "bot_id": "B0OTHER01", "user": "U0OTHERBOT"})
    bot.sender.event({**base, "subtype": "message_changed", "message": {"text": "R3.2 green"}})
    bot.sender.event({**base, "subtype": "channel_join", "user": LD_LEAD})
    bot.sender.event({**base, "user": LD_LEAD, "edited": {"user": LD_LEAD, "ts": "1650000101.0"}})
    bot.settle(0.5)
    assert bot.updates("R3.2") == []
    assert bot.slack.messages(LD_LEAD) == []


def test_chatter_in_a_channel_is_not_ours(bot: BotHarness) -> None:
    bot.sender.event({"type": "message", "channel_type": "channel", "channel": "C0SILVER01",
                      "user": LD_LEAD, "text": "R3.2 green", "ts": "1650000200.000100"})
    bot.settle(0.5)
    assert bot.updates("R3.2") == []
    assert bot.slack.messages() == []


def test_the_database_down_is_said_plainly(bot: BotHarness) -> None:
    from ncpi_core.storage.engine import build_engine

    bot.core.engine = build_engine("sqlite:////nonexistent-dir/ncpi.db")
    bot.command(LD_LEAD, "my")
    reply = bot.wait_response()
    assert reply.text == "The database is not answering; please try again shortly."


def test_a_refusal_that_repeats_typed_text_pings_no_one(bot: BotHarness) -> None:
    bot.command(SILVER_CHAIR, "update <!channel>")
    answer = bot.wait_response()
    assert "<!channel>" not in answer.text and "&lt;!channel&gt;" in answer.text
