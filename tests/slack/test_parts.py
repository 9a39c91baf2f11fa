"""Cutting a long message into parts Slack takes (bot/slack/parts.py), on bodies of every shape."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.slack.parts import MAX_BLOCKS, PACK_LIMIT, Body, block_digest, blocks_size, pack, resume_at
from bot.standin.validation import MAX_BLOCKS_CHARS, check_blocks


def section(n: int, size: int) -> dict[str, object]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": f"*{n}* " + "x" * size}}


DIVIDER = {"type": "divider"}
blocks_strategy = st.lists(
    st.one_of(st.integers(1, 2990).map(lambda size: ("section", size)), st.just(("divider", 0))),
    min_size=1, max_size=180)


def build(spec: list[tuple[str, int]]) -> list[dict[str, object]]:
    """A body as the bot makes one: it opens with words (a lead, a header), then anything."""
    return [section(-1, 40)] + [DIVIDER if kind == "divider" else section(i, size) for i, (kind, size) in enumerate(spec)]


def carried(parts: list) -> list[dict[str, object]]:  # type: ignore[type-arg]
    return [b for p in parts for b in p.blocks if b.get("block_id") != "ncpi_part"]


@settings(max_examples=150, deadline=None)
@given(blocks_strategy, st.sampled_from([PACK_LIMIT, 5_000, 2_000]))
def test_every_block_goes_once_in_order_and_every_part_fits(spec: list[tuple[str, int]], limit: int) -> None:
    body = Body("Silver summary", build(spec), lead="Silver meets Tue.", splittable=True)
    parts = pack(body, limit=limit)
    sections = [b for b in body.blocks if b["type"] != "divider"]
    assert [b for b in carried(parts) if b["type"] != "divider"] == sections  # nothing lost, nothing twice
    for p in parts:
        alone = len([b for b in p.blocks if b.get("block_id") != "ncpi_part"]) == 1
        assert blocks_size(p.blocks) <= limit or alone  # a block too big on its own goes alone
        assert len(p.blocks) <= MAX_BLOCKS and check_blocks(p.blocks) is None
        assert p.blocks[0]["type"] != "divider"
    assert [p.number for p in parts] == list(range(1, len(parts) + 1)) and parts[-1].last
    assert parts[0].start == 0 and parts[-1].end == len(body.blocks)
    assert all(a.end == b.start for a, b in zip(parts, parts[1:], strict=False))
    assert parts[0].text.startswith("Silver meets Tue. Silver summary")


def test_the_bot_packs_below_what_the_stand_in_refuses() -> None:
    assert PACK_LIMIT <= MAX_BLOCKS_CHARS * 0.85  # the margin the README states
    body = Body("t", [section(i, 2900) for i in range(20)], splittable=True)
    assert all(blocks_size(p.blocks) <= PACK_LIMIT for p in pack(body))


def test_a_short_body_is_one_message_without_a_part_line() -> None:
    body = Body("Prompt", [section(1, 100)], splittable=True)
    [part] = pack(body)
    assert part.blocks == body.blocks and part.text == "Prompt" and part.last
    assert "Part" not in json.dumps(part.blocks)


def test_going_on_after_posted_parts_numbers_on_and_says_the_new_total() -> None:
    body = Body("t", [section(i, 2900) for i in range(12)], splittable=True)
    first = pack(body)
    rest = pack(body, start=first[1].end, first_number=3)
    assert [p.number for p in rest] == list(range(3, len(first) + 1))
    assert rest[-1].blocks[-1]["elements"][0]["text"] == f"Part {len(first)} of {len(first)}"
    assert pack(body, start=len(body.blocks), first_number=9) == []  # nothing left


def test_a_refused_part_is_cut_smaller_and_the_rest_packed_as_before() -> None:
    body = Body("t", [section(i, 1400) for i in range(30)], splittable=True)
    normal = pack(body)
    refused = normal[1]
    again = pack(body, start=refused.start, first_number=2, narrow=(refused.end, blocks_size(
        body.blocks[refused.start:refused.end]) // 2))
    cut = [p for p in again if p.end <= refused.end]
    assert len(cut) >= 2 and cut[-1].end == refused.end
    after = [p for p in again if p.start >= refused.end]
    assert [(p.start, p.end) for p in after] == [(p.start, p.end) for p in normal[2:]]


def test_a_body_that_moved_is_resumed_after_the_block_posted_last() -> None:
    blocks = [section(i, 2500) for i in range(10)]
    body = Body("t", blocks, splittable=True)
    posted = pack(body)[0]
    assert resume_at(body, posted.end, posted.tail) == posted.end
    # an update came in: a new block before the ones posted, the same block now one further on
    moved = Body("t", [section(99, 100), *blocks], splittable=True)
    assert resume_at(moved, posted.end, posted.tail) == posted.end + 1
    assert block_digest(moved.blocks[posted.end]) == posted.tail
