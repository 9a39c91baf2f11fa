"""Slack's id formats, which the core does not know: it keeps a person's or a channel's id as an
opaque string. `ncpi check` reads ncpi.yaml through these so a mistyped id is found before Slack
is asked (and without a token)."""

from __future__ import annotations

import re

from ncpi_core.config.schema import ForceConfig
from ncpi_core.config.yamlfile import YamlDoc
from ncpi_core.domain.models import Body
from ncpi_core.errors import Problem

PLATFORM = "slack"
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")  # a member id: U… (or W… in Enterprise Grid)
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")  # a public (C…) or private (G…) channel


def is_user_id(value: str) -> bool:
    return USER_ID.match(value) is not None


def is_channel_id(value: str) -> bool:
    return CHANNEL_ID.match(value) is not None


def _channel_path(doc: YamlDoc, body: Body) -> tuple[str, ...]:
    """Where the body's Slack channel is written: `silver: C…` or `silver: {slack: C…}`."""
    channels = doc.data.get("channels") if isinstance(doc.data, dict) else None
    written = channels.get(body.value) if isinstance(channels, dict) else None
    return ("channels", body.value, PLATFORM) if isinstance(written, dict) else ("channels", body.value)


def id_problems(config: ForceConfig, doc: YamlDoc) -> list[Problem]:
    """Every Slack id in ncpi.yaml (`doc`, as `config` was read from it) that is not shaped as
    Slack's ids are, and a body with no Slack channel, each naming the line and the fix."""
    problems = []
    for body in (Body.SILVER, Body.GOLD):
        path = _channel_path(doc, body)
        field = ".".join(path)
        channel = config.channel(body, PLATFORM)
        if channel is None:
            problems.append(Problem(doc.name, doc.line_of(path), field,
                                    f"no Slack channel for {body.value.title()}: give the id (C… or G…) of the "
                                    "channel its summaries are posted in"))
        elif not is_channel_id(channel):
            problems.append(Problem(doc.name, doc.line_of(path), field,
                                    f"'{channel}' is not a Slack channel id (C… or G…): copy it from the "
                                    "bottom of the channel's details"))
    for i, person in enumerate(config.people):
        if person.slack_user is not None and not is_user_id(person.slack_user):
            problems.append(Problem(doc.name, doc.line_of(("people", i, "slack_user")), f"people.{i}.slack_user",
                                    f"'{person.slack_user}' is not a Slack member id (U… or W…): copy it "
                                    "from their profile (⋮ → Copy member ID)"))
    return problems
