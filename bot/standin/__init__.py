"""A local stand-in of Slack (Web API, Socket Mode, signed requests) for tests and `ncpi demo`."""

from __future__ import annotations

from bot.standin.recording import Call, InvalidPayload, Message, ViewRecord
from bot.standin.signing import SentRequest, SlackSender
from bot.standin.webapi import SlackStandIn, channels_from_config, users_from_config
from bot.standin.workspace import APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID

__all__ = [
    "APP_ID",
    "BOT_ID",
    "BOT_USER_ID",
    "TEAM_ID",
    "Call",
    "InvalidPayload",
    "Message",
    "SentRequest",
    "SlackSender",
    "SlackStandIn",
    "ViewRecord",
    "channels_from_config",
    "users_from_config",
]
