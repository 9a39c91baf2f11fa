"""Reading the packs for people outside the force (`ncpi export --audience pcc|public`) and the
inspectorate's revisit bundle (`ncpi export --revisit`)."""

from __future__ import annotations

from datetime import date, datetime

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.packs import Audience, Pack, build_pack
from ncpi_core.domain.revisit import Revisit, build_revisit
from ncpi_core.domain.summaries.model import Level
from ncpi_core.storage.base import UnitOfWork, UowFactory
from ncpi_core.usecases.summaries import summary_now


def _delivered_on(uow: UnitOfWork, config: ForceConfig) -> dict[str, date]:
    """The local day each action was signed off by Gold (its latest sign-off)."""
    return {e.entity_id: e.at.astimezone(config.tz).date() for e in uow.audit.trail("action")
            if e.event == "signed_off"}


def audience_pack(uow_factory: UowFactory, config: ForceConfig, now: datetime, audience: Audience | str, *,
                  report: str | None = None, item_type: str | None = None) -> Pack:
    """The public or PCC pack as at `now` (of one report or type of item, when given).

    Raises:
        NotFound, InvalidInput: an unknown report or type (see `summary_now`).
    """
    summary = summary_now(uow_factory, config, now, Level.SILVER, report=report, item_type=item_type)
    with uow_factory() as uow:
        info, delivered = uow.plan.info(), _delivered_on(uow, config)
    return build_pack(summary, info, Audience(audience), today=now.astimezone(config.tz).date(),
                      delivered_on=delivered)


def revisit_bundle(uow_factory: UowFactory, config: ForceConfig, now: datetime, *, report: str | None = None,
                   item_type: str | None = None) -> Revisit:
    """Every recommendation in the inspectorate's order with each action's delivered and embedded
    state, its closure evidence, its impact measure and dates, for the inspectorate's revisit."""
    summary = summary_now(uow_factory, config, now, Level.SILVER, report=report, item_type=item_type)
    with uow_factory() as uow:
        info, delivered = uow.plan.info(), _delivered_on(uow, config)
    return build_revisit(summary, info, today=now.astimezone(config.tz).date(), delivered_on=delivered)
