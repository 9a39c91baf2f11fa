"""Teams' id formats, which the core does not know: ncpi.yaml's `teams_user` is a person's Microsoft
Entra object id (a GUID) and a body's Teams channel is the channel's conversation id
(`19:…@thread.tacv2`). `ncpi check --platform teams` reads ncpi.yaml through these."""

from __future__ import annotations

import re

from ncpi_core.config.schema import ForceConfig
from ncpi_core.config.yamlfile import YamlDoc
from ncpi_core.domain.models import Body
from ncpi_core.errors import Problem

PLATFORM = "teams"
ENTRA_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
CHANNEL_ID = re.compile(r"^19:[A-Za-z0-9_.\-]+@thread\.(?:tacv2|skype)$")


def is_user_id(value: str) -> bool:
    return ENTRA_ID.match(value) is not None


def is_channel_id(value: str) -> bool:
    return CHANNEL_ID.match(value) is not None


def id_problems(config: ForceConfig, doc: YamlDoc) -> list[Problem]:
    """Every Teams id in ncpi.yaml that is not shaped as Teams' ids are, and a body with no Teams
    channel, each naming the line and the fix."""
    problems = []
    for body in (Body.SILVER, Body.GOLD):
        path = ("channels", body.value, PLATFORM)
        field = ".".join(path)
        channel = config.channel(body, PLATFORM)
        if channel is None:
            problems.append(Problem(doc.name, doc.line_of(("channels", body.value)), field,
                                    f"no Teams channel for {body.value.title()}: write channels: {{{body.value}: "
                                    "{teams: '19:…@thread.tacv2'}} (in Teams: the channel's ⋯ → Get link to channel; "
                                    "the id is the part after /channel/, URL-decoded)"))
        elif not is_channel_id(channel):
            problems.append(Problem(doc.name, doc.line_of(path), field,
                                    f"'{channel}' is not a Teams channel id (19:…@thread.tacv2): copy it from the "
                                    "channel's link (⋯ → Get link to channel), URL-decoded"))
    for i, person in enumerate(config.people):
        if person.teams_user is not None and not is_user_id(person.teams_user):
            problems.append(Problem(doc.name, doc.line_of(("people", i, "teams_user")), f"people.{i}.teams_user",
                                    f"'{person.teams_user}' is not a Microsoft Entra object id (a GUID such as "
                                    "0e1c…-…): copy it from Entra admin centre → Users → the person → Object ID"))
    return problems
