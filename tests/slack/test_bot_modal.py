"""The update modal and the prompt buttons over real HTTP: validation inside the modal, confirmations."""

from __future__ import annotations

import json

from ncpi_core.domain.models import RAG, Source
from tests.slack.conftest import COMMS, LD_LEAD, SAFEGUARDING, BotHarness, wait_for


def thread_replies(bot: BotHarness, user: str, ts: str) -> list:  # type: ignore[type-arg]
    return [m for m in bot.slack.messages(user) if m.is_thread_reply and m.thread_ts == ts]


def test_the_modal_opened_from_a_prompt_records_and_confirms_in_its_thread(bot: BotHarness) -> None:
    prompt = bot.post_prompt(LD_LEAD, "R3.2")
    r = bot.click(LD_LEAD, "ncpi_update_open", "R3.2", prompt)
    assert r.status == 200 and r.elapsed < 1
    opened = wait_for(lambda: bot.slack.views, what="views.open")[0].view
    meta = bot.seal.open(opened["private_metadata"], LD_LEAD)  # sealed for the person it was opened for
    assert meta == {"action_id": "R3.2", "channel": prompt.channel, "thread_ts": prompt.ts}
    assert [b.get("block_id") for b in opened["blocks"] if b["type"] == "input"] == [
        "rag", "progress", "narrative", "blockers", "evidence"]

    answer = bot.submit_update(LD_LEAD, meta, rag="amber", progress="60",
                               narrative="Training slots delayed to June", blockers="Venue",
                               evidence="https://intranet.example/ld/plan")
    assert answer.status == 200 and answer.body == ""  # closes the modal
    [update] = bot.updates("R3.2")
    assert (update.rag, update.progress, update.source) == (RAG.AMBER, 60, Source.MODAL)
    assert (update.blockers, update.evidence) == ("Venue", "https://intranet.example/ld/plan")
    confirmation = wait_for(lambda: thread_replies(bot, LD_LEAD, prompt.ts), what="confirmation")[0]
    shown = json.dumps(confirmation.blocks)
    assert "Training slots delayed to June" in shown and "Venue" in shown


def test_validation_errors_come_back_inside_the_modal(bot: BotHarness) -> None:
    answer = bot.submit_update(LD_LEAD, {"action_id": "R3.2"}, rag=None, progress="150")
    assert answer.status == 200
    body = answer.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"rag", "progress"}
    assert "0 to 100" in body["errors"]["progress"]
    assert bot.updates("R3.2") == []


def test_personal_data_is_refused_on_its_field_without_echoing_it(bot: BotHarness) -> None:
    answer = bot.submit_update(LD_LEAD, {"action_id": "R3.2"},
                               narrative="Briefings done", blockers="call her on 07700 900123")
    body = answer.json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == ["blockers"]
    assert "phone number" in body["errors"]["blockers"]
    assert "07700" not in json.dumps(body)
    assert bot.updates("R3.2") == []


def test_a_refusal_in_the_modal_says_who_can(bot: BotHarness) -> None:
    body = bot.submit_update(COMMS, {"action_id": "R3.2"}).json()
    assert body["response_action"] == "errors"
    assert "Only its owner" in body["errors"]["rag"]


def test_the_same_submission_twice_stores_once(bot: BotHarness) -> None:
    for _ in range(2):
        bot.submit_update(LD_LEAD, {"action_id": "R3.2"}, view_id="V0SAME0001")
    wait_for(lambda: bot.slack.messages(LD_LEAD), what="the DM confirmation")
    bot.settle(0.3)
    assert len(bot.updates("R3.2")) == 1
    assert len(bot.slack.messages(LD_LEAD)) == 1  # no channel in the metadata: confirmed by DM


def test_on_track_records_green_keeping_the_last_progress(bot: BotHarness) -> None:
    bot.dm(SAFEGUARDING, "R2.1 amber 45% new form drafted")
    wait_for(lambda: bot.updates("R2.1"), what="the first update")
    prompt = bot.post_prompt(SAFEGUARDING, "R2.1")
    bot.clock.advance(days=1)
    r = bot.click(SAFEGUARDING, "ncpi_on_track", "R2.1", prompt)
    assert r.status == 200 and r.elapsed < 1
    confirmation = wait_for(lambda: thread_replies(bot, SAFEGUARDING, prompt.ts), what="confirmation")[0]
    assert "Green" in json.dumps(confirmation.blocks)
    latest = bot.updates("R2.1")[0]
    assert (latest.rag, latest.progress, latest.source) == (RAG.GREEN, 45, Source.BUTTON)

    bot.click(SAFEGUARDING, "ncpi_on_track", "R2.1", prompt)  # a double click
    already = bot.wait_response()
    assert "Already recorded" in already.text
    assert len(bot.updates("R2.1")) == 2


def test_on_track_by_someone_else_is_refused(bot: BotHarness) -> None:
    prompt = bot.post_prompt(SAFEGUARDING, "R2.1")
    bot.click(COMMS, "ncpi_on_track", "R2.1", prompt)
    reply = bot.wait_response()
    assert "Sorry, you cannot update R2.1" in reply.text
    assert bot.updates("R2.1") == []


def test_the_update_button_in_app_home_confirms_by_dm(bot: BotHarness) -> None:
    home = {"id": "V0HOME0001", "type": "home", "blocks": []}
    bot.click(LD_LEAD, "ncpi_update_open", "R3.2", view=home)
    opened = wait_for(lambda: bot.slack.views, what="views.open")[0].view
    assert bot.seal.open(opened["private_metadata"], LD_LEAD) == {"action_id": "R3.2"}
