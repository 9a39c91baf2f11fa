"""Modal errors name fields that exist in that modal; anything else is a plain message to the person.

Slack refuses a `response_action: errors` naming a block the view does not have and shows its own
"trouble connecting" instead, so the person never reads what the bot said.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot import copy
from bot.slack.blocks import workflow as bw
from ncpi_core.usecases import closure
from tests.slack.conftest import LD_LEAD, SILVER_CHAIR, BotHarness, wait_for

FORMS = {  # callback id -> (state.values of a filled-in form, the use case it calls)
    bw.COMPLETE_MODAL: ({"evidence": {"evidence": {"type": "plain_text_input", "value": "https://x.example/done"}}},
                        "propose_complete", LD_LEAD, {"action_id": "R3.2"}),
    bw.REJECT_MODAL: ({"reason": {"reason": {"type": "plain_text_input", "value": "Not yet evidenced"}}},
                      "reject", SILVER_CHAIR, {"action_id": "R3.2", "kind": "closure"}),
}


def broken(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("a bug the form cannot help with")


@pytest.mark.parametrize("callback_id", list(FORMS))
def test_an_unexpected_error_in_a_workflow_form_is_said_plainly(bot: BotHarness, monkeypatch: pytest.MonkeyPatch,
                                                                callback_id: str) -> None:
    state, use_case, user, meta = FORMS[callback_id]
    monkeypatch.setattr(closure, use_case, broken)
    sent = bot.sender.view_submission(user, callback_id, state, bot.seal.seal(meta, user))
    assert sent.status == 200
    assert sent.refused is None, sent.refused  # main answered errors on "rag", which these forms lack
    assert sent.body == ""  # the form closes...
    dm = wait_for(lambda: bot.slack.messages(user), what="the plain message")  # ...and the person is told
    assert dm[0].text.startswith("Sorry, something went wrong")


def test_a_refusal_in_a_workflow_form_stays_on_its_field(bot: BotHarness) -> None:
    # Head of Comms does not own R3.2: the refusal is shown in the form, on its one field
    state, _, _, meta = FORMS[bw.COMPLETE_MODAL]
    sent = bot.sender.view_submission("U0COMM0001", bw.COMPLETE_MODAL, state, bot.seal.seal(meta, "U0COMM0001"))
    body = sent.json()
    assert sent.refused is None and body["response_action"] == "errors" and list(body["errors"]) == ["evidence"]


def test_an_unexpected_error_in_the_update_form_is_said_plainly(bot: BotHarness,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.slack.listeners import views

    monkeypatch.setattr(views, "record_update", broken)
    sent = bot.submit_update(LD_LEAD, {"action_id": "R3.2"})
    assert sent.status == 200 and sent.refused is None and sent.body == ""
    dm = wait_for(lambda: bot.slack.messages(LD_LEAD), what="the plain message")
    assert dm[0].text == copy.UNEXPECTED


def test_an_expected_slack_refusal_is_one_log_line_with_its_fix(bot: BotHarness,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    # Slack keeps answering 429 past every retry the client makes: the reply to a DM update fails
    bot.slack.fail_next("chat.postMessage", status=429, retry_after=0, count=50)
    caplog.set_level(logging.INFO)
    bot.dm(LD_LEAD, "R3.2 amber 60% training slots delayed")
    wait_for(lambda: [r for r in caplog.records if "ratelimited" in r.getMessage()], timeout=15,
             what="the log line")
    bot.settle(0.5)
    bot.check_payloads = False
    [record] = [r for r in caplog.records if r.name == "bot.slack.app" and "Slack refused" in r.getMessage()]
    assert record.levelno == logging.WARNING and "slow down" in record.getMessage()
    ours = [r for r in caplog.records if r.name.startswith(("bot", "ncpi"))]
    assert [r.getMessage() for r in ours if r.exc_info] == []  # no traceback anywhere
    assert [u.progress for u in bot.updates("R3.2")] == [60]  # stored; only the answer could not go
