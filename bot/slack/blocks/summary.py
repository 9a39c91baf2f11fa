"""A Summary as Slack Block Kit messages, each within Slack's limits, split (never cut) when long.

Every message has at most 50 blocks and stays below Slack's total size (`bot.slack.parts`), every
section has at most 3000 characters, and all text from
people (titles, narratives, blockers, evidence, names) is escaped, so `<!channel>` pings no one.
"""

from __future__ import annotations

from typing import Any

from bot.copy import decision_hint
from bot.slack.parts import Body, pack
from bot.slack.text import HEADER_LIMIT, SECTION_LIMIT, chunk_lines, clip, escape
from ncpi_core.domain.models import RAG
from ncpi_core.domain.participation import format_duration
from ncpi_core.domain.summaries.model import (
    BUCKET_ORDER,
    ActionLine,
    ExceptionKind,
    Level,
    RecommendationLine,
    RollUp,
    Summary,
)
from ncpi_core.reports.common import (
    EXCEPTION_TITLE,
    NO_PLAN,
    clock_lines,
    decision_line,
    exception_detail,
    movement_heading,
    recommendation_totals_line,
)
from ncpi_core.reports.scrutiny import scrutiny_details

Block = dict[str, Any]
FIELD_LIMIT = 1000  # a narrative longer than this is shortened visibly; the export has it whole

EMOJI = {"red": ":red_circle:", "amber": ":large_orange_circle:", "green": ":large_green_circle:",
         "blue": ":large_blue_circle:", "embedded": ":large_blue_diamond:", "not_started": ":white_circle:"}
BUCKET_NAME = {"red": "Red", "amber": "Amber", "green": "Green", "blue": "Blue", "embedded": "Embedded",
               "not_started": "Not started"}
# a recommendation's roll-up as its colour and its words
ROLLUP_BADGE = {RollUp.COMPLETE: ("embedded", "Complete"), RollUp.DELIVERED: ("blue", "Blue, delivered"),
                RollUp.OVERDUE: ("red", "Red (overdue)"), RollUp.NOT_STARTED: ("not_started", "Not started"),
                RollUp.RED: ("red", "Red"), RollUp.AMBER: ("amber", "Amber"), RollUp.GREEN: ("green", "Green")}
CHALLENGE_OPEN = "ncpi_challenge_open"  # the Silver summary's button on an open action's line (value: its id)


def rag_emoji(rag: RAG | None) -> str:
    return EMOJI[rag.value] if rag else EMOJI["not_started"]


def rag_badge(rag: RAG | None, complete: bool = False) -> str:
    """The RAG as its colour and its word (`:red_circle: Red`): never colour alone (WCAG 1.4.1)."""
    key = "blue" if complete else rag.value if rag else "not_started"
    return f"{EMOJI[key]} {BUCKET_NAME[key]}"


def rec_badge(r: RecommendationLine) -> str:
    """A recommendation's roll-up as its colour and words: `:red_circle: *Red (overdue)*`."""
    key, words = ROLLUP_BADGE[r.rollup]
    return f"{EMOJI[key]} *{words}*"


def action_badge(a: ActionLine) -> str:
    """An action's colour and word: its RAG, or Blue once closed, or Embedded."""
    if a.bucket.value == "embedded":
        return f"{EMOJI['embedded']} Embedded"
    return rag_badge(a.rag, a.is_closed)


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _sections(lines: list[str]) -> list[Block]:
    return [_section(piece) for piece in chunk_lines(lines, SECTION_LIMIT) if piece.strip()]


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, 2000)}]}


def _when(dt: Any) -> str:
    return dt.strftime("%a %d %b %Y %H:%M") if dt else "–"


