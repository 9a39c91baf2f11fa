"""Expected trouble on Slack's side (a dead response URL, an error answer) is one log line, not a traceback."""

from __future__ import annotations

import logging
import time

import pytest

from bot.slack.app import slack_trouble
from bot.standin.faults import Fault
from tests.slack.conftest import SILVER_CHAIR, BotHarness


def test_a_dead_response_url_is_logged_as_one_line(bot: BotHarness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    # the response URL (on the only origin the bot will answer: Slack's) drops the connection
    bot.slack.faults.fail_next("response_url", Fault(drop=True), count=20)  # and its retries
    url = bot.slack.new_response_url(channel="C0SILVER01", user=SILVER_CHAIR)
    answer = bot.sender.slash_command(SILVER_CHAIR, "summary", channel_id="C0SILVER01", response_url=url)
    assert answer.status == 200
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any("Slack call failed" in r.getMessage() for r in caplog.records):
        time.sleep(0.05)
    time.sleep(0.3)  # and whatever the handler logs after it
    ours = [r for r in caplog.records if r.name.startswith(("bot", "ncpi"))]
    failed = [r for r in ours if "Slack call failed" in r.getMessage()]
    assert len(failed) == 1 and ("URLError" in failed[0].getMessage() or "Disconnected" in failed[0].getMessage())
    assert [r.getMessage() for r in ours if r.exc_info] == []
    assert all("\n" not in r.getMessage() for r in ours)


def test_only_slack_side_failures_count_as_expected() -> None:
    from urllib.error import HTTPError

    from slack_sdk.errors import SlackApiError
    from slack_sdk.web import SlackResponse

    response = SlackResponse(client=None, http_verb="POST", api_url="u", req_args={},  # type: ignore[arg-type]
                             data={"ok": False, "error": "channel_not_found"}, headers={}, status_code=200)
    assert slack_trouble(SlackApiError("no", response)) == "SlackApiError: channel_not_found"
    assert slack_trouble(HTTPError("https://hooks.slack.com/x?y", 404, "gone", {}, None)).startswith("HTTP 404")  # type: ignore[arg-type]
    assert slack_trouble(ConnectionResetError("reset")) is not None
    assert slack_trouble(KeyError("a bug")) is None and slack_trouble(ValueError("x")) is None
