"""Settings from the environment (or a .env file), with the names PRODUCT.md makes public."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ncpi_core.errors import ConfigurationError
from ncpi_core.storage.engine import with_password

# Docker and Kubernetes secrets: a file per setting, named as its variable (/run/secrets/SLACK_BOT_TOKEN)
SECRETS_DIR = "/run/secrets"


class Settings(BaseSettings):
    """Each setting from the environment, a `.env` file, or a secrets file named as its variable in
    NCPI_SECRETS_DIR (default /run/secrets, where Docker and Kubernetes mount secrets)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      populate_by_name=True)

    def __init__(self, **values: Any) -> None:
        if "_secrets_dir" not in values:
            folder = os.environ.get("NCPI_SECRETS_DIR", SECRETS_DIR)
            if Path(folder).is_dir():  # (pydantic-settings warns about a folder that is not there)
                values["_secrets_dir"] = folder
        super().__init__(**values)

    slack_bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_api_url: str = Field(default="https://slack.com/api/", validation_alias="SLACK_API_URL")
    # optional pins: by default both are learned from the bot token at start (auth.test, bots.info)
    slack_team_id: str | None = Field(default=None, validation_alias="SLACK_TEAM_ID")
    slack_app_id: str | None = Field(default=None, validation_alias="SLACK_APP_ID")
    database_url: str = Field(default="sqlite:///ncpi.db",
                              validation_alias=AliasChoices("NCPI_DATABASE_URL", "DATABASE_URL"))
    config_dir: Path = Field(default=Path("config"), validation_alias="NCPI_CONFIG_DIR")
    # the database password apart from the URL (an environment variable or a secrets file), so
    # compose.yaml and the URL need not hold it; filled into NCPI_DATABASE_URL when that has none
    database_password: SecretStr | None = Field(default=None, validation_alias="NCPI_DATABASE_PASSWORD")
    timezone: str = Field(default="Europe/London", validation_alias="NCPI_TIMEZONE")
    log_level: str = Field(default="INFO", validation_alias="NCPI_LOG_LEVEL")
    # Microsoft Teams (Azure Bot registration): the Bot Framework names, or the Agents SDK's own
    microsoft_app_id: str | None = Field(default=None, validation_alias=AliasChoices(
        "MICROSOFT_APP_ID", "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID"))
    microsoft_app_password: SecretStr | None = Field(default=None, validation_alias=AliasChoices(
        "MICROSOFT_APP_PASSWORD", "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET"))
    microsoft_app_tenant_id: str | None = Field(default=None, validation_alias=AliasChoices(
        "MICROSOFT_APP_TENANT_ID", "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID"))
    # only for a national cloud, a proxy, or the local stand-in (`ncpi standin --platform teams`)
    teams_authority: str | None = Field(default=None, validation_alias=AliasChoices(
        "NCPI_TEAMS_AUTHORITY", "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__AUTHORITY"))
    teams_openid_metadata: str | None = Field(default=None, validation_alias="NCPI_TEAMS_OPENID_METADATA")
    teams_ca_bundle: Path | None = Field(default=None, validation_alias="NCPI_TEAMS_CA_BUNDLE")
    teams_service_url: str | None = Field(default=None, validation_alias="NCPI_TEAMS_SERVICE_URL")

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, v: str) -> str:
        return v if v.endswith("/") else v + "/"

    @model_validator(mode="after")
    def _password_into_url(self) -> Settings:
        password = _value(self.database_password).strip()
        if password:
            self.database_url = with_password(self.database_url, password)
        return self

    @property
    def config_file(self) -> Path:
        return self.config_dir / "ncpi.yaml"

    @property
    def plan_file(self) -> Path:
        return self.config_dir / "action_plan.yaml"

    def zone(self) -> ZoneInfo:
        """NCPI_TIMEZONE as a zone; an abbreviation (BST) or a typo is a `ConfigurationError`."""
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigurationError("settings.timezone_unknown", zone=self.timezone) from None

    # Each refusal is a code; its words (in bot/copy) name the variable and where to copy it from.
    def api_url(self) -> str:
        """SLACK_API_URL, checked: an http(s) address with a host (GovSlack, a proxy or a stand-in)."""
        parts = urlsplit(self.slack_api_url)
        if parts.scheme not in ("http", "https") or not parts.hostname or " " in self.slack_api_url:
            raise ConfigurationError("slack.api_url_invalid", url=self.slack_api_url)
        return self.slack_api_url

    def bot_token(self) -> str:
        """The bot token (xoxb-…)."""
        token = _value(self.slack_bot_token)
        if not token:
            raise ConfigurationError("slack.bot_token_missing")
        if not token.startswith("xoxb-"):
            raise ConfigurationError("slack.bot_token_malformed")
        return token

    def app_token(self) -> str:
        """The app-level token Socket Mode needs (xapp-…)."""
        token = _value(self.slack_app_token)
        if not token:
            raise ConfigurationError("slack.app_token_missing")
        if not token.startswith("xapp-"):
            raise ConfigurationError("slack.app_token_malformed")
        return token

    def signing_secret(self) -> str:
        """The secret HTTP mode verifies Slack's requests with."""
        secret = _value(self.slack_signing_secret)
        if not secret:
            raise ConfigurationError("slack.signing_secret_missing")
        return secret


def _value(secret: SecretStr | None) -> str:
    return secret.get_secret_value() if secret is not None else ""


GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def teams_credentials(settings: Settings) -> tuple[str, str, str]:
    """(app id, client secret, tenant id) of the Azure Bot registration, each checked; a missing or
    malformed one is a code whose words (bot/copy) name the variable and where to copy it from."""
    app_id = (settings.microsoft_app_id or "").strip()
    if not app_id:
        raise ConfigurationError("teams.app_id_missing")
    if not GUID.match(app_id):
        raise ConfigurationError("teams.app_id_malformed")
    password = _value(settings.microsoft_app_password)
    if not password:
        raise ConfigurationError("teams.app_password_missing")
    tenant = (settings.microsoft_app_tenant_id or "").strip()
    if not tenant:
        raise ConfigurationError("teams.tenant_missing")
    if not GUID.match(tenant):
        raise ConfigurationError("teams.tenant_malformed")
    return app_id, password, tenant
