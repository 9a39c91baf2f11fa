"""The one composition root: everything ncpi runs on is built here from one `Settings`.

`build_core` gives what every front end needs (config, database, units of work, clock, the
summary cache) and loads nothing of Slack, so `ncpi summary` starts fast. `build_slack` adds the
Slack front end on top of a core: the Web API client, the gateway every call goes through, the
ledger's sender, the Bolt app with every listener registered, and (for `ncpi run`) the scheduler.
Nothing is started here; the caller serves the app and starts the scheduler.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.settings import Settings, teams_credentials
from ncpi_core.config.schema import ForceConfig, load_force_config
from ncpi_core.errors import ConfigurationError
from ncpi_core.storage.base import UowFactory
from ncpi_core.storage.engine import Engine, build_engine
from ncpi_core.storage.errors import database_errors
from ncpi_core.storage.sql import SqlUowFactory
from ncpi_core.usecases.summary_cache import SummaryCache

if TYPE_CHECKING:
    from aiohttp import web
    from microsoft_agents.hosting.aiohttp import CloudAdapter
    from slack_bolt import App
    from slack_sdk import WebClient

    from bot.scheduler import DeliveryScheduler
    from bot.slack.deps import Deps
    from bot.slack.gateway import SlackGateway
    from bot.slack.sender import DeliverySender
    from bot.teams.agent import NcpiAgent
    from bot.teams.deps import TeamsDeps
    from bot.teams.gateway import TeamsGateway
    from bot.teams.sender import TeamsSender

Clock = Callable[[], datetime]

# Listeners run after the ack in this pool; some wait on a 429's Retry-After or a slow
# summary, so it is sized well above the number of people who act at once.
LISTENER_THREADS = 32


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
    """What every front end needs: settings, config, the database and its units of work, a clock.

    `uow()` opens a unit of work on `engine` (`with core.uow() as uow: …`); the summary cache is
    shared by everything in the process that builds summaries.
    """

    settings: Settings
    config: ForceConfig
    engine: Engine
    clock: Clock
    summary_cache: SummaryCache = field(default_factory=SummaryCache)

    @property
    def uow(self) -> UowFactory:
        """Units of work on `engine` (derived, so the two never disagree)."""
        return SqlUowFactory(self.engine)

    @property
    def tz(self) -> ZoneInfo:
        return self.config.tz

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().astimezone(self.tz).date()


def build_core(settings: Settings | None = None, clock: Clock | None = None,
               config: ForceConfig | None = None, engine: Engine | None = None) -> Core:
    """Load ncpi.yaml and make the database's engine (no connection yet; no Slack involved).

    Args:
        settings: From the environment and .env when None.
        clock: The system clock when None (tests and the demo pass a `ManualClock`).
        config: Read from `settings.config_file` when None.
        engine: Built from `settings.database_url` when None.

    Raises:
        ValidationFailed: ncpi.yaml is missing or wrong (every problem named).
        ConfigurationError: The database URL cannot be read, or its driver is not installed.
    """
    settings = settings or Settings()
    config = config or load_force_config(settings.config_file)
    if "timezone" in settings.model_fields_set and settings.timezone != config.timezone:
        # NCPI_TIMEZONE, when set, overrides the file (one deployment, one zone)
        settings.zone()  # an unknown zone is one clear line, not a traceback later
        config = config.model_copy(update={"timezone": settings.timezone})
    if engine is None:
        with database_errors(settings.database_url):  # an unreadable URL, no PostgreSQL driver
            engine = build_engine(settings.database_url)
    return Core(settings=settings, config=config, engine=engine, clock=clock or system_clock)


# --- Slack ------------------------------------------------------------------------------------------
@dataclass
class SlackRuntime:
    """The Slack front end on a core, built and wired but not started."""

    core: Core
    client: WebClient
    gateway: SlackGateway
    sender: DeliverySender
    app: App
    deps: Deps
    scheduler: DeliveryScheduler | None  # only when asked for (`ncpi run` without --no-scheduler)


def build_slack_sender(core: Core, *, client: WebClient | None = None) -> DeliverySender:
    """The ledger's way out to Slack (`ncpi tick`): a client, the gateway on it, the sender.

    Args:
        client: By default one from SLACK_BOT_TOKEN and SLACK_API_URL with slack_sdk's retry
            handlers; a missing or malformed token is a `ConfigurationError`.
    """
    from bot.slack.gateway import (  # lazy: `ncpi summary` never loads Slack
        SlackGateway,
        build_web_client,
    )
    from bot.slack.sender import DeliverySender  # lazy: `ncpi summary` never loads Slack

    if client is None:
        client = build_web_client(core.settings.bot_token(), core.settings.api_url())
    return DeliverySender(SlackGateway(client, core.uow, core.clock), core.config)


def build_slack(core: Core, *, client: WebClient | None = None, signing_secret: str | None = None,
                token_verification: bool = True, listener_threads: int = LISTENER_THREADS,
                scheduler: bool = False) -> SlackRuntime:
    """Build the Slack front end on `core`: client, gateway, sender, the Bolt app and its listeners.

    Args:
        client: The WebClient to use; by default one from SLACK_BOT_TOKEN and SLACK_API_URL
            (Bolt copies its base_url and retry handlers to the client of every request).
        signing_secret: Verifies HTTP requests; SLACK_SIGNING_SECRET when None. Without one the
            app can only serve Socket Mode (which Slack does not sign).
        token_verification: Call auth.test while building the app (off for stand-ins that
            are not running yet, and some tests).
        listener_threads: Size of the pool listeners run in after the ack.
        scheduler: Also build the delivery scheduler (not started), which `/ncpi chase` wakes.

    Raises:
        ConfigurationError: SLACK_BOT_TOKEN missing or malformed (when no client is given).
        slack_bolt.error.BoltError: Slack refused the token (with `token_verification`).
    """
    from bot.scheduler import DeliveryScheduler  # lazy: `ncpi summary` never loads APScheduler
    from bot.slack.app import build_app  # lazy: `ncpi summary` never loads Slack
    from bot.slack.deps import Deps  # lazy: `ncpi summary` never loads Slack
    from bot.slack.listeners import register_listeners  # lazy: `ncpi summary` never loads Slack
    from bot.slack.sealed import MetadataSeal  # lazy: `ncpi summary` never loads Slack
    from bot.slack.trust import guard_requests  # lazy: `ncpi summary` never loads Slack

    sender = build_slack_sender(core, client=client)
    gateway = sender.gateway
    if signing_secret is None and core.settings.slack_signing_secret is not None:
        signing_secret = core.settings.slack_signing_secret.get_secret_value() or None
    slack_users = [p.slack_user for p in core.config.people if p.slack_user]
    ticker = DeliveryScheduler(core.uow, core.config, sender, core.clock,
                               prepare=lambda: gateway.open_ahead(slack_users)) if scheduler else None
    deps = Deps(core=core, client=gateway.client, gateway=gateway, sender=sender, scheduler=ticker,
                seal=MetadataSeal.for_secrets(signing_secret, gateway.client.token))
    app = build_app(deps, signing_secret=signing_secret, token_verification=token_verification,
                    listener_threads=listener_threads)
    # after Bolt's signature check: this installation only, each signed request acted on once
    guard_requests(app, deps, learn_now=token_verification)
    register_listeners(app, deps)
    return SlackRuntime(core=core, client=gateway.client, gateway=gateway, sender=sender, app=app,
                        deps=deps, scheduler=ticker)


# --- Microsoft Teams ----------------------------------------------------------------------------------
@dataclass
class TeamsRuntime:
    """The Teams front end on a core, built and wired but not started (serve `web_app`)."""

    core: Core
    app_id: str
    tenant_id: str
    adapter: CloudAdapter
    gateway: TeamsGateway
    sender: TeamsSender
    deps: TeamsDeps
    agent: NcpiAgent
    web_app: web.Application  # POST /api/messages, GET /healthz
    scheduler: DeliveryScheduler | None


def _teams_modules() -> None:
    """Refuse clearly when the `teams` extra (the Microsoft 365 Agents SDK) is not installed."""
    try:
        import microsoft_agents.hosting.aiohttp  # noqa: F401 - lazy: only a Teams command needs the SDK
    except ImportError:
        raise ConfigurationError("teams.extra_missing") from None


def build_teams_sender(core: Core) -> TeamsSender:
    """The ledger's way out to Teams (`ncpi tick --platform teams`): credentials checked, the SDK's
    adapter on MSAL, the gateway on it and the sender."""
    _teams_modules()
    from microsoft_agents.hosting.aiohttp import (
        CloudAdapter,  # lazy: `ncpi summary` never loads the SDK
    )

    from bot.teams.agent import on_turn_error  # lazy: `ncpi summary` never loads the SDK
    from bot.teams.auth import auth_configuration, connection_manager  # lazy: as above
    from bot.teams.gateway import TeamsGateway  # lazy: as above
    from bot.teams.sender import TeamsSender  # lazy: as above

    settings = core.settings
    app_id, _, tenant_id = teams_credentials(settings)
    adapter = CloudAdapter(connection_manager=connection_manager(auth_configuration(settings),
                                                                 settings.teams_ca_bundle))
    adapter.on_turn_error = on_turn_error
    gateway = TeamsGateway(adapter, app_id, tenant_id, core.uow, core.clock, service_url=settings.teams_service_url)
    return TeamsSender(gateway, core.config, core.uow, core.clock)


def build_teams(core: Core, *, scheduler: bool = False) -> TeamsRuntime:
    """Build the Teams front end on `core`: adapter, gateway, sender, the agent and its endpoint.

    Raises:
        ConfigurationError: the `teams` extra is missing, or MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD or
            MICROSOFT_APP_TENANT_ID is missing or malformed.
    """
    sender = build_teams_sender(core)
    from bot.scheduler import DeliveryScheduler  # lazy: `ncpi summary` never loads APScheduler
    from bot.teams.agent import NcpiAgent  # lazy: `ncpi summary` never loads the SDK
    from bot.teams.auth import auth_configuration, build_validator  # lazy: as above
    from bot.teams.deps import TeamsDeps  # lazy: as above
    from bot.teams.http import make_web_app  # lazy: as above

    gateway = sender.gateway
    adapter = gateway.adapter
    ticker = DeliveryScheduler(core.uow, core.config, sender, core.clock) if scheduler else None
    deps = TeamsDeps(core=core, gateway=gateway, sender=sender, tenant_id=gateway.tenant_id, scheduler=ticker)
    agent = NcpiAgent(deps)
    validator = build_validator(core.settings, auth_configuration(core.settings))
    web_app = make_web_app(adapter, agent, validator, gateway.tenant_id, core.engine)
    return TeamsRuntime(core=core, app_id=gateway.app_id, tenant_id=gateway.tenant_id, adapter=adapter,
                        gateway=gateway, sender=sender, deps=deps, agent=agent, web_app=web_app, scheduler=ticker)
