"""Trust boundaries over real HTTP: replays act once, another workspace is refused, forms route only
by what the bot sealed, response URLs point at Slack, summaries are posted only where allowed."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.bootstrap import Core, build_slack
from bot.slack.gateway import build_web_client
from bot.standin import Message, SlackStandIn
from bot.standin.payloads import (
    build_block_action,
    build_event_envelope,
    build_message_im,
    build_slash_command,
    build_view_submission,
)
from ncpi_core.config.schema import ForceConfig
from ncpi_core.errors import ConfigurationError
from ncpi_core.storage.sql import SqlUowFactory
from tests.slack.conftest import BOT_TOKEN, LD_LEAD, SILVER_CHAIR, BotHarness, wait_for

FORM = "application/x-www-form-urlencoded"
OTHER_TEAM = "T0OTHERWS1"


def said(messages: list[Message]) -> str:
    return "\n".join(m.text + json.dumps(m.blocks) for m in messages)


def chair_dms(bot: BotHarness) -> list[Message]:
    return bot.slack.messages(bot.slack.dm_channel(SILVER_CHAIR))


def due_requests(bot: BotHarness) -> int:
    with SqlUowFactory(bot.engine)() as uow:
        return len([e for e in uow.audit.trail("action", "R3.2") if e.event == "due_change_requested"])


def test_a_replayed_command_acts_once(bot: BotHarness) -> None:
    first = bot.command(LD_LEAD, "due R3.2 2022-07-31 training slots delayed to June")
    assert first.status == 200
    wait_for(lambda: chair_dms(bot), what="the chair's review request")
    assert due_requests(bot) == 1
    # the same bytes and headers again, as an attacker who captured them would send them
    for _ in range(3):
        again = bot.sender.send(first.request_body, FORM, signing="omit",
                                extra_headers=dict(first.request_headers or {}))
        assert again.status == 200 and again.body == ""
    bot.settle(0.5)
    assert due_requests(bot) == 1
    assert len(chair_dms(bot)) == 1
    assert len(bot.slack.responses) == 1  # answered once, not once per copy


def test_a_replayed_dm_and_button_act_once(bot: BotHarness) -> None:
    dm = bot.dm(LD_LEAD, "R3.2 amber 55% venue booked")
    prompt = bot.post_prompt(LD_LEAD, "R3.2")
    click = bot.click(LD_LEAD, "ncpi_on_track", "R3.2", prompt)
    wait_for(lambda: len(bot.updates("R3.2")) == 2, what="two updates")
    for sent, ctype in ((dm, "application/json"), (click, FORM)):
        r = bot.sender.send(sent.request_body, ctype, signing="omit", extra_headers=dict(sent.request_headers or {}))
        assert r.status == 200
    bot.settle(0.5)
    assert len(bot.updates("R3.2")) == 2


def _signed(bot: BotHarness, body: str, ctype: str = FORM) -> int:
    return bot.sender.send(body, ctype).status


class _Said(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_requests_from_another_workspace_or_app_are_refused(bot: BotHarness) -> None:
    said_in_log = _Said()
    logging.getLogger("bot.slack.trust").addHandler(said_in_log)
    dm_channel = bot.slack.dm_channel(LD_LEAD)
    prompt = bot.post_prompt(LD_LEAD, "R3.2")
    command = build_slash_command(LD_LEAD, "due R3.2 2022-07-31 moved", response_url=bot.slack.new_response_url(
        channel="C0SILVER01", user=LD_LEAD))
    click = build_block_action(LD_LEAD, "ncpi_on_track", "R3.2", channel_id=prompt.channel,
                               message=prompt.as_slack(), response_url=bot.slack.new_response_url(
                                   channel=prompt.channel, user=LD_LEAD, message_ts=prompt.ts))
    dm = build_event_envelope(build_message_im(LD_LEAD, "R3.2 red 5% from elsewhere", dm_channel))
    attempts: list[tuple[str, str, str]] = []
    other_team_command = {**command, "team_id": OTHER_TEAM}
    attempts.append(("command, other team", urlencode(other_team_command), FORM))
    attempts.append(("command, other app", urlencode({**command, "api_app_id": "A0OTHERAPP"}), FORM))
    attempts.append(("button, other team", urlencode({"payload": json.dumps(
        {**click, "team": {"id": OTHER_TEAM, "domain": "other"}})}), FORM))
    other_dm = {**dm, "team_id": OTHER_TEAM, "authorizations": [{**dm["authorizations"][0], "team_id": OTHER_TEAM}]}
    attempts.append(("DM, other team", json.dumps(other_dm), "application/json"))
    attempts.append(("button, response URL elsewhere", urlencode({"payload": json.dumps(
        {**click, "response_url": "https://hooks.example.org/actions/T0/1/x"})}), FORM))
    for name, body, ctype in attempts:
        assert _signed(bot, body, ctype) == 200, name
    bot.settle(0.5)
    assert bot.updates("R3.2") == [] and due_requests(bot) == 0
    assert chair_dms(bot) == [] and bot.slack.messages(dm_channel) == [prompt]
    assert [r.text for r in bot.slack.responses] == []
    logging.getLogger("bot.slack.trust").removeHandler(said_in_log)
    assert sum("refused a request from outside this installation" in line
               for line in said_in_log.lines) == len(attempts)
    # the person who typed the command in the other workspace is told, in the command's answer
    answer = bot.sender.send(urlencode(other_team_command), FORM)
    assert "serves one Slack workspace" in answer.json()["text"]
    # and the same requests from this workspace are served
    assert _signed(bot, urlencode(command), FORM) == 200
    wait_for(lambda: chair_dms(bot), what="the chair's review request")


def test_a_form_routes_only_by_what_the_bot_sealed(bot: BotHarness) -> None:
    prompt = bot.post_prompt(LD_LEAD, "R3.2")
    bot.click(LD_LEAD, "ncpi_update_open", "R3.2", prompt)
    opened = wait_for(lambda: bot.slack.views, what="views.open")[0].view
    sealed = opened["private_metadata"]
    assert bot.seal.open(sealed, LD_LEAD) == {"action_id": "R3.2", "channel": prompt.channel,
                                              "thread_ts": prompt.ts}
    # edited to confirm in #gold: the seal no longer verifies, the form says it lost its action
    text, _, mac = sealed.rpartition(".")
    edited = text.replace(prompt.channel, "C0GOLD0001") + "." + mac
    for metadata in (edited, json.dumps({"action_id": "R3.2", "channel": "C0GOLD0001"})):
        answer = bot.submit_update(LD_LEAD, metadata)
        assert answer.json()["response_action"] == "errors"
        assert "lost track" in json.dumps(answer.json())
    # someone else's sealed form is not theirs to submit
    answer = bot.submit_update(SILVER_CHAIR, sealed)
    assert answer.json()["response_action"] == "errors"
    bot.settle(0.3)
    assert bot.updates("R3.2") == [] and bot.slack.messages("C0GOLD0001") == []
    # the form as the bot sealed it works, and confirms in the prompt's thread
    assert bot.submit_update(LD_LEAD, sealed).body == ""
    wait_for(lambda: [m for m in bot.slack.messages(prompt.channel) if m.thread_ts == prompt.ts],
             what="the confirmation in the prompt's thread")
    assert bot.slack.messages("C0GOLD0001") == []


def test_the_complete_and_reject_forms_are_sealed_too(bot: BotHarness) -> None:
    prompt = bot.post_prompt(LD_LEAD, "R3.2")
    bot.click(LD_LEAD, "ncpi_propose_complete", "R3.2", prompt)
    opened = wait_for(lambda: bot.slack.views, what="views.open")[-1].view
    values = {"evidence": {"evidence": {"type": "plain_text_input", "value": "https://intranet/ld"}}}
    forged = json.dumps({"action_id": "R3.2", "channel": "C0GOLD0001", "thread_ts": prompt.ts})
    r = bot.sender.view_submission(LD_LEAD, "ncpi_complete_modal", values, forged, "V0COMPL001")
    assert r.json()["response_action"] == "errors"
    r = bot.sender.view_submission(LD_LEAD, "ncpi_complete_modal", values, opened["private_metadata"], "V0COMPL001")
    assert r.status == 200 and r.body == ""
    wait_for(lambda: [m for m in bot.slack.messages(prompt.channel) if m.thread_ts == prompt.ts],
             what="the confirmation in the prompt's thread")
    assert bot.slack.messages("C0GOLD0001") == []


@pytest.mark.parametrize(("level", "channel", "allowed"), [
    ("", "C0SILVER01", True), ("", "C0GOLD0001", False), ("gold", "C0GOLD0001", True),
    ("gold", "C0SILVER01", True), ("", "C0RANDOM01", False), ("gold", "C0RANDOM01", False),
])
def test_summaries_are_posted_only_where_ncpi_yaml_allows(bot: BotHarness, level: str, channel: str,
                                                          allowed: bool) -> None:
    bot.command(SILVER_CHAIR, f"summary {level} post".strip(), channel=channel)
    if allowed:
        wait_for(lambda: bot.slack.messages(channel), what="the summary in the channel")
        return
    reply = bot.wait_response()
    bot.settle(0.3)
    assert bot.slack.messages(channel) == []
    assert "can be posted only in" in reply.text and "<#C0SILVER01>" in reply.text
    assert "leave out `post`" in reply.text


def test_more_channels_may_be_allowed_in_ncpi_yaml(bot: BotHarness) -> None:
    config = bot.core.config
    extra = config.channels.summary_posts.model_copy(update={"silver": ["C0RANDOM01"]})
    bot.core.config = config.model_copy(update={"channels": config.channels.model_copy(
        update={"summary_posts": extra})})
    bot.command(SILVER_CHAIR, "summary post", channel="C0RANDOM01")
    # allowed: the bot tries to post it there (the stand-in has no such channel, so Slack's own
    # refusal comes back, with what to do about it) instead of refusing by itself
    reply = bot.wait_response()
    assert "can be posted only" not in reply.text and "Invite me" in reply.text


def test_a_configured_workspace_that_is_not_the_tokens_stops_the_start(bot_core: Core,
                                                                       slack: SlackStandIn) -> None:
    bot_core.settings = bot_core.settings.model_copy(update={"slack_team_id": OTHER_TEAM})
    with pytest.raises(ConfigurationError) as refused:
        build_slack(bot_core, client=build_web_client(BOT_TOKEN, slack.api_url))
    assert refused.value.code == "slack.team_mismatch"


def test_the_installation_is_learned_from_slack(bot_core: Core, slack: SlackStandIn, force_config: ForceConfig) -> None:
    from bot.slack.trust import learn_installation

    learned = learn_installation(build_web_client(BOT_TOKEN, slack.api_url))
    assert (learned.team_id, learned.app_id, learned.org_wide) == ("T0NCPI0001", "A0NCPI0001", False)
    assert [c.method for c in slack.calls][-2:] == ["auth.test", "bots.info"]


def _view_submission_for_another_install(meta: str) -> dict[str, Any]:
    payload = build_view_submission(LD_LEAD, "ncpi_update_modal", {}, meta, "V0OTHER001")
    payload["view"]["app_installed_team_id"] = OTHER_TEAM
    return payload


def test_a_form_submitted_from_another_installation_is_refused(bot: BotHarness) -> None:
    prompt = bot.post_prompt(LD_LEAD, "R3.2")
    bot.click(LD_LEAD, "ncpi_update_open", "R3.2", prompt)
    sealed = wait_for(lambda: bot.slack.views, what="views.open")[0].view["private_metadata"]
    r = bot.sender.send_form({"payload": json.dumps(_view_submission_for_another_install(sealed))})
    assert r.status == 200 and r.body == ""
    bot.settle(0.3)
    assert bot.updates("R3.2") == []


def test_response_urls_are_allowed_only_on_slacks_hosts_or_the_configured_api() -> None:
    from bot.slack.trust import response_url_allowed

    api = "https://slack.com/api/"
    assert response_url_allowed("https://hooks.slack.com/commands/T0/1/abc", api)
    assert response_url_allowed("https://hooks.slack-gov.com/actions/T0/1/abc", api)
    assert response_url_allowed("http://127.0.0.1:8081/response/1", "http://127.0.0.1:8081/api/")
    for url in ("http://hooks.slack.com/commands/T0/1/abc", "https://hooks.slack.com.evil.example/x",
                "https://hooks.slack.com:8443/x", "https://evil.example/hooks.slack.com", "file:///etc/passwd",
                "http://169.254.169.254/latest/meta-data", "http://127.0.0.1:8082/response/1"):
        assert not response_url_allowed(url, "http://127.0.0.1:8081/api/"), url


def test_a_seal_opens_only_unedited_metadata_for_the_person_it_was_made_for() -> None:
    from bot.slack.sealed import MetadataSeal

    seal, other = MetadataSeal.for_secrets("signing-secret"), MetadataSeal.for_secrets("another-secret")
    sealed = seal.seal({"action_id": "R3.2", "channel": "D0LAND0001"}, LD_LEAD)
    assert len(sealed) < 3000  # Slack's private_metadata limit
    assert MetadataSeal.for_secrets("signing-secret").open(sealed, LD_LEAD) == {"action_id": "R3.2",
                                                                               "channel": "D0LAND0001"}
    assert other.open(sealed, LD_LEAD) is None  # another deployment's key
    assert seal.open(sealed, SILVER_CHAIR) is None  # someone else's form
    assert seal.open(sealed.replace("D0LAND0001", "C0GOLD0001"), LD_LEAD) is None
    for raw in (None, "", "{}", '{"action_id": "R3.2"}', sealed + "x", "." * 10, "\u00e9.\u00e9"):
        assert seal.open(raw, LD_LEAD) is None
    # Socket Mode has no signing secret: the bot token keys the seal, the same on every replica
    assert MetadataSeal.for_secrets(None, "xoxb-1").open(MetadataSeal.for_secrets("", "xoxb-1").seal({}, "U1"),
                                                         "U1") == {}
