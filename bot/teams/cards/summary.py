"""A Summary as Adaptive Cards, each within Teams' message size, split (never cut) when long, and
the RAG chart as an image in the card (a PNG data URI no wider than Teams shows: 1024 px)."""

from __future__ import annotations

import base64
import io

from bot.copy import decision_hint
from bot.teams.cards.common import (
    RAG_CIRCLE,
    RAG_COLOUR,
    Card,
    Element,
    Part,
    Run,
    clip,
    heading,
    note,
    pack,
    rich,
    said,
)
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
from ncpi_core.reports.common import EXCEPTION_TITLE, NO_PLAN, exception_detail, movement_heading
from ncpi_core.reports.scrutiny import scrutiny_details

FIELD_LIMIT = 1000  # a narrative longer than this is shortened visibly; the export has it whole
MAX_CHART_SIDE = 1024  # Teams shows images up to 1024×1024 px
BUCKET_NAME = {"red": "Red", "amber": "Amber", "green": "Green", "blue": "Blue (closed)", "embedded": "Embedded",
               "not_started": "Not started"}
BUCKET_COLOUR = {"red": "attention", "amber": "warning", "green": "good", "blue": "accent", "embedded": "accent",
                 "not_started": None}
BUCKET_CIRCLE = {"red": "🔴", "amber": "🟠", "green": "🟢", "blue": "🔵", "embedded": "🔷", "not_started": "⚪"}
# a recommendation's roll-up as its colour and its words (as Slack's summary says it)
ROLLUP_WORDS = {RollUp.COMPLETE: ("embedded", "Complete"), RollUp.DELIVERED: ("blue", "Blue, delivered"),
                RollUp.OVERDUE: ("red", "Red (overdue)"), RollUp.NOT_STARTED: ("not_started", "Not started"),
                RollUp.RED: ("red", "Red"), RollUp.AMBER: ("amber", "Amber"), RollUp.GREEN: ("green", "Green")}
CHART_ALT = ("RAG chart: left, the number of actions in each status (Blue closed, Green, Amber, Red, not started) "
             "at each meeting; right, each recommendation's progress in per cent. The figures are in the summary.")


def _when(dt: object) -> str:
    return dt.strftime("%a %d %b %Y %H:%M") if hasattr(dt, "strftime") else "–"


def _rag(rag: RAG | None, closed: bool = False) -> Run:
    if closed:
        return Run(f"{RAG_CIRCLE[RAG.BLUE]} Blue", bold=True, color=RAG_COLOUR[RAG.BLUE])
    if rag is None:
        return Run("⚪ Not started", bold=True)
    return Run(f"{RAG_CIRCLE[rag]} {rag.value.capitalize()}", bold=True, color=RAG_COLOUR[rag])


def _head(s: Summary, lead: str) -> list[Element]:
    body: list[Element] = []
    if lead:
        body.append(rich(Run(lead, italic=True)))
    body.append(heading(f"{s.level.value.capitalize()} summary — {s.plan_title or 'action plan'}", "Large"))
    context = [s.force, f"generated {_when(s.generated_at)}"]
    if s.cycle.next_meeting:
        context.append(f"next {s.level.value.capitalize()} meeting {_when(s.cycle.next_meeting)}")
    if s.cycle.asked_at:
        context.append(f"updates asked for from {_when(s.cycle.asked_at)}")
    if s.recommendation_filter or s.only or s.report_filter or s.type_filter:
        context.append("showing only " + " ".join(x for x in (s.report_filter, s.type_filter, s.recommendation_filter, s.only) if x))
    body.append(note(" · ".join(context)))
    totals: list[Part] = [Run(f"{s.total} actions", bold=True)]
    for b in BUCKET_ORDER:
        colour = BUCKET_COLOUR[b.value]
        totals += ["   ", Run(f"{BUCKET_CIRCLE[b.value]} {BUCKET_NAME[b.value]} {s.totals.get(b.value, 0)}",
                                bold=True, color=colour)]
    body.append(rich(*totals))
    return body


def _ref(action_id: str, title: str, owner: str) -> list[Part]:
    return [Run(action_id, bold=True), f" {clip(title, 200)} ({owner})"]


def _exceptions(s: Summary) -> list[Element]:
    items: list[Element] = []
    for kind in ExceptionKind:
        found = s.exceptions_of(kind)
        if not found:
            continue
        items.append(rich(Run(f"{EXCEPTION_TITLE[kind]} ({len(found)})", bold=True), separator=not items))
        for e in found:
            detail = exception_detail(e, decision_hint)
            ref = ([Run(e.action_id, bold=True), f" {clip(e.title, 200)}"] if e.is_recommendation
                   else _ref(e.action_id, e.title, e.owner_name))  # a recommendation has no owner
            items.append(rich("• ", *ref, *([": ", *said(clip(detail, 300))] if detail else [])))
    if not items:
        return [rich(Run("Exceptions: ", bold=True), "none 🎉", separator=True)]
    return [heading("Exceptions"), *items]


