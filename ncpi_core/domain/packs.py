"""The packs for people outside the force: the public pack and the PCC's pack.

Built from a Summary (the force's position per recommendation) and nothing of the force's internal
record: no owner, no narrative, no blocker, no evidence, no chat id, no inspectorate note. The words
printed are the inspection report's own (each item's id, title and text), the plan's dates and
counts, the position in words, and the plain English an administrator marked publishable
(`public_summary` in the plan file). Every text is put through the personal-data guard again as
the pack is built: what it would refuse is left out and listed, never printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from ncpi_core.domain.clocks import CLOCK_DAYS, ClockKind
from ncpi_core.domain.models import Category, PlanInfo
from ncpi_core.domain.pii import find_personal_data
from ncpi_core.domain.summaries.model import RecommendationLine, RollUp, Summary


class Audience(StrEnum):
    INTERNAL = "internal"  # the Silver pack, as `ncpi export` has always written it
    PCC = "pcc"  # the public pack, with the PCC's assurance and the 56-day response date
    PUBLIC = "public"


TIMESCALES = {Category.IMMEDIATE: "For immediate action", Category.THREE_MONTHS: "Within three months",
              Category.SIX_MONTHS: "Within six months", Category.OTHER: "Other timescales"}
# the force's position in plain English; the RAG word is always there as well as any colour
POSITION = {RollUp.COMPLETE: "COMPLETE: every action done and its effect checked",
            RollUp.DELIVERED: "DELIVERED: every action done; its effect is still being checked",
            RollUp.OVERDUE: "RED (OVERDUE): past its due date with work still to do",
            RollUp.NOT_STARTED: "NOT STARTED", RollUp.RED: "RED: off track", RollUp.AMBER: "AMBER: at risk",
            RollUp.GREEN: "GREEN: on track"}
TYPE_WORDS = {"recommendation": "Recommendation", "area_for_improvement": "Area for improvement",
              "cause_of_concern": "Cause of concern"}


@dataclass(frozen=True)
class PackItem:
    id: str
    kind: str  # "Recommendation", "Area for improvement", …
    report: str
    title: str
    text: str
    due: date
    position: str  # in words
    css: str  # the colour class of the position (the word is always printed too)
    changed: list[str]  # what has changed: counts and dates, no words of the force's own
    remains: str
    public_summary: str  # what an administrator marked publishable ('' for none)
    inspectorate: str = ""  # the inspectorate's status in words, and its date
    assurance: str = ""  # PCC pack: the rating in words and its date
    assurance_comment: str = ""  # PCC pack: the PCC's own comment


@dataclass(frozen=True)
class LeftOut:
    """A text the pack would have printed but the personal-data guard refuses: which, and why."""

    item: str
    field: str
    kind: str


@dataclass(frozen=True)
class Pack:
    audience: Audience
    force: str
    plan_title: str
    report: str
    published: date | None
    as_at: date
    groups: list[tuple[str, list[PackItem]]]
    pcc_response_due: date | None = None  # PCC pack: plan.published + 56 days
    left_out: list[LeftOut] = field(default_factory=list)
    narrowed: str = ""  # "report VSA", when only some items are shown


def _guarded(item: str, fields: dict[str, str], left_out: list[LeftOut]) -> dict[str, str]:
    """Each text, or '' where the personal-data guard refuses it (recorded in `left_out`)."""
    refused = {f.field: f.kind for f in find_personal_data(fields)}
    left_out.extend(LeftOut(item, name, kind) for name, kind in refused.items())
    return {name: ("" if name in refused else text) for name, text in fields.items()}


def _changed(r: RecommendationLine, delivered_on: Mapping[str, date], summary: Summary) -> list[str]:
    total = len(r.actions)
    delivered = [a for a in r.actions if a.is_delivered]
    superseded = sum(1 for a in r.actions if a.status.value == "superseded")
    embedded = [a for a in r.actions if a.embedding is not None]
    out = [f"{len(delivered)} of {total} action{'s' if total != 1 else ''} delivered"
           + (f" (the latest on {max(d).isoformat()})" if (d := [delivered_on[a.id] for a in delivered
                                                                   if a.id in delivered_on]) else "")]
    if embedded:
        out.append(f"{len(embedded)} with its effect re-tested (the latest on "
                   f"{max(a.embedding.retested_on for a in embedded if a.embedding).isoformat()})")
    if superseded:
        out.append(f"{superseded} replaced by other work")
    moved = sum(1 for a in r.actions if a.due_moved and not a.is_closed)
    if moved:
        out.append(f"{moved} open action{'s' if moved != 1 else ''} given a later date")
    since = summary.movement.since
    newly = [x for x in summary.movement.newly_closed if x in {a.id for a in r.actions}]
    if since is not None and newly:
        out.append(f"{len(newly)} closed since {since.date().isoformat()}")
    return out


def _remains(r: RecommendationLine) -> str:
    open_ = [a for a in r.actions if not a.is_closed]
    if not open_:
        if r.complete:
            return "Nothing: every action is done and its effect checked."
        return "Checking that the delivered actions have had the intended effect."
    last = max(a.due for a in open_)
    overdue = sum(1 for a in open_ if a.overdue)
    return (f"{len(open_)} action{'s' if len(open_) != 1 else ''} still open, the last due {last.isoformat()}"
            + (f"; {overdue} past {'its' if overdue == 1 else 'their'} due date" if overdue else "") + ".")


def build_pack(summary: Summary, info: PlanInfo | None, audience: Audience, *, today: date,
               delivered_on: Mapping[str, date], inspectorate_shown: bool = True) -> Pack:
    """The public or PCC pack of `summary` (a Silver-level summary: every action's state).

    Args:
        delivered_on: the day each delivered action was signed off.
        inspectorate_shown: print the inspectorate's status word and date (never its note).
    """
    left_out: list[LeftOut] = []
    groups: dict[Category, list[PackItem]] = {}
    for r in summary.recommendations:
        texts = {"title": r.title, "text": r.text, "public summary": r.public_summary}
        if audience is Audience.PCC and r.assurance is not None:
            texts["assurance comment"] = r.assurance.text
        safe = _guarded(r.id, texts, left_out)
        groups.setdefault(r.category, []).append(PackItem(
            id=r.id, kind=TYPE_WORDS.get(r.type, r.type), report=r.report, title=safe["title"], text=safe["text"],
            due=r.due, position=POSITION[r.rollup],
            css="embedded" if r.complete else (r.rag.value if r.rag else "not_started"),
            changed=_changed(r, delivered_on, summary), remains=_remains(r), public_summary=safe["public summary"],
            inspectorate=(f"{r.inspectorate.words} ({r.inspectorate.on.isoformat()})"
                          if inspectorate_shown and r.inspectorate is not None else ""),
            assurance=(f"{r.assurance.words} ({r.assurance.on.isoformat()})"
                       if audience is Audience.PCC and r.assurance is not None else ""),
            assurance_comment=safe.get("assurance comment", "")))
    heading = _guarded("plan", {"plan title": info.title if info else summary.plan_title,
                                "report": info.report if info else ""}, left_out)
    published = info.published if info else None
    narrowed = ", ".join(x for x in (f"report {summary.report_filter}" if summary.report_filter else "",
                                     (summary.type_filter or "").replace("_", " ")) if x)
    return Pack(
        audience=audience, force=summary.force, plan_title=heading["plan title"], report=heading["report"],
        published=published, as_at=today,
        groups=[(TIMESCALES[c], groups[c]) for c in Category if c in groups],
        pcc_response_due=(published + timedelta(days=CLOCK_DAYS[ClockKind.PCC_RESPONSE])
                          if audience is Audience.PCC and published else None),
        left_out=left_out, narrowed=narrowed)
