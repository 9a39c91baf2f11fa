"""What Slack does with an app's answer to a modal submission: keep it only if it makes sense.

An app may answer a ``view_submission`` with nothing (the modal closes), ``response_action:
errors`` (messages under input blocks of *that* view), ``update``/``push`` (a new view) or ``clear``.
Slack refuses an ``errors`` answer naming a block the view does not have, or one that is not an
input block, and shows the person its own "We had some trouble connecting" instead: the app's
message is lost. The stand-in says why, so a test can fail on it.
"""

from __future__ import annotations

import json
from typing import Any

from bot.standin.validation import check_view

ACTIONS = ("errors", "update", "push", "clear")


def view_for_submission(view: dict[str, Any] | None,
                        state_values: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    """The view a submission carries: the one given (as opened), or one whose input blocks are
    those of ``state.values`` (Slack sends a value for each input block, so these surely exist)."""
    base = dict(view or {})
    if not base.get("blocks"):
        base["blocks"] = [
            {"type": "input", "block_id": block_id,
             "label": {"type": "plain_text", "text": block_id},
             "element": {"type": next(iter(elements.values()), {}).get("type", "plain_text_input"),
                         "action_id": next(iter(elements), block_id)}}
            for block_id, elements in state_values.items()
        ]
    return base


def input_block_ids(view: dict[str, Any]) -> list[str]:
    """The block ids of a view's input blocks, where ``errors`` may point."""
    return [str(b["block_id"]) for b in view.get("blocks") or []
            if isinstance(b, dict) and b.get("type") == "input" and b.get("block_id")]


def check_view_answer(view: dict[str, Any], body: str) -> str | None:
    """Why Slack would refuse this answer to a submission of ``view``, or None if it takes it.

    Args:
        view: The view that was submitted (with its blocks).
        body: What the app answered (the HTTP body, or a Socket Mode ack's ``payload`` as JSON).
    """
    if not body.strip():
        return None  # a plain ack: the modal closes
    try:
        answer = json.loads(body)
    except json.JSONDecodeError:
        return f"the answer is not JSON: {body[:80]!r}"
    if not isinstance(answer, dict) or not answer:
        return None
    action = answer.get("response_action")
    if action not in ACTIONS:
        return f"response_action {action!r} is not one of {', '.join(ACTIONS)}"
    if action == "errors":
        errors = answer.get("errors")
        if not isinstance(errors, dict) or not errors:
            return "response_action errors without an errors object"
        inputs = input_block_ids(view)
        unknown = [k for k in errors if k not in inputs]
        if unknown:
            return (f"errors name {', '.join(map(repr, unknown))}, not an input block of this view "
                    f"(it has {', '.join(map(repr, inputs)) or 'none'})")
        empty = [k for k, v in errors.items() if not isinstance(v, str) or not v.strip()]
        if empty:
            return f"errors for {', '.join(map(repr, empty))} say nothing"
    elif action in ("update", "push"):
        problem = check_view(answer.get("view"))
        if problem:
            return f"response_action {action}: {problem}"
    return None