def _movement(s: Summary) -> list[Element]:
    m = s.movement
    lines: list[Element] = [rich(Run(movement_heading(s), bold=True), separator=True)]
    if m.rag_changes:
        changes: list[Part] = ["RAG changes: "]
        for i, c in enumerate(m.rag_changes):
            changes += [", " if i else "", Run(c.action_id, bold=True), " ", _rag(c.before), " → ", _rag(c.after)]
        lines.append(rich(*changes))
    for label, ids in (("Newly overdue", m.newly_overdue), ("Newly closed", m.newly_closed),
                       ("Newly embedded", getattr(m, "newly_embedded", []))):
        if ids:
            lines.append(rich(f"{label}: " + ", ".join(ids)))
    if m.no_update:
        lines.append(rich(f"No update this cycle ({len(m.no_update)}): " + ", ".join(m.no_update)))
    if len(lines) == 1:
        lines.append(rich("No change."))
    return lines


def _badge(key: str, words: str) -> Run:
    return Run(f"{BUCKET_CIRCLE[key]} {words}", bold=True, color=BUCKET_COLOUR[key])


def _recommendation(r: RecommendationLine) -> Element:
    key, words = ROLLUP_WORDS.get(r.rollup, ("not_started", str(r.rollup)))
    return rich(_badge(key, words), " ", Run(r.id, bold=True),
                f" {clip(r.title, 200)} — {r.progress}% · {r.position} · due {r.due.isoformat()}",
                *[part for line in scrutiny_details(r) for part in ("\n      ", Run(clip(line, FIELD_LIMIT), italic=True))],
                separator=True)


def _action(a: ActionLine) -> Element:
    due = a.due.isoformat() + (f" (was {a.original_due.isoformat()})" if a.due_moved else "")
    badge = _badge("embedded", "Embedded") if a.bucket.value == "embedded" else _rag(a.rag, a.is_closed)
    parts: list[Part] = [badge, f" {a.progress}% " if a.progress is not None else " ",
                         *_ref(a.id, a.title, a.owner_name), f" · due {due}"]
    if a.overdue:
        parts.append(Run(" · ⚠ overdue", bold=True, color="attention"))
    if a.status.value != "open":
        parts.append(f" · {a.status_label}")
    if a.no_update_this_cycle:
        parts.append(Run(" · no update this cycle", italic=True))
    for label, text in (("Progress", a.narrative), ("Blockers", a.blockers), ("Evidence", a.evidence)):
        if text:
            parts += ["\n      ", Run(f"{label}: ", italic=True), clip(" ".join(text.split()), FIELD_LIMIT)]
    if a.updated_at:
        parts.append(Run(f"\n      updated {_when(a.updated_at)}", italic=True, subtle=True))
    return rich(*parts)


def _recommendations(s: Summary) -> list[Element]:
    if s.level == Level.GOLD:
        return [heading("Recommendations"), *[_recommendation(r) for r in s.recommendations]]
    return [item for r in s.recommendations for item in (_recommendation(r), *[_action(a) for a in r.actions])]


def _participation(s: Summary) -> list[Element]:
    if s.level != Level.SILVER or s.participation is None or not s.participation.rows:
        return []
    overall = {r.person: r for r in s.participation.overall()}
    items = [rich(Run("Participation", bold=True),
                  " (latest cycle: prompts answered, median time to reply; all cycles)", separator=True)]
    for r in s.participation.latest():
        items.append(rich(f"• {r.name}: {r.answered}/{r.prompts}, {format_duration(r.median_response)}; "
                          f"all cycles {overall[r.person].share:.0%}"))
    return items


def chart_image(png: bytes, alt: str = "") -> Element:
    """The chart as an image element, scaled to fit Teams, with its alternative text (the chart in
    words, when the core described it)."""
    return {"type": "Image", "url": "data:image/png;base64," + base64.b64encode(fit_png(png)).decode("ascii"),
            "altText": clip(alt, 1000) if alt else CHART_ALT, "size": "Stretch", "spacing": "Medium"}


def fit_png(png: bytes, side: int = MAX_CHART_SIDE) -> bytes:
    """The PNG scaled down (Pillow) so neither side is over `side` pixels."""
    from PIL import Image  # lazy: only the Gold summary's chart needs Pillow

    with Image.open(io.BytesIO(png)) as image:
        if max(image.size) <= side:
            return png
        image.thumbnail((side, side), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        return out.getvalue()


def summary_cards(summary: Summary, lead: str = "", extra: list[Element] | None = None) -> list[Card]:
    """The summary as Teams cards: [card, …], each within Teams' limits."""
    s = summary
    if s.empty:
        return pack([rich(*said(NO_PLAN))], [], NO_PLAN)
    title = f"{s.level.value.capitalize()} summary: {s.plan_title}. " + ", ".join(
        f"{BUCKET_NAME[b.value]} {s.totals.get(b.value, 0)}" for b in BUCKET_ORDER)
    head = _head(s, lead) + list(extra or [])
    if not s.recommendations:
        return pack(head, [rich("Nothing matches that filter.")], title)
    items = (_exceptions(s) if s.level == Level.GOLD or s.exceptions else []) + _movement(s)
    items += _recommendations(s) + _participation(s)
    return pack(head, items, title)
