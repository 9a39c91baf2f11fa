"""The one composition root: builds the engine, config and (later) Slack pieces from Settings."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.settings import Settings
from ncpi_core.config.schema import ForceConfig, load_force_config
from ncpi_core.storage.engine import Engine, build_engine
from ncpi_core.storage.sql import SqlUnitOfWork

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class ManualClock:
    """A clock moved by hand: `ncpi demo`'s simulated days, and tests (thread-safe)."""

    def __init__(self, now: datetime) -> None:
        self.current = now
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self.current

    def advance(self, **delta: float) -> datetime:
        with self._lock:
            self.current += timedelta(**delta)
            return self.current

    def set(self, now: datetime) -> None:
        with self._lock:
            self.current = now


@dataclass
class Core:
    """What every adapter needs: settings, config, database, clock."""

    settings: Settings
    config: ForceConfig
    engine: Engine
    clock: Clock

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)

    @property
    def tz(self) -> ZoneInfo:
        return self.config.tz

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().astimezone(self.tz).date()


def build_core(settings: Settings | None = None, clock: Clock | None = None,
               config: ForceConfig | None = None, engine: Engine | None = None) -> Core:
    """Load config and connect the database (no Slack involved)."""
    settings = settings or Settings()
    config = config or load_force_config(settings.config_file)
    if "timezone" in settings.model_fields_set and settings.timezone != config.timezone:
        # NCPI_TIMEZONE, when set, overrides the file (one deployment, one zone)
        config = config.model_copy(update={"timezone": settings.timezone})
    return Core(settings=settings, config=config, engine=engine or build_engine(settings.database_url),
                clock=clock or system_clock)
