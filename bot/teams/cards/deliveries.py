"""Adaptive Cards for each delivery the ledger sends: prompts with their buttons, nudges,
escalations, reminders, chases, workflow notices, failure reports and the summaries (with the chart).

People are named, never @mentioned: a mention in a card needs Teams-only properties outside the
Adaptive Card schema, and the ledger's messages tell, they do not summon.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot import copy
from bot.teams.cards.common import (
    Card,
    Element,
    Run,
    card,
    execute,
    heading,
    note,
    rich,
    said,
    when,
    words,
)
from bot.teams.cards.forms import (
    REPLY_HINT,
    UPDATE_OPEN,
    action_lines,
    decision_buttons,
    last_update,
    prompt_buttons,
)
from bot.teams.cards.summary import chart_image, summary_cards
from ncpi_core.domain.clocks import ClockKind
from ncpi_core.errors import NcpiError
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
from ncpi_core.reports.common import CLOCK_LABEL

Rendered = tuple[Card, str]  # a card and the line notifications announce


def render_prompt(c: PromptContent, tz: ZoneInfo) -> Rendered:
    a = c.action
    summary = f"Update needed for {a.id} before Silver on {when(c.meeting_at, tz)}"
    body: list[Element] = [heading(f"Update needed: {a.id}")]
    if c.on_behalf_of:
        body.append(rich(Run(f"You are covering for {c.on_behalf_of} while they are away.", italic=True)))
    if c.recommendation is not None:
        body.append(rich(Run(f"Recommendation {c.recommendation.id}", bold=True), f" — {c.recommendation.title}"))
    body += [action_lines(a), last_update(c.latest),
             rich(f"Silver meets {when(c.meeting_at, tz)}; please update by {when(c.updates_by, tz)}."),
             note(REPLY_HINT.replace("R3.2", a.id))]
    return card(body, prompt_buttons(a.id), fallback=summary), summary


def render_nudge(c: NudgeContent, tz: ZoneInfo) -> Rendered:
    a = c.action
    summary = (f"Reminder: no update yet for {a.id} since {when(c.asked_at, tz)}. "
               f"Silver meets {when(c.meeting_at, tz)}.")
    body = [rich(f"🔔 {summary}"), action_lines(a), note(REPLY_HINT.replace("R3.2", a.id))]
    return card(body, prompt_buttons(a.id), fallback=summary), summary


def render_escalation(c: EscalationContent, tz: ZoneInfo) -> Rendered:
    n = sum(len(m.action_ids) for m in c.missing)
    summary = f"{n} action(s) still have no update before Silver on {when(c.meeting_at, tz)}"
    body: list[Element] = [heading("No reply after a nudge"), rich(f"{summary}:")]
    body += [rich("• ", Run(m.name, bold=True), " — " + ", ".join(m.action_ids)) for m in c.missing]
    body += words(f"Use `chase` to nudge them again, or `missing` for the list ({copy.TEAMS.platform}: "
                  "message me either word).")
    return card(body, fallback=summary), summary


def render_gold_reminder(c: GoldReminderContent, tz: ZoneInfo) -> Rendered:
    summary = f"Gold meets on {when(c.meeting_at, tz)}; updates by {when(c.updates_by, tz)}."
    body = [rich(f"📅 {summary}"), rich(Run("Your actions:", bold=True))]
    body += [rich("• ", Run(a.id, bold=True), f" — {a.title}") for a in c.actions]
    body += words("Reply with e.g. `R3.2 amber 60% slots delayed`, or message me `my`.")
    return card(body, fallback=summary), summary


def render_chase(c: ChaseContent, tz: ZoneInfo) -> Rendered:
    by = f"{c.chased_by} asks" if c.chased_by else "A reminder"
    deadline = f" before Silver on {when(c.meeting_at, tz)}" if c.meeting_at else ""
    summary = f"{by}: please update {', '.join(a.id for a in c.actions)}{deadline}."
    body: list[Element] = [rich(f"👋 {summary}")]
    for a in c.actions:
        body.append(rich(Run(a.id, bold=True), f" — {a.title}", separator=True))
        body.append({"type": "ActionSet", "actions": prompt_buttons(a.id)})
    body.append(note(REPLY_HINT.replace("R3.2", c.actions[0].id if c.actions else "R3.2")))
    return card(body, fallback=summary), summary


def render_notice(c: NoticeContent) -> Rendered:
    """A workflow step's message to someone, with the buttons of the decision it asks for."""
    first, _, rest = copy.notice_text(c, copy.TEAMS).partition("\n")
    body = [rich(*said(first))] + [rich(Run(line, italic=True)) if not line.startswith(("Approve", "Sign", "Propose"))
                                     else rich(*said(line)) for line in rest.splitlines() if line.strip()]
    return card(body, decision_buttons(c.kind, c.action_id or ""), fallback=first), first


