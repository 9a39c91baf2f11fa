"""What Teams sends the bot, built in the shapes Teams uses and signed as the Bot Framework signs:
a person's message (in their chat, or with an @mention in a channel), a click on an Adaptive Card's
`Action.Execute` (an `adaptiveCard/action` invoke, whose answer refreshes the card), and the app
being installed or removed (`installationUpdate`, `conversationUpdate`)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.standin.teams.tenant import BOT_NAME, CARD, TEAM_ID, Posted, TeamsUser

if TYPE_CHECKING:
    from bot.standin.teams import TeamsStandIn


@dataclass
class Delivered:
    """The bot's HTTP answer to one activity."""

    status: int
    body: Any
    activity: dict[str, Any]
    seconds: float

    @property
    def card(self) -> dict[str, Any] | None:
        """The refreshed card an `Action.Execute` was answered with, if any."""
        if isinstance(self.body, dict) and self.body.get("type") == CARD:
            value: dict[str, Any] = self.body.get("value") or {}
            return value
        return None

    @property
    def message(self) -> str | None:
        """The text an `Action.Execute` was answered with instead of a card (a refusal), if any."""
        if isinstance(self.body, dict) and self.body.get("type") == "application/vnd.microsoft.activity.message":
            return str(self.body.get("value"))
        return None


