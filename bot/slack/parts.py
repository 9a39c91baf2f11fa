"""A long message as parts Slack takes: packed below its total size with a margin, each part knowing
which blocks of the whole it carries, so that a part posted is never posted again.

Slack refuses a message whose blocks are too long *together* (`msg_blocks_too_long`) even when each
block is within its own limit, and does not publish the total: "12,000 text characters with a
buffer for block containers", and refusals reported from 11,341 characters of text
(slackapi/bolt-js#2509, #2867). The stand-in counts the text of the blocks plus 125 characters a
block and refuses more than 12,000 (`bot.standin.validation`). Parts are packed to PACK_LIMIT =
10,000 measured the same way: 17 % below the stand-in, and never more than 10,000 characters of
text, 12 % below the lowest refusal seen. A part Slack still refuses is split smaller by the
sender (`pack(..., narrow=...)` from that part's first block).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

Block = dict[str, Any]
MAX_BLOCKS = 50  # blocks in one message (one is kept free for the "Part i of n" line)
PACK_LIMIT = 10_000  # the size of one part's blocks, its "Part i of n" line included
BLOCK_COST = 125  # what a block's container costs of Slack's total, beside its text
FOOTER_ROOM = BLOCK_COST + 40  # the "Part i of n · continued below" context block


def _texts(obj: Any) -> int:
    if isinstance(obj, dict):
        return sum(len(v) if k == "text" and isinstance(v, str) else _texts(v) for k, v in obj.items())
    if isinstance(obj, list):
        return sum(_texts(v) for v in obj)
    return 0


def blocks_size(blocks: list[Block]) -> int:
    """What Slack's total is held against: every `text` of the blocks, and BLOCK_COST a block."""
    return _texts(blocks) + BLOCK_COST * len(blocks)


def block_digest(block: Block) -> str:
    """A short fingerprint of one block, to find it again in a body rendered later."""
    text = json.dumps(block, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Body:
    """Everything one delivery says, before it is cut into parts.

    Attributes:
        title: The fallback text of every part (with "(part i of n)" when there are several).
        blocks: All the blocks, in order.
        lead: Said before the title in the first part's fallback text only.
        splittable: The blocks stand on their own (a summary's sections); a prompt, whose buttons
            belong with its text, is not cut and goes as one message or not at all.
    """

    title: str
    blocks: list[Block]
    lead: str = ""
    splittable: bool = False


@dataclass(frozen=True)
class Part:
    """One message of a body: its fallback text and blocks (its "Part i of n" line included),
    its number, and the body's blocks it carries: `blocks[start:end]` (a divider opening a part is
    left out)."""

    text: str
    blocks: list[Block]
    number: int
    start: int
    end: int
    last: bool

    @property
    def tail(self) -> str:
        """The digest of the last block of the body this part carries (a divider does not count)."""
        body = [b for b in self.blocks if not _is_footer(b) and b.get("type") != "divider"]
        return block_digest(body[-1]) if body else ""


def _is_footer(block: Block) -> bool:
    return bool(block.get("block_id") == "ncpi_part")


def _footer(number: int, total: int) -> Block:
    more = " · continued below" if number < total else ""
    return {"type": "context", "block_id": "ncpi_part",
            "elements": [{"type": "mrkdwn", "text": f"Part {number} of {total}{more}"}]}


def pack(body: Body, *, limit: int = PACK_LIMIT, start: int = 0, first_number: int = 1,
         narrow: tuple[int, int] | None = None) -> list[Part]:
    """Cut `body.blocks[start:]` into parts of at most MAX_BLOCKS blocks and `limit` characters.

    Args:
        body: What to say.
        limit: The size a part may take (`blocks_size`).
        start: The first block not yet posted (0 for a fresh message).
        first_number: The number of the first part made here (parts before it were posted).
        narrow: `(until, smaller)`: the blocks before index `until` go in parts of at most
            `smaller` characters, and a part ends there (a part Slack refused, split smaller;
            the rest is packed as usual).

    Returns:
        The parts, numbered on from `first_number`; a body that fits one message and starts it
        is one part with no "Part 1 of 1" line. A block over `limit` on its own is a part alone.
        None at all when nothing is left after `start`.
    """
    whole = body.blocks[start:]
    if start == 0 and first_number == 1 and narrow is None and len(whole) <= MAX_BLOCKS \
            and blocks_size(whole) <= limit:
        # one message, which needs no "Part 1 of 1" line (so no room kept for one)
        text = f"{body.lead} {body.title}" if body.lead else body.title
        return [Part(text, list(whole), 1, 0, len(body.blocks), last=True)]
    until, smaller = narrow if narrow is not None else (start, limit)
    groups: list[tuple[int, int, list[Block]]] = []  # (start, end, blocks)
    current: list[Block] = []
    size, begin = 0, start
    for index in range(start, len(body.blocks)):
        block = body.blocks[index]
        block_size = blocks_size([block])
        budget = max(0, (smaller if begin < until else limit) - FOOTER_ROOM)
        if current and (len(current) >= MAX_BLOCKS - 1 or size + block_size > budget or index == until):
            groups.append((begin, index, current))
            current, size, begin = [], 0, index
        if not current and block.get("type") == "divider":
            continue  # a part never opens with a divider
        current.append(block)
        size += block_size
    if current:
        groups.append((begin, len(body.blocks), current))
    elif groups:  # only dividers were left: the last part carries them (unposted) to the end
        groups[-1] = (groups[-1][0], len(body.blocks), groups[-1][2])
    elif start > 0:
        return []  # nothing left to post
    else:
        groups.append((begin, len(body.blocks), current))
    total = first_number - 1 + len(groups)
    single = total == 1
    parts = []
    for offset, (begin, end, blocks) in enumerate(groups):
        number = first_number + offset
        text = body.title if single else f"{body.title} (part {number} of {total})"
        if number == 1 and body.lead:
            text = f"{body.lead} {text}"
        shown = blocks if single else [*blocks, _footer(number, total)]
        parts.append(Part(text, shown, number, begin, end, last=number == total))
    return parts


def resume_at(body: Body, next_block: int, tail: str) -> int:
    """Where to go on in a body rendered again: after the block posted last.

    The body may have moved since the parts before were posted (an update came in): the block
    whose digest is `tail` is looked for, and the posted index trusted only if it is still there.
    """
    blocks = body.blocks
    before = [i for i in range(min(next_block, len(blocks))) if blocks[i].get("type") != "divider"]
    if before and block_digest(blocks[before[-1]]) == tail:
        return next_block
    for index, block in enumerate(blocks):
        if block_digest(block) == tail:
            return index + 1
    return min(next_block, len(blocks))
