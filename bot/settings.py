"""Settings from the environment (or a .env file), with the names PRODUCT.md makes public."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ncpi_core.errors import NcpiError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      populate_by_name=True)

    slack_bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_api_url: str = Field(default="https://slack.com/api/", validation_alias="SLACK_API_URL")
    database_url: str = Field(default="sqlite:///ncpi.db",
                              validation_alias=AliasChoices("NCPI_DATABASE_URL", "DATABASE_URL"))
    config_dir: Path = Field(default=Path("config"), validation_alias="NCPI_CONFIG_DIR")
    timezone: str = Field(default="Europe/London", validation_alias="NCPI_TIMEZONE")
    log_level: str = Field(default="INFO", validation_alias="NCPI_LOG_LEVEL")

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, v: str) -> str:
        return v if v.endswith("/") else v + "/"

    @property
    def config_file(self) -> Path:
        return self.config_dir / "ncpi.yaml"

    @property
    def plan_file(self) -> Path:
        return self.config_dir / "action_plan.yaml"

    def bot_token(self) -> str:
        """The bot token, or a clear error naming the variable to set."""
        token = self.slack_bot_token.get_secret_value() if self.slack_bot_token else ""
        if not token:
            raise NcpiError("SLACK_BOT_TOKEN is not set.",
                            "Set it to the app's Bot User OAuth Token (xoxb-…), in the environment or .env.")
        if not token.startswith("xoxb-"):
            raise NcpiError("SLACK_BOT_TOKEN does not look like a bot token.",
                            "It should start with xoxb- (OAuth & Permissions → Bot User OAuth Token).")
        return token

    def app_token(self) -> str:
        token = self.slack_app_token.get_secret_value() if self.slack_app_token else ""
        if not token:
            raise NcpiError("SLACK_APP_TOKEN is not set (needed for --mode socket).",
                            "Create an app-level token with connections:write (Basic Information → "
                            "App-Level Tokens), or use --mode http.")
        if not token.startswith("xapp-"):
            raise NcpiError("SLACK_APP_TOKEN does not look like an app-level token.",
                            "It should start with xapp- (Basic Information → App-Level Tokens).")
        return token

    def signing_secret(self) -> str:
        secret = self.slack_signing_secret.get_secret_value() if self.slack_signing_secret else ""
        if not secret:
            raise NcpiError("SLACK_SIGNING_SECRET is not set (needed for --mode http).",
                            "Copy it from Basic Information → App Credentials → Signing Secret.")
        return secret
