"""Reading the RAG chart's data: the plan's position at each past meeting of a body, and now."""

from __future__ import annotations

from datetime import datetime, timedelta

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.calendar import meetings_between
from ncpi_core.domain.models import Body
from ncpi_core.domain.summaries.build import build_summary
from ncpi_core.domain.summaries.chart import MAX_POINTS, ChartData, RecProgress
from ncpi_core.domain.summaries.model import Level
from ncpi_core.storage.base import UowFactory
from ncpi_core.usecases.summaries import read_plan_state, statuses_as_of, unverified_now

NO_LOAD_LOOKBACK = timedelta(days=90)  # how far back to look when the plan's load time is unknown


def chart_data(uow_factory: UowFactory, config: ForceConfig, now: datetime, body: Body = Body.GOLD) -> ChartData:
    """The totals at each past meeting of `body` since the plan was loaded (the latest MAX_POINTS),
    and now, with each recommendation's progress now. An empty plan gives no progress rows."""
    tz = config.tz
    points: list[tuple[str, dict[str, int]]] = []
    with uow_factory() as uow:
        state = read_plan_state(uow, now)
        start = uow.plan.loaded_at() or now - NO_LOAD_LOOKBACK
        for m in meetings_between(config, start, now, body)[-MAX_POINTS + 1:]:
            then = statuses_as_of(uow, read_plan_state(uow, now, as_of=m.starts_at, records=False), m.starts_at)
            s = build_summary(Level.SILVER, then, now=m.starts_at, today=m.starts_at.astimezone(tz).date())
            points.append((m.starts_at.astimezone(tz).strftime("%d %b\n%Y"), s.totals))
    current = build_summary(Level.SILVER, state, now=now, today=now.astimezone(tz).date(),
                            unverified=unverified_now(state, config, now))
    points.append((now.astimezone(tz).strftime("now\n%d %b"), current.totals))
    title = f"{config.force}: {state.info.title}" if state.info else config.force
    return ChartData(title=title, points=points,
                     progress=[RecProgress(r.id, r.progress, r.rollup, r.unverified) for r in current.recommendations])
