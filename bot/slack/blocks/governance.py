"""Block Kit for issue 16's deliveries and form: a challenge to an action's owner, a reminder of
one of the plan's clocks, and the Silver chair's challenge form.

User and plan text is escaped; every block stays inside Slack's limits.
"""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from bot.slack.blocks.common import UPDATE_OPEN, context, header, mrkdwn, plain
from bot.slack.text import clip, escape
from ncpi_core.domain.clocks import ClockKind
from ncpi_core.domain.models import RAG_MEANING
from ncpi_core.ports import ChallengeContent, ClockReminderContent
from ncpi_core.reports.common import CLOCK_LABEL

Block = dict[str, Any]
CHALLENGE_MODAL = "ncpi_challenge_modal"
QUESTION_BLOCK = "question"
MAX_QUESTION = 3000
ANSWER_HINT = ("Answer with an update that says what shows it: reply in this thread, e.g. "
               "`green 40% dip-sample of 40 episodes: 38 reviewed by a supervisor`, or use Update…")


def _quote(text: str) -> str:
    return ">" + escape(clip(text, 2800)).replace("\n", "\n>")


def render_challenge(c: ChallengeContent, tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The Silver chair's question, in the DM of the person responsible for the action, with the
    update button; a reply in its thread is an update to the action."""
    a = c.action
    text = f"{c.asked_by} asks about {a.id}: {clip(c.question, 200)}"
    blocks: list[Block] = [header(f"Challenge: {a.id}")]
    if c.on_behalf_of:
        blocks.append(context(f"You are covering for {escape(c.on_behalf_of)} while they are away."))
    asked = c.asked_at.astimezone(tz)
    blocks.append(mrkdwn(f"*{escape(c.asked_by)}* asked on {asked:%a} {asked.day} {asked:%b} about "
                         f"*{escape(a.id)}* — {escape(clip(a.title, 300))}:\n{_quote(c.question)}"))
    if c.latest is not None:
        u = c.latest
        said = escape(clip(u.narrative, 1500)) if u.narrative else "_no narrative_"
        pct = f" {u.progress}%" if u.progress is not None else ""
        blocks.append(mrkdwn(f"*Latest update* ({u.created_at.astimezone(tz):%d %b}): *{u.rag.value.upper()}* "
                             f"({RAG_MEANING[u.rag]}){pct} — {said}"))
    else:
        blocks.append(mrkdwn("*Latest update:* none yet."))
    blocks.append({"type": "actions", "block_id": f"ncpi_challenge:{a.id}"[:255], "elements": [
        {"type": "button", "action_id": UPDATE_OPEN, "value": a.id, "text": plain("Update…"), "style": "primary"}]})
    blocks.append(context(ANSWER_HINT + " It shows in the Silver and Gold summaries until you answer."))
    return text, blocks


def render_clock_reminder(c: ClockReminderContent, tz: ZoneInfo) -> tuple[str, list[Block]]:
    """One of the plan's clocks is near: to the Gold chair and the administrators."""
    label = CLOCK_LABEL.get(ClockKind(c.clock), c.clock)
    when = "today" if c.days_left == 0 else f"in {c.days_left} day{'s' if c.days_left != 1 else ''}"
    text = f"{label}: {c.due:%a} {c.due.day} {c.due:%b %Y} ({when})"
    return text, [mrkdwn(f":hourglass_flowing_sand: *{escape(label)}* is {c.due:%a} {c.due.day} {c.due:%b %Y} "
                         f"({when}), counted from the report's publication on {c.published.day} "
                         f"{c.published:%b %Y}."),
                  context("`/ncpi next` shows every date to come.")]


def challenge_modal(action_id: str, title: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """The Silver chair's question for the owner of an action (opened from the summary's button)."""
    return {
        "type": "modal", "callback_id": CHALLENGE_MODAL, "private_metadata": json.dumps(metadata),
        "title": plain("Challenge", 24), "submit": plain("Ask", 24), "close": plain("Cancel", 24),
        "blocks": [
            mrkdwn(f"*{escape(action_id)}* {escape(clip(title, 2000))}"),
            {"type": "input", "block_id": QUESTION_BLOCK, "label": plain("Your question for its owner", 2000),
             "hint": plain("They answer with an update; it shows in the summaries until they do. "
                           "No names or details of a child or a case.", 2000),
             "element": {"type": "plain_text_input", "action_id": QUESTION_BLOCK, "multiline": True,
                         "max_length": MAX_QUESTION,
                         "placeholder": plain("What does the dip-sample show?", 150)}},
        ],
    }
