"""`/ncpi summary` answered from a finished summary kept per data version, in the command's HTTP
body when it is one message ready within the ack budget; a slower command is acknowledged empty
and answered by response URL, once."""

from __future__ import annotations

import json
import threading

import pytest

from bot.slack.blocks.summary import summary_messages
from bot.slack.listeners import commands
from bot.slack.subcommands import REGISTRY, Reply, SubCommand
from ncpi_core.usecases.summaries import summary_now
from tests.slack.conftest import LD_LEAD, SILVER_CHAIR, BotHarness, wait_for


def body_of(answer_body: str) -> dict[str, object]:
    return json.loads(answer_body) if answer_body.startswith("{") else {}


def test_a_one_message_summary_is_the_commands_answer_itself(bot: BotHarness) -> None:
    r = bot.command(SILVER_CHAIR, "summary gold R3")
    answer = body_of(r.body)
    assert r.status == 200 and answer.get("response_type") == "ephemeral"
    assert "R3" in json.dumps(answer["blocks"])
    shown = bot.wait_response()  # Slack shows the body's answer as it shows a respond()
    assert shown.blocks == answer["blocks"]
    bot.settle()
    assert len(bot.slack.responses) == 1  # nothing posted to the response URL besides


def test_the_kept_summary_answers_again_until_an_update_renews_it(bot: BotHarness) -> None:
    cache = bot.core.summary_cache
    first = body_of(bot.command(SILVER_CHAIR, "summary gold R3").body)
    hits = cache.hits
    again = body_of(bot.command(SILVER_CHAIR, "summary gold R3").body)
    assert again == first and cache.hits > hits  # the finished answer, built once
    bot.dm(LD_LEAD, "R3.2 amber 60% training slots delayed")
    wait_for(lambda: bot.updates("R3.2"), what="the update stored")
    misses = cache.misses
    renewed = body_of(bot.command(SILVER_CHAIR, "summary gold R3").body)
    assert cache.misses > misses and "Amber 0" in str(first["text"]) and "Amber 1" in str(renewed["text"])


def test_a_summary_of_several_messages_goes_by_response_url_in_order(bot: BotHarness) -> None:
    expected = summary_messages(summary_now(bot.core.uow, bot.core.config, bot.clock(), "silver"))
    assert len(expected) > 1  # the whole Silver summary of the North Yorkshire plan takes two
    r = bot.command(SILVER_CHAIR, "summary")
    assert r.status == 200 and r.body == ""  # acknowledged empty: parts must not overtake each other
    bot.wait_response(len(expected))
    bot.settle()
    assert [m.blocks for m in bot.slack.responses] == [blocks for _, blocks in expected]


@pytest.fixture
def slow_subcommand(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    release = threading.Event()

    def slow(ctx: object) -> Reply:
        release.wait(10)  # held until the test has seen the empty acknowledgement
        return Reply(text="a late answer")

    monkeypatch.setitem(REGISTRY, "zzslow", SubCommand("zzslow", slow, "zzslow", "held by a test", 999))
    monkeypatch.setattr(commands, "ACK_BUDGET", 0.05)
    return release


def test_a_command_slower_than_the_budget_is_acked_empty_then_answered_once(bot: BotHarness,
                                                                            slow_subcommand: threading.Event) -> None:
    r = bot.command(SILVER_CHAIR, "zzslow")
    assert r.status == 200 and r.body == ""  # acknowledged within the budget, with nothing in it
    assert bot.slack.responses == []
    slow_subcommand.set()
    answer = bot.wait_response()
    assert answer.text == "a late answer" and answer.response_type == "ephemeral"
    bot.settle()
    assert len(bot.slack.responses) == 1
