"""Where ncpi can reach people and teams: the conversation references Teams shows the bot.

A bot can message a person only once its app is installed for them (by them, or by an app setup
policy that pre-installs it). Teams then sends `installationUpdate` (add) and a `conversationUpdate`
with the bot among `membersAdded`, each carrying the reference to their personal chat; a person's
first message carries it too. In a team, the same `conversationUpdate` tells us the team and the
service URL its channels are posted through. Each is kept in `conversations` (see the gateway).
"""

from __future__ import annotations

import logging
from typing import Any

from microsoft_agents.activity import Activity

from bot.teams.activities import reference_of
from bot.teams.cards.common import Card
from bot.teams.cards.replies import text_card
from bot.teams.deps import TeamsDeps

log = logging.getLogger(__name__)

WELCOME = ("Hello {name}. I am ncpi: before each Silver meeting I will ask you here for an update on each "
           "action you own, with buttons to answer in a moment. You can also message me an update at any time, "
           "such as `R3.2 amber 60% training slots delayed`, or `help` for everything else.")
STRANGER = ("Hello. ncpi runs a police force's inspection action plan, and you are not in its list of people, "
            "so there is nothing for you here. If you should be, ask the plan administrator to add your Teams "
            "user id (your Microsoft Entra object id) to config/ncpi.yaml.")


def _channel_data(activity: Activity) -> dict[str, Any]:
    data = activity.channel_data
    if hasattr(data, "model_dump"):
        data = data.model_dump(mode="json", by_alias=True, exclude_none=True)
    return data if isinstance(data, dict) else {}


def remember_personal(deps: TeamsDeps, activity: Activity) -> str | None:
    """Keep the reference to a person's chat from any activity in it; returns their Entra id."""
    conversation = activity.conversation
    sender = activity.from_property
    if conversation is None or sender is None or not sender.aad_object_id:
        return None
    if (conversation.conversation_type or "personal") != "personal":
        return None
    deps.gateway.remember(sender.aad_object_id, reference_of(activity))
    return sender.aad_object_id


def on_installed(deps: TeamsDeps, activity: Activity) -> Card | None:
    """The app was added for a person (or to a team): keep the reference; welcome a person once."""
    data = _channel_data(activity)
    team = data.get("team") if isinstance(data.get("team"), dict) else None
    if team and team.get("id"):
        deps.gateway.remember(f"team:{team['id']}", reference_of(activity))
        log.info("ncpi was added to a team (%s)", team.get("name") or team["id"])
        return None
    aad = remember_personal(deps, activity)
    if aad is None:
        return None
    if not deps.first_time(f"welcome:teams:{aad}"):
        return None  # installationUpdate and conversationUpdate both arrive: welcome once
    person = deps.person(aad)
    if person is None:
        return text_card(STRANGER)
    return text_card(WELCOME.format(name=person.name))


def on_removed(deps: TeamsDeps, activity: Activity) -> None:
    """The app was removed for a person: forget how to reach them (Teams would refuse anyway)."""
    sender = activity.from_property
    conversation = activity.conversation
    if sender is None or conversation is None or not sender.aad_object_id:
        return
    deps.gateway.forget(sender.aad_object_id, str(conversation.id or ""))
