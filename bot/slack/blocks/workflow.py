"""Block Kit for the governance workflows: review DMs with buttons, the two small modals, history.

All user and plan text goes through `escape`; every message stays within Slack's limits
(≤50 blocks, ≤3,000 characters a section, ≤75 characters a button label).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot import copy
from bot.slack.blocks.common import mrkdwn as _section
from bot.slack.text import SECTION_LIMIT, chunk_lines, clip, escape
from ncpi_core.domain.notices import Outcome
from ncpi_core.usecases.history import History

Block = dict[str, Any]


class NoticeLike(Protocol):
    """A workflow notice as a use case returns it (`Notice`) or the ledger hands it back (`NoticeContent`)."""

    @property
    def code(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def action_id(self) -> str | None: ...

    @property
    def params(self) -> Mapping[str, Any]: ...


# buttons in the DMs the chairs receive (value = the action id)
APPROVE_CLOSURE, REJECT_CLOSURE = "ncpi_closure_approve", "ncpi_closure_reject"
APPROVE_DUE, REJECT_DUE = "ncpi_due_approve", "ncpi_due_reject"
SIGNOFF = "ncpi_signoff"
# modals
COMPLETE_MODAL, REJECT_MODAL = "ncpi_complete_modal", "ncpi_reject_modal"
EVIDENCE_BLOCK, REASON_BLOCK = "evidence", "reason"
MESSAGE_BLOCKS = 50
MAX_INPUT = 3000


def _plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit) or " ", "emoji": True}


def _button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {"type": "button", "text": _plain(text), "action_id": action_id, "value": clip(value, 2000)}
    if style:
        button["style"] = style
    return button


def _quote(text: str) -> str:
    """Escaped text as a mrkdwn block quote (every line quoted)."""
    return ">" + escape(text).replace("\n", "\n>")


def reply_blocks(text: str) -> tuple[str, list[Block]]:
    """A plain answer to the person who acted: escaped, split into sections within the limits."""
    pieces = chunk_lines(escape(text).splitlines() or [""], SECTION_LIMIT)
    return escape(clip(text, 3000)), [_section(p) for p in pieces[:MESSAGE_BLOCKS]]


def outcome_reply(outcome: Outcome, failed: list[str] | None = None) -> tuple[str, list[Block]]:
    """What a step did, for the person who acted (and whom its notices could not reach just now)."""
    text = copy.outcome_text(outcome, copy.SLACK)
    if failed:
        text += copy.not_reached(failed)
    return reply_blocks(text)


def notice_message(notice: NoticeLike) -> tuple[str, list[Block]]:
    """The DM someone receives after a workflow step, with buttons when they must decide."""
    first, _, rest = copy.notice_text(notice, copy.SLACK).partition("\n")
    blocks: list[Block] = [_section(escape(first))]
    if rest:
        blocks.append(_section(_quote(rest)))
    aid = notice.action_id or ""
    if notice.kind == "review_closure":
        blocks.append({"type": "actions", "block_id": f"review_closure:{clip(aid, 200)}", "elements": [
            _button("Approve", APPROVE_CLOSURE, aid, "primary"),
            _button("Reject…", REJECT_CLOSURE, aid, "danger")]})
    elif notice.kind == "review_due":
        blocks.append({"type": "actions", "block_id": f"review_due:{clip(aid, 200)}", "elements": [
            _button("Approve new date", APPROVE_DUE, aid, "primary"),
            _button("Reject…", REJECT_DUE, aid, "danger")]})
    elif notice.kind == "signoff":
        blocks.append({"type": "actions", "block_id": f"signoff:{clip(aid, 200)}", "elements": [
            _button("Sign off (close)", SIGNOFF, aid, "primary")]})
    return clip(first, 3000), blocks


def decided_message(outcome: Outcome, by: str, when: str) -> tuple[str, list[Block]]:
    """What replaces a review DM once its button was used: the decision, no more buttons."""
    text = f"{copy.outcome_text(outcome, copy.SLACK)} ({by}, {when})"
    return escape(text), [_section(f":white_check_mark: {escape(text)}")]


# --- modals -------------------------------------------------------------------------------------
def _text_input(block_id: str, label: str, hint: str, placeholder: str) -> Block:
    return {"type": "input", "block_id": block_id, "label": _plain(label, 2000),
            "hint": _plain(hint, 2000),
            "element": {"type": "plain_text_input", "action_id": block_id, "multiline": True,
                        "max_length": MAX_INPUT, "placeholder": _plain(placeholder, 150)}}


def complete_modal(action_id: str, title: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """Asks for the evidence that an action is complete (opened by the prompt's button)."""
    return {
        "type": "modal", "callback_id": COMPLETE_MODAL, "private_metadata": json.dumps(metadata),
        "title": _plain("Propose complete", 24), "submit": _plain("Propose", 24), "close": _plain("Cancel", 24),
        "blocks": [
            _section(f"*{escape(action_id)}* {escape(title)}"),
            _text_input(EVIDENCE_BLOCK, "Evidence that it is done",
                        "A link to the document, audit or report, or where the evidence is kept. "
                        "No names or details of a child or a case.",
                        "https://intranet/…"),
            {"type": "context", "elements": [{"type": "mrkdwn", "text":
                "The Silver chair reviews it next, then the Gold chair signs it off."}]},
        ],
    }


def reject_modal(action_id: str, kind: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """Asks the Silver chair why a closure (or a due-date change) is rejected."""
    what = "closure" if kind == "closure" else "due-date change"
    return {
        "type": "modal", "callback_id": REJECT_MODAL, "private_metadata": json.dumps(metadata),
        "title": _plain("Reject", 24), "submit": _plain("Reject", 24), "close": _plain("Cancel", 24),
        "blocks": [
            _section(f"Reject the {what} of *{escape(action_id)}*. The owner will see your reason."),
            _text_input(REASON_BLOCK, "Reason", "What is missing or what should change.",
                        "The dip-sample does not show the change yet"),
        ],
    }


# --- history --------------------------------------------------------------------------------------
def history_messages(history: History, tz: ZoneInfo) -> list[tuple[str, list[Block]]]:
    """An action's whole trail, oldest first, split into messages within Slack's limits."""
    action = history.action
    head = (f"*History of {escape(action.id)}* {escape(action.title)}\n"
            f"Status: {escape(action.status.value)} · due {action.due.isoformat()}")
    if action.due != action.original_due:
        head += f" (originally {action.original_due.isoformat()})"
    lines = []
    for e in history.entries:
        when = e.at.astimezone(tz).strftime("%d %b %Y %H:%M")
        who = escape(e.who_name) if e.who_name else "system"
        line = f"• {when} — *{escape(copy.history_what(e))}* by {who} ({escape(e.source)})"
        detail = copy.history_detail(e)
        if detail:
            line += f": {escape(clip(detail.replace(chr(10), ' '), 1500))}"
        lines.append(line)
    if not lines:
        lines = ["Nothing recorded yet."]
    sections = [_section(head)] + [_section(p) for p in chunk_lines(lines, SECTION_LIMIT)]
    messages = []
    for i in range(0, len(sections), MESSAGE_BLOCKS):
        group = sections[i:i + MESSAGE_BLOCKS]
        messages.append((f"History of {escape(action.id)}" + (" (continued)" if i else ""), group))
    return messages
