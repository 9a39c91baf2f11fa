"""A long summary through the ledger against the stricter stand-in: every part posted exactly once.

The Silver summary of the North Yorkshire plan with a long update on every action runs to several
messages. Whatever Slack does to one of them (a 5xx before or after posting it, `msg_blocks_too_long`,
`invalid_blocks`, a total size smaller than the bot packs to), the summary ends posted with each
part once and each line of it in exactly one part; what cannot be posted at all is told to the
administrators through the ledger.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.slack.gateway import SlackGateway, build_web_client
from bot.slack.sender import DeliverySender
from bot.standin import Message, SlackStandIn
from bot.standin.scopes import manifest_scopes
from bot.standin.validation import blocks_size
from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain.models import RAG, Source, Update
from ncpi_core.storage.memory import MemoryUowFactory
from ncpi_core.usecases.ledger import run_tick
from ncpi_core.usecases.plan import load_plan

SUMMARY_DUE = datetime(2022, 3, 8, 12, 1, tzinfo=UTC)  # Silver meets at 14:00; its summary is due at 12:00
KEY = "silver_summary:silver:20220308T1400Z"
ACTION_REF = re.compile(r"\*(R\d+\.\d+)\* [^:]")  # an action's line in its recommendation's section
PART = re.compile(r"Part (\d+) of (\d+)")


@pytest.fixture
def plan(force_config: ForceConfig, plan_file: PlanFile) -> MemoryUowFactory:
    """The plan with a long, green, in-cycle update on every action (nothing an exception): a summary
    of several messages."""
    factory = MemoryUowFactory()
    with factory() as uow:
        load_plan(plan_file, force_config, uow, datetime(2022, 3, 1, 9, tzinfo=UTC))
        for n, action in enumerate(uow.plan.actions()):
            words = f"{action.id} step {n}: the training plan is on course and the next cohort is booked. "
            evidence = f"https://intranet.example/ncpi/{action.id} " + "minutes of the board; " * 30
            uow.updates.add(Update(action_id=action.id, rag=RAG.GREEN, progress=50, narrative=(words * 20)[:950],
                                   evidence=evidence[:600], source=Source.DM,
                                   created_at=datetime(2022, 3, 3, 10, tzinfo=UTC)))
        uow.commit()
    return factory


@pytest.fixture
def slack(force_config: ForceConfig) -> Iterator[SlackStandIn]:
    with SlackStandIn.from_config(force_config) as standin:
        yield standin


def sender(slack: SlackStandIn, factory: MemoryUowFactory, config: ForceConfig) -> DeliverySender:
    return DeliverySender(SlackGateway(build_web_client("xoxb-test", slack.api_url), factory), config)


def settle(slack: SlackStandIn, factory: MemoryUowFactory, config: ForceConfig, ticks: int = 12) -> None:
    """The scheduler's ticks from the summary's moment on, five minutes apart (retries fall due)."""
    port = sender(slack, factory, config)
    for i in range(ticks):
        run_tick(factory, config, port, SUMMARY_DUE + timedelta(minutes=5 * i))


def key_of(params_or_message: dict[str, Any] | Message) -> str:
    meta = params_or_message.metadata if isinstance(params_or_message, Message) else params_or_message.get("metadata")
    return str(((meta or {}).get("event_payload") or {}).get("key") or "")


def summary_parts(slack: SlackStandIn) -> list[Message]:
    return [m for m in slack.messages("C0SILVER01") if key_of(m).startswith(KEY)]


def part_post(number: int) -> Any:
    """Matches the chat.postMessage of the summary's part `number` (1 = the top-level message)."""
    key = KEY if number == 1 else f"{KEY}#{number}"
    return lambda method, params: method == "chat.postMessage" and key_of(params) == key


def assert_each_part_once(slack: SlackStandIn, plan_actions: list[str]) -> list[Message]:
    parts = summary_parts(slack)
    keys = Counter(key_of(m) for m in parts)
    assert len(parts) > 1 and max(keys.values()) == 1, keys
    numbers = [PART.search(json.dumps(m.blocks)) for m in parts]
    assert all(numbers), "every part says which it is"
    assert [int(n.group(1)) for n in numbers if n] == list(range(1, len(parts) + 1))
    # the last says how many went (one Slack refused was split, so an earlier one may say fewer)
    totals = [int(n.group(2)) for n in numbers if n]
    assert totals[-1] == len(parts) and max(totals) == len(parts), totals
    blocks = [json.dumps(b, sort_keys=True) for m in parts for b in m.blocks
              if b["type"] != "divider" and not PART.search(json.dumps(b))]
    twice = [b[:80] for b, n in Counter(blocks).items() if n > 1]
    assert not twice, f"posted twice: {twice}"
    lines = Counter(a for m in parts for a in ACTION_REF.findall(json.dumps(m.blocks)))
    assert lines == Counter(plan_actions), "each action's line in exactly one part"
    top, replies = parts[0], parts[1:]
    assert not top.is_thread_reply and all(r.thread_ts == top.ts for r in replies)
    return parts


