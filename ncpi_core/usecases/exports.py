"""Reading an export: the Silver summary now, every update and the audit trail."""

from __future__ import annotations

from datetime import datetime

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.exports import ExportData
from ncpi_core.domain.summaries.model import Level
from ncpi_core.storage.base import UowFactory
from ncpi_core.usecases.summaries import summary_now


def build_export(uow_factory: UowFactory, config: ForceConfig, now: datetime) -> ExportData:
    """Everything `ncpi export` writes (an empty plan gives an export whose summary is empty)."""
    summary = summary_now(uow_factory, config, now, Level.SILVER)
    with uow_factory() as uow:
        return ExportData(
            summary=summary, info=uow.plan.info(), tz=config.tz, updates=list(uow.updates.all()),
            audit=uow.audit.trail(), titles={a.id: a.title for a in uow.plan.actions(include_dropped=True)},
            names=uow.people.names())
