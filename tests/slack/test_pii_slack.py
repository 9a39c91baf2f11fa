"""The personal-data guard over real HTTP: disguised details refused by DM, in a prompt's thread,
in a `supersede` reason and after `away`; each refusal names the kind and how to say it instead,
never the text; nothing stored; nothing of it in any log."""

from __future__ import annotations

import logging

import pytest

from ncpi_core.domain.models import ActionStatus
from ncpi_core.usecases.absences import absences_on
from tests.slack.conftest import LD_LEAD, SAFEGUARDING, SILVER_CHAIR, BotHarness, wait_for

SECRETS = ("Jayden", "Smith", "Jаyden", "2015", "Mary's")


def _never_said(bot: BotHarness, caplog: pytest.LogCaptureFixture) -> None:
    said = "\n".join(m.text for m in bot.slack.timeline()) + "\n".join(m.text for m in bot.slack.responses)
    for secret in SECRETS:
        assert secret not in said.replace("Mary's Law", ""), secret
        assert secret not in caplog.text, f"{secret} was logged"


def test_a_disguised_name_by_dm_is_refused_and_never_logged(bot: BotHarness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    bot.dm(LD_LEAD, "R3.2 amber 60% J\u0430yden Sm\u0456th (14) went missing again")  # Cyrillic а and і
    answer = bot.wait_messages(LD_LEAD)[0]
    assert "Nothing was saved: the narrative looks like it contains a child's name." in answer.text
    assert 'say "the child", "the young person" or "a 12-year-old" instead of a name' in answer.text
    assert bot.updates("R3.2") == []
    _never_said(bot, caplog)


def test_a_date_of_birth_in_words_in_a_prompts_thread(bot: BotHarness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    prompt = bot.post_prompt(SAFEGUARDING, "R2.2")
    bot.dm(SAFEGUARDING, "amber 40% DOB twelfth of March twenty fifteen on the referral", thread_ts=prompt.ts)
    refusal = wait_for(lambda: [m for m in bot.slack.timeline() if "date of birth" in m.text], what="the refusal")[0]
    assert "instead of a date of birth" in refusal.text
    assert bot.updates("R2.2") == []
    _never_said(bot, caplog)


def test_a_school_in_a_supersede_reason(bot: BotHarness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    bot.command(SILVER_CHAIR, "supersede R3.1 replaced after the review at St Mary's Primary")
    reply = wait_for(lambda: [m for m in bot.slack.responses if "school or care home" in m.text], what="refusal")[0]
    assert "Nothing was saved: the reason looks like it contains the name of a school or care home." in reply.text
    with bot.core.uow() as uow:
        action = uow.plan.action("R3.1")
    assert action is not None and action.status == ActionStatus.OPEN
    _never_said(bot, caplog)


def test_a_name_typed_after_away(bot: BotHarness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    bot.command(LD_LEAD, "away 2022-05-09 2022-05-20 covering for Jayden Smith's mum")
    reply = wait_for(lambda: [m for m in bot.slack.responses if "Nothing was saved" in m.text], what="refusal")[0]
    assert "the deputy looks like it contains a child's name" in reply.text
    assert absences_on(bot.core.uow, bot.core.today().replace(day=10)) == {}
    _never_said(bot, caplog)
