"""The inspectorate's revisit bundle: every recommendation in the inspectorate's order, each action
with its delivered and embedded state, its evidence, its impact measure and its dates.

It is for the inspectorate's liaison lead (an observer), so it holds what the force shows as proof,
not its working: no narratives, no blockers, no chat ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from ncpi_core.domain.models import PlanInfo
from ncpi_core.domain.packs import POSITION, TYPE_WORDS
from ncpi_core.domain.summaries.model import STATUS_LABEL, Summary


@dataclass(frozen=True)
class RevisitAction:
    id: str
    title: str
    state: str  # open, awaiting Silver review, delivered, embedded, superseded…
    due: date
    original_due: date
    delivered_on: date | None
    evidence: str
    impact: str  # the impact measure recorded when it was embedded ('' until then)
    retested_on: date | None


@dataclass(frozen=True)
class RevisitItem:
    id: str
    kind: str
    report: str
    title: str
    text: str
    due: date
    position: str
    css: str
    inspectorate: str
    actions: list[RevisitAction]


@dataclass(frozen=True)
class Revisit:
    force: str
    plan_title: str
    report: str
    published: date | None
    as_at: date
    items: list[RevisitItem]


def build_revisit(summary: Summary, info: PlanInfo | None, *, today: date,
                  delivered_on: Mapping[str, date]) -> Revisit:
    """The bundle of a Silver-level `summary` (every action), in the plan's order (the inspectorate's)."""
    items = []
    for r in summary.recommendations:
        actions = [RevisitAction(
            id=a.id, title=a.title, state=STATUS_LABEL[a.status], due=a.due, original_due=a.original_due,
            delivered_on=delivered_on.get(a.id) if a.is_delivered else None,
            evidence=a.evidence if a.is_closed else "",
            impact=a.embedding.impact if a.embedding else "",
            retested_on=a.embedding.retested_on if a.embedding else None) for a in r.actions]
        items.append(RevisitItem(
            id=r.id, kind=TYPE_WORDS.get(r.type, r.type), report=r.report, title=r.title, text=r.text, due=r.due,
            position=POSITION[r.rollup], css="embedded" if r.complete else (r.rag.value if r.rag else "not_started"),
            inspectorate=f"{r.inspectorate.words} ({r.inspectorate.on.isoformat()})" if r.inspectorate else "",
            actions=actions))
    return Revisit(force=summary.force, plan_title=info.title if info else summary.plan_title,
                   report=info.report if info else "", published=info.published if info else None, as_at=today,
                   items=items)
