"""The scheduler is a trigger only: one APScheduler job that runs a delivery tick every minute.

What is owed and whether it was sent lives in the `deliveries` table, so a restart, a second
replica or `ncpi tick` from cron cannot send anything twice. Sending happens in this job's thread,
never inside a Slack request's 3-second acknowledgement.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.summaries.chart import ChartDrawer
from ncpi_core.ports import DeliveryPort
from ncpi_core.reports.chart import render_chart_png
from ncpi_core.storage.base import UowFactory
from ncpi_core.usecases.ledger import TickResult, new_worker_id, run_tick
from ncpi_core.usecases.ledger.dry_run import would_send

log = logging.getLogger(__name__)
JOB_ID = "ncpi-delivery-tick"
PREPARE_JOB_ID = "ncpi-prepare"
PREPARE_EVERY = 300  # seconds between two runs of the front end's preparation (opening DMs ahead)


class DeliveryScheduler:
    """Owns a BackgroundScheduler with one job: `tick()` every `interval_seconds`."""

    def __init__(self, uow_factory: UowFactory, config: ForceConfig, port: DeliveryPort,
                 clock: Callable[[], datetime], interval_seconds: int = 60,
                 draw_chart: ChartDrawer | None = render_chart_png,
                 prepare: Callable[[], object] | None = None) -> None:
        self.uow_factory = uow_factory
        self.config = config
        self.port = port
        self.clock = clock
        self.interval_seconds = interval_seconds
        self.draw_chart = draw_chart
        # the front end's work ahead of the sends (Slack: open the DMs of new leads, at
        # conversations.open's own pace, so a first cycle's prompts do not wait for it)
        self.prepare = prepare
        self.worker = new_worker_id()
        self.scheduler = BackgroundScheduler(timezone=UTC)
        self.last: TickResult | None = None
        self.dry_run = False  # `ncpi run --dry-run`: log what each tick would send, send nothing
        self.announced: set[str] = set()  # keys a dry run has logged (each said once)

    def tick(self) -> TickResult | None:
        """One tick; errors are logged (the next tick tries again), never raised into APScheduler."""
        if self.dry_run:
            self._log_what_would_go()
            return None
        try:
            self.last = run_tick(self.uow_factory, self.config, self.port, self.clock(), worker=self.worker,
                                 draw_chart=self.draw_chart)
        except Exception:  # noqa: BLE001 - a database blip must not kill the job
            log.exception("delivery tick failed; the next one will try again")
            return None
        if self.last.sent or self.last.failed or self.last.dead:
            log.info("delivery tick: %s", self.last.as_dict())
        return self.last

    def _log_what_would_go(self) -> None:
        try:
            owed = would_send(self.uow_factory, self.config, self.port.platform, self.clock())
        except Exception:  # noqa: BLE001 - as a real tick: the next one tries again
            log.exception("dry-run tick failed; the next one will try again")
            return
        for o in owed:
            if o.key not in self.announced:
                self.announced.add(o.key)
                log.info("dry run: would send %s (%s) to %s; not sent", o.key, o.kind.value, o.recipient)

    def start(self) -> None:
        self.scheduler.add_job(self.tick, "interval", seconds=self.interval_seconds, id=JOB_ID,
                               coalesce=True, max_instances=1, misfire_grace_time=self.interval_seconds,
                               next_run_time=datetime.now(UTC), replace_existing=True)
        if self.prepare is not None and not self.dry_run:
            self.scheduler.add_job(self._prepare, "interval", seconds=PREPARE_EVERY, id=PREPARE_JOB_ID,
                                   coalesce=True, max_instances=1, next_run_time=datetime.now(UTC),
                                   replace_existing=True)
        self.scheduler.start()
        log.info("delivery scheduler started: a tick every %ss", self.interval_seconds)

    def _prepare(self) -> None:
        try:
            assert self.prepare is not None
            self.prepare()
        except Exception:  # noqa: BLE001 - the sends still open what they need themselves
            log.exception("preparing ahead of the sends failed; the next run will try again")

    def wake(self) -> None:
        """Run the next tick now (e.g. after `/ncpi chase` queued deliveries)."""
        if self.scheduler.running:
            self.scheduler.modify_job(JOB_ID, next_run_time=datetime.now(UTC))

    def shutdown(self, wait: bool = True) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)
