"""`ncpi check --platform teams`: the Teams ids of ncpi.yaml, the Azure Bot's credentials (named,
never shown), whether Microsoft Entra accepts them, and whom ncpi cannot reach in Teams yet.

ncpi can message a person only once its app is installed for them; Teams then shows the bot their
conversation, which is kept in the database. Everyone in ncpi.yaml with no such conversation is
listed, with the fix: an app setup policy that installs the app for them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

from bot import copy
from bot.bootstrap import build_core
from bot.settings import Settings, teams_credentials
from bot.teams.auth import NcpiMsalAuth, auth_configuration
from bot.teams.ids import PLATFORM
from ncpi_core.config.schema import ForceConfig
from ncpi_core.errors import NcpiError
from ncpi_core.storage.health import probe_url

Line = tuple[bool | None, str]  # passed (True), a warning (None) or a problem (False), and what to say
POLICY = ("install it for them with an app setup policy (Teams admin centre → Teams apps → Setup policies → "
          "Installed apps → Add apps: ncpi; assign the policy to them), or ask them to open ncpi under Apps")
CONNECTOR_SCOPE = "https://api.botframework.com/.default"


def credential_checks(settings: Settings) -> Iterator[Line]:
    """The three credentials, then a token from Microsoft Entra with them."""
    try:
        app_id, _, tenant = teams_credentials(settings)
    except NcpiError as exc:
        yield False, copy.error_text(exc, copy.CLI)
        return
    yield True, f"Teams: MICROSOFT_APP_ID {app_id}, tenant {tenant}, MICROSOFT_APP_PASSWORD set (not shown)"
    provider = NcpiMsalAuth(auth_configuration(settings), settings.teams_ca_bundle)
    try:
        asyncio.run(provider.get_access_token("https://api.botframework.com", [CONNECTOR_SCOPE]))
    except ValueError as exc:
        detail = str(exc).split("error_description", 1)[-1][:160].strip(" :'\"")
        yield False, copy.error_text(NcpiError("teams.credentials_refused", error=detail or "refused"), copy.CLI)
        return
    except Exception as exc:  # noqa: BLE001 - any network failure is one line for the person deploying
        url = settings.teams_authority or f"https://login.microsoftonline.com/{tenant}"
        yield False, copy.error_text(NcpiError("teams.unreachable", url=url, error=type(exc).__name__), copy.CLI)
        return
    yield True, "Teams: Microsoft Entra accepts the bot's credentials (a token for the Bot Connector)"


def reach_checks(settings: Settings, config: ForceConfig) -> Iterator[Line]:
    """Whom ncpi can reach: a person once the app is installed for them, a channel once it is in the team."""
    health = probe_url(settings.database_url)
    if not (health.answering and health.migrated):
        yield None, "Teams: whom ncpi can reach is not checked (the database is not ready; see above)"
        return
    core = build_core(settings, config=config)
    try:
        with core.uow() as uow:
            addresses = uow.conversations.addresses(PLATFORM)
            reachable = {a for a in addresses if (found := uow.conversations.get(PLATFORM, a)) and found[1]}
    finally:
        core.engine.dispose()
    people = [p for p in config.people if p.teams_user]
    missing = [p for p in people if p.teams_user not in reachable]
    if people and not missing:
        yield True, f"Teams: the app is installed for all {len(people)} people with a teams_user"
    for p in missing:
        yield None, f"Teams: ncpi cannot reach {p.id} ({p.name}) yet: the app is not installed for them; {POLICY}"
    if not any(a.startswith("team:") for a in reachable):
        yield None, ("Teams: ncpi has not been added to a team yet, so the Silver and Gold summaries cannot be "
                     "posted: in Teams, open the team of those channels → Apps → add ncpi")
