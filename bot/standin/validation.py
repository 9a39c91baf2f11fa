"""Block Kit checks the way Slack applies them: its documented limits plus slack_sdk's own models."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_MESSAGE_TEXT = 40000
MAX_BUTTON_TEXT = 75
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
# The whole of a message's blocks: Slack refuses a message whose blocks are too long together with
# `msg_blocks_too_long` although every block is within its own limit. The limit is not published.
# A Slack engineer described it as "12,000 text characters with a buffer for block containers"
# (slackapi/bolt-js#2509); there, one divider more lowered the text that fitted by 125 characters,
# and the lowest refusal reported is 11,341 characters of text in a few dozen blocks (#2867). The
# stand-in counts every `text` string of the blocks plus BLOCK_COST for each block, and refuses
# more than MAX_BLOCKS_CHARS: below every refusal reported, so what passes here passes Slack as
# far as anyone has measured.
MAX_BLOCKS_CHARS = 12_000
BLOCK_COST = 125


def _texts(obj: Any) -> int:
    if isinstance(obj, dict):
        return sum(len(v) if k == "text" and isinstance(v, str) else _texts(v) for k, v in obj.items())
    if isinstance(obj, list):
        return sum(_texts(v) for v in obj)
    return 0


def blocks_size(blocks: Any) -> int:
    """The size the stand-in holds against MAX_BLOCKS_CHARS: the characters of every ``text`` in the
    blocks, plus BLOCK_COST for each block (its container)."""
    return _texts(blocks) + BLOCK_COST * (len(blocks) if isinstance(blocks, list) else 1)


def _text_of(obj: Any) -> str:
    return str(obj.get("text", "")) if isinstance(obj, dict) else ""


def _limit_problem(block: dict[str, Any], index: int) -> str | None:
    """Return what breaks one of Slack's documented per-block limits, or None."""
    kind = block.get("type")
    if kind == "section":
        if len(_text_of(block.get("text"))) > MAX_SECTION_TEXT:
            return f"block {index}: section text is over {MAX_SECTION_TEXT} characters"
        fields = block.get("fields") or []
        if len(fields) > MAX_SECTION_FIELDS:
            return f"block {index}: section has more than {MAX_SECTION_FIELDS} fields"
        for f in fields:
            if len(_text_of(f)) > MAX_FIELD_TEXT:
                return f"block {index}: a section field is over {MAX_FIELD_TEXT} characters"
    elif kind == "header":
        if isinstance(block.get("text"), dict) and block["text"].get("type") != "plain_text":
            return f"block {index}: a header's text must be plain_text"
        if len(_text_of(block.get("text"))) > MAX_HEADER_TEXT:
            return f"block {index}: header text is over {MAX_HEADER_TEXT} characters"
    elif kind == "context":
        if len(block.get("elements") or []) > MAX_CONTEXT_ELEMENTS:
            return f"block {index}: context has more than {MAX_CONTEXT_ELEMENTS} elements"
    elif kind == "actions":
        elements = block.get("elements") or []
        if len(elements) > MAX_ACTIONS_ELEMENTS:
            return f"block {index}: actions has more than {MAX_ACTIONS_ELEMENTS} elements"
        for e in elements:
            if e.get("type") == "button" and len(_text_of(e.get("text"))) > MAX_BUTTON_TEXT:
                return f"block {index}: a button label is over {MAX_BUTTON_TEXT} characters"
    return None


def _model_problem(block: Any, index: int) -> str | None:
    """Return what slack_sdk's Block Kit models object to in one block, or None."""
    if not isinstance(block, dict):
        return f"block {index}: not an object"
    try:
        parsed = Block.parse(block)
        if parsed is None:
            return f"block {index}: unknown block type {block.get('type')!r}"
        parsed.validate_json()
    except Exception as exc:  # noqa: BLE001 - any model failure means Slack would refuse it
        return f"block {index} ({block.get('type')}): {exc}"
    return None


def check_blocks(blocks: Any, max_blocks: int = MAX_MESSAGE_BLOCKS) -> str | None:
    """Check a message's ``blocks`` as Slack would.

    Args:
        blocks: The decoded ``blocks`` value.
        max_blocks: 50 for messages, 100 for views.

    Returns:
        A human-readable reason when Slack would answer ``invalid_blocks``, else None.
    """
    if not isinstance(blocks, list):
        return "blocks is not a list"
    if len(blocks) > max_blocks:
        return f"{len(blocks)} blocks; at most {max_blocks} are allowed"
    seen: set[str] = set()
    for i, block in enumerate(blocks):
        problem = _model_problem(block, i) or _limit_problem(block, i) or _duplicate_problem(block, i, seen)
        if problem:
            return problem
    return None


def _duplicate_problem(block: dict[str, Any], index: int, seen: set[str]) -> str | None:
    """Slack wants each block_id once per message or view, and each action_id once per block."""
    block_id = block.get("block_id")
    if isinstance(block_id, str):
        if block_id in seen:
            return f"block {index}: block_id {block_id!r} is used twice"
        seen.add(block_id)
    elements = block.get("elements") if block.get("type") == "actions" else None
    action_ids = [e.get("action_id") for e in elements or [] if isinstance(e, dict) and e.get("action_id")]
    if len(action_ids) != len(set(action_ids)):
        return f"block {index}: an action_id is used twice in one block"
    return None


def check_view(view: Any) -> str | None:
    """Check a modal or App Home view as Slack would.

    Args:
        view: The decoded ``view`` value.

    Returns:
        A human-readable reason when Slack would answer ``invalid_blocks``/``invalid_arguments``,
        else None.
    """
    if not isinstance(view, dict):
        return "view is not an object"
    if view.get("type") not in ("modal", "home"):
        return f"view type must be modal or home, not {view.get('type')!r}"
    blocks = view.get("blocks") or []
    problem = check_blocks(blocks, MAX_VIEW_BLOCKS)
    if problem:
        return problem
    try:
        View(**view).validate_json()
    except Exception as exc:  # noqa: BLE001 - any model failure means Slack would refuse it
        return f"view: {exc}"
    return None
