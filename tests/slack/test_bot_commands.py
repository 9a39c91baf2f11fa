"""`/ncpi` over real HTTP: summary, my, update, help, refusals, strangers."""

from __future__ import annotations

import json

import pytest

from bot.standin import Message
from tests.slack.conftest import (
    COMMS,
    GOLD_CHAIR,
    LD_LEAD,
    SAFEGUARDING,
    SILVER_CHAIR,
    STRANGER,
    BotHarness,
    wait_for,
)

PLAN_ACTIONS = 27  # config/action_plan.yaml


def said(messages: list[Message]) -> str:
    """Everything in some messages, text and blocks, as one string to search."""
    return "\n".join(m.text + json.dumps(m.blocks) for m in messages)


def all_action_ids(bot: BotHarness) -> list[str]:
    with bot.core.uow() as uow:
        return uow.plan.action_ids()


@pytest.mark.parametrize("bot_db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_silver_chairs_summary_answers_with_every_action(bot: BotHarness) -> None:
    r = bot.command(SILVER_CHAIR, "summary")
    assert r.status == 200 and r.elapsed < 3
    bot.wait_response()
    bot.settle()
    text = said(bot.slack.responses)
    ids = all_action_ids(bot)
    assert len(ids) == PLAN_ACTIONS
    missing = [i for i in ids if f"{i}" not in text]
    assert missing == [], f"summary leaves out {missing}"
    assert all(m.response_type == "ephemeral" for m in bot.slack.responses)
    assert bot.slack.messages("C0SILVER01") == []  # nothing posted for everyone


def test_summary_filters_and_gold_level(bot: BotHarness) -> None:
    bot.command(GOLD_CHAIR, "summary gold r3")
    reply = bot.wait_response()
    assert "Gold" in reply.text
    text = said([reply])
    assert "R3" in text


def test_summary_post_shares_it_in_the_channel(bot: BotHarness) -> None:
    bot.command(SILVER_CHAIR, "summary post", channel="C0SILVER01")
    posted = bot.wait_messages("C0SILVER01")
    assert "Silver" in posted[0].text
    assert bot.slack.responses == []


def test_summary_with_a_word_it_does_not_know_says_what_works(bot: BotHarness) -> None:
    bot.command(SILVER_CHAIR, "summary purple")
    reply = bot.wait_response()
    assert "purple" in reply.text and "summary [silver|gold]" in reply.text


def test_a_bronze_lead_is_refused_the_summary_politely(bot: BotHarness) -> None:
    bot.command(COMMS, "summary")
    reply = bot.wait_response()
    assert "Sorry, summaries are for Silver and Gold members" in reply.text
    assert "/ncpi my" in reply.text


def test_a_stranger_can_read_nothing(bot: BotHarness) -> None:
    for words in ("summary", "my", "help", "update R3.2", "missing"):
        bot.command(STRANGER, words)
    bot.wait_response(5)
    bot.settle()
    for reply in bot.slack.responses:
        assert "not in this plan's list of people" in reply.text
        assert "R1" not in said([reply])
    assert bot.slack.views == []


def test_my_lists_the_callers_actions(bot: BotHarness) -> None:
    bot.command(SAFEGUARDING, "my", channel="D0SAFE0001")
    reply = bot.wait_response()
    text = said([reply])
    for own in ("R2.1", "R2.2", "R2.3", "R4.2"):  # owner of R2.*, deputy of R4.2
        assert own in text
    assert "R3.2" not in text
    buttons = [b["accessory"] for b in reply.blocks if "accessory" in b]
    assert {b["action_id"] for b in buttons} == {"ncpi_update_open"}


def test_help_and_unknown_subcommands(bot: BotHarness) -> None:
    bot.command(LD_LEAD, "help")
    help_reply = bot.wait_response()
    for word in ("summary", "my", "update", "help"):
        assert f"/ncpi {word}" in said([help_reply])
    bot.command(LD_LEAD, "frobnicate")
    unknown = bot.wait_response(2)
    assert "I don't know `frobnicate`" in said([unknown])
    assert "/ncpi my" in said([unknown])
    bot.command(LD_LEAD, "")
    assert "/ncpi summary" in said([bot.wait_response(3)])


def test_update_opens_the_modal_for_the_owner(bot: BotHarness) -> None:
    bot.command(LD_LEAD, "update r3.2")
    view = wait_for(lambda: bot.slack.views, what="views.open")[0]
    assert view.view["callback_id"] == "ncpi_update_modal"
    assert bot.seal.open(view.view["private_metadata"], LD_LEAD)["action_id"] == "R3.2"
    assert bot.slack.responses == []


def test_update_is_refused_to_someone_else_saying_who_can(bot: BotHarness) -> None:
    bot.command(COMMS, "update R3.2")
    reply = bot.wait_response()
    assert "Sorry, you cannot update R3.2" in reply.text
    assert "owner" in reply.text
    assert bot.slack.views == []


def test_update_of_an_unknown_action_names_some_that_exist(bot: BotHarness) -> None:
    bot.command(LD_LEAD, "update R9.9")
    reply = bot.wait_response()
    assert "no action 'R9.9'" in reply.text and "R1.1" in reply.text


def test_every_ack_is_fast_even_while_slack_rate_limits(bot: BotHarness) -> None:
    bot.slack.fail_next("*", status=429, retry_after=1, count=6)
    requests = [bot.command(SILVER_CHAIR, "summary"), bot.command(LD_LEAD, "my"),
                bot.command(LD_LEAD, "update R3.2"), bot.dm(LD_LEAD, "R3.2 green 70% on plan"),
                bot.sender.app_home_opened(SILVER_CHAIR)]
    for r in requests:
        assert r.status == 200
        assert r.elapsed < 1.0, f"ack took {r.elapsed:.2f}s"
    # the work still happens once Slack lets it through
    bot.wait_messages(LD_LEAD, timeout=10)
    wait_for(lambda: bot.slack.home_view(SILVER_CHAIR), timeout=10, what="home published")
    assert bot.slack.served_429 >= 1


def test_a_summary_too_long_for_a_few_messages_comes_as_a_file(bot: BotHarness, force_config) -> None:  # type: ignore[no-untyped-def]
    from ncpi_core.config.schema import ActionIn, PlanFile, RecommendationIn
    from ncpi_core.domain.models import Category, PlanInfo
    from ncpi_core.usecases.plan import load_plan

    recs = [RecommendationIn(id=f"B{i}", title=f"Big area {i}", category=Category.OTHER, due="2022-12-31",
                             actions=[ActionIn(id=f"B{i}.{j}", title=f"Step {j} of a long programme {i}",
                                               owner="head_safeguarding", due="2022-12-31")
                                      for j in range(1, 21)])
            for i in range(1, 31)]
    with bot.core.uow() as uow:
        load_plan(PlanFile(plan=PlanInfo(title="Big plan"), recommendations=recs), force_config, uow,
                  bot.clock())
        uow.commit()
    bot.command(SILVER_CHAIR, "summary")
    first = bot.wait_response()
    wait_for(lambda: bot.slack.files, what="the summary file")
    bot.settle(0.2)
    assert len(bot.slack.responses) == 1  # never more than a response URL takes
    assert "attached in your DM" in first.text
    name, content = next(iter(bot.slack.files.items()))
    assert name.endswith(".md") and b"B30.20" in content  # the whole summary, nothing cut
    upload = bot.slack.calls_to("files.completeUploadExternal")[0]
    assert upload.params.get("channel_id") == bot.slack.dm_channel(SILVER_CHAIR)
