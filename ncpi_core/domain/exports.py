"""What `ncpi export` holds: the Silver summary, every update and the audit trail, as read."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from ncpi_core.domain.models import PlanInfo, Update
from ncpi_core.domain.records import AuditEntry
from ncpi_core.domain.summaries.model import Summary


@dataclass
class ExportData:
    summary: Summary
    info: PlanInfo | None
    tz: ZoneInfo  # the force's: times are written in it
    updates: list[Update] = field(default_factory=list)  # oldest first
    audit: list[AuditEntry] = field(default_factory=list)  # oldest first
    titles: dict[str, str] = field(default_factory=dict)  # action id -> title (dropped actions too)
    names: dict[str, str] = field(default_factory=dict)  # person id -> name (people gone too)
