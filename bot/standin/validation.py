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
    for i, block in enumerate(blocks):
        problem = _model_problem(block, i) or _limit_problem(block, i)
        if problem:
            return problem
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
