"""What every listener needs, built once by the composition root and handed to `register(app, deps)`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from slack_sdk import WebClient

from bot.bootstrap import Core
from bot.slack.gateway import SlackGateway
from ncpi_core.domain.models import Person
from ncpi_core.storage.uow import UnitOfWork
from ncpi_core.usecases.summary_cache import SummaryCache


@dataclass
class Deps:
    """The core (config, database, clock) plus the one way out to Slack."""

    core: Core
    client: WebClient
    gateway: SlackGateway
    scheduler: Any = None  # bot.scheduler.DeliveryScheduler under `ncpi run` (chase wakes it)
    # the app's error handler, for errors after the ack (set by bot.slack.app.build_app_with_deps)
    on_error: Callable[[Exception, dict[str, Any], Any], None] | None = None
    # summary inputs kept until the data changes (checked against the database on every use)
    summary_cache: SummaryCache = field(default_factory=SummaryCache)

    def uow(self) -> UnitOfWork:
        return self.core.uow()

    def now(self) -> datetime:
        return self.core.now()

    def today(self) -> date:
        return self.core.today()

    def person(self, slack_user: str) -> Person | None:
        """The person with this Slack id: the stored people first (what updates check), then ncpi.yaml."""
        with self.uow() as uow:
            person = uow.repo.person_by_slack(slack_user)
        return person or self.core.config.person_by_slack(slack_user)

    def action_ids(self) -> list[str]:
        with self.uow() as uow:
            return uow.repo.action_ids()

    def first_time(self, key: str) -> bool:
        """Claim `key` once (Slack re-delivers events): True the first time only, ever."""
        with self.uow() as uow:
            first = uow.repo.first_time(key, self.now())
            uow.commit()
        return first

    @contextmanager
    def reporting_errors(self, body: dict[str, Any], context: Any = None) -> Iterator[None]:
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
