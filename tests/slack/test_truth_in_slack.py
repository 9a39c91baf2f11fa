"""Issue 16 over real HTTP against the Slack stand-in: the Silver summary's Challenge… button (a
real Bolt action: acked at once, refused early, a form refused on its field), the challenge DM
answered in its thread like a prompt, `/ncpi decision|embed|challenge`, and the plan's clocks in
`/ncpi next`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.slack.blocks.governance import CHALLENGE_MODAL, QUESTION_BLOCK
from bot.slack.blocks.summary import CHALLENGE_OPEN
from bot.standin import Message
from tests.slack.conftest import (
    ADMIN,
    GOLD_CHAIR,
    LD_LEAD,
    SAFEGUARDING,
    SILVER_CHAIR,
    BotHarness,
    wait_for,
)


def said(messages: list[Message]) -> str:
    return "\n".join(m.text + json.dumps(m.blocks) for m in messages)


def challenge_buttons(message: Message) -> dict[str, dict[str, Any]]:
    """Action id -> the section carrying its Challenge… button."""
    return {b["accessory"]["value"]: b for b in message.blocks or []
            if b.get("type") == "section" and (b.get("accessory") or {}).get("action_id") == CHALLENGE_OPEN}


def question(text: str) -> dict[str, dict[str, dict[str, Any]]]:
    return {QUESTION_BLOCK: {QUESTION_BLOCK: {"type": "plain_text_input", "value": text}}}


def open_challenges(bot: BotHarness) -> list[Any]:
    with bot.core.uow() as uow:
        return uow.challenges.open()


@pytest.mark.parametrize("bot_db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_the_summary_button_challenges_an_update_answered_in_its_thread(bot: BotHarness) -> None:
    r = bot.command(SILVER_CHAIR, "summary silver R2")
    assert r.status == 200 and r.elapsed < 3
    summary = bot.wait_response()
    buttons = challenge_buttons(summary)
    assert set(buttons) == {"R2.1", "R2.2", "R2.3"}  # every open action's line carries one
    assert buttons["R2.2"]["accessory"]["text"]["text"] == "Challenge…"

    click = bot.click(SILVER_CHAIR, CHALLENGE_OPEN, "R2.2", summary)
    assert click.status == 200 and click.elapsed < 3  # acked before any work
    view = wait_for(lambda: [v for v in bot.slack.views if v.view.get("callback_id") == CHALLENGE_MODAL],
                    what="the challenge form")[0]
    meta = view.view["private_metadata"]
    assert json.loads(meta.rpartition(".")[0]) == {"action_id": "R2.2", "by": SILVER_CHAIR}  # sealed for the chair

    # personal data is refused inside the form, on its field; nothing is stored
    refused = bot.sender.view_submission(SILVER_CHAIR, CHALLENGE_MODAL, question("Did they see Jane Smith, DOB "
                                                                                 "03/04/2015?"), meta, view.id)
    body = refused.json()
    assert body["response_action"] == "errors" and "date of birth" in body["errors"][QUESTION_BLOCK]
    assert open_challenges(bot) == []

    done = bot.sender.view_submission(SILVER_CHAIR, CHALLENGE_MODAL,
                                      question("What shows supervisors review every episode?"), meta, view.id)
    assert done.status == 200 and not done.body.strip() and done.elapsed < 3
    [c] = open_challenges(bot)
    assert (c.action_id, c.asked_by) == ("R2.2", "tacc")
    dm = wait_for(lambda: [m for m in bot.slack.messages(SAFEGUARDING) if "Challenge: R2.2" in said([m])],
                  what="the challenge in the owner's DM")[0]
    assert "What shows supervisors review every episode?" in said([dm])
    assert (dm.metadata or {})["event_payload"]["key"] == f"challenge:{c.id}:head_safeguarding"
    told = wait_for(lambda: [m for m in bot.slack.messages(SILVER_CHAIR) if "Asked Head of Safeguarding" in m.text],
                    what="the chair's confirmation")
    assert told

    # the owner answers in the challenge's thread, like a prompt
    bot.dm(SAFEGUARDING, "green 40% dip-sample of 40 episodes: 38 reviewed by a supervisor", thread_ts=dm.ts)
    wait_for(lambda: not open_challenges(bot), what="the challenge to be answered")
    assert bot.updates("R2.2")[0].narrative == "dip-sample of 40 episodes: 38 reviewed by a supervisor"
    answer = wait_for(lambda: [m for m in bot.slack.messages(SILVER_CHAIR) if "answered your challenge" in m.text],
                      what="the chair told of the answer")[0]
    assert "38 reviewed by a supervisor" in said([answer])
    # and the summary no longer shows it
    bot.command(SILVER_CHAIR, "summary silver R2")
    assert "Challenged by" not in said([bot.wait_response(2)])


def test_only_the_silver_chair_may_challenge_and_is_told_before_any_form(bot: BotHarness) -> None:
    bot.command(ADMIN, "summary silver R3")
    summary = bot.wait_response()
    click = bot.click(LD_LEAD, CHALLENGE_OPEN, "R3.2", summary)
    assert click.status == 200 and click.elapsed < 3
    refusal = bot.wait_response(2)
    assert refusal.response_type == "ephemeral" and "only the silver chair can challenge an update" in refusal.text
    assert "Ask T/ACC" in refusal.text
    bot.settle(0.2)
    assert not [v for v in bot.slack.views if v.view.get("callback_id") == CHALLENGE_MODAL]
    assert open_challenges(bot) == []


def test_gold_decision_and_embedding_by_slash_command(bot: BotHarness) -> None:
    bot.command(SILVER_CHAIR, "decision R1 accept revised dates because partners consulted")
    assert "only the gold chair or admin can record a Gold decision" in bot.wait_response(1).text
    bot.command(GOLD_CHAIR, "decision R1 accept revised dates to 30 June because partner consultation slipped",
                channel="C0GOLD0001")
    reply = bot.wait_response(2)
    assert "Recorded Gold's decision on R1: accept revised dates to 30 June" in reply.text
    assert "(R1 missed its deadline)" in reply.text  # the bot's clock is 3 May 2022: R1 was due 29 March
    with bot.core.uow() as uow:
        [d] = uow.decisions.all()
    assert (d.subject, d.decision, d.rationale, d.decided_by) == (
        "R1", "accept revised dates to 30 June", "partner consultation slipped", "dcc")
    bot.command(GOLD_CHAIR, "decision R1 accept revised dates", channel="C0GOLD0001")
    assert "The rationale is missing" in bot.wait_response(3).text
    bot.command(SILVER_CHAIR, "embed R4.1 re-audit of 50 cases")
    assert "Cannot record it as embedded: R4.1 is open" in bot.wait_response(4).text
    bot.command(SILVER_CHAIR, "challenge R3.2 is the training evaluated?")
    assert "Asked Head of Learning & Development about R3.2" in bot.wait_response(5).text.replace("&amp;", "&")
    bot.command(SILVER_CHAIR, "help")
    help_text = said([bot.wait_response(6)])
    for word in ("challenge R3.2", "embed R3.2", "decision R7"):
        assert word in help_text


def test_next_shows_the_plans_clocks(bot: BotHarness) -> None:
    bot.command(SILVER_CHAIR, "next")
    text = said([bot.wait_response()])
    # the bot's clock is 3 May 2022: the report was published 29 March
    assert "six-week date for the action plan: Tue 10 May 2022 (in 7 days" in text
    assert "56-day response (s55 Police Act 1996): Tue 24 May 2022" in text
    assert "reminder to the Gold chair and administrators: Tue 03 May 09:00" in text
