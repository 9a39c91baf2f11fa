"""What every Teams handler needs, built once by the composition root (`bot.bootstrap.build_teams`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.bootstrap import Core
from bot.teams.gateway import TeamsGateway
from bot.teams.ids import PLATFORM
from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain import permissions
from ncpi_core.domain.models import Person
from ncpi_core.ports import DeliveryPort
from ncpi_core.storage.base import UnitOfWork, UowFactory
from ncpi_core.usecases.summary_cache import SummaryCache

__all__ = ["PLATFORM", "TeamsDeps"]


class Waker(Protocol):
    """Something that runs the next delivery tick now (the scheduler under `ncpi run`)."""

    def wake(self) -> None: ...


@dataclass
class TeamsDeps:
    """The core (config, database, clock), the one way out to Teams, and the ledger's sender."""

    core: Core
    gateway: TeamsGateway
    sender: DeliveryPort  # sends a workflow's notices at once after its commit (`send_now`)
    tenant_id: str
    scheduler: Waker | None = None  # bot.scheduler.DeliveryScheduler under `ncpi run` (chase wakes it)

    @property
    def summary_cache(self) -> SummaryCache:
        return self.core.summary_cache

    @property
    def uow_factory(self) -> UowFactory:
        return self.core.uow

    @property
    def config(self) -> ForceConfig:
        return self.core.config

    def uow(self) -> UnitOfWork:
        return self.core.uow()

    def now(self) -> datetime:
        return self.core.now()

    def today(self) -> date:
        return self.core.today()

    def person(self, aad: str | None) -> Person | None:
        """The person of ncpi.yaml with this Microsoft Entra object id (None: a stranger)."""
        return self.core.config.person_by_identity(PLATFORM, aad) if aad else None

    def actor(self, aad: str | None) -> Person:
        """The person with this Entra object id, or `person.unknown` (a stranger may do nothing)."""
        return permissions.require_person(self.person(aad))

    def first_time(self, key: str) -> bool:
        """Claim `key` once (Teams re-sends an activity it thinks was lost): True the first time only."""
        with self.uow() as uow:
            first = uow.events.first_time(key, self.now())
            uow.commit()
        return first
