"""A local stand-in of Microsoft Teams' side of a bot, over real HTTP, for tests and `ncpi demo`.

Two services, as Microsoft runs them: sign-in over HTTPS (Entra's OpenID metadata and token
endpoint for the bot's client credentials; the Bot Framework channel's OpenID metadata and signing
keys) and the Bot Connector over HTTP at `serviceUrl`. `TeamsClient` sends the bot what Teams would,
signed with the channel key. Every key and certificate is generated on start and dies with it.

    with TeamsStandIn.from_config(config) as teams:
        settings = Settings(**teams.settings())   # app id, secret, tenant, authority, metadata, CA
        client = teams.client("http://127.0.0.1:3978/api/messages")
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from bot.standin.faults import Fault, FaultPlan
from bot.standin.teams.client import Delivered, TeamsClient, find_action
from bot.standin.teams.connector import CardValidator, ConnectorService
from bot.standin.teams.http import Call
from bot.standin.teams.keys import Signer, make_tls
from bot.standin.teams.login import LoginService
from bot.standin.teams.render import render_card, render_posted
from bot.standin.teams.tenant import (
    APP_ID,
    APP_PASSWORD,
    TEAM_ID,
    TENANT_ID,
    Posted,
    TeamsUser,
    Tenant,
)
from bot.standin.teams.validation import card_validator

if TYPE_CHECKING:
    from ncpi_core.config.schema import ForceConfig

__all__ = ["APP_ID", "APP_PASSWORD", "TEAM_ID", "TENANT_ID", "Call", "Delivered", "Fault", "Posted",
           "TeamsClient", "TeamsStandIn", "TeamsUser", "Tenant", "find_action", "render_card", "render_posted"]


class TeamsStandIn:
    """Both services and the tenant they share; start/stop, or use as a context manager."""

    def __init__(self, tenant: Tenant, secret: str = APP_PASSWORD,
                 validator: CardValidator | None | bool = True) -> None:
        self.tenant = tenant
        self.faults = FaultPlan()
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._folder = Path(tempfile.mkdtemp(prefix="ncpi-teams-standin-"))
        self.tls = make_tls(self._folder)
        self.entra_key = Signer.generate()
        self.channel_key = Signer.generate(endorsements=("msteams",))
        self.login = LoginService(tenant, secret, self.entra_key, self.channel_key, self.faults, self.calls,
                                  self._lock, self.tls.server_context())
        chosen = card_validator() if validator is True else (validator or None)
        self.connector = ConnectorService(tenant, self.entra_key, lambda: self.login.entra_issuer, self.faults,
                                          self.calls, self._lock, validator=chosen)

    @classmethod
    def from_config(cls, config: ForceConfig, **kwargs: Any) -> TeamsStandIn:
        tenant_args = {k: kwargs.pop(k) for k in ("installed", "team_installed") if k in kwargs}
        return cls(Tenant.from_config(config, **tenant_args), **kwargs)

    # --- lifecycle -------------------------------------------------------------------------------
    def start(self) -> TeamsStandIn:
        self.login.start()
        self.connector.start()
        return self

    def stop(self) -> None:
        self.connector.stop()
        self.login.stop()
        shutil.rmtree(self._folder, ignore_errors=True)

    def __enter__(self) -> TeamsStandIn:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # --- what the bot is configured with ---------------------------------------------------------
    @property
    def service_url(self) -> str:
        return self.connector.service_url

    def settings(self) -> dict[str, str]:
        """The environment that points a bot at this stand-in (names as bot/settings.py reads them)."""
        return {"MICROSOFT_APP_ID": self.tenant.app_id, "MICROSOFT_APP_PASSWORD": self.login.secret,
                "MICROSOFT_APP_TENANT_ID": self.tenant.tenant_id, "NCPI_TEAMS_AUTHORITY": self.login.authority,
                "NCPI_TEAMS_OPENID_METADATA": self.login.channel_metadata_url,
                "NCPI_TEAMS_CA_BUNDLE": str(self.tls.ca_file), "NCPI_TEAMS_SERVICE_URL": self.service_url}

    def client(self, bot_url: str) -> TeamsClient:
        return TeamsClient(self, bot_url)

    # --- what happened ---------------------------------------------------------------------------
    @property
    def invalid_payloads(self) -> list[tuple[str, list[str]]]:
        return self.connector.invalid_payloads

    @property
    def validates(self) -> bool:
        return self.connector.validator is not None

    def messages(self, conversation: str | None = None) -> list[Posted]:
        """Every message not deleted (in one conversation: a chat's or a channel's id)."""
        if conversation is None:
            with self._lock:
                return [m for m in self.tenant.messages if not m.deleted]
        return self.tenant.in_conversation(conversation)

    def chat_of(self, aad: str) -> str:
        user = self.tenant.user(aad)
        assert user is not None, f"{aad} is not in the stand-in's tenant"
        return user.conversation

    def bot_messages(self, conversation: str | None = None) -> list[Posted]:
        return [m for m in self.messages(conversation) if m.kind == "bot"]

    def calls_of(self, op: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.op == op]

    def reset(self) -> None:
        """Forget messages, calls and faults (the tenant's people and installations stay)."""
        with self._lock:
            self.tenant.messages.clear()
            self.calls.clear()
        self.faults.clear()
        self.connector.invalid_payloads.clear()