class TeamsClient:
    """Sends the bot what Teams would, to `bot_url` (its /api/messages), signed by the stand-in."""

    def __init__(self, standin: TeamsStandIn, bot_url: str, timeout: float = 30.0) -> None:
        self.standin = standin
        self.tenant = standin.tenant
        self.bot_url = bot_url
        self.timeout = timeout
        self.delivered: list[Delivered] = []

    # --- building activities ---------------------------------------------------------------------
    def _base(self, kind: str, user: TeamsUser, conversation: dict[str, Any]) -> dict[str, Any]:
        now = datetime.now(UTC)
        return {"type": kind, "id": self.tenant.new_id(), "timestamp": now.isoformat().replace("+00:00", "Z"),
                "localTimestamp": now.isoformat(), "serviceUrl": self.standin.service_url, "channelId": "msteams",
                "from": {"id": user.id, "name": user.name, "aadObjectId": user.aad},
                "conversation": conversation, "recipient": {"id": self.tenant.bot_id, "name": BOT_NAME},
                "locale": "en-GB",
                "entities": [{"type": "clientInfo", "locale": "en-GB", "country": "GB", "platform": "Web",
                              "timezone": "Europe/London"}],
                "channelData": {"tenant": {"id": self.tenant.tenant_id}}}

    def _personal(self, user: TeamsUser) -> dict[str, Any]:
        return {"conversationType": "personal", "tenantId": self.tenant.tenant_id, "id": user.conversation}

    def _channel(self, channel: str, thread: str | None) -> dict[str, Any]:
        cid = f"{channel};messageid={thread}" if thread else channel
        return {"isGroup": True, "conversationType": "channel", "tenantId": self.tenant.tenant_id, "id": cid}

    def _user(self, aad: str) -> TeamsUser:
        user = self.tenant.user(aad)
        if user is None:  # a stranger: someone in the tenant ncpi.yaml does not know
            user = TeamsUser(aad, "Someone else")
        return user

    # --- what people do --------------------------------------------------------------------------
    def message(self, aad: str, text: str, reply_to: Posted | None = None, **extra: Any) -> Delivered:
        """`aad` types `text` in their chat with the bot (a quoted reply to `reply_to`, if given)."""
        user = self._user(aad)
        activity = self._base("message", user, self._personal(user))
        activity.update(text=text, textFormat="plain", **extra)
        if reply_to is not None:
            activity["replyToId"] = reply_to.id
        self.tenant.post(Posted(conversation=user.conversation, id=activity["id"], kind="user", sender=user.aad,
                                text=text, reply_to=reply_to.id if reply_to else None, at=time.time()))
        return self.send(activity)

    def channel_message(self, aad: str, channel: str, text: str, thread: str | None = None,
                        mention: bool = True) -> Delivered:
        """`aad` writes in a channel, @mentioning the bot (as a channel message to a bot must)."""
        user = self._user(aad)
        activity = self._base("message", user, self._channel(channel, thread))
        at = f"<at>{BOT_NAME}</at>"
        activity.update(text=f"{at} {text}" if mention else text, textFormat="plain")
        if mention:
            activity["entities"].append({"type": "mention", "text": at,
                                         "mentioned": {"id": self.tenant.bot_id, "name": BOT_NAME}})
        activity["channelData"].update(teamsChannelId=channel, teamsTeamId=TEAM_ID, channel={"id": channel},
                                       team={"id": TEAM_ID})
        if thread:
            activity["replyToId"] = thread
        self.tenant.post(Posted(conversation=channel, id=activity["id"], kind="user", sender=user.aad,
                                text=activity["text"], thread=thread, at=time.time()))
        return self.send(activity)

    def click(self, aad: str, message: Posted, verb: str, inputs: dict[str, Any] | None = None,
              data: dict[str, Any] | None = None) -> Delivered:
        """`aad` presses the `Action.Execute` button with this verb on `message`'s card (filling in
        `inputs` first); the card the bot answers with replaces it, as Teams does."""
        action = find_action(message.card() or {}, verb) if data is None else {"data": data}
        if action is None:
            raise LookupError(f"no Action.Execute with verb {verb!r} on message {message.id}")
        user = self._user(aad)
        conversation = (self._personal(user) if message.conversation.startswith("a:")
                        else self._channel(message.conversation, message.thread or message.id))
        activity = self._base("invoke", user, conversation)
        merged = {**(action.get("data") or {}), **(inputs or {})}
        activity.update(name="adaptiveCard/action", replyToId=message.id,
                        value={"action": {"type": "Action.Execute", "id": action.get("id"), "verb": verb,
                                          "data": merged}, "trigger": "manual"})
        result = self.send(activity)
        if result.card is not None:
            message.attachments = [{"contentType": CARD, "content": result.card}]
            message.updates += 1
        return result

    def install(self, aad: str) -> list[Delivered]:
        """The app is installed for `aad` (by them, or by an app setup policy): Teams sends the
        installation and the bot joining their personal chat."""
        user = self._user(aad)
        self.tenant.installed.add(user.aad)
        add = self._base("installationUpdate", user, self._personal(user))
        add["action"] = "add"
        joined = self._base("conversationUpdate", user, self._personal(user))
        joined["membersAdded"] = [{"id": self.tenant.bot_id}]
        return [self.send(add), self.send(joined)]

    def uninstall(self, aad: str) -> Delivered:
        user = self._user(aad)
        self.tenant.installed.discard(user.aad)
        remove = self._base("installationUpdate", user, self._personal(user))
        remove["action"] = "remove"
        return self.send(remove)

    def install_in_team(self, aad: str, team: str = TEAM_ID) -> Delivered:
        """`aad` adds the app to the team: the bot joins it (conversation: the General channel)."""
        user = self._user(aad)
        self.tenant.teams.add(team)
        joined = self._base("conversationUpdate", user, self._channel(team, None))
        joined["membersAdded"] = [{"id": self.tenant.bot_id}]
        joined["channelData"].update(eventType="teamMemberAdded", team={"id": team, "name": "NCPI governance"})
        return self.send(joined)

    # --- sending ---------------------------------------------------------------------------------
    def send(self, activity: dict[str, Any], token: str | None = None,
             headers: dict[str, str] | None = None, raw: bytes | None = None) -> Delivered:
        """POST one activity, signed with a token of the stand-in's channel key unless `token` is
        given ("" sends none)."""
        if token is None:
            token = self.standin.login.channel_token(str(activity.get("serviceUrl") or self.standin.service_url))
        data = raw if raw is not None else json.dumps(activity).encode()
        request = urllib.request.Request(self.bot_url, data=data, method="POST",
                                         headers={"Content-Type": "application/json", **(headers or {})})
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:  # noqa: S310 - loopback
                status, text = resp.status, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode("utf-8", "replace")
        try:
            body: Any = json.loads(text) if text else None
        except json.JSONDecodeError:
            body = text
        result = Delivered(status, body, activity, time.monotonic() - started)
        self.delivered.append(result)
        return result


def find_action(card: dict[str, Any], verb: str) -> dict[str, Any] | None:
    """The `Action.Execute` with this verb anywhere in a card (actions, action sets, shown cards)."""
    stack: list[Any] = [card]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute" and node.get("verb") == verb:
                return node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return None
