"""A local stand-in of Slack (Web API, Socket Mode, signed requests) for tests and `ncpi demo`."""

from __future__ import annotations

from bot.standin.payloads import (
    build_app_home_opened,
    build_block_action,
    build_event_envelope,
    build_message_im,
    build_slash_command,
    build_view_submission,
    new_trigger_id,
)
from bot.standin.recording import Call, InvalidPayload, Message, ViewRecord
from bot.standin.signing import SentRequest, SlackSender, sign
from bot.standin.socketmode import AckResult, SocketModeStandIn, build_envelope, close_handler
from bot.standin.transcript import (
    describe_target,
    render_message,
    render_mrkdwn,
    render_transcript,
)
from bot.standin.webapi import SlackStandIn, channels_from_config, users_from_config
from bot.standin.workspace import APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID

__all__ = [
    "APP_ID",
    "BOT_ID",
    "BOT_USER_ID",
    "TEAM_ID",
    "AckResult",
    "Call",
    "InvalidPayload",
    "Message",
    "SentRequest",
    "SlackSender",
    "SlackStandIn",
    "SocketModeStandIn",
    "ViewRecord",
    "build_app_home_opened",
    "build_block_action",
    "build_envelope",
    "build_event_envelope",
    "build_message_im",
    "build_slash_command",
    "build_view_submission",
    "channels_from_config",
    "close_handler",
    "describe_target",
    "new_trigger_id",
    "render_message",
    "render_mrkdwn",
    "render_transcript",
    "sign",
    "users_from_config",
]
