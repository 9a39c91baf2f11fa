"""What every listener needs, built once by the composition root and handed to `register(app, deps)`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.bootstrap import Core
from bot.slack.gateway import SlackGateway
from bot.slack.sealed import MetadataSeal
from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain import permissions
from ncpi_core.domain.models import Person
from ncpi_core.ports import DeliveryPort
from ncpi_core.storage.base import UnitOfWork, UowFactory
from ncpi_core.usecases.summary_cache import SummaryCache

PLATFORM = "slack"  # the name people's Slack ids go by in ncpi.yaml (`slack_user`) and the ledger


class Waker(Protocol):
    """Something that runs the next delivery tick now (the scheduler under `ncpi run`)."""

    def wake(self) -> None: ...


@dataclass
class Deps:
    """The core (config, database, clock), the one way out to Slack, and the ledger's sender."""

    core: Core
    client: WebClient
    gateway: SlackGateway
    sender: DeliveryPort  # sends a workflow's notices at once after its commit (`send_now`)
    scheduler: Waker | None = None  # bot.scheduler.DeliveryScheduler under `ncpi run` (chase wakes it)
    # the app's error handler, for errors after the ack (set by bot.slack.app.build_app)
    on_error: Callable[[Exception, dict[str, Any], BoltContext | None], None] | None = None
    # seals the private_metadata of the forms the bot opens (bot.slack.sealed)
    seal: MetadataSeal = field(default_factory=MetadataSeal.random)

    @property
    def summary_cache(self) -> SummaryCache:
        """Summary inputs kept until the data changes (checked against the database on every use)."""
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

    def person(self, slack_user: str) -> Person | None:
        """The person of ncpi.yaml with this Slack id (None: a stranger)."""
        return self.core.config.person_by_identity(PLATFORM, slack_user)

    def actor(self, slack_user: str) -> Person:
        """The person with this Slack id, or `person.unknown` (a stranger may do nothing)."""
        return permissions.require_person(self.person(slack_user))

    def first_time(self, key: str) -> bool:
        """Claim `key` once (Slack re-delivers events): True the first time only, ever."""
        with self.uow() as uow:
            first = uow.events.first_time(key, self.now())
            uow.commit()
        return first

    @contextmanager
    def reporting_errors(self, body: dict[str, Any], context: BoltContext | None = None) -> Iterator[None]:
        """Hand an error raised after the ack to the app's one error handler.

        Bolt's thread runner loses an ack already given when a listener raises within its
        polling interval (it resets `ack.response`), so a listener that has acked must not raise.
        """
        try:
            yield
        except Exception as exc:
            if self.on_error is None:
                raise
            self.on_error(exc, body, context)
