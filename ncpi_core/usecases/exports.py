"""Reading an export: the Silver summary now, every update and the audit trail."""

from __future__ import annotations

from datetime import datetime

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.exports import ExportData
from ncpi_core.domain.summaries.model import Level
from ncpi_core.storage.base import UowFactory
from ncpi_core.usecases.summaries import summary_now


def build_export(uow_factory: UowFactory, config: ForceConfig, now: datetime, *, report: str | None = None,
                 item_type: str | None = None) -> ExportData:
    """Everything `ncpi export` writes (an empty plan gives an export whose summary is empty); with
    `report` or `item_type`, only those items, their updates and their audit trail.

    Raises:
        NotFound, InvalidInput: an unknown report or type (`summary.unknown_report`, `summary.unknown_type`).
    """
    summary = summary_now(uow_factory, config, now, Level.SILVER, report=report, item_type=item_type)
    narrowed = report is not None or item_type is not None
    shown = {r.id for r in summary.recommendations} | {a.id for a in summary.actions}
    with uow_factory() as uow:
        return ExportData(
            summary=summary, info=uow.plan.info(), tz=config.tz,
            updates=[u for u in uow.updates.all() if not narrowed or u.action_id in shown],
            audit=[e for e in uow.audit.trail() if not narrowed or e.entity_id in shown],
            titles={a.id: a.title for a in uow.plan.actions(include_dropped=True)},
            names=uow.people.names())