def _header_blocks(s: Summary) -> list[Block]:
    title = f"{s.level.value.capitalize()} summary — {s.plan_title or 'action plan'}"
    blocks: list[Block] = [{"type": "header", "text": {"type": "plain_text", "text": clip(title, HEADER_LIMIT),
                                                       "emoji": True}}]
    context = [escape(s.force), f"generated {_when(s.generated_at)}"]
    if s.cycle.next_meeting:
        context.append(f"next {s.level.value.capitalize()} meeting {_when(s.cycle.next_meeting)}")
    if s.cycle.asked_at:
        context.append(f"updates asked for from {_when(s.cycle.asked_at)}")
    if s.recommendation_filter or s.only or s.report_filter or s.type_filter:
        context.append("showing only " + " ".join(escape(x) for x in (s.report_filter, s.type_filter, s.recommendation_filter, s.only) if x))
    blocks.append(_context(" · ".join(context)))
    totals = "   ".join(f"{EMOJI[b.value]} {BUCKET_NAME[b.value]} *{s.totals.get(b.value, 0)}*"
                        + (f" ({s.unverified} unverified)" if b.value == "green" and s.unverified else "")
                        for b in BUCKET_ORDER)
    blocks.append(_section(f"*{s.total} actions*   {totals}\n{escape(recommendation_totals_line(s))}"))
    if s.clocks:
        blocks.append(_section("\n".join(f":hourglass_flowing_sand: {escape(line)}" for line in clock_lines(s))))
    return blocks


def _action_ref(action_id: str, title: str, owner: str) -> str:
    return f"*{escape(action_id)}* {escape(clip(title, 200))} ({escape(owner)})"


def _exception_blocks(s: Summary) -> list[Block]:
    lines: list[str] = []
    for kind in ExceptionKind:
        items = s.exceptions_of(kind)
        if not items:
            continue
        lines.append(f"*{EXCEPTION_TITLE[kind]}* ({len(items)})")
        for e in items:
            text = exception_detail(e, decision_hint)
            detail = f": {escape(clip(text, 300))}" if text else ""
            ref = (f"*{escape(e.action_id)}* {escape(clip(e.title, 200))}" if e.is_recommendation
                   else _action_ref(e.action_id, e.title, e.owner_name))
            lines.append(f"• {ref}{detail}")
    if not lines:
        return [_section("*Exceptions:* none :tada:")]
    return [{"type": "divider"}, _section("*Exceptions*")] + _sections(lines)


def _movement_blocks(s: Summary) -> list[Block]:
    m = s.movement
    lines = [f"*{escape(movement_heading(s))}*"]
    if m.rag_changes:
        lines.append("RAG changes: " + ", ".join(
            f"*{escape(c.action_id)}* {rag_badge(c.before)} → {rag_badge(c.after)}" for c in m.rag_changes))
    if m.newly_overdue:
        lines.append("Newly overdue: " + ", ".join(escape(x) for x in m.newly_overdue))
    if m.newly_closed:
        lines.append("Newly closed: " + ", ".join(escape(x) for x in m.newly_closed))
    if m.newly_embedded:
        lines.append("Newly embedded: " + ", ".join(escape(x) for x in m.newly_embedded))
    lines += [f":scales: Gold decision on {escape(clip(decision_line(d), 1500))}" for d in m.decisions]
    if m.no_update:
        lines.append(f"No update this cycle ({len(m.no_update)}): " + ", ".join(escape(x) for x in m.no_update))
    if len(lines) == 1:
        lines.append("No change.")
    return [{"type": "divider"}] + _sections(lines)


def _rec_line(r: RecommendationLine) -> str:
    head = (f"{rec_badge(r)} *{escape(r.id)}* {escape(clip(r.title, 200))} — {r.progress}% · "
            f"{escape(r.position)} · due {r.due.isoformat()}")
    # beside the force's position: the PCC's rating and the inspectorate's status, with their words
    return "\n".join([head] + [f"      _{escape(clip(line, FIELD_LIMIT))}_" for line in scrutiny_details(r)])


