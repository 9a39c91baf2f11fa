"""Block Kit for each delivery kind: prompts with their buttons, nudges, escalations, reminders,
summaries, workflow notices and failure reports.

Every piece of user or plan text is escaped with `bot.slack.text.escape`; every block stays inside
Slack's limits (section text ≤ 3000, header ≤ 150, ≤ 50 blocks a message). People are mentioned by
their Slack id from ncpi.yaml (`Addresses`), never by anything the core holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.slack.blocks.common import mrkdwn as _section
from bot.slack.blocks.governance import render_challenge, render_clock_reminder
from bot.slack.blocks.summary import summary_messages
from bot.slack.blocks.workflow import notice_message
from bot.slack.text import HEADER_LIMIT, SECTION_LIMIT, chunk_lines, clip, escape
from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.ledger import Recipient
from ncpi_core.domain.models import RAG_MEANING
from ncpi_core.ports import (
    ChallengeContent,
    ChaseContent,
    ClockReminderContent,
    EscalationContent,
    FailureContent,
    GoldReminderContent,
    NoticeContent,
    NudgeContent,
    Outgoing,
    PromptContent,
    SummaryContent,
)

Blocks = list[dict[str, Any]]
MAX_BLOCKS = 50
REPLY_HINT = "or reply in this thread, e.g. `amber 60% slots delayed`"
PLATFORM = "slack"


@dataclass(frozen=True)
class Addresses:
    """Slack ids from ncpi.yaml: a person's user id (to mention them), a body's channel id."""

    config: ForceConfig

    def user(self, person_id: str) -> str | None:
        person = self.config.person(person_id)
        return person.identity(PLATFORM) if person else None

    def of(self, recipient: Recipient) -> str | None:
        """Where a recipient is on Slack: a person's user id, or a body's channel id."""
        if recipient.person is not None:
            return self.user(recipient.person)
        return self.config.channel(recipient.body, PLATFORM) if recipient.body is not None else None


def when(dt: datetime, tz: ZoneInfo) -> str:
    """`Tue 8 Mar at 14:00` in the force's local time."""
    local = dt.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M}"


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, HEADER_LIMIT), "emoji": True}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, SECTION_LIMIT)}]}


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    b: dict[str, Any] = {"type": "button", "text": {"type": "plain_text", "text": text},
                         "action_id": action_id, "value": value}
    if style:
        b["style"] = style
    return b


def prompt_buttons(action_id: str) -> dict[str, Any]:
    """The contract with the bot's listeners: three buttons, value = the action id."""
    return {"type": "actions", "block_id": f"ncpi_prompt:{action_id}"[:255], "elements": [
        _button("On track, no change", "ncpi_on_track", action_id, "primary"),
        _button("Update…", "ncpi_update_open", action_id),
        _button("Propose complete", "ncpi_propose_complete", action_id),
    ]}


def render_prompt(c: PromptContent, tz: ZoneInfo) -> tuple[str, Blocks]:
    a = c.action
    text = f"Update needed for {a.id} before Silver on {when(c.meeting_at, tz)}"
    blocks: Blocks = [_header(f"Update needed: {a.id}")]
    if c.on_behalf_of:
        blocks.append(_context(f"You are covering for {escape(c.on_behalf_of)} while they are away."))
    if c.recommendation is not None:
        r = c.recommendation
        blocks.append(_section(f"*Recommendation {escape(r.id)}* — {escape(r.title)}"))
    blocks.append(_section(f"*Action {escape(a.id)}* — {escape(a.title)}\nDue {a.due:%d %b %Y}"
                           + (f" (originally {a.original_due:%d %b %Y})" if a.original_due != a.due else "")))
    if c.latest is not None:
        u = c.latest
        pct = f" {u.progress}%" if u.progress is not None else ""
        last = (f"*Last update* ({u.created_at.astimezone(tz):%d %b}): "
                f"*{u.rag.value.upper()}* ({RAG_MEANING[u.rag]}){pct}")
        if u.narrative:
            last += f"\n{escape(u.narrative)}"
        if u.blockers:
            last += f"\n_Blockers:_ {escape(u.blockers)}"
        blocks.append(_section(last))
    else:
        blocks.append(_section("*Last update:* none yet."))
    blocks.append(_section(f"Silver meets {when(c.meeting_at, tz)}; please update by "
                           f"{when(c.updates_by, tz)}."))
    blocks.append(prompt_buttons(a.id))
    blocks.append(_context(REPLY_HINT))
    return text, blocks


def render_nudge(c: NudgeContent, tz: ZoneInfo) -> tuple[str, Blocks]:
    a = c.action
    text = (f"Reminder: no update yet for {a.id} since {when(c.asked_at, tz)}. "
            f"Silver meets {when(c.meeting_at, tz)}.")
    return text, [_section(f":bell: {escape(text)}\n*{escape(a.id)}* — {escape(a.title)}"),
                  prompt_buttons(a.id), _context(REPLY_HINT)]