def actions(factory: MemoryUowFactory) -> list[str]:
    with factory() as uow:
        return [a.id for a in uow.plan.actions()]


def test_a_long_summary_is_packed_below_what_slack_refuses(slack: SlackStandIn, plan: MemoryUowFactory,
                                                            force_config: ForceConfig) -> None:
    settle(slack, plan, force_config, ticks=2)
    assert slack.invalid_payloads == [], [p.reason for p in slack.invalid_payloads]
    parts = assert_each_part_once(slack, actions(plan))
    assert len(parts) >= 4
    # one attempt: no part was refused and nothing was looked for or posted again
    assert len([c for c in slack.calls_to("chat.postMessage") if key_of(c.params).startswith(KEY)]) == len(parts)


@pytest.mark.parametrize("number", [1, 2, 4])
@pytest.mark.parametrize("landed", [False, True], ids=["5xx before posting", "5xx after posting"])
def test_a_5xx_on_any_part_ends_with_every_part_once(slack: SlackStandIn, plan: MemoryUowFactory,
                                                      force_config: ForceConfig, number: int, landed: bool) -> None:
    # three 5xx answers in a row: the post's own retries are used up and the ledger takes over
    slack.fail_matching(part_post(number), status=503, count=3, processed=landed)
    settle(slack, plan, force_config)
    assert slack.served_500 == (1 if landed else 3)
    assert_each_part_once(slack, actions(plan))
    assert slack.invalid_payloads == []


@pytest.mark.parametrize("error", ["msg_blocks_too_long", "invalid_blocks"])
def test_a_part_slack_refuses_is_split_smaller_and_nothing_posted_goes_again(
        slack: SlackStandIn, plan: MemoryUowFactory, force_config: ForceConfig, error: str) -> None:
    slack.fail_matching(part_post(2), status=200, error=error, count=1)
    settle(slack, plan, force_config)
    parts = assert_each_part_once(slack, actions(plan))
    posts = [c for c in slack.calls_to("chat.postMessage") if key_of(c.params).startswith(KEY)]
    assert [c.response.get("error") for c in posts if not c.ok] == [error]  # refused once, never retried as was
    assert len(posts) == len(parts) + 1


def test_a_slack_that_takes_less_than_the_bot_packs_gets_smaller_parts(force_config: ForceConfig,
                                                                       plan: MemoryUowFactory) -> None:
    with SlackStandIn.from_config(force_config, max_blocks_chars=6_000) as small:
        settle(small, plan, force_config)
        parts = assert_each_part_once(small, actions(plan))
        refused = {p.reason.split(";")[0] for p in small.invalid_payloads}
        assert all("characters together" in r for r in refused)
        assert all(blocks_size(m.blocks) <= 6_000 for m in parts)


def test_a_block_slack_takes_in_no_message_is_told_to_the_administrators(force_config: ForceConfig,
                                                                          plan: MemoryUowFactory) -> None:
    # every section of the summary is ~3,000 characters, and this Slack takes 2,000 in a message
    with SlackStandIn.from_config(force_config, max_blocks_chars=2_000) as tiny:
        settle(tiny, plan, force_config, ticks=3)
        posted = Counter(key_of(m) for m in summary_parts(tiny))
        assert posted and max(posted.values()) == 1  # what could go went once
        admin_dm = tiny.dm_channel("U0CPC00001")  # the coordinator, the plan's administrator
        reports = [m for m in tiny.messages(admin_dm) if f"`{KEY}`" in json.dumps(m.blocks)]
        assert len(reports) == 1, [m.text for m in tiny.messages(admin_dm)]
        assert "msg_blocks_too_long" in json.dumps(reports[0].blocks)
        assert "could not deliver a silver_summary after 1 attempts" in reports[0].text  # not retried as it was


def test_without_the_history_scope_a_summary_waits_for_it_instead_of_failing(force_config: ForceConfig,
                                                                            plan: MemoryUowFactory) -> None:
    # a summary's parts are looked for before it is posted: without channels:history Slack answers
    # missing_scope, which no retry cures until a person adds the scope; nothing is posted blind
    everything = ",".join(manifest_scopes())
    with SlackStandIn.from_config(force_config, scopes=everything.replace("channels:history,", "")) as slack:
        settle(slack, plan, force_config, ticks=3)
        assert summary_parts(slack) == []
        assert not [m for m in slack.messages("U0CPC00001") if KEY in json.dumps(m.blocks)]  # not dead
        slack.scopes = everything  # the administrator adds the scope and reinstalls
        port = sender(slack, plan, force_config)
        for minutes in (20, 25, 30):
            run_tick(plan, force_config, port, SUMMARY_DUE + timedelta(minutes=minutes))
        assert_each_part_once(slack, actions(plan))