def _action_lines(a: ActionLine) -> list[str]:
    due = a.due.isoformat() + (f" (was {a.original_due.isoformat()})" if a.due_moved else "")
    flags = [":warning: *overdue*"] if a.overdue else []
    if a.beyond_deadline:
        flags.append(f"due after {escape(a.recommendation_id)}'s deadline")
    if a.status.value not in ("open",):
        flags.append(a.status_label)
    if a.unverified is not None:
        flags.append(f":grey_question: *unverified Green*: no words since {a.unverified.since:%d %b}")
    if a.no_update_this_cycle:
        flags.append("_no update this cycle_")
    progress = f" {a.progress}%" if a.progress is not None else ""
    head = (f"{action_badge(a)}{progress} "
            f"{_action_ref(a.id, a.title, a.owner_name)} · due {due}"
            + (" · " + " · ".join(flags) if flags else ""))
    lines = [head]
    for label, text in (("Progress", a.narrative), ("Blockers", a.blockers), ("Evidence", a.evidence)):
        if text:
            lines.append(f"      _{label}:_ {escape(clip(' '.join(text.split()), FIELD_LIMIT))}")
    if a.challenge is not None:
        c = a.challenge
        lines.append(f"      :question: _Challenged by {escape(c.asked_by_name)} on {c.asked_at:%d %b}:_ "
                     f"{escape(clip(' '.join(c.question.split()), FIELD_LIMIT))} _(awaiting an answer)_")
    if a.embedding is not None:
        e = a.embedding
        lines.append(f"      _Embedded (re-tested {e.retested_on:%d %b %Y}):_ "
                     f"{escape(clip(' '.join(e.impact.split()), FIELD_LIMIT))}")
    if a.updated_at:
        lines.append(f"      _updated {_when(a.updated_at)}_")
    return lines


def challenge_button(action_id: str) -> dict[str, Any]:
    """The "Challenge…" button on an open action's line (the Silver chair asks its owner a question)."""
    return {"type": "button", "action_id": CHALLENGE_OPEN, "value": clip(action_id, 2000),
            "text": {"type": "plain_text", "text": "Challenge…", "emoji": True},
            "accessibility_label": clip(f"Challenge the latest update of {action_id}", 75)}


def _action_blocks(a: ActionLine) -> list[Block]:
    """One action's line, its own section so that an open action carries the challenge button."""
    blocks = _sections(_action_lines(a))
    if blocks and not a.is_closed:
        blocks[0]["accessory"] = challenge_button(a.id)
    return blocks


def _recommendation_blocks(s: Summary) -> list[Block]:
    blocks: list[Block] = [{"type": "divider"}]
    if s.level == Level.GOLD:
        return blocks + _sections(["*Recommendations*"] + [_rec_line(r) for r in s.recommendations])
    for r in s.recommendations:
        blocks += _sections([_rec_line(r)])
        for a in r.actions:
            blocks += _action_blocks(a)
    return blocks


def participation_lines(s: Summary) -> list[str]:
    """Per lead: prompts answered in the latest cycle, median time to reply, share over all cycles
    (the Silver summary's footer and the Silver chair's App Home)."""
    if s.level != Level.SILVER or s.participation is None or not s.participation.rows:
        return []
    overall = {r.person: r for r in s.participation.overall()}
    lines = ["*Participation* (latest cycle: prompts answered, median time to reply; all cycles)"]
    for r in s.participation.latest():
        o = overall[r.person]
        lines.append(f"• {escape(r.name)}: {r.answered}/{r.prompts}, {format_duration(r.median_response)}; "
                     f"all cycles {o.share:.0%}")
    return lines


def _participation_blocks(s: Summary) -> list[Block]:
    lines = participation_lines(s)
    return [{"type": "divider"}] + _sections(lines) if lines else []


def summary_body(summary: Summary) -> Body:
    """The whole summary as one body of blocks (`bot.slack.parts` cuts it into messages)."""
    s = summary
    if s.empty:
        return Body(NO_PLAN, [_section(escape(NO_PLAN))], splittable=True)
    title = escape(f"{s.level.value.capitalize()} summary: {s.plan_title}. " + ", ".join(
        f"{BUCKET_NAME[b.value]} {s.totals.get(b.value, 0)}" for b in BUCKET_ORDER))
    blocks = _header_blocks(s)
    if not s.recommendations:
        blocks.append(_section("Nothing matches that filter."))
        return Body(title, blocks, splittable=True)
    blocks += _exception_blocks(s) if s.level == Level.GOLD or s.exceptions else []
    blocks += _movement_blocks(s)
    blocks += _recommendation_blocks(s)
    blocks += _participation_blocks(s)
    return Body(title, blocks, splittable=True)


def summary_messages(summary: Summary) -> list[tuple[str, list[Block]]]:
    """The summary as Slack messages: [(fallback text, blocks), …], each within Slack's limits."""
    return [(part.text, part.blocks) for part in pack(summary_body(summary))]