def render_escalation(c: EscalationContent, tz: ZoneInfo, addresses: Addresses) -> tuple[str, Blocks]:
    n = sum(len(m.action_ids) for m in c.missing)
    text = f"{n} action(s) still have no update before Silver on {when(c.meeting_at, tz)}"
    users = {m.person: addresses.user(m.person) for m in c.missing}
    lines = [f"• {f'<@{users[m.person]}>' if users[m.person] else escape(m.name)} — "
             f"{', '.join(escape(i) for i in m.action_ids)}" for m in c.missing]
    blocks: Blocks = [_header("No reply after a nudge")]
    blocks += [_section(p) for p in chunk_lines([f"{escape(text)}:"] + lines)][: MAX_BLOCKS - 2]
    blocks.append(_context("Use `/ncpi chase` to nudge them again, or `/ncpi missing` for the list."))
    return text, blocks


def render_gold_reminder(c: GoldReminderContent, tz: ZoneInfo) -> tuple[str, Blocks]:
    text = f"Gold meets on {when(c.meeting_at, tz)}; updates by {when(c.updates_by, tz)}."
    lines = [f"• *{escape(a.id)}* — {escape(a.title)}" for a in c.actions]
    blocks: Blocks = [_section(f":calendar: {escape(text)}\nYour actions:")]
    blocks += [_section(p) for p in chunk_lines(lines)][: MAX_BLOCKS - 2]
    blocks.append(_context("Reply with e.g. `R3.2 amber 60% slots delayed`, or use `/ncpi my`."))
    return text, blocks


def render_chase(c: ChaseContent, tz: ZoneInfo) -> tuple[str, Blocks]:
    by = f"{c.chased_by} asks" if c.chased_by else "A reminder"
    deadline = f" before Silver on {when(c.meeting_at, tz)}" if c.meeting_at else ""
    text = f"{by}: please update {', '.join(a.id for a in c.actions)}{deadline}."
    blocks: Blocks = [_section(f":wave: {escape(text)}")]
    for a in c.actions[: (MAX_BLOCKS - 2) // 2]:
        blocks.append(_section(f"*{escape(a.id)}* — {escape(a.title)}"))
        blocks.append(prompt_buttons(a.id))
    blocks.append(_context(REPLY_HINT.replace("in this thread", "here")))
    return text, blocks


def _failed_to(recipient: str, addresses: Addresses) -> str:
    """The Slack id the failed delivery was for (as the admins know it), else the recipient as stored."""
    try:
        return addresses.of(Recipient.parse(recipient)) or recipient
    except ValueError:
        return recipient  # a report written before recipients: it already holds the Slack id


def render_failure(c: FailureContent, tz: ZoneInfo, addresses: Addresses) -> tuple[str, Blocks]:
    text = f"ncpi could not deliver a {c.kind} after {c.attempts} attempts"
    body = (f":warning: {escape(text)}.\nKey: `{escape(c.key)}`\nTo: `{escape(_failed_to(c.recipient, addresses))}`\n"
            f"Last error: `{escape(clip(c.error, 500))}`\nSee `ncpi schedule` and the logs.")
    return text, [_section(body)]


def render_summary_messages(c: SummaryContent, tz: ZoneInfo) -> list[tuple[str, Blocks]]:
    """The summary's messages (bot.slack.blocks.summary), with a one-line lead naming the meeting."""
    messages = summary_messages(c.summary)
    lead = f"{c.level.title()} meets {when(c.meeting_at, tz)}."
    first_text, first_blocks = messages[0]
    if len(first_blocks) < MAX_BLOCKS:
        first_blocks = [_context(lead), *first_blocks]
    return [(f"{lead} {first_text}", first_blocks), *messages[1:]]


def render(message: Outgoing, addresses: Addresses) -> list[tuple[str, Blocks]]:
    """The message(s) to post for one delivery: (fallback text, blocks) each."""
    c, tz = message.content, message.tz
    if isinstance(c, SummaryContent):
        return render_summary_messages(c, tz)
    if isinstance(c, PromptContent):
        return [render_prompt(c, tz)]
    if isinstance(c, NudgeContent):
        return [render_nudge(c, tz)]
    if isinstance(c, EscalationContent):
        return [render_escalation(c, tz, addresses)]
    if isinstance(c, GoldReminderContent):
        return [render_gold_reminder(c, tz)]
    if isinstance(c, ChaseContent):
        return [render_chase(c, tz)]
    if isinstance(c, NoticeContent):
        return [notice_message(c)]
    if isinstance(c, ChallengeContent):
        return [render_challenge(c, tz)]
    if isinstance(c, ClockReminderContent):
        return [render_clock_reminder(c, tz)]
    return [render_failure(c, tz, addresses)]