def render_challenge(c: ChallengeContent, tz: ZoneInfo) -> Rendered:
    """The Silver chair's question, in the chat of the person responsible, with the update button;
    a reply quoting it (or a message with the action's id) answers it."""
    a = c.action
    summary = f"{c.asked_by} asks about {a.id}: {c.question[:200]}"
    asked = c.asked_at.astimezone(tz)
    body: list[Element] = [heading(f"Challenge: {a.id}")]
    if c.on_behalf_of:
        body.append(rich(Run(f"You are covering for {c.on_behalf_of} while they are away.", italic=True)))
    body += [rich(Run(c.asked_by, bold=True), f" asked on {asked:%a} {asked.day} {asked:%b} about ",
                  Run(a.id, bold=True), f" — {a.title}:"), rich(Run(c.question, italic=True)),
             last_update(c.latest),
             note(REPLY_HINT.replace("R3.2", a.id) + ". It shows in the Silver and Gold summaries until you answer.")]
    return card(body, [execute("Update…", UPDATE_OPEN, {"action_id": a.id}, "positive")], fallback=summary), summary


def render_clock_reminder(c: ClockReminderContent) -> Rendered:
    """One of the plan's clocks is near: to the Gold chair and the administrators."""
    label = CLOCK_LABEL.get(ClockKind(c.clock), c.clock)
    when = "today" if c.days_left == 0 else f"in {c.days_left} day{'s' if c.days_left != 1 else ''}"
    summary = f"{label}: {c.due:%a} {c.due.day} {c.due:%b %Y} ({when})"
    body = [rich("⏳ ", Run(label, bold=True), f" is {c.due:%a} {c.due.day} {c.due:%b %Y} ({when}), counted from "
                 f"the report's publication on {c.published.day} {c.published:%b %Y}."),
            *words("Message me `next` for every date to come.")]
    return card(body, fallback=summary), summary


def render_failure(c: FailureContent, to: str) -> Rendered:
    summary = f"ncpi could not deliver a {c.kind} after {c.attempts} attempts"
    body = [rich(Run(f"⚠ {summary}.", bold=True, color="attention")),
            rich("Key: ", Run(c.key, mono=True)), rich("To: ", Run(to, mono=True)),
            rich("Last error: ", Run(c.error[:500], mono=True)), *words("See `ncpi schedule` and the logs.")]
    return card(body, fallback=summary), summary


def render_summary(c: SummaryContent, tz: ZoneInfo, chart_png: bytes | None = None,
                   chart_note: NcpiError | None = None, chart_alt: str = "") -> list[Rendered]:
    """The summary's cards, led by the meeting they are for; the Gold chart as an image in the first."""
    lead = f"{c.level.title()} meets {when(c.meeting_at, tz)}."
    extra: list[Element] = []
    if chart_png:
        extra.append(chart_image(chart_png, chart_alt))
    elif chart_note is not None:
        extra += words(f"The RAG chart is not attached: {copy.error_text(chart_note, copy.TEAMS)}")
    cards = summary_cards(c.summary, lead=lead, extra=extra)
    return [(k, f"{lead} {k.get('fallbackText', '')}".strip()) for k in cards]


def render(message: Outgoing, failed_to: str) -> list[Rendered]:
    """The card(s) to post for one delivery."""
    c, tz = message.content, message.tz
    if isinstance(c, SummaryContent):
        note_value = message.extra.get("chart_note")
        return render_summary(c, tz, message.extra.get("chart_png"),
                              note_value if isinstance(note_value, NcpiError) else None,
                              str(message.extra.get("chart_alt") or ""))
    if isinstance(c, PromptContent):
        return [render_prompt(c, tz)]
    if isinstance(c, NudgeContent):
        return [render_nudge(c, tz)]
    if isinstance(c, EscalationContent):
        return [render_escalation(c, tz)]
    if isinstance(c, GoldReminderContent):
        return [render_gold_reminder(c, tz)]
    if isinstance(c, ChaseContent):
        return [render_chase(c, tz)]
    if isinstance(c, NoticeContent):
        return [render_notice(c)]
    if isinstance(c, ChallengeContent):
        return [render_challenge(c, tz)]
    if isinstance(c, ClockReminderContent):
        return [render_clock_reminder(c)]
    return [render_failure(c, failed_to)]
