"""Workflows over real HTTP against the Slack stand-in: closure by commands and by buttons,
due-date changes, absences, history, refusals and the personal-data guard."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.slack.sender import AMBIGUOUS_TRIES, DeliverySender
from bot.standin import Message
from ncpi_core.domain.models import ActionStatus
from ncpi_core.usecases.absences import absences_on
from ncpi_core.usecases.ledger import run_tick
from tests.slack.conftest import (
    ADMIN,
    COMMS,
    GOLD_CHAIR,
    LD_LEAD,
    SAFEGUARDING,
    SILVER_CHAIR,
    BotHarness,
    wait_for,
)

CRIME = "U0CRIME001"


def said(messages: list[Message]) -> str:
    return "\n".join(m.text + json.dumps(m.blocks) for m in messages)


def status(bot: BotHarness, action_id: str) -> ActionStatus:
    with bot.core.uow() as uow:
        action = uow.plan.action(action_id)
    assert action is not None
    return action.status


def dms_with_button(bot: BotHarness, user: str, action_id: str) -> list[Message]:
    return [m for m in bot.slack.messages(user) if action_id in json.dumps(m.blocks)]


def answer(bot: BotHarness, user: str, text: str, count: int) -> Message:
    """Send `/ncpi <text>` and return the `count`-th response-URL answer."""
    r = bot.command(user, text)
    assert r.status == 200 and r.elapsed < 3
    reply = bot.wait_response(count)
    assert reply.response_type == "ephemeral"
    return reply


def modal_values(block_id: str, value: str) -> dict[str, dict[str, dict[str, Any]]]:
    return {block_id: {block_id: {"type": "plain_text_input", "value": value}}}


@pytest.mark.parametrize("bot_db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_closure_by_slash_commands(bot: BotHarness) -> None:
    reply = answer(bot, LD_LEAD, "complete R3.2 <https://intranet/policy/123>", 1)
    assert "proposed complete" in reply.text
    assert status(bot, "R3.2") == ActionStatus.PROPOSED
    review = wait_for(lambda: dms_with_button(bot, SILVER_CHAIR, "ncpi_closure_approve"), what="Silver's DM")[0]
    assert "https://intranet/policy/123" in said([review])

    reply = answer(bot, SILVER_CHAIR, "approve R3.2", 2)
    assert "accepted" in reply.text
    wait_for(lambda: dms_with_button(bot, GOLD_CHAIR, "ncpi_signoff"), what="Gold's DM")

    bot.clock.advance(days=3)
    reply = answer(bot, GOLD_CHAIR, "signoff R3.2", 3)
    assert "signed off and closed" in reply.text
    assert status(bot, "R3.2") == ActionStatus.CLOSED
    latest = bot.updates("R3.2")[0]
    assert latest.rag.value == "blue" and latest.evidence == "https://intranet/policy/123"

    reply = answer(bot, SILVER_CHAIR, "history R3.2", 4)
    shown = said([reply])
    for step in ("proposed complete", "accepted by Silver", "signed off by Gold"):
        assert step in shown
    for name in ("Head of Learning", "T/ACC", "Deputy Chief Constable", "03 May 2022", "06 May 2022"):
        assert name in shown
    # the owner heard about acceptance and sign-off
    wait_for(lambda: len(bot.slack.messages(LD_LEAD)) >= 2, what="the owner's DMs")


def test_closure_by_buttons_and_modals(bot: BotHarness) -> None:
    prompt = bot.post_prompt(LD_LEAD, "R3.2")
    r = bot.click(LD_LEAD, "ncpi_propose_complete", "R3.2", prompt)
    assert r.status == 200 and r.elapsed < 1
    opened = wait_for(lambda: bot.slack.views, what="views.open")[-1].view
    assert opened["callback_id"] == "ncpi_complete_modal"
    meta = opened["private_metadata"]

    # personal data in the evidence: refused inside the modal, without echoing it, nothing stored
    r = bot.sender.view_submission(LD_LEAD, "ncpi_complete_modal",
                                   modal_values("evidence", "see crime ref 12/34567/22"), meta, "V0COMPL001")
    body = r.json()
    assert body["response_action"] == "errors" and "crime or incident reference" in body["errors"]["evidence"]
    assert "12/34567" not in json.dumps(body)
    assert status(bot, "R3.2") == ActionStatus.OPEN

    r = bot.sender.view_submission(LD_LEAD, "ncpi_complete_modal",
                                   modal_values("evidence", "https://intranet/ld/register"), meta, "V0COMPL001")
    assert r.status == 200 and r.body == ""
    assert status(bot, "R3.2") == ActionStatus.PROPOSED
    wait_for(lambda: [m for m in bot.slack.messages(LD_LEAD) if m.thread_ts == prompt.ts],
             what="confirmation in the prompt's thread")

    review = wait_for(lambda: dms_with_button(bot, SILVER_CHAIR, "ncpi_closure_reject"), what="Silver's DM")[0]
    bot.click(SILVER_CHAIR, "ncpi_closure_reject", "R3.2", review)
    reject_view = wait_for(lambda: [v for v in bot.slack.views if v.view.get("callback_id") == "ncpi_reject_modal"],
                           what="the reject modal")[0].view
    r = bot.sender.view_submission(SILVER_CHAIR, "ncpi_reject_modal", modal_values("reason", ""),
                                   reject_view["private_metadata"], "V0REJECT01")
    assert r.json()["response_action"] == "errors" and "reason is missing" in r.json()["errors"]["reason"]
    r = bot.sender.view_submission(SILVER_CHAIR, "ncpi_reject_modal",
                                   modal_values("reason", "register shows 40% trained"),
                                   reject_view["private_metadata"], "V0REJECT01")
    assert r.status == 200 and r.body == ""
    assert status(bot, "R3.2") == ActionStatus.OPEN
    wait_for(lambda: "register shows 40% trained" in said(bot.slack.messages(LD_LEAD)), what="the reason")

    # proposed again, approved and signed off by buttons
    bot.command(LD_LEAD, "complete R3.2 register now shows 95% trained")
    wait_for(lambda: len(dms_with_button(bot, SILVER_CHAIR, "ncpi_closure_approve")) >= 2, what="second review")
    review = dms_with_button(bot, SILVER_CHAIR, "ncpi_closure_approve")[-1]
    bot.click(SILVER_CHAIR, "ncpi_closure_approve", "R3.2", review)
    wait_for(lambda: status(bot, "R3.2") == ActionStatus.ACCEPTED, what="acceptance")
    # the buttons are replaced by the decision, so nobody can decide twice from that message
    wait_for(lambda: "ncpi_closure_approve" not in json.dumps(
        bot.slack.workspace.find_message(review.channel, review.ts).blocks), what="buttons replaced")
    gold = wait_for(lambda: dms_with_button(bot, GOLD_CHAIR, "ncpi_signoff"), what="Gold's DM")[0]
    bot.click(GOLD_CHAIR, "ncpi_signoff", "R3.2", gold)
    wait_for(lambda: status(bot, "R3.2") == ActionStatus.CLOSED, what="sign-off")
    # a second click on the old Silver button is refused politely
    bot.click(SILVER_CHAIR, "ncpi_closure_approve", "R3.2", review)
    refusal = wait_for(lambda: [m for m in bot.slack.responses if "already closed" in m.text],
                       what="the refusal")[0]
    assert refusal.response_type == "ephemeral"


def test_out_of_order_and_wrong_people_are_refused(bot: BotHarness) -> None:
    cases = [
        (SILVER_CHAIR, "approve R3.2", "nobody has proposed it complete"),
        (GOLD_CHAIR, "signoff R3.2", "nobody has proposed it complete"),
        (COMMS, "complete R3.2 done", "cannot propose complete R3.2"),
        (LD_LEAD, "approve R3.2", "only the silver chair"),
        (LD_LEAD, "complete R3.2", "Something is missing from `/ncpi complete`"),
        (LD_LEAD, "due R3.2 2022-05-01 late", "not in the future"),
        (LD_LEAD, "due R3.2 next-month late", "not a date I can read"),
        (LD_LEAD, "away 2022-05-10 2022-05-12 <@U0NOBODY99|ghost>", "not one of the people"),
        (LD_LEAD, "history R99", "no action 'R99'"),
    ]
    for i, (user, text, expected) in enumerate(cases, start=1):
        reply = answer(bot, user, text, i)
        assert expected.lower() in reply.text.lower(), (text, reply.text)
    assert status(bot, "R3.2") == ActionStatus.OPEN
    with bot.core.uow() as uow:
        action = uow.plan.action("R3.2")
    assert action is not None and action.due.isoformat() == "2022-06-30"


def test_due_change_shows_both_dates(bot: BotHarness) -> None:
    reply = answer(bot, LD_LEAD, "due R3.2 2022-07-31 training slots delayed to June", 1)
    assert "2022-07-31" in reply.text
    review = wait_for(lambda: dms_with_button(bot, SILVER_CHAIR, "ncpi_due_approve"), what="Silver's DM")[0]
    bot.click(SILVER_CHAIR, "ncpi_due_approve", "R3.2", review)
    wait_for(lambda: "2022-07-31" in said(bot.slack.messages(LD_LEAD)), what="the owner told")
    with bot.core.uow() as uow:
        action = uow.plan.action("R3.2")
    assert action is not None
    assert (action.due.isoformat(), action.original_due.isoformat()) == ("2022-07-31", "2022-06-30")
    reply = answer(bot, LD_LEAD, "history R3.2", 3)
    shown = said([reply])
    assert "due 2022-07-31 (originally 2022-06-30)" in shown
    assert "training slots delayed to June" in shown


def test_away_with_a_deputy_and_back(bot: BotHarness) -> None:
    reply = answer(bot, LD_LEAD, "away 2022-05-09 2022-05-20 <@U0CRIME001|head_crime>", 1)
    assert "Head of Crime will get the prompts for R3.2" in reply.text
    wait_for(lambda: "away from 2022-05-09 to 2022-05-20" in said(bot.slack.messages(CRIME)),
             what="the deputy told")
    assert absences_on(bot.core.uow, bot.core.today().replace(day=10)) == {"head_ld": "head_crime"}
    reply = answer(bot, LD_LEAD, "back", 2)
    assert "Welcome back" in reply.text
    assert absences_on(bot.core.uow, bot.core.today().replace(day=10)) == {}


def test_a_narrative_with_a_date_of_birth_is_refused_and_not_stored(bot: BotHarness) -> None:
    bot.dm(SAFEGUARDING, "R2.1 amber 40% the child DOB 12/03/2015 was reviewed")
    refusal = wait_for(lambda: [m for m in bot.slack.timeline() if "date of birth" in m.text],
                       what="the refusal")[0]
    assert "12/03/2015" not in said([refusal])
    assert bot.updates("R2.1") == []
    # and in a reason, through a slash command
    bot.command(LD_LEAD, "complete R3.2 report")
    wait_for(lambda: status(bot, "R3.2") == ActionStatus.PROPOSED, what="proposal")
    bot.command(SILVER_CHAIR, "reject R3.2 victim Jane Smith not seen")
    reply = wait_for(lambda: [m for m in bot.slack.responses if "child's name" in m.text], what="refusal")[0]
    assert "Jane" not in said([reply])
    assert status(bot, "R3.2") == ActionStatus.PROPOSED


def test_escaped_everywhere(bot: BotHarness) -> None:
    answer(bot, LD_LEAD, "complete R3.2 <!channel> see &lt;the register&gt;", 1)
    review = wait_for(lambda: dms_with_button(bot, SILVER_CHAIR, "ncpi_closure_approve"), what="Silver's DM")[0]
    assert "<!channel>" not in said([review])  # the harness also checks no broadcast at teardown


def test_help_lists_the_workflow_commands(bot: BotHarness) -> None:
    reply = answer(bot, ADMIN, "help", 1)
    shown = said([reply])
    for word in ("complete R3.2", "approve R3.2", "signoff R3.2", "due R3.2", "away YYYY-MM-DD", "history R3.2"):
        assert word in shown


def test_refusals_echoing_what_was_typed_ping_no_one(bot: BotHarness) -> None:
    for i, text in enumerate(["history <!channel>", "complete <!here> done", "due R3.2 <!channel> late"],
                             start=1):
        answer(bot, LD_LEAD, text, i)
    # the harness asserts at teardown that nothing the bot said would ping a channel


def test_a_notice_slack_would_not_take_now_is_said_and_sent_by_the_next_tick(bot: BotHarness) -> None:
    # the step is committed with its notice in the ledger: a failed post loses nothing
    bot.slack.fail_next("chat.postMessage", status=503, count=AMBIGUOUS_TRIES)  # each try, and it gives up
    reply = answer(bot, LD_LEAD, "complete R3.2 https://intranet/policy/123", 1)
    assert "R3.2 is proposed complete" in reply.text
    assert "(I could not reach T/ACC by DM just now; please tell them.)" in reply.text
    assert status(bot, "R3.2") == ActionStatus.PROPOSED
    assert dms_with_button(bot, SILVER_CHAIR, "ncpi_closure_approve") == []
    bot.clock.advance(minutes=5)
    run_tick(bot.core.uow, bot.core.config, DeliverySender(bot.gateway, bot.core.config), bot.clock())
    [review] = wait_for(lambda: dms_with_button(bot, SILVER_CHAIR, "ncpi_closure_approve"), what="the notice")
    assert "https://intranet/policy/123" in said([review])
