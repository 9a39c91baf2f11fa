"""Issue 17 in Slack: `/ncpi assurance` by the PCC's office, `/ncpi inspectorate` by an administrator,
an observer who reads the Gold summary but is refused every step politely, and `/ncpi help`."""

from __future__ import annotations

import json

from bot.standin import Message
from tests.slack.conftest import ADMIN, GOLD_CHAIR, BotHarness

PCC = "U0OPFCC001"
OBSERVER = "U0HMIC0001"


def said(messages: list[Message]) -> str:
    return "\n".join(m.text + json.dumps(m.blocks) for m in messages)


def test_the_pcc_rates_and_the_admin_records_the_inspectorate_shown_in_the_gold_summary(bot: BotHarness) -> None:
    bot.command(PCC, "assurance R4 fully-sort-of good")
    reply = bot.wait_response(1).text
    assert "is not an assurance rating" in reply and "assured, partly, not" in reply
    bot.command(PCC, "assurance R4 partly custody audit <!channel> still to come")
    assert "Recorded the PCC's assurance of R4: partly assured" in bot.wait_response(2).text
    bot.command(GOLD_CHAIR, "assurance R4 assured all good")
    assert "only the pcc can rate a recommendation's assurance" in bot.wait_response(3).text
    bot.command(ADMIN, "inspectorate R4 being progressed 2022-04-30 letter from the inspectorate")
    assert "Recorded the inspectorate's status of R4: being progressed on 2022-04-30" in bot.wait_response(4).text
    bot.command(ADMIN, "inspectorate R4 finished")
    assert "not one of the inspectorate's statuses" in bot.wait_response(5).text
    with bot.core.uow() as uow:
        [rating] = uow.assurances.all()
        [status] = uow.inspectorate.all()
    assert (rating.rating.value, rating.rated_by, rating.source) == ("partly", "opfcc", "slash")
    assert status.status_on.isoformat() == "2022-04-30" and status.note == "letter from the inspectorate"
    bot.command(OBSERVER, "summary gold")
    summary = said([bot.wait_response(6)])
    assert "PCC's assurance: partly assured" in summary
    assert "Inspectorate: being progressed since 2022-04-30" in summary
    assert "<!channel>" not in summary and "&lt;!channel&gt;" in summary  # the comment pings no one


def test_an_observer_is_refused_every_step_and_told_what_they_can_do(bot: BotHarness) -> None:
    bot.command(OBSERVER, "approve R3.2")
    reply = bot.wait_response(1).text
    assert reply.startswith("Sorry, as an observer you cannot accept a closure") and "/ncpi summary gold" in reply
    bot.command(OBSERVER, "complete R3.2 https://intranet/x")
    assert "as an observer you cannot propose an action complete" in bot.wait_response(2).text
    bot.command(OBSERVER, "next")
    assert "Next meetings" in said([bot.wait_response(3)])
    bot.command(OBSERVER, "help")
    help_text = said([bot.wait_response(4)])
    assert "assurance R4 assured|partly|not" in help_text and "inspectorate R4" in help_text


def test_a_summary_narrowed_to_a_report_the_plan_does_not_hold_says_so(bot: BotHarness) -> None:
    bot.command(OBSERVER, "summary gold report=VSA")
    assert "There is no report 'VSA' in the plan. This plan holds one report" in bot.wait_response(1).text
    bot.command(OBSERVER, "summary gold type=recommendation")
    assert "showing only recommendation" in said([bot.wait_response(2)])
