"""An export as rows: the plan (the import template), every update, the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ncpi_core.config.tables import PLAN_COLUMNS
from ncpi_core.domain.exports import ExportData
from ncpi_core.domain.summaries.model import Summary
from ncpi_core.reports.common import ACTION_COLUMNS, action_row

EXPORT_COLUMNS = ACTION_COLUMNS + PLAN_COLUMNS
HISTORY_COLUMNS = ["at", "action_id", "action_title", "rag", "progress", "narrative", "blockers", "evidence",
                   "author", "source"]
AUDIT_COLUMNS = ["at", "entity", "entity_id", "event", "field", "old", "new", "actor", "source", "reason"]


@dataclass
class ExportRows:
    summary: Summary
    report: str
    published: str
    history: list[dict[str, Any]]
    audit: list[dict[str, Any]]

    def plan_rows(self) -> list[dict[str, Any]]:
        plan = {"plan_title": self.summary.plan_title, "plan_report": self.report,
                "plan_published": self.published}
        return [action_row(r, a) | plan for r in self.summary.recommendations for a in r.actions]


def export_rows(data: ExportData) -> ExportRows:
    """Times in the force's zone to the minute, authors by name, plain values."""
    tz, info, names = data.tz, data.info, data.names
    history = [{
        "at": u.created_at.astimezone(tz).isoformat(timespec="minutes"), "action_id": u.action_id,
        "action_title": data.titles.get(u.action_id, ""), "rag": u.rag.value,
        "progress": "" if u.progress is None else u.progress, "narrative": u.narrative,
        "blockers": u.blockers, "evidence": u.evidence,
        "author": names.get(u.author or "", u.author or ""), "source": u.source.value,
    } for u in data.updates]
    audit = [{
        "at": e.at.astimezone(tz).isoformat(timespec="minutes"), "entity": e.entity,
        "entity_id": e.entity_id, "event": e.event, "field": e.field or "", "old": e.old or "",
        "new": e.new or "", "actor": e.actor or "", "source": e.source, "reason": e.reason or "",
    } for e in data.audit]
    return ExportRows(summary=data.summary, report=info.report if info else "",
                      published=info.published.isoformat() if info and info.published else "",
                      history=history, audit=audit)
